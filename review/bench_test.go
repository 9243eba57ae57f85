package review

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"kjjr/content"
)

// BenchmarkStatus5000 is `kjjr status` on a 5000-institution, two-year
// repo (kjjr/content/corpus, about 130,000 files) committed with the C git CLI: open, load main for the matrix
// (LoadStatus, warm summary cache), the pending branches, and the matrix
// of both years. The cold first run (summary cache removed) is logged.
//
//	go test -run '^$' -bench Status5000 -benchtime 5x ./review
func BenchmarkStatus5000(b *testing.B) {
	dir := corpusRepo(b)
	today := content.Date{Year: 2026, Month: time.November, Day: 27}
	status := func() {
		r, err := Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		defer r.Close()
		repo, ds, err := r.LoadStatus()
		if err != nil || len(ds) > 0 {
			b.Fatal(err, ds)
		}
		pend, err := r.Pending()
		if err != nil {
			b.Fatal(err)
		}
		for _, y := range []int{2025, 2026} {
			if got := len(repo.Compliance(y, today, pend)); got < 4000 {
				b.Fatalf("%d lines", got)
			}
		}
	}
	os.Remove(filepath.Join(dir, ".git", "kjjr", "cache", "status.cache"))
	t0 := time.Now()
	status()
	b.Logf("cold (no summary cache): %v", time.Since(t0).Round(time.Millisecond))
	b.ResetTimer()
	for b.Loop() {
		status()
	}
}

func gitB(b *testing.B, dir string, args ...string) {
	b.Helper()
	cmd := execGit(dir, args...)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("git %v: %v\n%s", args, err, out)
	}
}
