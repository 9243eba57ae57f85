package readall

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestString(t *testing.T) {
	dir := t.TempDir()
	for _, want := range []string{"", "一行\n", strings.Repeat("kjjr ", 100000)} {
		p := filepath.Join(dir, "f")
		if err := os.WriteFile(p, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := String(p)
		if err != nil || got != want {
			t.Fatalf("String: %d bytes, %v; want %d bytes", len(got), err, len(want))
		}
	}
	if _, err := String(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}
