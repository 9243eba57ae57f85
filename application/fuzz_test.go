package application

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"kjjr/content"
	"kjjr/sheet"
)

// FuzzParseApplication feeds the parser arbitrary bytes, seeded with the
// fixtures of testdata/: it must never panic, and must answer with an
// Application (whose pre-check gives one finding per rule), ErrNotForm or
// a *sheet.FormatError, nothing else.
//
//	go test ./application -run '^$' -fuzz FuzzParseApplication -fuzztime 30s -fuzzminimizetime 20x
//
// (Each run opens a workbook, about 30 ms: the default minimisation of
// every new input, 60 s, would take most of a short run.)
func FuzzParseApplication(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "*.xlsx"))
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := Parse(data)
		var fe *sheet.FormatError
		switch {
		case err == nil:
			if a == nil {
				t.Fatal("nil application without error")
			}
			for _, p := range a.Problems {
				if p.Message == "" || p.Sheet == "" {
					t.Fatalf("problem without message or sheet: %+v", p)
				}
			}
			if fs := Check(a, content.Date{Year: 2026, Month: 5, Day: 16}, nil); len(fs) != 8 {
				t.Fatalf("%d findings", len(fs))
			}
		case errors.Is(err, ErrNotForm):
		case errors.As(err, &fe):
			if fe.Message == "" {
				t.Fatal("FormatError without message")
			}
		default:
			t.Fatalf("unexpected error %T: %v", err, err)
		}
		_ = Looks(data)
	})
}
