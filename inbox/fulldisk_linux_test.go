package inbox

import (
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// fullDiskChildEnv makes the test binary the child of TestFullDisk: it
// lowers its file size limit and tries to commit.
const fullDiskChildEnv = "KJJR_INBOX_FULLDISK_CHILD"

// bigSubmission is a submission with a 3 MiB incompressible attachment.
func bigSubmission(t testing.TB, n int) *submission {
	data := make([]byte, 3<<20)
	if _, err := rand.Read(data); err != nil {
		t.Fatal(err)
	}
	sig := object.Signature{Name: instName, Email: instSender, When: testNow}
	return &submission{
		Branch: plumbing.ReferenceName("refs/heads/submit/" + instSlug + "/2026-10"),
		Files: map[string][]byte{
			"institutions/" + instSlug + "/reports/2026-10.md":                     []byte(fmt.Sprintf("report %d\n", n)),
			"institutions/" + instSlug + "/evidence/2026-10/0123456789ab-证明材料.pdf": data,
		},
		Author: sig, Committer: sig, Message: "test\n",
	}
}

// leftovers lists the temporary and lock files under a git directory.
func leftovers(t testing.TB, gitDir string) []string {
	t.Helper()
	var out []string
	filepath.Walk(gitDir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() && (strings.HasPrefix(fi.Name(), "tmp_") || strings.HasSuffix(fi.Name(), ".lock")) {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// TestFullDisk: a commit that fails because the disk is full (a small
// tmpfs when the test may mount one, else a file size limit in a child
// process) leaves no partial object files behind, however often it is
// retried, and succeeds once there is room.
func TestFullDisk(t *testing.T) {
	if os.Getenv(fullDiskChildEnv) != "" {
		fullDiskChild(t, os.Getenv(fullDiskChildEnv))
		return
	}
	src := newFixtureRepo(t, true, fixtureFiles(t, ""))
	if mnt := tmpfs(t, 1<<20); mnt != "" {
		dir := filepath.Join(mnt, "repo.git")
		if out, err := exec.Command("cp", "-a", src, dir).CombinedOutput(); err != nil {
			t.Fatalf("cp: %v\n%s", err, out)
		}
		g, err := openStore(dir)
		if err != nil {
			t.Fatal(err)
		}
		freeBlocks := func() uint64 {
			var st syscall.Statfs_t
			if err := syscall.Statfs(mnt, &st); err != nil {
				t.Fatal(err)
			}
			return st.Bfree
		}
		before := freeBlocks()
		for i := 0; i < 3; i++ {
			if _, err := g.commit(bigSubmission(t, 0), nil); err == nil {
				t.Fatal("a 3 MiB commit went into a 1 MiB file system")
			} else if !strings.Contains(err.Error(), "no space left") {
				t.Fatalf("attempt %d: %v, want ENOSPC", i, err)
			}
			if l := leftovers(t, dir); len(l) > 0 {
				t.Fatalf("attempt %d left %v", i, l)
			}
			// The small report may be stored whole (a few blocks for it
			// and its directory); a partial 3 MiB file would fill the disk.
			if free := freeBlocks(); free+4 < before {
				t.Fatalf("attempt %d: %d of %d free blocks left", i, free, before)
			}
		}
		if err := syscall.Mount("tmpfs", mnt, "tmpfs", syscall.MS_REMOUNT, "size=64m"); err != nil {
			t.Fatal(err)
		}
		if _, err := g.commit(bigSubmission(t, 9), nil); err != nil {
			t.Fatalf("with room again: %v", err)
		}
		gitCLI(t, dir, "fsck", "--strict")
		return
	}
	// Not allowed to mount: the same through RLIMIT_FSIZE in a child.
	cmd := exec.Command(os.Args[0], "-test.run=^TestFullDisk$", "-test.v")
	cmd.Env = append(os.Environ(), fullDiskChildEnv+"="+src)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if l := leftovers(t, src); len(l) > 0 {
		t.Fatalf("failed commits left %v\n%s", l, out)
	}
}

// fullDiskChild tries three commits that exceed a 1 MiB file size limit,
// then one with the limit lifted.
func fullDiskChild(t *testing.T, dir string) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: 1 << 20, Max: lim.Max}); err != nil {
		t.Fatal(err)
	}
	g, err := openStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if _, err := g.commit(bigSubmission(t, 0), nil); err == nil {
			t.Fatal("a 3 MiB commit went past a 1 MiB file size limit")
		}
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		t.Fatal(err)
	}
	if _, err := g.commit(bigSubmission(t, 9), nil); err != nil {
		t.Fatalf("with the limit lifted: %v", err)
	}
}

// tmpfs mounts a tmpfs of size bytes for the test and returns its
// directory, or "" when this process may not mount one (not root, or in
// a container without the capability).
func tmpfs(t *testing.T, size int) string {
	t.Helper()
	if os.Geteuid() != 0 || os.Getenv("KJJR_TEST_NO_MOUNT") != "" {
		return ""
	}
	mnt := filepath.Join(t.TempDir(), "small")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, fmt.Sprintf("size=%d", size)); err != nil {
		t.Logf("cannot mount a tmpfs (%v): using RLIMIT_FSIZE", err)
		return ""
	}
	t.Cleanup(func() { syscall.Unmount(mnt, syscall.MNT_DETACH) })
	return mnt
}
