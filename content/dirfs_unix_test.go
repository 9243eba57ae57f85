//go:build unix

package content_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"kjjr/content"
)

// specialTree is a content repo with every kind of entry DirFS must not
// follow or open, and the secret each would leak.
func specialTree(t *testing.T) (dir string) {
	t.Helper()
	dir = t.TempDir()
	outside := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(outside, "secret.md"), []byte("---\ntitle: OUTSIDE\n---\n"), 0o644))
	must(os.MkdirAll(filepath.Join(dir, "notices/real"), 0o755))
	must(os.MkdirAll(filepath.Join(dir, "institutions/alpha/reports"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "site.yaml"), []byte("title: x\n"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "notices/real/a.pdf"), []byte("%PDF"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "institutions/alpha/reports/2025-08.md"), []byte("---\nfiler: PRIVATE\n---\n"), 0o644))
	must(os.Symlink(filepath.Join(outside, "secret.md"), filepath.Join(dir, "notices/out.md")))
	must(os.Symlink("../institutions/alpha/reports/2025-08.md", filepath.Join(dir, "notices/report.md")))
	must(os.Symlink("/dev/zero", filepath.Join(dir, "notices/zero.md")))
	must(os.Symlink(outside, filepath.Join(dir, "notices/dirlink")))
	must(os.Symlink("real", filepath.Join(dir, "notices/inner")))
	must(syscall.Mkfifo(filepath.Join(dir, "notices/fifo.md"), 0o644))
	f, err := os.Create(filepath.Join(dir, "notices/big.md"))
	must(err)
	must(f.Truncate(1 << 30))
	must(f.Close())
	return dir
}

// TestDirFSRefusesSpecialFiles: no link is followed, as the last
// component or on the way, no FIFO or device is read, and a big file is
// refused by its size before any byte of it is read.
func TestDirFSRefusesSpecialFiles(t *testing.T) {
	dir := specialTree(t)
	run := func(t *testing.T) {
		fsys := content.DirFS(dir)
		for _, name := range []string{"notices/out.md", "notices/report.md", "notices/zero.md", "notices/fifo.md",
			"notices/dirlink/secret.md", "notices/inner/a.pdf", "notices/dirlink", "notices/inner"} {
			done := make(chan error, 1)
			go func() {
				_, err := content.ReadRegular(fsys, name, content.MaxRecordSize)
				done <- err
			}()
			select {
			case err := <-done:
				if !errors.Is(err, content.ErrNotRegular) {
					t.Errorf("ReadRegular(%s) = %v; want ErrNotRegular", name, err)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("ReadRegular(%s) hangs", name)
			}
			if _, err := fs.ReadFile(fsys, name); !errors.Is(err, content.ErrNotRegular) {
				t.Errorf("ReadFile(%s) = %v; want ErrNotRegular", name, err)
			}
			if _, err := fsys.Open(name); !errors.Is(err, content.ErrNotRegular) {
				t.Errorf("Open(%s) = %v; want ErrNotRegular", name, err)
			}
		}
		if data, err := content.ReadRegular(fsys, "notices/real/a.pdf", 4); err != nil || string(data) != "%PDF" {
			t.Errorf("ReadRegular(a.pdf) = %q, %v", data, err)
		}
		if _, err := content.ReadRegular(fsys, "notices/real/a.pdf", 3); !errors.Is(err, content.ErrTooLarge) {
			t.Errorf("ReadRegular(a.pdf, 3) = %v; want ErrTooLarge", err)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := content.ReadRegular(fsys, "notices/big.md", content.MaxRecordSize)
		runtime.ReadMemStats(&after)
		var tl *content.TooLargeError
		if !errors.As(err, &tl) || tl.Size != 1<<30 {
			t.Errorf("ReadRegular(big.md) = %v; want a TooLargeError of 1 GiB", err)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
			t.Errorf("ReadRegular(big.md) allocated %d bytes: it read the file", n)
		}
		// The walk lists links as links.
		ents, err := fs.ReadDir(fsys, "notices")
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			if e.Name() == "inner" && e.Type()&fs.ModeSymlink == 0 {
				t.Errorf("ReadDir lists notices/inner as %v", e.Type())
			}
		}
	}
	// os.DirFS (kjjr status and others load with it): the entry itself.
	osfs := os.DirFS(dir)
	for _, name := range []string{"notices/out.md", "notices/zero.md", "notices/fifo.md"} {
		done := make(chan error, 1)
		go func() {
			_, err := content.ReadRegular(osfs, name, content.MaxRecordSize)
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, content.ErrNotRegular) {
				t.Errorf("ReadRegular(os.DirFS, %s) = %v; want ErrNotRegular", name, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("ReadRegular(os.DirFS, %s) hangs", name)
		}
	}
	if _, err := content.ReadRegular(osfs, "notices/big.md", content.MaxRecordSize); !errors.Is(err, content.ErrTooLarge) {
		t.Errorf("ReadRegular(os.DirFS, big.md) = %v; want ErrTooLarge", err)
	}
	t.Run("openat2", run)
	t.Run("openat", func(t *testing.T) {
		disableOpenat2(t)
		run(t)
	})
}

// TestLoadReportsSpecialFiles: Load names every special file of the tree
// with what it is, refuses the big record by its size, and finishes.
// Both walks: DirFS's (getdents on Linux) and fs.WalkDir's (os.DirFS).
func TestLoadReportsSpecialFiles(t *testing.T) {
	dir := specialTree(t)
	t.Run("DirFS", func(t *testing.T) { loadSpecial(t, content.DirFS(dir)) })
	t.Run("os.DirFS", func(t *testing.T) { loadSpecial(t, os.DirFS(dir)) })
}

func loadSpecial(t *testing.T, fsys fs.FS) {
	done := make(chan *content.Repo, 1)
	go func() {
		r, _ := content.Load(fsys, nil)
		done <- r
	}()
	var r *content.Repo
	select {
	case r = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Load hangs on the special files")
	}
	want := map[string]string{
		"notices/out.md": "符号链接", "notices/report.md": "符号链接", "notices/zero.md": "符号链接",
		"notices/dirlink": "符号链接", "notices/inner": "符号链接", "notices/fifo.md": "命名管道", "notices/big.md": "文件过大",
	}
	for _, d := range r.Diags {
		if w, ok := want[d.File]; ok && d.Severity == content.Error && strings.Contains(d.Message, w) {
			delete(want, d.File)
		}
		if strings.Contains(d.Message, "OUTSIDE") || strings.Contains(d.Message, "PRIVATE") {
			t.Errorf("a diagnostic shows linked bytes: %v", d)
		}
	}
	for f, w := range want {
		t.Errorf("no error %q for %s; diagnostics:\n%v", w, f, r.Diags)
	}
	for _, n := range r.Notices {
		t.Errorf("a notice was loaded through a link: %s %q", n.File, n.Title)
	}
}

// TestDirFSRootMayBeALink: the content directory itself may be reached
// through a link (a checkout under a linked home); only what is inside
// it is held to the no-link rule.
func TestDirFSRootMayBeALink(t *testing.T) {
	real := t.TempDir()
	if err := os.WriteFile(filepath.Join(real, "site.yaml"), []byte("title: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "repo")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	r, err := content.Load(content.DirFS(link), nil)
	if err != nil {
		t.Fatalf("Load through a linked root: %v", err)
	}
	if r.Site.Title != "x" {
		t.Errorf("site.yaml not read through a linked root: %+v", r.Site)
	}
}
