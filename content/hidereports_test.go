package content

import (
	"errors"
	"io/fs"
	"testing"
	"testing/fstest"
)

func TestHideReports(t *testing.T) {
	m := fstest.MapFS{
		"institutions/a/index.md":           {Data: []byte("a")},
		"institutions/a/reports/2026-04.md": {Data: []byte("ra")},
		"institutions/b/index.md":           {Data: []byte("b")},
		"institutions/b/reports/2026-04.md": {Data: []byte("rb")},
		"rounds/reports/x.md":               {Data: []byte("not an institution's")},
	}
	h := HideReports(m, func(slug string) bool { return slug == "a" })
	for _, tc := range []struct {
		path   string
		exists bool
	}{
		{"institutions/a/index.md", true},
		{"institutions/a/reports", false},
		{"institutions/a/reports/2026-04.md", false},
		{"institutions/b/reports/2026-04.md", true},
		{"rounds/reports/x.md", true},
	} {
		_, err := fs.Stat(h, tc.path)
		if tc.exists != (err == nil) {
			t.Errorf("Stat(%s): %v, want exists=%v", tc.path, err, tc.exists)
		}
		if !tc.exists && !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Stat(%s): %v, want fs.ErrNotExist", tc.path, err)
		}
		_, err = fs.ReadFile(h, tc.path)
		if tc.exists != (err == nil) {
			t.Errorf("ReadFile(%s): %v", tc.path, err)
		}
	}
	ents, err := fs.ReadDir(h, "institutions/a")
	if err != nil || len(ents) != 1 || ents[0].Name() != "index.md" {
		t.Errorf("ReadDir(institutions/a) = %v, %v; want index.md alone", ents, err)
	}
	if ents, _ := fs.ReadDir(h, "institutions/b"); len(ents) != 2 {
		t.Errorf("ReadDir(institutions/b) = %v; want index.md and reports", ents)
	}
	var n int
	fs.WalkDir(h, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	if n != 4 {
		t.Errorf("walk saw %d files, want 4", n)
	}
}
