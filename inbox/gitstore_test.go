package inbox

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"kjjr/internal/gitdir"
)

// TestGitLess: the allocation-free order is git's (object.TreeEntrySorter),
// including the dir-as-if-"/" rule (file a.b sorts before dir a; dir a
// before file a0).
func TestGitLess(t *testing.T) {
	names := []string{"a", "a.b", "a0", "a-", "a/", "ab", "b", "", "证明.pdf", "aa", "a.", "a_", "Z"}
	rng := rand.New(rand.NewPCG(3, 4))
	for round := 0; round < 200; round++ {
		var es []object.TreeEntry
		seen := map[string]bool{}
		for i := 0; i < 8; i++ {
			n := names[rng.IntN(len(names))] + names[rng.IntN(len(names))]
			if n == "" || seen[n] {
				continue
			}
			seen[n] = true
			m := filemode.Regular
			if rng.IntN(2) == 0 {
				m = filemode.Dir
			}
			es = append(es, object.TreeEntry{Name: n, Mode: m})
		}
		want := append([]object.TreeEntry(nil), es...)
		sort.Sort(object.TreeEntrySorter(want))
		got := append([]object.TreeEntry(nil), es...)
		sort.Slice(got, func(i, j int) bool { return gitLess(&got[i], &got[j]) })
		for i := range want {
			if want[i].Name != got[i].Name {
				t.Fatalf("order differs:\ngot  %v\nwant %v", got, want)
			}
		}
	}
}

// TestSetRefCrashSafe: refs move by git's own <ref>.lock and a rename,
// so a writer killed mid-update never leaves an empty ref file (on which
// every later start failed: "list refs: ref file is empty", seen in
// TestFaultSIGKILL). A lock left behind is listed as no ref, and is never
// taken over: the commit is refused, naming the lock, until it is
// removed.
func TestSetRefCrashSafe(t *testing.T) {
	dir := newFixtureRepo(t, true, fixtureFiles(t, ""))
	g, err := openStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	branch := plumbing.ReferenceName("refs/heads/submit/" + instSlug + "/2026-10")
	sub := func(n int) *submission {
		sig := object.Signature{Name: instName, Email: instSender, When: testNow}
		return &submission{Branch: branch, Files: map[string][]byte{fmt.Sprintf("institutions/%s/x%d.txt", instSlug, n): []byte("x")},
			Author: sig, Committer: sig, Message: "test"}
	}
	refFile := filepath.Join(g.gitDir, filepath.FromSlash(branch.String()))
	lock := refFile + ".lock"
	readRef := func() string {
		b, err := os.ReadFile(refFile)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	c1, err := g.commit(sub(1), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := readRef(); got != c1.String()+"\n" {
		t.Fatalf("ref file %q, want %s", got, c1)
	}
	// A lock left by a killed writer (it had written its value): the refs
	// still list, without the lock; the branch does not move past it.
	if err := os.WriteFile(lock, []byte(strings.Repeat("0", 40)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var names []string
	refs, err := g.repo.Storer.IterReferences()
	if err != nil {
		t.Fatal(err)
	}
	refs.ForEach(func(r *plumbing.Reference) error { names = append(names, r.Name().String()); return nil })
	if strings.Contains(strings.Join(names, " "), ".lock") {
		t.Errorf("a lock is listed as a ref: %q", names)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(lock, old, old); err != nil {
		t.Fatal(err)
	}
	var le *gitdir.LockedError
	if _, err := g.commit(sub(2), nil); !errors.As(err, &le) || !strings.Contains(err.Error(), lock) {
		t.Fatalf("commit past a stale lock: %v, want a *gitdir.LockedError naming %s", err, lock)
	}
	if got := readRef(); got != c1.String()+"\n" {
		t.Fatalf("ref moved past the lock: %q", got)
	}
	if err := os.Remove(lock); err != nil {
		t.Fatal(err)
	}
	c2, err := g.commit(sub(2), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := readRef(); got != c2.String()+"\n" {
		t.Fatalf("ref file %q, want %s", got, c2)
	}
	if _, err := os.Stat(lock); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("lock left behind: %v", err)
	}
	pc, err := object.GetCommit(g.repo.Storer, c2)
	if err != nil || len(pc.ParentHashes) != 1 || pc.ParentHashes[0] != c1 {
		t.Errorf("commit %s parents %v, want %s", c2, pc.ParentHashes, c1)
	}
}
