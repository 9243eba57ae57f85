package content_test

import (
	"io/fs"
	"os"
	"path"
	"reflect"
	"slices"
	"strings"
	"testing"

	"kjjr/content"
	"kjjr/content/corpus"
	"kjjr/content/jinzhong"
)

// TestFastYAMLAgrees decodes every record of the default dataset, of a
// small corpus and of the bad fixtures through both YAML paths. They must
// agree, and the fast path must take every record that EncodeRecord wrote
// (generated datasets), or Load loses its speed.
func TestFastYAMLAgrees(t *testing.T) {
	dir := t.TempDir()
	if err := corpus.Write(dir, &corpus.Options{Institutions: 3, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	for _, src := range []struct {
		name      string
		fsys      fs.FS
		mustTake  bool
		skipFiles []string
	}{
		{"jinzhong", jinzhong.FS(), true, nil},
		{"corpus", os.DirFS(dir), true, nil},
		{"badrepo", os.DirFS("testdata/badrepo"), false, nil},
	} {
		fs.WalkDir(src.fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || path.Ext(p) != ".md" || strings.Contains(p, "/evidence/") {
				return err
			}
			data, _ := fs.ReadFile(src.fsys, p)
			front, _, _, err := content.SplitFrontMatter(data)
			if err != nil {
				return nil
			}
			for _, mk := range newRecords {
				fast, slow := mk(), mk()
				fm, sm, ok := content.DecodeFastSlow(front, fast, slow)
				if !ok {
					if src.mustTake && reflect.TypeOf(fast) == recordType(p) {
						t.Errorf("%s %s: the fast path declined a generated record", src.name, p)
					}
					continue
				}
				if !reflect.DeepEqual(fast, slow) || !slices.Equal(fm, sm) {
					t.Errorf("%s %s (%T): fast and yaml.v3 paths differ:\nfast %q\nslow %q", src.name, p, fast, fm, sm)
				}
			}
			return nil
		})
	}
}

// recordType is the record type of a content-repo path.
func recordType(p string) reflect.Type {
	var v any
	switch parts := strings.Split(p, "/"); {
	case parts[0] == "notices":
		v = new(content.Notice)
	case parts[0] == "rounds":
		v = new(content.Round)
	case parts[0] == "publicity":
		v = new(content.Publicity)
	case parts[0] == "results":
		v = new(content.Result)
	case len(parts) == 3 && parts[2] == "index.md":
		v = new(content.Institution)
	case len(parts) == 4 && parts[2] == "reports":
		v = new(content.Report)
	case len(parts) == 4 && parts[2] == "inspections":
		v = new(content.Inspection)
	}
	return reflect.TypeOf(v)
}
