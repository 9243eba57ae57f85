//go:build unix

package publish

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"kjjr/content/corpus"
)

// BenchmarkPushToSite measures, end to end, a push of one approved report
// (a changed report on main) to a bare repo with the hooks installed:
// from `git push` until the release of the pushed commit is live. The
// repo has KJJR_BENCH_INSTITUTIONS institutions (default 5000; making it
// and the first publish take minutes). It logs the median.
//
//	go test -run '^$' -bench BenchmarkPushToSite -benchtime 5x ./publish
func BenchmarkPushToSite(b *testing.B) {
	n := 5000
	if s := os.Getenv("KJJR_BENCH_INSTITUTIONS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatal(err)
		}
	}
	need(b, "git")
	bin := kjjrBinary(b)
	// KJJR_BENCH_ROOT keeps the repo, clone and web root between runs
	// (making them takes minutes at 5000 institutions).
	root := os.Getenv("KJJR_BENCH_ROOT")
	if root == "" {
		root = b.TempDir()
	}
	bare, web, work := filepath.Join(root, "content.git"), filepath.Join(root, "www"), filepath.Join(root, "work")
	if _, err := os.Stat(bare); err != nil {
		src := filepath.Join(root, "src")
		t0 := time.Now()
		if err := corpus.Write(src, &corpus.Options{Institutions: n}); err != nil {
			b.Fatal(err)
		}
		git(b, src, "init", "-q", "-b", "main")
		git(b, src, "add", "-A")
		git(b, src, "commit", "-q", "-m", "corpus")
		git(b, root, "clone", "-q", "--bare", src, bare)
		git(b, root, "clone", "-q", "file://"+bare, work)
		b.Logf("%d institutions committed in %v", n, time.Since(t0).Round(time.Millisecond))
	}
	// The hooks of this build of kjjr.
	if code, out := kjjr(b, "hooks", "install", "--repo", bare, "--publish", web); code != 0 {
		b.Fatalf("hooks install: %s", out)
	}
	git(b, work, "fetch", "-q", "origin")
	git(b, work, "reset", "-q", "--hard", "origin/main")
	t0 := time.Now()
	if code, out := kjjr(b, "publish", "--repo", bare, "--to", web); code != 0 {
		b.Fatalf("first publish: %s", out)
	}
	b.Logf("first publish in %v", time.Since(t0).Round(time.Millisecond))
	_ = bin
	s := &server{bare: bare, web: web, work: work}
	var times, pushes []time.Duration
	i := 0
	for b.Loop() {
		b.StopTimer()
		i++
		rel := filepath.Join("institutions", corpus.Slug(1+(i*7919)%n), "reports", "2026-10.md")
		p := filepath.Join(work, rel)
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		writeFile(b, p, string(data)+fmt.Sprintf("\n补充说明 %d\n", i))
		git(b, work, "commit", "-q", "-am", "approved report "+rel)
		head := git(b, work, "rev-parse", "HEAD")
		b.StartTimer()
		start := time.Now()
		if out, ok := gitTry(b, work, "push", "-q", "origin", "main"); !ok {
			b.Fatalf("push refused:\n%s", out)
		}
		pushes = append(pushes, time.Since(start))
		times = append(times, s.waitLive(b, head, start))
	}
	b.StopTimer()
	s.idle(b)
	med := func(ds []time.Duration) time.Duration {
		ds = slices.Clone(ds)
		slices.Sort(ds)
		return ds[len(ds)/2]
	}
	b.Logf("%d institutions, %d pushes: git push returned after %v (median), live after %v (median); all: %v",
		n, len(times), med(pushes), med(times), times)
}
