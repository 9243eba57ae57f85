//go:build unix

package publish

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"kjjr/content"
	"kjjr/internal/cputime"
)

// BenchmarkCheckPush measures the pre-receive gate in process: CheckPush
// of main moving by one commit that changes one report (an approved
// report), at KJJR_BENCH_INSTITUTIONS institutions (default 5000) in the
// repo of benchRepo (KJJR_BENCH_ROOT keeps it between runs). Each
// iteration commits a change to another institution's report on top of
// main in the clone and pushes it to a ref the gate does not guard, so
// the bare repo has its objects; main does not move. "fast" is the gate
// as it runs; "fullpath" is the same gate made to take the full path (a
// load of every institution's index.md, and of the changed one whole);
// "main" is the full path with pack files opened for every object read,
// which is the gate as it was before the fast path.
// It reports the median wall time (ms-median) and CPU time
// (cpu-ms-median) of one CheckPush.
//
//	KJJR_BENCH_ROOT=/work/bench-gate go test -run '^$' -bench CheckPush -benchtime 7x ./publish
func BenchmarkCheckPush(b *testing.B) {
	n, root := benchRepo(b)
	bare, work := filepath.Join(root, "content.git"), filepath.Join(root, "work")
	git(b, work, "fetch", "-q", "origin")
	git(b, work, "checkout", "-q", "-f", "main")
	git(b, work, "reset", "-q", "--hard", "origin/main")
	main := plumbing.NewHash(git(b, bare, "rev-parse", "refs/heads/main"))
	today := content.Date{Year: 2026, Month: time.December, Day: 1}
	for _, c := range []struct {
		name       string
		fast, keep bool
	}{{"main", false, false}, {"fullpath", false, true}, {"fast", true, true}} {
		b.Run(c.name, func(b *testing.B) {
			defer func(f, k bool) { fastPath, keepPacksOpen = f, k }(fastPath, keepPacksOpen)
			fastPath, keepPacksOpen = c.fast, c.keep
			var wall, cpu []time.Duration
			i := 0
			for b.Loop() {
				b.StopTimer()
				i++
				git(b, work, "reset", "-q", "--hard", "origin/main")
				head := commitReport(b, work, n, 5000+i)
				git(b, work, "push", "-q", "-f", "origin", "HEAD:refs/bench/gate")
				b.StartTimer()
				t0, c0 := time.Now(), cputime.Process()
				err := CheckPush(bare, nil, []Update{{Old: main, New: plumbing.NewHash(head), Ref: MainRef}}, today)
				wall, cpu = append(wall, time.Since(t0)), append(cpu, cputime.Process()-c0)
				if err != nil {
					b.Fatalf("CheckPush: %v", err)
				}
			}
			b.ReportMetric(float64(median(wall))/1e6, "ms-median")
			b.ReportMetric(float64(median(cpu))/1e6, "cpu-ms-median")
			b.Logf("%d institutions: %s CheckPush %v wall, %v CPU (medians of %d)", n, c.name, median(wall), median(cpu), len(wall))
		})
	}
}
