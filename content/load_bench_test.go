package content_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"kjjr/content"
	"kjjr/content/corpus"
	"kjjr/internal/cputime"
)

// Corpora are written once per size and process, and removed by TestMain.
var (
	corpusMu   sync.Mutex
	corpusDirs = map[int]string{}
)

func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range corpusDirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

// corpusDir returns a directory holding a corpus of n institutions (seed 1).
func corpusDir(b *testing.B, n int) string {
	b.Helper()
	corpusMu.Lock()
	defer corpusMu.Unlock()
	if d, ok := corpusDirs[n]; ok {
		return d
	}
	d, err := os.MkdirTemp("", fmt.Sprintf("kjjr-corpus-%d-", n))
	if err != nil {
		b.Fatal(err)
	}
	if err := corpus.Write(d, &corpus.Options{Institutions: n, Seed: 1}); err != nil {
		os.RemoveAll(d)
		b.Fatal(err)
	}
	corpusDirs[n] = d
	return d
}

// BenchmarkLoad loads a synthetic corpus of 20, 500 and 5000 institutions
// (24 monthly reports each, about 26 files per institution) from disk.
// The 5000 case (about 130,000 files, 550 MB on disk, ~20 s to generate)
// runs only with KJJR_BENCH_LARGE=1:
//
//	KJJR_BENCH_LARGE=1 go test ./content -run '^$' -bench BenchmarkLoad -benchtime 3x
func BenchmarkLoad(b *testing.B) {
	for _, n := range []int{20, 500, 5000} {
		b.Run(fmt.Sprintf("institutions=%d", n), func(b *testing.B) {
			if n > 500 && os.Getenv("KJJR_BENCH_LARGE") != "1" {
				b.Skip("set KJJR_BENCH_LARGE=1 to run the 5000-institution corpus")
			}
			dir := corpusDir(b, n)
			fsys := content.DirFS(dir)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				repo, err := content.Load(fsys, nil)
				if err != nil {
					b.Fatal(err)
				}
				if len(repo.Institutions) != n {
					b.Fatalf("%d institutions", len(repo.Institutions))
				}
			}
		})
	}
}

// BenchmarkCheck is Repo.Check alone on a loaded corpus of 500 institutions.
func BenchmarkCheck(b *testing.B) {
	repo, err := content.Load(os.DirFS(corpusDir(b, 500)), nil)
	if err != nil {
		b.Fatal(err)
	}
	today := content.Date{Year: 2026, Month: 11, Day: 27}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if ds := repo.Check(today); len(ds) > 0 {
			b.Fatal(ds)
		}
	}
}

// BenchmarkLoadWarm is a warm Load with a cache (LoadOptions.Cache), as the
// second `kjjr build` does: a first Load writes the cache, then every
// iteration takes all files from it. The corpus is that of BenchmarkLoad
// (500 institutions; 5000 with KJJR_BENCH_LARGE=1), or the directory
// KJJR_BENCH_DIR, only read (the cache is written outside it):
//
//	KJJR_BENCH_DIR=/tmp/perf5000 go test ./content -run '^$' -bench BenchmarkLoadWarm -count 5
func BenchmarkLoadWarm(b *testing.B) {
	type tc struct {
		name string
		dir  func(b *testing.B) string
	}
	var cases []tc
	if d := os.Getenv("KJJR_BENCH_DIR"); d != "" {
		cases = append(cases, tc{"dir", func(*testing.B) string { return d }})
	} else {
		for _, n := range []int{500, 5000} {
			cases = append(cases, tc{fmt.Sprintf("institutions=%d", n), func(b *testing.B) string {
				if n > 500 && os.Getenv("KJJR_BENCH_LARGE") != "1" {
					b.Skip("set KJJR_BENCH_LARGE=1 to run the 5000-institution corpus")
				}
				return corpusDir(b, n)
			}})
		}
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			dir := c.dir(b)
			content.SetRacyWindow(b, 0) // a corpus just written is cacheable
			opts := &content.LoadOptions{Cache: filepath.Join(b.TempDir(), "load.cache"), Public: true,
				CacheErr: func(err error) { b.Fatal(err) }}
			time.Sleep(20 * time.Millisecond)
			if _, err := content.Load(content.DirFS(dir), opts); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			cpu0 := cputime.Process()
			b.ResetTimer()
			for b.Loop() {
				repo, err := content.Load(content.DirFS(dir), opts)
				if err != nil {
					b.Fatal(err)
				}
				if len(repo.Institutions) == 0 || content.CacheHits(repo) == 0 {
					b.Fatalf("%d institutions, %d cache hits", len(repo.Institutions), content.CacheHits(repo))
				}
			}
			// CPU time (user and system, all threads) is steadier than
			// wall time on a busy machine.
			b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}
