package review

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"kjjr/content"
)

// writeCorpus writes a content repo of n institutions announced on
// 2024-12-15 with monthly sheets for 2025 and 2026 (a few missing, some
// late): about 24 reports each.
func writeCorpus(tb testing.TB, dir string, n int) int {
	tb.Helper()
	files := 0
	write := func(p string, data []byte) {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(full, data, 0o644); err != nil {
			tb.Fatal(err)
		}
		files++
	}
	write("site.yaml", []byte(siteYAML))
	round := "---\ntitle: r\nnotice: \"\"\napplication: {from: 2024-11-01, to: 2024-11-30}\napplicants: []\nreview: {date: 2024-12-01, form: 会议评审}\ndecision:\n  date: 2024-12-05\n  selected:\n"
	for i := 0; i < n; i++ {
		round += fmt.Sprintf("    - inst-%05d\n", i)
	}
	round += "publicity: \"\"\nannouncement: {date: 2024-12-15}\nfiling: {date: null}\n---\n"
	write("rounds/2024-1.md", []byte(round))
	for i := 0; i < n; i++ {
		slug := fmt.Sprintf("inst-%05d", i)
		write("institutions/"+slug+"/index.md", []byte(instMD(fmt.Sprintf("第%d号科技金融服务机构", i), slug+"@example.com")))
		for y := 2025; y <= 2026; y++ {
			for m := 1; m <= 12; m++ {
				if (i+m)%17 == 0 {
					continue
				}
				p := content.MonthPeriod(y, time.Month(m))
				recv := p.Next().Start().AddDays((i + m) % 12).Time().Add(10 * time.Hour)
				write(ReportPath(slug, p), encode(tb, monthly(p.String(), recv, 3+(i+m)%20, fmt.Sprintf("%d.%02d", (i*m)%500, m), false)))
			}
		}
	}
	return files
}

// BenchmarkStatus5000 is `kjjr status` on a 5000-institution, two-year
// repo committed with the C git CLI: open, load main for the matrix
// (LoadStatus, warm summary cache), the pending branches, and the matrix
// of both years. The cold first run (no cache) is logged.
//
//	go test -run '^$' -bench Status5000 -benchtime 5x ./inbox/review
func BenchmarkStatus5000(b *testing.B) {
	// KJJR_BENCH_REPO keeps the corpus between runs (it takes a minute to make).
	dir := os.Getenv("KJJR_BENCH_REPO")
	if dir == "" {
		dir = filepath.Join(b.TempDir(), "repo")
	}
	if _, err := os.Stat(filepath.Join(dir, ".git")); err != nil {
		n := writeCorpus(b, dir, 5000)
		t0 := time.Now()
		gitB(b, dir, "init", "-q", "-b", "main")
		gitB(b, dir, "add", "-A")
		gitB(b, dir, "commit", "-q", "-m", "corpus")
		b.Logf("corpus: %d files, committed in %v", n, time.Since(t0).Round(time.Millisecond))
	}
	today := content.Date{Year: 2026, Month: time.November, Day: 27}
	status := func() {
		r, err := Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		repo, ds, err := r.LoadStatus()
		if err != nil || len(ds) > 0 {
			b.Fatal(err, ds)
		}
		pend, err := r.Pending()
		if err != nil {
			b.Fatal(err)
		}
		for _, y := range []int{2025, 2026} {
			if got := len(repo.Compliance(y, today, pend)); got != 5000 {
				b.Fatalf("%d lines", got)
			}
		}
	}
	t0 := time.Now()
	status()
	b.Logf("cold (no cache): %v", time.Since(t0).Round(time.Millisecond))
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
