//go:build unix

package publish

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"kjjr/content"
	"kjjr/content/gitfs"
)

// gateServer is a bare repo of the default dataset with the hooks
// installed, and a clone to push from. prep, when not nil, changes the
// dataset before it becomes the bare repo's main (its changes are
// committed without passing the gate). The post-receive hook is removed:
// these tests are of the pre-receive gate, and nothing is published.
func gateServer(t *testing.T, prep func(dir string)) *server {
	t.Helper()
	src := contentRepo(t)
	if prep != nil {
		prep(src)
		git(t, src, "add", "-A")
		git(t, src, "commit", "-q", "-m", "main as it is")
	}
	root := t.TempDir()
	s := &server{bare: filepath.Join(root, "content.git"), web: filepath.Join(root, "www"), work: filepath.Join(root, "work")}
	git(t, root, "clone", "-q", "--bare", src, s.bare)
	git(t, root, "clone", "-q", "file://"+s.bare, s.work)
	if code, out := kjjr(t, "hooks", "install", "--repo", s.bare, "--publish", s.web); code != 0 {
		t.Fatalf("hooks install: %d\n%s", code, out)
	}
	if err := os.Remove(filepath.Join(s.bare, "hooks", "post-receive")); err != nil {
		t.Fatal(err)
	}
	return s
}

// replaceIn replaces old by new (once, and it must be there) in the file
// rel of the work tree dir.
func replaceIn(t *testing.T, dir, rel, old, new string) {
	t.Helper()
	p := filepath.Join(dir, rel)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s has no %q", rel, old)
	}
	writeFile(t, p, strings.Replace(string(b), old, new, 1))
}

const (
	taiguOct   = "institutions/taigu-nongke/reports/2026-10.md"
	taiguSep   = "institutions/taigu-nongke/reports/2026-09.md"
	taiguIndex = "institutions/taigu-nongke/index.md"
	// jiexiu-xinke's USCC, which taigu-nongke's index.md takes in the
	// duplicate case: two institutions may not share one.
	jiexiuUSCC = "91140781MA0LD8C645"
	badTime    = `received_at: "十一月三日"`
)

// receivedAt is the received_at line of taigu-nongke's report rel in the
// default dataset.
func receivedAt(t *testing.T, dir, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, rel))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "received_at: ") {
			return l
		}
	}
	t.Fatalf("%s has no received_at", rel)
	return ""
}

// pushMain commits what change did in the clone on top of main and
// pushes it to main through the hooks. It returns the pusher's output,
// whether the push went through, and the commit. When it was refused,
// the commit is pushed to refs/heads/scratch (a ref the gate lets
// through) so that the caller can run the gate on it in process; main's
// refs must not have moved.
func pushMain(t *testing.T, s *server, change func()) (string, bool, plumbing.Hash) {
	t.Helper()
	git(t, s.work, "fetch", "-q", "origin")
	git(t, s.work, "checkout", "-q", "-f", "main")
	git(t, s.work, "reset", "-q", "--hard", "origin/main")
	change()
	git(t, s.work, "commit", "-q", "-am", "change")
	head := plumbing.NewHash(git(t, s.work, "rev-parse", "HEAD"))
	before := s.refs(t)
	out, ok := gitTry(t, s.work, "push", "origin", "main")
	if !ok {
		if after := s.refs(t); after != before {
			t.Errorf("a refused push moved refs:\n%s\nwas:\n%s", after, before)
		}
		git(t, s.work, "push", "-q", "-f", "origin", "HEAD:refs/heads/scratch")
	}
	return out, ok, head
}

// gateBoth runs the gate in process on main moving to head, with the
// fast path and without it, and fails unless both say the same; it
// returns the refusal message ("" when the push passes) and whether the
// fast path applies.
func gateBoth(t *testing.T, s *server, head plumbing.Hash) (string, bool) {
	t.Helper()
	main := plumbing.NewHash(s.main(t))
	us := []Update{{Old: main, New: head, Ref: MainRef}}
	today := content.Today()
	msg := func(fast bool) string {
		defer func(was bool) { fastPath = was }(fastPath)
		fastPath = fast
		err := CheckPush(s.bare, nil, us, today)
		if err == nil {
			return ""
		}
		if _, ok := err.(*Refused); !ok {
			t.Fatalf("CheckPush: %v", err)
		}
		return err.Error()
	}
	fast, full := msg(true), msg(false)
	if fast != full {
		t.Errorf("the fast path says\n%s\nthe full path says\n%s", fast, full)
	}
	return fast, usesFastPath(t, s, main, head)
}

// usesFastPath reports whether checkMain takes the fast path for main
// moving from the commit base to head.
func usesFastPath(t *testing.T, s *server, base, head plumbing.Hash) bool {
	t.Helper()
	st, done, err := hookStorer(s.bare, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	tree := func(h plumbing.Hash) *object.Tree {
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
	only, ok, err := gitfs.ChangedInstitutions(st, tree(base), tree(head))
	if err != nil {
		t.Fatal(err)
	}
	return ok && len(only) > 0
}

// remoteSaid reports whether every line of msg reached the pusher (as
// "remote: <line>").
func remoteSaid(out, msg string) bool {
	for _, l := range strings.Split(msg, "\n") {
		if !strings.Contains(out, "remote: "+l) {
			return false
		}
	}
	return msg != ""
}

// TestGateFastPath: a push to main that changes only an institution's
// reports is checked on that institution alone, and says what the full
// check says: a bad report is refused with the full check's message, a
// good one passes. A change to an institution's index.md is checked
// against every institution: one that duplicates another institution's
// USCC is refused, which a check of the changed institution alone would
// let through.
func TestGateFastPath(t *testing.T) {
	s := gateServer(t, nil)
	t.Run("bad report", func(t *testing.T) {
		out, ok, head := pushMain(t, s, func() {
			replaceIn(t, s.work, taiguOct, receivedAt(t, s.work, taiguOct), badTime)
		})
		if ok {
			t.Fatalf("a report with a bad received_at went through:\n%s", out)
		}
		msg, fast := gateBoth(t, s, head)
		if !fast {
			t.Error("a changed report did not take the fast path")
		}
		if !strings.Contains(msg, "未通过校验") || !strings.Contains(msg, taiguOct) || !strings.Contains(msg, "received_at") {
			t.Errorf("refusal:\n%s", msg)
		}
		if !remoteSaid(out, msg) {
			t.Errorf("the pusher saw\n%s\nnot the gate's message\n%s", out, msg)
		}
	})
	t.Run("good report", func(t *testing.T) {
		out, ok, head := pushMain(t, s, func() {
			b, _ := os.ReadFile(filepath.Join(s.work, taiguOct))
			writeFile(t, filepath.Join(s.work, taiguOct), string(b)+"\n审核通过的补充说明。\n")
		})
		if !ok {
			t.Fatalf("a good report was refused:\n%s", out)
		}
		if got := s.main(t); got != head.String() {
			t.Errorf("main is %s, want the pushed %s", got, head)
		}
	})
	t.Run("duplicate USCC in index.md", func(t *testing.T) {
		old := ""
		out, ok, head := pushMain(t, s, func() {
			b, _ := os.ReadFile(filepath.Join(s.work, taiguIndex))
			for _, l := range strings.Split(string(b), "\n") {
				if strings.HasPrefix(l, "uscc: ") {
					old = l
				}
			}
			replaceIn(t, s.work, taiguIndex, old, "uscc: "+jiexiuUSCC)
		})
		if ok {
			t.Fatalf("an institution with another's USCC went through:\n%s", out)
		}
		msg, fast := gateBoth(t, s, head)
		if fast {
			t.Error("a changed index.md took the fast path")
		}
		if !strings.Contains(msg, "重复") || !remoteSaid(out, msg) {
			t.Errorf("the pusher saw\n%s\nthe gate says\n%s", out, msg)
		}
	})
	git(t, s.bare, "fsck", "--strict", "--no-progress")
}

// TestGateOldErrors: errors main already has do not block a push through
// the fast path, even in the institution the push changes; an error the
// push adds beside them does, and only it is reported.
func TestGateOldErrors(t *testing.T) {
	s := gateServer(t, func(dir string) {
		replaceIn(t, dir, taiguOct, receivedAt(t, dir, taiguOct), badTime)
	})
	base := plumbing.NewHash(s.main(t))
	out, ok, head := pushMain(t, s, func() {
		b, _ := os.ReadFile(filepath.Join(s.work, taiguSep))
		writeFile(t, filepath.Join(s.work, taiguSep), string(b)+"\n审核通过的补充说明。\n")
	})
	if !ok {
		t.Fatalf("a good report was refused for an error main already had:\n%s", out)
	}
	if !usesFastPath(t, s, base, head) {
		t.Error("a changed report did not take the fast path")
	}
	out, ok, head = pushMain(t, s, func() {
		replaceIn(t, s.work, taiguSep, receivedAt(t, s.work, taiguSep), badTime)
	})
	if ok {
		t.Fatalf("a bad report went through:\n%s", out)
	}
	msg, fast := gateBoth(t, s, head)
	if !fast {
		t.Error("a changed report did not take the fast path")
	}
	if !strings.Contains(msg, "多出 1 处错误") || !strings.Contains(msg, taiguSep) || strings.Contains(msg, taiguOct) || !remoteSaid(out, msg) {
		t.Errorf("the pusher saw\n%s\nthe gate says\n%s", out, msg)
	}
}
