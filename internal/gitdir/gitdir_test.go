package gitdir

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"kjjr/internal/testenv"
)

// needGit skips the test when C git is missing, and fails it in CI
// (CI=true).
func needGit(t testing.TB) {
	t.Helper()
	testenv.NeedTool(t, "git")
}

// gitCmd runs C git in dir and returns its trimmed output.
func gitCmd(t testing.TB, dir string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

func mustGit(t testing.TB, dir string, args ...string) string {
	t.Helper()
	out, err := gitCmd(t, dir, args...)
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// newRepo makes a bare repo with C git holding one commit on main and
// returns its directory and the commit.
func newRepo(t testing.TB) (string, plumbing.Hash) {
	t.Helper()
	needGit(t)
	dir := t.TempDir()
	mustGit(t, dir, "init", "-q", "--bare", "-b", "main")
	tree := mustGit(t, dir, "mktree") // empty tree (stdin is empty)
	c := mustGit(t, dir, "commit-tree", tree, "-m", "base")
	mustGit(t, dir, "update-ref", "refs/heads/main", c)
	return dir, plumbing.NewHash(c)
}

// commitOn makes a commit with parent p (C git) and returns it.
func commitOn(t testing.TB, dir string, p plumbing.Hash, msg string) plumbing.Hash {
	t.Helper()
	tree := mustGit(t, dir, "rev-parse", p.String()+"^{tree}")
	return plumbing.NewHash(mustGit(t, dir, "commit-tree", tree, "-p", p.String(), "-m", msg))
}

// TestUpdateAndRead: Update moves a ref only from the expected value, a
// new ref only when absent, and leaves no lock.
func TestUpdateAndRead(t *testing.T) {
	dir, base := newRepo(t)
	c1 := commitOn(t, dir, base, "one")
	main := plumbing.ReferenceName("refs/heads/main")
	if err := Update(dir, main, c1, c1); !errors.Is(err, storage.ErrReferenceHasChanged) {
		t.Fatalf("update from a wrong old value: %v, want ErrReferenceHasChanged", err)
	}
	if err := Update(dir, main, c1, plumbing.ZeroHash); !errors.Is(err, storage.ErrReferenceHasChanged) {
		t.Fatalf("create over an existing ref: %v, want ErrReferenceHasChanged", err)
	}
	if err := Update(dir, main, c1, base); err != nil {
		t.Fatal(err)
	}
	if got := mustGit(t, dir, "rev-parse", "main"); got != c1.String() {
		t.Fatalf("git sees main at %s, want %s", got, c1)
	}
	br := plumbing.ReferenceName("refs/heads/submit/a-b/2026-10")
	if err := Update(dir, br, base, plumbing.ZeroHash); err != nil {
		t.Fatal(err)
	}
	if h, err := Read(dir, br); err != nil || h != base {
		t.Fatalf("Read = %s, %v; want %s", h, err, base)
	}
	if _, err := Read(dir, "refs/heads/nope"); !errors.Is(err, plumbing.ErrReferenceNotFound) {
		t.Fatalf("Read of a missing ref: %v", err)
	}
	// An empty ref file (what go-git's in-place rewrite left when killed)
	// is broken, not absent: nothing is written over it.
	broken := filepath.Join(dir, "refs", "heads", "broken")
	if err := os.WriteFile(broken, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Update(dir, "refs/heads/broken", base, plumbing.ZeroHash); err == nil || !strings.Contains(err.Error(), broken) {
		t.Fatalf("update over a broken ref: %v, want an error naming %s", err, broken)
	}
	os.Remove(broken)
	if out := mustGit(t, dir, "fsck", "--strict"); strings.Contains(out, "error") {
		t.Fatal(out)
	}
	locks, _ := filepath.Glob(filepath.Join(dir, "refs", "heads", "*.lock"))
	if len(locks) > 0 {
		t.Fatalf("locks left: %v", locks)
	}
}

// TestGitHoldsLock: while C git holds refs/heads/main.lock (a prepared
// `git update-ref --stdin` transaction), Update refuses with a Chinese
// message naming the lock and leaves main alone; once git is done, it
// goes through. A stale lock (nobody holds it) is never taken over.
func TestGitHoldsLock(t *testing.T) {
	dir, base := newRepo(t)
	c1 := commitOn(t, dir, base, "git's")
	c2 := commitOn(t, dir, base, "kjjr's")
	cmd := exec.Command("git", "update-ref", "--stdin")
	cmd.Dir = dir
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(in, "start\nupdate refs/heads/main %s %s\nprepare\n", c1, base)
	buf := make([]byte, 64)
	n, _ := io.ReadAtLeast(out, buf, len("start: ok\nprepare: ok\n"))
	if !strings.Contains(string(buf[:n]), "prepare: ok") {
		t.Fatalf("git did not prepare: %q", buf[:n])
	}
	lockPath := filepath.Join(dir, "refs", "heads", "main.lock")
	err = Update(dir, "refs/heads/main", c2, base)
	var le *LockedError
	if !errors.As(err, &le) {
		t.Fatalf("Update while git holds the lock: %v, want *LockedError", err)
	}
	if le.Path != lockPath || !strings.Contains(err.Error(), lockPath) || !strings.Contains(err.Error(), "锁文件") || !strings.Contains(err.Error(), "删除") {
		t.Errorf("message %q does not name the lock %s and say what to do", err, lockPath)
	}
	fmt.Fprintf(in, "commit\n")
	in.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("git update-ref --stdin: %v", err)
	}
	if got := mustGit(t, dir, "rev-parse", "main"); got != c1.String() {
		t.Fatalf("main at %s, want git's %s", got, c1)
	}
	// kjjr's update was computed against base: it must not go through now.
	if err := Update(dir, "refs/heads/main", c2, base); !errors.Is(err, storage.ErrReferenceHasChanged) {
		t.Fatalf("stale update: %v", err)
	}
	// A lock nobody holds any more (git killed): refused until removed.
	if err := os.WriteFile(lockPath, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	os.Chtimes(lockPath, old, old)
	if err := Update(dir, "refs/heads/main", c2, c1); !errors.As(err, &le) {
		t.Fatalf("Update past a stale lock: %v, want *LockedError", err)
	}
	os.Remove(lockPath)
	if err := Update(dir, "refs/heads/main", c2, c1); err != nil {
		t.Fatal(err)
	}
}

// TestKjjrHoldsLock: while kjjr holds the lock, `git update-ref` refuses.
func TestKjjrHoldsLock(t *testing.T) {
	dir, base := newRepo(t)
	c1 := commitOn(t, dir, base, "git's")
	l, err := lockRef(dir, "refs/heads/main")
	if err != nil {
		t.Fatal(err)
	}
	out, err := gitCmd(t, dir, "update-ref", "refs/heads/main", c1.String(), base.String())
	if err == nil {
		t.Fatalf("git update-ref went through while kjjr held the lock: %s", out)
	}
	if !strings.Contains(out, "main.lock") {
		t.Errorf("git's refusal does not name the lock: %s", out)
	}
	l.unlock()
	mustGit(t, dir, "update-ref", "refs/heads/main", c1.String(), base.String())
}

// TestPackedRefs: a ref that only packed-refs holds is compared and moved
// (the loose file written wins, as in git), and deleted from packed-refs
// without touching the other lines.
func TestPackedRefs(t *testing.T) {
	dir, base := newRepo(t)
	c1 := commitOn(t, dir, base, "one")
	br := "refs/heads/submit/x/2026-10"
	mustGit(t, dir, "update-ref", br, base.String())
	mustGit(t, dir, "tag", "-a", "-m", "t", "v1", "main") // a peeled line in packed-refs
	mustGit(t, dir, "pack-refs", "--all", "--prune")
	if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(br))); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("pack-refs left a loose ref: %v", err)
	}
	if err := Update(dir, "refs/heads/main", c1, c1); !errors.Is(err, storage.ErrReferenceHasChanged) {
		t.Fatalf("packed main compared wrongly: %v", err)
	}
	if err := Update(dir, "refs/heads/main", c1, base); err != nil {
		t.Fatal(err)
	}
	if got := mustGit(t, dir, "rev-parse", "main"); got != c1.String() {
		t.Fatalf("main at %s, want %s", got, c1)
	}
	if err := Delete(dir, plumbing.ReferenceName(br), c1); !errors.Is(err, storage.ErrReferenceHasChanged) {
		t.Fatalf("delete from a wrong value: %v", err)
	}
	if err := Delete(dir, plumbing.ReferenceName(br), base); err != nil {
		t.Fatal(err)
	}
	refs := mustGit(t, dir, "show-ref")
	if strings.Contains(refs, br) || !strings.Contains(refs, "refs/tags/v1") || !strings.Contains(refs, c1.String()+" refs/heads/main") {
		t.Fatalf("refs after delete:\n%s", refs)
	}
	if got := mustGit(t, dir, "rev-parse", "v1^{commit}"); got != base.String() {
		t.Fatalf("tag v1 peels to %s", got)
	}
	mustGit(t, dir, "fsck", "--strict")
	if _, err := os.Stat(filepath.Join(dir, "refs", "heads", "submit")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("empty ref directory left: %v", err)
	}
}

// TestListSkipsLocks: a lock and an empty file that a killed git left
// under refs/ do not stop go-git from listing refs through Storage, and
// are not listed.
func TestListSkipsLocks(t *testing.T) {
	dir, _ := newRepo(t)
	for _, p := range []string{"refs/heads/main.lock", "refs/heads/submit/x/2026-10.lock", "refs/heads/empty"} {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, p), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r, gd, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if gd != dir {
		t.Errorf("git dir %s, want %s", gd, dir)
	}
	it, err := r.References()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	if err := it.ForEach(func(r *plumbing.Reference) error { names = append(names, r.Name().String()); return nil }); err != nil {
		t.Fatalf("list refs: %v", err)
	}
	if got := strings.Join(names, " "); got != "HEAD refs/heads/main" {
		t.Fatalf("refs %q, want HEAD and main only", got)
	}
}

// TestRaceWithGit: C git (`git update-ref NEW OLD` in a loop) and Update
// moving the same ref at once never lose an update: every commit either
// side made lands in the ref's first-parent history.
func TestRaceWithGit(t *testing.T) {
	dir, base := newRepo(t)
	const each = 30
	ref := plumbing.ReferenceName("refs/heads/submit/race/2026-10")
	if err := Update(dir, ref, base, plumbing.ZeroHash); err != nil {
		t.Fatal(err)
	}
	script := fmt.Sprintf(`n=0
while [ $n -lt %d ]; do
  old=$(git rev-parse %[2]s 2>/dev/null) || continue
  new=$(git commit-tree $old^{tree} -p $old -m "git $n" 2>/dev/null) || continue
  if git update-ref %[2]s $new $old 2>/dev/null; then n=$((n+1)); fi
done`, each, ref)
	// Two writers on each side, so that each side also races itself.
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for w := 0; w < 2; w++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			cmd := exec.Command("sh", "-c", script)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com")
			if out, err := cmd.CombinedOutput(); err != nil {
				errs <- fmt.Errorf("git loop: %v\n%s", err, out)
			}
		}()
		go func() {
			defer wg.Done()
			if err := kjjrLoop(dir, ref, each); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	log := mustGit(t, dir, "log", "--first-parent", "--format=%s", ref.String())
	var g, k int
	for _, l := range strings.Split(log, "\n") {
		switch {
		case strings.HasPrefix(l, "git "):
			g++
		case strings.HasPrefix(l, "kjjr "):
			k++
		}
	}
	if g != 2*each || k != 2*each {
		t.Fatalf("history holds %d of git's and %d of kjjr's %d updates each: updates were lost", g, k, 2*each)
	}
}

// kjjrLoop moves ref n times with Update, each time to a new commit on
// top of its current value, retrying when the ref changed or is locked.
func kjjrLoop(dir string, ref plumbing.ReferenceName, n int) error {
	st := Storage(dir, filesystem.Options{})
	for done := 0; done < n; {
		old, err := Read(dir, ref)
		if err != nil {
			return err
		}
		pc, err := object.GetCommit(st, old)
		if err != nil {
			return err
		}
		sig := object.Signature{Name: "kjjr", Email: "k@example.com", When: time.Now()}
		c := &object.Commit{Author: sig, Committer: sig, Message: fmt.Sprintf("kjjr %d\n", done), TreeHash: pc.TreeHash, ParentHashes: []plumbing.Hash{old}}
		obj := st.NewEncodedObject()
		if err := c.Encode(obj); err != nil {
			return err
		}
		h, err := st.SetEncodedObject(obj)
		if err != nil {
			return err
		}
		var le *LockedError
		switch err := Update(dir, ref, h, old); {
		case err == nil:
			done++
		case errors.Is(err, storage.ErrReferenceHasChanged), errors.As(err, &le):
		default:
			return err
		}
	}
	return nil
}

// lockChildEnv makes the test binary a kjjr process that takes a ref lock
// and then exits without releasing it ("exit": as if killed) or keeps it
// ("hold").
const lockChildEnv = "KJJR_GITDIR_LOCK_CHILD"

// TestKilledKjjrLock: a lock that a killed kjjr left is removed by the
// next Update (a restarted inbox goes on by itself); one that a live kjjr
// holds, or that anyone else left (C git's, a plain file), is not.
func TestKilledKjjrLock(t *testing.T) {
	if mode := os.Getenv(lockChildEnv); mode != "" {
		dir := os.Getenv("KJJR_GITDIR_LOCK_DIR")
		if _, err := lockRef(dir, "refs/heads/main"); err != nil {
			fmt.Println("child:", err)
			os.Exit(1)
		}
		fmt.Println("locked")
		if mode == "exit" {
			os.Exit(0) // the flock goes with the process, the lock file stays
		}
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	dir, base := newRepo(t)
	c1 := commitOn(t, dir, base, "one")
	lockPath := filepath.Join(dir, "refs", "heads", "main.lock")
	child := func(mode string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKilledKjjrLock$")
		cmd.Env = append(os.Environ(), lockChildEnv+"="+mode, "KJJR_GITDIR_LOCK_DIR="+dir)
		return cmd
	}
	// A live kjjr holds it: refused.
	hold := child("hold")
	out, _ := hold.StdoutPipe()
	if err := hold.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 16)
	if n, _ := io.ReadAtLeast(out, buf, len("locked")); !strings.HasPrefix(string(buf[:n]), "locked") {
		t.Fatalf("child: %q", buf[:n])
	}
	var le *LockedError
	if err := Update(dir, "refs/heads/main", c1, base); !errors.As(err, &le) {
		t.Fatalf("update while a live kjjr holds the lock: %v", err)
	}
	// Killed: the lock file stays, and the next Update takes it over.
	hold.Process.Kill()
	hold.Wait()
	if _, err := os.Stat(lockPath); err != nil {
		t.Fatalf("the killed child left no lock: %v", err)
	}
	if out, err := gitCmd(t, dir, "update-ref", "refs/heads/main", c1.String(), base.String()); err == nil {
		t.Fatalf("git passed the lock: %s", out)
	}
	if err := Update(dir, "refs/heads/main", c1, base); err != nil {
		t.Fatalf("update after the lock's kjjr was killed: %v", err)
	}
	// The same after a plain exit.
	if out, err := child("exit").CombinedOutput(); err != nil {
		t.Fatalf("child: %v %s", err, out)
	}
	if err := Update(dir, "refs/heads/main", base, c1); err != nil {
		t.Fatalf("update after the lock's kjjr exited: %v", err)
	}
	if ents, _ := os.ReadDir(ownDir(dir)); len(ents) != 0 {
		t.Errorf("ownership files left: %v", ents)
	}
	// Anyone else's lock is not taken over.
	if err := os.WriteFile(lockPath, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Update(dir, "refs/heads/main", c1, base); !errors.As(err, &le) {
		t.Fatalf("update past a lock that is not kjjr's: %v", err)
	}
}
