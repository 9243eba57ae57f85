package content_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"kjjr/content"
)

func TestDirFS(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "notices"), 0o755)
	os.WriteFile(filepath.Join(dir, "site.yaml"), []byte("title: x\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "notices", "a.md"), []byte("---\nkind: 通知\n---\n正文\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "empty.md"), nil, 0o644)
	big := make([]byte, 100_000)
	for i := range big {
		big[i] = byte('a' + i%26)
	}
	os.WriteFile(filepath.Join(dir, "big.md"), big, 0o644)
	fsys := content.DirFS(dir)
	if err := fstest.TestFS(fsys, "site.yaml", "notices/a.md", "empty.md", "big.md"); err != nil {
		t.Fatal(err)
	}
	if got, err := fs.ReadFile(fsys, "big.md"); err != nil || string(got) != string(big) {
		t.Errorf("ReadFile(big.md) = %d bytes, %v", len(got), err)
	}
	for _, name := range []string{"missing.md", "../x", "/etc/passwd", "notices"} {
		if _, err := fs.ReadFile(fsys, name); err == nil {
			t.Errorf("ReadFile(%q) succeeded", name)
		}
	}
	if _, err := fs.ReadFile(fsys, "missing.md"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadFile(missing.md) = %v, want ErrNotExist", err)
	}
}
