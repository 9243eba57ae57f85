package sheet

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds the parser arbitrary bytes, seeded with every fixture:
// it must never panic, and must answer with a report, Problems or a
// *FormatError, nothing else.
//
//	go test ./sheet -run '^$' -fuzz FuzzParse -fuzztime 60s
func FuzzParse(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "*"))
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil && len(b) <= MaxFileSize {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := Parse(data, testOpts())
		var ps Problems
		var fe *FormatError
		switch {
		case err == nil:
			if rep == nil || rep.Kind != "monthly" || rep.Period.IsZero() || rep.Indicators == nil {
				t.Fatalf("incomplete report %+v", rep)
			}
		case errors.As(err, &ps):
			if len(ps) == 0 {
				t.Fatal("empty Problems")
			}
			for _, p := range ps {
				if p.Message == "" || p.Sheet == "" {
					t.Fatalf("problem without message or sheet: %+v", p)
				}
			}
		case errors.As(err, &fe):
			if fe.Message == "" {
				t.Fatal("FormatError without message")
			}
		default:
			t.Fatalf("unexpected error type %T: %v", err, err)
		}
		_ = Looks(data)
	})
}
