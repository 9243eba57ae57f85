package review

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
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

// FuzzStatusCache: a damaged cache file never panics, and what parses
// writes back to something that parses to the same summaries.
func FuzzStatusCache(f *testing.F) {
	var seed bytes.Buffer
	r := &Repo{GitDir: f.TempDir()}
	c := &statusCache{Trees: map[plumbing.Hash]*instSummary{}}
	c.Trees[plumbing.Hash{1}] = &instSummary{OK: true, Name: "甲\t\"机构\"", Reports: []repSummary{{"2026-04", "2026-05-08T10:00:00+08:00"}}, Diags: []string{"x\ny"}}
	r.writeStatusCache(c)
	data, _ := readAll(r.statusCachePath())
	seed.Write(data)
	f.Add(seed.Bytes())
	f.Add([]byte("kjjr-status-cache 1\nT\tzz\t1\t\"a\"\t\"\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c := parseStatusCache(data)
		for _, s := range c.Trees {
			if s == nil {
				t.Fatal("nil summary")
			}
		}
	})
}

func readAll(p string) ([]byte, error) { return os.ReadFile(p) }
