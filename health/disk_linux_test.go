//go:build linux

package health

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// tmpfs mounts a small tmpfs of size bytes, or skips (fails in CI): it
// needs root.
func tmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("mounting a tmpfs needs root; CI must run this test as root")
		}
		t.Skip("mounting a tmpfs needs root")
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("mount tmpfs: %v: %s", err, out)
		}
		t.Skipf("mount tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	return dir
}

// fill writes a file of n bytes (real blocks, not a hole).
func fill(t *testing.T, path string, n int) {
	t.Helper()
	if err := os.WriteFile(path, make([]byte, n), 0o600); err != nil {
		t.Fatal(err)
	}
}

// On a real, small file system: the disk check follows its filling, and
// a job that cannot write its record on a full disk says so (it is
// recorded as disk_full by the next run that can).
func TestDiskOnTmpfs(t *testing.T) {
	dir := tmpfs(t, "4m")
	gd := filepath.Join(dir, "repo.git")
	if err := os.MkdirAll(gd, 0o700); err != nil {
		t.Fatal(err)
	}
	l := defaults(t)
	steps := []struct {
		fill int
		want Status
	}{
		{0, OK},
		{3*1024*1024 + 700*1024, Warning}, // ~92%
		{4*1024*1024 - 40*1024, Critical}, // ~99%
	}
	for _, s := range steps {
		if s.fill > 0 {
			fill(t, filepath.Join(dir, "ballast"), s.fill)
		}
		d, err := Disk(gd)
		if err != nil {
			t.Fatal(err)
		}
		if r := CheckDisk(d, l); r.Status != s.want {
			t.Fatalf("ballast %d: %v (%s), want %v", s.fill, r.Status, r.Summary, s.want)
		}
	}
	// Full: the record cannot be written, and the error says why.
	fill(t, filepath.Join(dir, "ballast"), 4*1024*1024)
	big := make([]byte, 4096)
	for i := range big {
		big[i] = 'x'
	}
	f, _ := os.Create(filepath.Join(dir, "rest"))
	for {
		if _, err := f.Write(big); err != nil {
			break
		}
	}
	f.Close()
	err := Record(gd, JobInbox, Run{Err: os.ErrClosed, Counts: map[string]int{"fetched": 1}})
	if err == nil {
		t.Fatal("Record on a full disk succeeded")
	}
	if Cause(err) != CauseDiskFull {
		t.Fatalf("Cause(%v) = %s, want %s", err, Cause(err), CauseDiskFull)
	}
	d, _ := Disk(gd)
	if r := CheckDisk(d, l); r.Status != Critical {
		t.Fatalf("full disk: %v (%s)", r.Status, r.Summary)
	}
}
