package review

import (
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"kjjr/application"
	"kjjr/content"
	"kjjr/sheet"
	"kjjr/submission"
)

// CodeNoRound is the refusal of a round that main does not have.
const CodeNoRound = "no_round"

// Application is one application to a selection round as staff see it:
// the tip of its branch apply/<round>/<applicant> (package submission),
// read from git objects alone.
type Application struct {
	Branch   submission.ApplyBranch
	Slug     string    // Kjjr-Institution: the directory it writes
	Sender   string    // the author address of the tip (the applicant's claim)
	Received time.Time // the author time of the tip
	Commits  int       // applications on the branch (more than 1: resubmitted)
	// Registered is true when Slug is an institution on main (the
	// application was taken as theirs).
	Registered bool
	// Draft is the draft record at the tip (nil when it cannot be read).
	Draft *content.Institution
	// Attachments are the evidence files besides the form, by their
	// original (cleaned) names.
	Attachments []string
	// Checks is the pre-check of 第二条 (application.Check) of the form at
	// the tip, against the round's application close.
	Checks []application.Finding
	// Problem is set when the branch cannot be read as an application
	// (not an inbox commit, no form): Chinese, for staff.
	Problem string
}

// Failed returns the pre-check findings that are not OK.
func (a *Application) Failed() []application.Finding { return application.Failed(a.Checks) }

// Applications returns the round of slug on main and its applications,
// one per branch apply/<slug>/*, sorted by applicant key.
func (r *Repo) Applications(slug string) (*content.Round, []*Application, error) {
	m, err := r.newMainInfo()
	if err != nil {
		return nil, nil, err
	}
	if !content.SlugPattern.MatchString(slug) {
		return nil, nil, refuse(CodeNoRound, "%q 不是遴选批次的代号（rounds/<代号>.md）", slug)
	}
	p := "rounds/" + slug + ".md"
	data, err := fs.ReadFile(m.fsys, p)
	if err != nil {
		return nil, nil, refuse(CodeNoRound, "main 上没有遴选批次 %s（%s）", slug, p)
	}
	rd := &content.Round{}
	if ds := content.DecodeRecord(p, data, rd); ds.HasErrors() {
		return nil, nil, refuse(CodeCheckFailed, "%s 有错误，请先修正：\n%s", p, ds.Error())
	}
	rd.Slug, rd.File = slug, p
	iter, err := r.Git.References()
	if err != nil {
		return nil, nil, fmt.Errorf("review: list refs: %w", err)
	}
	var out []*Application
	prefix := submission.ApplyRefPrefix + slug + "/"
	err = iter.ForEach(func(ref *plumbing.Reference) error {
		if !strings.HasPrefix(ref.Name().String(), prefix) || ref.Type() != plumbing.HashReference {
			return nil
		}
		ab, err := submission.ParseApplyBranch(ref.Name().String())
		if err != nil {
			return nil
		}
		out = append(out, r.application(m, rd, ab, ref.Hash()))
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("review: list refs: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Branch.Applicant < out[j].Branch.Applicant })
	return rd, out, nil
}

// application reads one application branch's tip.
func (r *Repo) application(m *mainInfo, rd *content.Round, ab submission.ApplyBranch, tip plumbing.Hash) *Application {
	a := &Application{Branch: ab}
	c, err := r.Git.CommitObject(tip)
	if err != nil {
		a.Problem = "无法读取分支的提交：" + err.Error()
		return a
	}
	a.Sender, a.Received = c.Author.Email, c.Author.When
	meta, ok := submission.ParseApplyMeta(c.Message)
	if !ok || meta.Branch != ab {
		a.Problem = "分支的最新提交不是收件程序写入的申报（缺少或不符的 Kjjr-Round / Kjjr-Applicant 尾注）"
		return a
	}
	a.Slug = meta.Slug
	a.Registered = m.institution(meta.Slug) != nil
	for h := c; ; {
		mm, ok := submission.ParseApplyMeta(h.Message)
		if !ok || mm.Branch != ab {
			break
		}
		a.Commits++
		if len(h.ParentHashes) == 0 {
			break
		}
		if h, err = r.Git.CommitObject(h.ParentHashes[0]); err != nil {
			break
		}
	}
	tree, err := c.Tree()
	if err != nil {
		a.Problem = "无法读取分支的文件：" + err.Error()
		return a
	}
	var draft content.Institution
	p := "institutions/" + meta.Slug + "/index.md"
	if data, err := readBlob(tree, p); err == nil {
		if ds := content.DecodeRecord(p, data, &draft); !ds.HasErrors() {
			a.Draft = &draft
		}
	}
	dir := ab.EvidenceDir(meta.Slug)
	var form []byte
	if t, err := tree.Tree(dir); err == nil {
		for _, e := range t.Entries {
			if !e.Mode.IsFile() {
				continue
			}
			if e.Name == "form.xlsx" {
				form, _ = readBlob(t, e.Name)
				continue
			}
			a.Attachments = append(a.Attachments, originalName(e.Name))
		}
	}
	if form == nil {
		a.Problem = "分支上没有申报表（" + dir + "/form.xlsx）"
		return a
	}
	app, err := application.Parse(form)
	if err != nil {
		a.Problem = "申报表无法读取：" + err.Error()
		return a
	}
	var atts []application.Attachment
	for _, n := range a.Attachments {
		atts = append(atts, application.Attachment{Name: n})
	}
	a.Checks = application.Check(app, rd.Application.To, atts)
	return a
}

// originalName strips the hash prefix of submission.EvidenceName.
func originalName(name string) string {
	if len(name) > 13 && name[12] == '-' && strings.Trim(name[:12], "0123456789abcdef") == "" {
		return name[13:]
	}
	return name
}

// readBlob reads the file at p of tree t, at most sheet.MaxFileSize.
func readBlob(t *object.Tree, p string) ([]byte, error) {
	f, err := t.File(p)
	if err != nil {
		return nil, err
	}
	if f.Size > sheet.MaxFileSize {
		return nil, fmt.Errorf("%s: too large (%d bytes)", p, f.Size)
	}
	rd, err := f.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	return io.ReadAll(rd)
}
