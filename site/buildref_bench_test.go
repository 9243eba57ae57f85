package site

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"kjjr/content"
	"kjjr/content/corpus"
	"kjjr/internal/cputime"
)

// Benchmarks of builds from git (BuildRef) against --content builds, on
// corpora committed with the C git CLI and cloned bare, at each size of
// KJJR_BENCH_SIZES (default "20,500"), all in one run (KJJR_BENCH_ROOT
// keeps the corpora between runs). Each reports the
// median wall time (ms-median) and the median CPU time of the process,
// user and system, by rusage (cpu-ms-median), of its iterations. For
// example:
//
//	KJJR_BENCH_SIZES=20,5000 go test -run '^$' -bench BuildRef -benchtime 7x ./site
//
// one-report: a build from git (its build state and tree cache read from
// their files, as a new process does) after one report changed,
// alternating between two commits that differ in that report: a delta
// build (delta.go). full-git: a build from git into an
// empty directory without a tree cache; full-content: content.Load of a
// checkout of the same commit and Build into an empty directory, without
// a load cache.
func BenchmarkBuildRef(b *testing.B) {
	sizes := []int{20, 500}
	if env := os.Getenv("KJJR_BENCH_SIZES"); env != "" {
		sizes = nil
		for _, f := range strings.Split(env, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n <= 0 {
				b.Fatalf("KJJR_BENCH_SIZES: bad size %q", f)
			}
			sizes = append(sizes, n)
		}
	}
	for _, n := range sizes {
		dir, bare, first, second := gitCorpus(b, n)

		b.Run(fmt.Sprintf("n=%d/one-report", n), func(b *testing.B) {
			out := filepath.Join(b.TempDir(), "public")
			cacheFile := filepath.Join(b.TempDir(), "tree.cache")
			if _, err := BuildRef(bare, first, &RefOptions{Out: out, Now: benchNow, CacheFile: cacheFile}); err != nil {
				b.Fatal(err)
			}
			var reads int
			medians(b, func(i int) {
				ref := second
				if i%2 == 1 {
					ref = first
				}
				res, err := BuildRef(bare, ref, &RefOptions{Out: out, Now: benchNow, CacheFile: cacheFile})
				if err != nil {
					b.Fatal(err)
				}
				reads = max(reads, res.Reads)
			})
			b.ReportMetric(float64(reads), "max-reads")
		})
		b.Run(fmt.Sprintf("n=%d/full-git", n), func(b *testing.B) {
			medians(b, func(int) {
				b.StopTimer()
				out := filepath.Join(b.TempDir(), "public")
				b.StartTimer()
				if _, err := BuildRef(bare, second, &RefOptions{Out: out, Now: benchNow, CacheFile: "-"}); err != nil {
					b.Fatal(err)
				}
			})
		})
		b.Run(fmt.Sprintf("n=%d/full-content", n), func(b *testing.B) {
			medians(b, func(int) {
				b.StopTimer()
				out := filepath.Join(b.TempDir(), "public")
				b.StartTimer()
				repo, err := content.Load(content.DirFS(dir), &content.LoadOptions{Public: true})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := Build(repo, &Options{Out: out, Now: benchNow}); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

// gitCorpus returns a corpus of n institutions committed with the C
// git CLI (dir, a normal repository) and its bare clone, whose main is
// the commit second, which changes one report of the commit first.
// KJJR_BENCH_ROOT keeps them between runs (making them takes minutes at
// 5000 institutions).
func gitCorpus(b *testing.B, n int) (dir, bare, first, second string) {
	root := os.Getenv("KJJR_BENCH_ROOT")
	if root == "" {
		root = b.TempDir()
	}
	dir = filepath.Join(root, fmt.Sprintf("site-%d", n), "content")
	bare = filepath.Join(root, fmt.Sprintf("site-%d", n), "content.git")
	if _, err := os.Stat(bare); err == nil {
		return dir, bare, git(b, bare, "rev-parse", "main~1"), git(b, bare, "rev-parse", "main")
	}
	if err := os.RemoveAll(filepath.Dir(dir)); err != nil {
		b.Fatal(err)
	}
	if err := corpus.Write(dir, &corpus.Options{Institutions: n}); err != nil {
		b.Fatal(err)
	}
	tmp := gitRepos(b, dir)
	first = git(b, dir, "rev-parse", "main")
	file := filepath.Join(dir, "institutions", corpus.Slug(1), "reports", corpus.LastMonth.String()+".md")
	data, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(file, bytes.Replace(data, []byte("enterprises_served: "), []byte("enterprises_served: 9"), 1), 0o644); err != nil {
		b.Fatal(err)
	}
	git(b, dir, "commit", "-q", "-am", "one report")
	git(b, dir, "push", "-q", tmp, "main")
	second = git(b, dir, "rev-parse", "main")
	if err := os.Rename(tmp, bare); err != nil {
		b.Fatal(err)
	}
	return dir, bare, first, second
}

// medians runs f b.N times and reports the median wall and CPU time of
// one run in milliseconds.
func medians(b *testing.B, f func(i int)) {
	b.Helper()
	var wall, cpu []float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0, c0 := time.Now(), cputime.Process()
		f(i)
		wall = append(wall, float64(time.Since(t0))/1e6)
		cpu = append(cpu, float64(cputime.Process()-c0)/1e6)
	}
	b.ReportMetric(median(wall), "ms-median")
	b.ReportMetric(median(cpu), "cpu-ms-median")
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
