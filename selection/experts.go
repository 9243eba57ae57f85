package selection

import (
	"encoding/json"
	"fmt"
	"net/mail"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing/object"

	"kjjr/internal/safetext"
	"kjjr/sheet"
)

// Expert is a member of a round's expert panel, kept on the round's
// private ref in experts.json: staff register the address an expert
// returns the workbook from.
type Expert struct {
	Name  string `json:"name"`
	Email string `json:"email"` // lower case
}

const expertsFile = "experts.json"

// ParseExpert reads "姓名 <邮箱>".
func ParseExpert(s string) (Expert, error) {
	a, err := mail.ParseAddress(strings.TrimSpace(s))
	if err != nil || strings.TrimSpace(a.Name) == "" {
		return Expert{}, refuse("专家 %q 格式不对：应写作 '姓名 <邮箱>'，例如 '李专家 <li@example.edu.cn>'", s)
	}
	return Expert{Name: safetext.Line(a.Name, 100), Email: strings.ToLower(a.Address)}, nil
}

// Experts returns the round's expert panel, by name.
func (r *Repo) Experts(round string) ([]Expert, error) {
	if err := checkRound(round); err != nil {
		return nil, err
	}
	_, t, err := r.privateTree(round)
	if err != nil || t == nil {
		return nil, err
	}
	return readExperts(t, round)
}

func readExperts(t *object.Tree, round string) ([]Expert, error) {
	f, err := t.File(expertsFile)
	if err != nil {
		return nil, nil
	}
	s, err := f.Contents()
	if err != nil {
		return nil, fmt.Errorf("selection: %s on %s: %w", expertsFile, PrivateRef(round), err)
	}
	var out []Expert
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, fmt.Errorf("selection: %s on %s: %w", expertsFile, PrivateRef(round), err)
	}
	return out, nil
}

// AddExpert registers e on the round's panel (replacing an entry with the
// same name or address), committed by by on the private ref.
func (r *Repo) AddExpert(round string, e Expert, by object.Signature, now time.Time) error {
	list, err := r.Experts(round)
	if err != nil {
		return err
	}
	out := []Expert{e}
	for _, x := range list {
		if sheet.NormLabel(x.Name) != sheet.NormLabel(e.Name) && x.Email != e.Email {
			out = append(out, x)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	js, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return fmt.Errorf("selection: encode experts: %w", err)
	}
	_, err = r.addPrivate(round, map[string][]byte{expertsFile: append(js, '\n')}, signature(by, now),
		fmt.Sprintf("评审专家：%s\n\nKjjr-Round: %s\n", e.Name, round))
	return err
}

// ExpertRounds returns, for a sender address, the rounds whose panel lists
// it and the expert's entry in each: how the inbox tells an expert's
// returned workbook from other mail.
func (r *Repo) ExpertRounds(addr string) (map[string]Expert, error) {
	addr = strings.ToLower(strings.TrimSpace(addr))
	out := map[string]Expert{}
	for _, rd := range r.privateRounds() {
		list, err := r.Experts(rd)
		if err != nil {
			return nil, err
		}
		for _, e := range list {
			if e.Email == addr {
				out[rd] = e
			}
		}
	}
	return out, nil
}

// privateRounds lists the rounds that have a private ref, from the loose
// refs under refs/kjjr/rounds/ and packed-refs, without listing every
// ref of the repo (the inbox asks for each message, and a register has
// thousands of submit branches).
func (r *Repo) privateRounds() []string {
	seen := map[string]bool{}
	var out []string
	add := func(n string) {
		if checkRound(n) == nil && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	if ents, err := os.ReadDir(filepath.Join(r.GitDir, filepath.FromSlash(PrivateRefPrefix))); err == nil {
		for _, e := range ents {
			if e.Type().IsRegular() {
				add(e.Name())
			}
		}
	}
	if b, err := os.ReadFile(filepath.Join(r.GitDir, "packed-refs")); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if _, name, ok := strings.Cut(strings.TrimSpace(line), " "); ok {
				if n, ok := strings.CutPrefix(name, PrivateRefPrefix); ok {
					add(n)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}
