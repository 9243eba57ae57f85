//go:build linux

package content

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDirFSWalk: the system-call walk of a DirFS (dirFS.walk) visits the
// same files in the same order, with the same stamps and problems, as
// fs.WalkDir over os.DirFS.
func TestDirFSWalk(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{
		"site.yaml", ".hidden.md", ".git/config", "README.md", "calendar/2025.yaml", "calendar/notes.txt",
		"notices/a.md", "notices/a-b.md", "notices/a.b.md", "notices/B.md", "notices/sub/x.md", "notices/.x.md",
		"rounds/2025.md", "publicity/p.md", "results/2025.md", "unknown/y.md",
		"institutions/jg1/index.md", "institutions/jg1/reports/2025-01.md", "institutions/jg1/reports/2025-H1.md",
		"institutions/jg1/inspections/2025-03-01.md", "institutions/jg1/evidence/e.md", "institutions/jg1/extra.md",
		"institutions/jg1-a/index.md", "institutions/jg1.a/index.md", "institutions/Bad/index.md", "institutions/Bad/reports/2025-01.md",
	} {
		write(name, "x")
	}
	// Enough entries for several getdents calls.
	for i := range 1500 {
		write(fmt.Sprintf("institutions/jg2/reports/%04d-with-a-long-name-to-fill-the-buffer.md", i), "y")
	}
	os.Symlink("../site.yaml", filepath.Join(dir, "notices", "link.md"))
	os.Symlink("jg1", filepath.Join(dir, "institutions", "jg3"))
	syscall.Mkfifo(filepath.Join(dir, "notices", "fifo.md"), 0o644)
	os.MkdirAll(filepath.Join(dir, "rounds", "empty"), 0o755)
	if os.Getuid() != 0 {
		os.MkdirAll(filepath.Join(dir, "institutions", "jg4", "reports"), 0o755)
		os.Chmod(filepath.Join(dir, "institutions", "jg4", "reports"), 0)
		t.Cleanup(func() { os.Chmod(filepath.Join(dir, "institutions", "jg4", "reports"), 0o755) })
	}
	SetRacyWindow(t, 0)
	time.Sleep(20 * time.Millisecond)
	start := time.Now()

	defer func(n int64) { maxOpenDirs = n }(maxOpenDirs)
	for _, c := range []struct {
		stat    bool
		maxOpen int64
	}{{false, 256}, {true, 256}, {true, 0}} {
		stat := c.stat
		maxOpenDirs = c.maxOpen // 0: the walk stats every file itself
		var fast, slow []job
		fastDiags := classify(DirFS(dir), stat, start, func(j job) {
			if j.dir != nil {
				j.stamp, j.cache = j.dir.stamp(j.path[strings.LastIndexByte(j.path, '/')+1:], start)
				j.dir = nil
			}
			fast = append(fast, j)
		})
		slowDiags := classify(os.DirFS(dir), stat, start, func(j job) {
			if j.entry != nil {
				if fi, err := j.entry.Info(); err == nil {
					j.stamp, j.cache = stampOf(fi, start)
				}
				j.entry = nil
			}
			slow = append(slow, j)
		})
		if len(slow) < 1500 || len(slowDiags) < 3 {
			t.Fatalf("the tree gave %d jobs and %d diagnostics", len(slow), len(slowDiags))
		}
		if !reflect.DeepEqual(fast, slow) {
			for i := range min(len(fast), len(slow)) {
				if fast[i] != slow[i] {
					t.Errorf("stat=%t: job %d is %+v, fs.WalkDir gives %+v", stat, i, fast[i], slow[i])
					break
				}
			}
			t.Fatalf("stat=%t: %d jobs, fs.WalkDir gives %d", stat, len(fast), len(slow))
		}
		if !reflect.DeepEqual(fastDiags, slowDiags) {
			t.Errorf("stat=%t: diagnostics\n%v\nfs.WalkDir gives\n%v", stat, fastDiags, slowDiags)
		}
		for i := 1; i < len(fast); i++ {
			if walkCompare(fast[i-1].path, fast[i].path) >= 0 {
				t.Errorf("%s before %s: not in walkCompare's order (the load cache's)", fast[i-1].path, fast[i].path)
			}
		}
		if stat && !fast[0].cache {
			t.Errorf("%s: stamp not trusted", fast[0].path)
		}
	}
}

// TestLoadClosesDirs: the directories the walk keeps open for the
// decoders (dirHandle) are all closed when Load returns.
func TestLoadClosesDirs(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "site.yaml"), []byte("title: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for i := range 40 {
		p := filepath.Join(dir, "institutions", fmt.Sprintf("jg%d", i), "reports")
		os.MkdirAll(p, 0o755)
		os.WriteFile(filepath.Join(p, "2025-01.md"), []byte("---\nkind: monthly\n---\n"), 0o644)
	}
	openFDs := func() int {
		ents, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Skip(err)
		}
		return len(ents)
	}
	SetRacyWindow(t, 0)
	time.Sleep(20 * time.Millisecond)
	before := openFDs()
	cache := filepath.Join(t.TempDir(), "cache")
	for range 2 {
		Load(DirFS(dir), &LoadOptions{Cache: cache, Public: true})
		if n := openFDs(); n != before {
			t.Errorf("%d files open after Load, %d before", n, before)
		}
	}
}
