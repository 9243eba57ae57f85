package content_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"kjjr/content"
	"kjjr/content/jinzhong"
)

// FuzzDecodeRecord feeds arbitrary bytes to the front-matter decoder as
// every record type. It must never panic; every diagnostic must name its
// file and a line within the input; Load's fast YAML path, when it takes
// the input, must decode exactly what yaml.v3's own parser decodes, and
// Load's diagnostics (file, line, field, message) must be the same with
// the fast path as without it; and a report that decodes cleanly must survive
// EncodeRecord and decode cleanly again (the inbox writes reports with
// EncodeRecord). Seeds: every record of the default dataset and of
// testdata/badrepo.
var newRecords = []func() any{
	func() any { return new(content.Notice) }, func() any { return new(content.Round) },
	func() any { return new(content.Publicity) }, func() any { return new(content.Institution) },
	func() any { return new(content.Report) }, func() any { return new(content.Inspection) },
	func() any { return new(content.Result) }, func() any { return new(content.Site) },
	func() any { return new(content.CalendarYear) },
}

func FuzzDecodeRecord(f *testing.F) {
	fs.WalkDir(jinzhong.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".md") {
			data, _ := fs.ReadFile(jinzhong.FS(), p)
			f.Add(data)
		}
		return nil
	})
	filepath.WalkDir("testdata/badrepo", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := os.ReadFile(p)
			f.Add(data)
		}
		return nil
	})
	// Plain block style that the fast path must decline: Load's
	// diagnostics for them come from yaml.v3.
	for _, s := range []string{
		"---\ntitle: a\ntitle: b\n---\n",             // duplicate key
		"---\ntitle: a\nwebsit: b\n---\n",            // unknown field
		"---\nyear: twenty\n---\n",                   // wrong type
		"---\ndate: 2025-13-01\n---\n",               // no such date
		"---\ninstitutions: [a, a]\nstart: x\n---\n", // flow list, bad date
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := 1 + strings.Count(string(data), "\n")
		if front, _, _, err := content.SplitFrontMatter(data); err == nil {
			for _, mk := range newRecords {
				fast, slow := mk(), mk()
				fm, sm, ok := content.DecodeFastSlow(front, fast, slow)
				if !ok {
					continue
				}
				if !reflect.DeepEqual(fast, slow) || !slices.Equal(fm, sm) {
					t.Fatalf("fast and yaml.v3 paths differ on %q:\nfast %+v %q\nslow %+v %q", front, fast, fm, slow, sm)
				}
			}
		}
		for _, mk := range newRecords {
			v := mk()
			ds := content.DecodeRecord("x.md", data, v)
			for _, d := range ds {
				if d.File != "x.md" || d.Line < 0 || d.Line > lines+1 || d.Message == "" {
					t.Errorf("bad diagnostic %+v for %d-line input", d, lines)
				}
			}
			rep, ok := v.(*content.Report)
			if !ok || len(ds) > 0 {
				continue
			}
			out, err := content.EncodeRecord(rep, rep.Body)
			if err != nil {
				t.Fatalf("EncodeRecord of a decoded report: %v", err)
			}
			if ds := content.DecodeRecord("x.md", out, new(content.Report)); len(ds) > 0 {
				t.Fatalf("re-decoding an encoded report: %v\n%s", ds, out)
			}
		}
		content.FieldLine(data, true, "grades[1].grade")
		content.FieldLine(data, false, "policy.effective")
	})
}
