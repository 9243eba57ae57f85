package review

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"kjjr/content"
	"kjjr/content/corpus"
)

// BenchmarkStatus5000 is `kjjr status` on a 5000-institution, two-year
// repo (kjjr/content/corpus, about 130,000 files) committed with the C git CLI: open, load main for the matrix
// (LoadStatus, warm summary cache), the pending branches, and the matrix
// of both years. The cold first run (summary cache removed) is logged.
//
//	go test -run '^$' -bench Status5000 -benchtime 5x ./review
func BenchmarkStatus5000(b *testing.B) {
	// KJJR_BENCH_REPO keeps the corpus between runs (it takes a minute to make).
	dir := os.Getenv("KJJR_BENCH_REPO")
	if dir == "" {
		dir = filepath.Join(b.TempDir(), "repo")
	}
	if _, err := os.Stat(filepath.Join(dir, ".git")); err != nil {
		t0 := time.Now()
		if err := corpus.Write(dir, &corpus.Options{Institutions: 5000}); err != nil {
			b.Fatal(err)
		}
		b.Logf("corpus: 5000 institutions written in %v", time.Since(t0).Round(time.Millisecond))
		t0 = time.Now()
		gitB(b, dir, "init", "-q", "-b", "main")
		gitB(b, dir, "add", "-A")
		gitB(b, dir, "commit", "-q", "-m", "corpus")
		b.Logf("corpus committed with C git in %v", time.Since(t0).Round(time.Millisecond))
	}
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
