package review

import (
	"strings"
	"testing"
)

// FuzzParseBranch: any name either parses to a slug and period that print
// back to the same branch, or is refused with the 不是报送分支 message.
func FuzzParseBranch(f *testing.F) {
	for _, s := range []string{"submit/alpha/2026-04", "refs/heads/submit/a-1/2026-H2", "submit/x/2026-annual", "main", "submit//2026-04", "submit/Ä/2026-13"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		slug, p, err := ParseBranch(s)
		if err != nil {
			if CodeOf(err) != CodeNotSubmission {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if got := BranchName(slug, p); got != strings.TrimPrefix(s, "refs/heads/") {
			t.Fatalf("%q parsed to %q", s, got)
		}
	})
}

// FuzzTrailers: never panics; keys have no spaces.
func FuzzTrailers(f *testing.F) {
	f.Add("月报 2026-04 甲\n\n附件\n\nKjjr-Institution: alpha\nKjjr-Period: 2026-04\n")
	f.Add("x")
	f.Add("\n\n\n: \n")
	f.Fuzz(func(t *testing.T, msg string) {
		for k := range Trailers(msg) {
			if k == "" || strings.ContainsAny(k, " \t\n") {
				t.Fatalf("bad key %q", k)
			}
		}
	})
}
