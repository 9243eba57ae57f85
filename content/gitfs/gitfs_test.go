package gitfs_test

import (
	"io/fs"
	"os"
	"os/exec"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/go-git/go-git/v5"

	"kjjr/content"
	"kjjr/content/gitfs"
	"kjjr/internal/testenv"
)

// TestLoadFromGitTree commits the embedded default dataset with the C git
// CLI and loads it back through gitfs: the same records as from disk.
func TestLoadFromGitTree(t *testing.T) {
	testenv.NeedTool(t, "git")
	dir := t.TempDir()
	if err := os.CopyFS(dir, jinzhongFS()); err != nil {
		t.Fatal(err)
	}
	gitRun(t, dir, "init", "-q", "-b", "main")
	gitRun(t, dir, "add", "-A")
	gitRun(t, dir, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "init")

	repo, err := git.PlainOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	gfs, _, err := gitfs.Rev(repo, "main")
	if err != nil {
		t.Fatal(err)
	}
	if err := fstest.TestFS(gfs, "site.yaml", "calendar/2025.yaml"); err != nil {
		t.Fatal(err)
	}
	// Load reads with GOMAXPROCS workers: under -race this also proves FS
	// is safe for concurrent reads.
	fromGit, err := content.Load(gfs, &content.LoadOptions{Workers: 4})
	if err != nil {
		t.Fatalf("Load(git tree): %v", err)
	}
	fromDisk, err := content.Load(os.DirFS(dir), nil)
	if err != nil {
		t.Fatalf("Load(dir): %v", err)
	}
	if len(fromGit.Notices) != len(fromDisk.Notices) || len(fromGit.Institutions) != len(fromDisk.Institutions) {
		t.Errorf("git tree gave %d notices, %d institutions; disk gave %d, %d",
			len(fromGit.Notices), len(fromGit.Institutions), len(fromDisk.Notices), len(fromDisk.Institutions))
	}
	// TreeHash is git's own tree hash.
	for _, d := range []string{".", "calendar"} {
		want, err := exec.Command("git", "-C", dir, "rev-parse", "main:"+strings.TrimPrefix(d, ".")).Output()
		if err != nil {
			t.Fatal(err)
		}
		if got, err := gfs.TreeHash(d); err != nil || got != strings.TrimSpace(string(want)) {
			t.Errorf("TreeHash(%q) = %q, %v; git says %s", d, got, err, want)
		}
	}
	if _, err := gfs.TreeHash("site.yaml"); err == nil {
		t.Error("TreeHash of a file succeeded")
	}
	if _, err := fs.Stat(gfs, "no/such/file"); err == nil {
		t.Error("Stat of a missing path succeeded")
	}
	if _, err := gfs.Open("../escape"); err == nil {
		t.Error("Open(../escape) succeeded")
	}
}

func gitRun(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}
