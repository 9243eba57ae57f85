package publish

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"kjjr/content/gitfs"
	"kjjr/internal/gitdir"
	"kjjr/submission"
)

// fastPathFor reports whether checkMain takes the fast path for main
// moving from the commit base to head in the git directory gitDir.
func fastPathFor(t *testing.T, gitDir string, base, head plumbing.Hash) bool {
	t.Helper()
	st, done, err := hookStorer(gitDir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	only, ok, err := gitfs.ChangedInstitutions(st, commitTree(t, st, base), commitTree(t, st, head))
	if err != nil {
		t.Fatal(err)
	}
	return ok && len(only) > 0
}

func commitTree(t *testing.T, st storer.EncodedObjectStorer, h plumbing.Hash) *object.Tree {
	t.Helper()
	c, err := object.GetCommit(st, h)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := c.Tree()
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// edits changes files of the work tree dir: each key is a path, each
// value the new content ("" deletes the file); a value starting with
// "s/OLD/NEW/" replaces OLD by NEW once in the file, which must have it.
type edits map[string]string

func (e edits) apply(t *testing.T, dir string) {
	t.Helper()
	for rel, v := range e {
		p := filepath.Join(dir, rel)
		switch {
		case v == "":
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
		case strings.HasPrefix(v, "s/"):
			f := strings.SplitN(v[2:], "/", 2)
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), f[0]) {
				t.Fatalf("%s has no %q", rel, f[0])
			}
			writeFile(t, p, strings.Replace(string(b), f[0], strings.TrimSuffix(f[1], "/"), 1))
		default:
			writeFile(t, p, v)
		}
	}
}

const goodInspection = "---\ndate: \"2026-06-01\"\nkind: 日常监督检查\nfindings:\n  - 未发现问题\n---\n"

// TestGateFastMatchesFull: for each kind of push to main, the gate with
// its fast path says exactly what the full check says (the same refusal,
// or none), and the fast path is taken just when a push changes only
// reports and inspections (no index.md, no institution added or removed,
// nothing outside institutions/).
func TestGateFastMatchesFull(t *testing.T) {
	dir := contentRepo(t)
	gitDir := filepath.Join(dir, ".git")
	base := plumbing.NewHash(git(t, dir, "rev-parse", "HEAD"))
	today := day(t, "2026-12-01")
	const insp = "institutions/taigu-nongke/inspections/2026-06-01-routine.md"
	cases := []struct {
		name    string
		e       edits
		fast    bool
		refused string // a part of the refusal; "" when the push passes
	}{
		{"report fine", edits{taiguOct: "s/\n---\n/\n---\n补充说明。\n/"}, true, ""},
		{"report bad received_at", edits{taiguOct: "s/received_at: \"2026-11-03T10:19:41+08:00\"/" + badTime + "/"}, true, "received_at"},
		{"report deleted", edits{taiguOct: ""}, true, ""},
		{"report misnamed", edits{"institutions/taigu-nongke/reports/2026-13.md": "---\nkind: monthly\n---\n"}, true, "不是报送期间"},
		{"report of a future month", edits{"institutions/taigu-nongke/reports/2027-01.md": "s/x/x/"}, true, "尚未结束"},
		{"inspection fine", edits{insp: goodInspection}, true, ""},
		{"inspection without findings", edits{insp: "---\ndate: \"2026-06-01\"\nkind: 日常监督检查\n---\n"}, true, "findings"},
		{"two institutions, one bad", edits{taiguSep: "s/\n---\n/\n---\n补充说明。\n/",
			"institutions/kechuang-rongzi/reports/2026-10.md": "s/received_at: \"2026-11/received_at: \"2026-13/"}, true, "kechuang-rongzi"},
		{"index.md fine", edits{taiguIndex: "s/\n---\n/\n---\n补充说明。\n/"}, false, ""},
		{"index.md duplicate USCC", edits{taiguIndex: "s/uscc: 91140703MA0KB3R80F/uscc: " + jiexiuUSCC + "/"}, false, "重复"},
		{"index.md duplicate report sender", edits{taiguIndex: "s/sunli@taigu-nongke.example.cn/zhouqiang@jiexiu-xinke.example.com/"}, false, "已属于"},
		{"index.md and a report", edits{taiguIndex: "s/uscc: 91140703MA0KB3R80F/uscc: " + jiexiuUSCC + "/", taiguOct: "s/\n---\n/\n---\n补充说明。\n/"}, false, "重复"},
		{"new institution with a taken USCC", edits{"institutions/zz-copy/index.md": "s/x/x/"}, false, "重复"},
		{"institution removed", edits{taiguIndex: ""}, false, "找不到机构"},
		{"round names an unknown applicant", edits{"rounds/2025-1.md": "s/  - jiexiu-xinke\n/  - jiexiu-xinke\n  - no-such-institution\n/"}, false, "找不到机构"},
		{"notice fine", edits{}, false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			git(t, dir, "checkout", "-q", "-f", base.String())
			git(t, dir, "clean", "-qfdx")
			e := c.e
			switch c.name {
			case "report of a future month":
				b, _ := os.ReadFile(filepath.Join(dir, taiguOct))
				e = edits{"institutions/taigu-nongke/reports/2027-01.md": strings.Replace(string(b), `period: "2026-10"`, `period: "2027-01"`, 1)}
			case "new institution with a taken USCC":
				b, _ := os.ReadFile(filepath.Join(dir, "institutions/jiexiu-xinke/index.md"))
				e = edits{"institutions/zz-copy/index.md": strings.ReplaceAll(string(b), "jiexiu-xinke.example.com", "zz-copy.example.com")}
			case "notice fine":
				ents, _ := os.ReadDir(filepath.Join(dir, "notices"))
				e = edits{"notices/" + ents[0].Name(): "s/\n---\n/\n---\n补充说明。\n/"}
			}
			e.apply(t, dir)
			git(t, dir, "add", "-A")
			git(t, dir, "commit", "-q", "-m", c.name)
			head := plumbing.NewHash(git(t, dir, "rev-parse", "HEAD"))
			us := []Update{{Old: base, New: head, Ref: MainRef}}
			say := func(fast bool) string {
				defer func(was bool) { fastPath = was }(fastPath)
				fastPath = fast
				err := CheckPush(gitDir, nil, us, today)
				if err == nil {
					return ""
				}
				if _, ok := err.(*Refused); !ok {
					t.Fatalf("CheckPush: %v", err)
				}
				return err.Error()
			}
			got, full := say(true), say(false)
			if got != full {
				t.Errorf("with the fast path:\n%s\nthe full check:\n%s", got, full)
			}
			if c.refused == "" && got != "" || c.refused != "" && !strings.Contains(got, c.refused) {
				t.Errorf("gate says %q, want a refusal with %q", got, c.refused)
			}
			seen := map[string]bool{}
			for _, l := range strings.Split(got, "\n") {
				if seen[l] {
					t.Errorf("the refusal says twice: %s", l)
				}
				seen[l] = true
			}
			if f := fastPathFor(t, gitDir, base, head); f != c.fast {
				t.Errorf("fast path taken: %v, want %v", f, c.fast)
			}
		})
	}
}

// countTrees counts the trees read from a storer.
type countTrees struct {
	storer.EncodedObjectStorer
	n int
}

func (c *countTrees) EncodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	if t == plumbing.TreeObject {
		c.n++
	}
	return c.EncodedObjectStorer.EncodedObject(t, h)
}

// TestCheckTreeReadsChangedSubtrees: submission.CheckTree of a push that
// changes one report reads only the trees on the path to it (root,
// institutions/, the institution, its reports/), in both commits, not
// the other institutions' subtrees.
func TestCheckTreeReadsChangedSubtrees(t *testing.T) {
	dir := contentRepo(t)
	base := plumbing.NewHash(git(t, dir, "rev-parse", "HEAD"))
	head := plumbing.NewHash(edit(t, dir, taiguOct, "\n补充说明。\n"))
	st := &countTrees{EncodedObjectStorer: gitdir.Storage(filepath.Join(dir, ".git"), filesystem.Options{})}
	a, b := commitTree(t, st, base), commitTree(t, st, head)
	st.n = 0
	bad, err := submission.CheckTree(st, a, b)
	if err != nil || len(bad) > 0 {
		t.Fatalf("CheckTree: %v, %v", bad, err)
	}
	if st.n > 6 {
		t.Errorf("CheckTree read %d trees for one changed report; want 6 (institutions/, the institution, reports/, in both commits)", st.n)
	}
}
