package atomicfile_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"kjjr/internal/atomicfile"
)

// entries lists dir's file names.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}

func TestWriteFile(t *testing.T) {
	for _, tc := range []struct {
		name  string
		write func(string, []byte, fs.FileMode) error
	}{
		{"durable", atomicfile.WriteFile},
		{"nosync", atomicfile.WriteFileNoSync},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "state.json")
			if err := tc.write(p, []byte("old"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := tc.write(p, []byte("new content"), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(p)
			if err != nil || string(got) != "new content" {
				t.Fatalf("read back %q, %v; want %q", got, err, "new content")
			}
			if runtime.GOOS != "windows" {
				st, _ := os.Stat(p)
				if st.Mode().Perm() != 0o644 {
					t.Errorf("mode %v; want 0644", st.Mode().Perm())
				}
			}
			if names := entries(t, dir); len(names) != 1 {
				t.Errorf("directory holds %q; want only state.json (no temporary file left)", names)
			}
		})
	}
}

// TestWriteFileMissingDir: a write into a directory that does not exist
// fails with the path in the error and creates nothing.
func TestWriteFileMissingDir(t *testing.T) {
	p := filepath.Join(t.TempDir(), "no", "such", "file")
	err := atomicfile.WriteFile(p, []byte("x"), 0o644)
	if !errors.Is(err, fs.ErrNotExist) || !bytes.Contains([]byte(err.Error()), []byte(p)) {
		t.Errorf("err = %v; want one wrapping fs.ErrNotExist naming %s", err, p)
	}
}

// TestReadersNeverSeeHalf: while one goroutine rewrites a file between two
// large contents, readers only ever see one of them whole.
func TestReadersNeverSeeHalf(t *testing.T) {
	p := filepath.Join(t.TempDir(), "page.html")
	a, b := bytes.Repeat([]byte("a"), 1<<20), bytes.Repeat([]byte("b"), 1<<20+7)
	if err := atomicfile.WriteFileNoSync(p, a, 0o644); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	bad := make(chan string, 1)
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				got, err := os.ReadFile(p)
				if err != nil {
					if runtime.GOOS == "windows" {
						continue // a rename over an open file fails there; the writer retries
					}
					select {
					case bad <- err.Error():
					default:
					}
					return
				}
				if !bytes.Equal(got, a) && !bytes.Equal(got, b) {
					select {
					case bad <- "a reader saw a mixed or truncated file":
					default:
					}
					return
				}
			}
		}()
	}
	for i := range 50 {
		data := a
		if i%2 == 0 {
			data = b
		}
		if err := atomicfile.WriteFileNoSync(p, data, 0o644); err != nil && runtime.GOOS != "windows" {
			t.Error(err)
		}
	}
	close(stop)
	wg.Wait()
	select {
	case msg := <-bad:
		t.Fatal(msg)
	default:
	}
}

// TestAbort: an aborted File leaves the target as it was and no
// temporary file.
func TestAbort(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "cache")
	if err := atomicfile.WriteFile(p, []byte("before"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := atomicfile.Create(p, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("half of the new")
	f.Abort()
	f.Abort() // twice is fine
	if err := f.Commit(); err == nil {
		t.Error("Commit after Abort succeeded")
	}
	if got, _ := os.ReadFile(p); string(got) != "before" {
		t.Errorf("target = %q after Abort; want it unchanged", got)
	}
	if names := entries(t, dir); len(names) != 1 {
		t.Errorf("directory holds %q after Abort", names)
	}
}

// TestStream: a File written in pieces commits them all, in order.
func TestStream(t *testing.T) {
	p := filepath.Join(t.TempDir(), "cache")
	f, err := atomicfile.Create(p, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Abort()
	var want bytes.Buffer
	for i := range 10000 {
		s := string(rune('a'+i%26)) + "line\n"
		f.WriteString(s)
		want.WriteString(s)
	}
	if err := f.CommitNoSync(); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(p); !bytes.Equal(got, want.Bytes()) {
		t.Errorf("committed %d bytes; want %d", len(got), want.Len())
	}
}

// TestCommitNew: CommitNew creates a file that is not there and never
// replaces one that is, even when many writers race for it.
func TestCommitNew(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "entry.json")
	var wg sync.WaitGroup
	var mu sync.Mutex
	won, lost := 0, 0
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f, err := atomicfile.Create(p, 0o600)
			if err != nil {
				t.Error(err)
				return
			}
			defer f.Abort()
			f.Write([]byte{byte('0' + i)})
			err = f.CommitNew()
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case errors.Is(err, fs.ErrExist):
				lost++
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if won != 1 || lost != 7 {
		t.Errorf("%d writers created the file, %d found it there; want 1 and 7", won, lost)
	}
	if got, _ := os.ReadFile(p); len(got) != 1 {
		t.Errorf("file holds %q; want one writer's byte", got)
	}
	if names := entries(t, dir); len(names) != 1 {
		t.Errorf("directory holds %q; want only entry.json", names)
	}
}
