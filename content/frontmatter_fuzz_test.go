package content_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kjjr/content"
	"kjjr/content/jinzhong"
)

// FuzzDecodeRecord feeds arbitrary bytes to the front-matter decoder as
// every record type. It must never panic, every diagnostic must name its
// file and a line within the input, and a report that decodes cleanly must
// survive EncodeRecord and decode cleanly again (the inbox writes reports
// with EncodeRecord). Seeds: every record of the default dataset and of
// testdata/badrepo.
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
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := 1 + strings.Count(string(data), "\n")
		for _, v := range []any{new(content.Notice), new(content.Round), new(content.Publicity), new(content.Institution),
			new(content.Report), new(content.Inspection), new(content.Result)} {
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
