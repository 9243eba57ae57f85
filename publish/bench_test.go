//go:build unix

package publish

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"kjjr/content/corpus"
)

// BenchmarkPushToSite measures, end to end, a push of one approved report
// (a changed report on main) to a bare repo with the hooks installed:
// from `git push` until the release of the pushed commit is live. The
// repo has KJJR_BENCH_INSTITUTIONS institutions (default 5000; making it
// and the first publish take minutes). It reports the median wall time
// (ms-median) and the median CPU time (cpu-ms-median: the push with its
// pre-receive gate, and the background publish as its log records it).
//
//	go test -run '^$' -bench 'PushToSite|PullBuildRsync' -benchtime 5x ./publish
func BenchmarkPushToSite(b *testing.B) {
	n, root := benchRepo(b)
	bin := kjjrBinary(b)
	bare, web, work := filepath.Join(root, "content.git"), filepath.Join(root, "www"), filepath.Join(root, "work")
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
	var times, pushes, cpus, pushCPU, pubCPU []time.Duration
	i := 0
	for b.Loop() {
		b.StopTimer()
		i++
		head := commitReport(b, work, n, i)
		b.StartTimer()
		start, c0 := time.Now(), childrenCPU()
		if out, ok := gitTry(b, work, "push", "-q", "origin", "main"); !ok {
			b.Fatalf("push refused:\n%s", out)
		}
		pushes = append(pushes, time.Since(start))
		times = append(times, s.waitLive(b, head, start))
		b.StopTimer()
		// The push with its pre-receive gate ran as children of this
		// process; the publish ran in the background: its log says.
		push := childrenCPU() - c0
		pub := publishCPU(b, bare, head)
		pushCPU, pubCPU = append(pushCPU, push), append(pubCPU, pub)
		cpus = append(cpus, push+pub)
		b.StartTimer()
	}
	b.StopTimer()
	s.idle(b)
	b.ReportMetric(float64(median(times))/1e6, "ms-median")
	b.ReportMetric(float64(median(cpus))/1e6, "cpu-ms-median")
	b.Logf("%d institutions, %d pushes: git push returned after %v (median), live after %v (median), CPU %v (median; push and gate %v, publish %v); all: %v, CPU %v",
		n, len(times), median(pushes), median(times), median(cpus), median(pushCPU), median(pubCPU), times, cpus)
}

// benchRepo returns the size (KJJR_BENCH_INSTITUTIONS, default 5000) and
// the root of the benchmark repositories: root/content.git, a bare repo
// of a generated corpus, and root/work, a clone of it. KJJR_BENCH_ROOT
// keeps them between runs (making them takes minutes at 5000).
func benchRepo(b *testing.B) (int, string) {
	n := 5000
	if s := os.Getenv("KJJR_BENCH_INSTITUTIONS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatal(err)
		}
	}
	need(b, "git")
	root := os.Getenv("KJJR_BENCH_ROOT")
	if root == "" {
		root = b.TempDir()
	}
	bare, work := filepath.Join(root, "content.git"), filepath.Join(root, "work")
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
	return n, root
}

// BenchmarkPullBuildRsync is what BenchmarkPushToSite replaces, on the
// same repository: a push of one approved report to a bare repo without
// hooks, then, as a cron job would, `git pull` into a checkout, `kjjr
// build --content` of it (with its load cache) and `rsync -a --delete`
// into the served directory. It is skipped without rsync, in CI too (it
// is a benchmark, not a test).
//
//	go test -run '^$' -bench 'PushToSite|PullBuildRsync' -benchtime 5x ./publish
func BenchmarkPullBuildRsync(b *testing.B) {
	if _, err := exec.LookPath("rsync"); err != nil {
		b.Skip("no rsync: skipped (in CI too)")
	}
	n, root := benchRepo(b)
	bare := filepath.Join(root, "content.git")
	plain, checkout, work := filepath.Join(root, "plain.git"), filepath.Join(root, "checkout"), filepath.Join(root, "work-plain")
	out, www, cache := filepath.Join(root, "rsync-build"), filepath.Join(root, "rsync-www"), filepath.Join(root, "load.cache")
	if _, err := os.Stat(plain); err != nil {
		git(b, root, "clone", "-q", "--bare", bare, plain)
		git(b, root, "clone", "-q", "file://"+plain, checkout)
		git(b, root, "clone", "-q", "file://"+plain, work)
	}
	git(b, work, "pull", "-q", "--ff-only")
	git(b, checkout, "pull", "-q", "--ff-only")
	step := func(name string, args ...string) {
		b.Helper()
		var cmd *exec.Cmd
		if name == "kjjr" {
			cmd = exec.Command(kjjrBinary(b), args...)
		} else {
			cmd = exec.Command(name, args...)
		}
		if o, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%s %v: %v\n%s", name, args, err, o)
		}
	}
	step("kjjr", "build", "--content", checkout, "--out", out, "--cache", cache)
	step("rsync", "-a", "--delete", out+"/", www+"/")
	var times, cpus []time.Duration
	i := 1000
	for b.Loop() {
		b.StopTimer()
		i++
		commitReport(b, work, n, i)
		b.StartTimer()
		start, c0 := time.Now(), childrenCPU()
		git(b, work, "push", "-q", "origin", "main")
		git(b, checkout, "pull", "-q", "--ff-only")
		step("kjjr", "build", "--content", checkout, "--out", out, "--cache", cache)
		step("rsync", "-a", "--delete", out+"/", www+"/")
		times = append(times, time.Since(start))
		cpus = append(cpus, childrenCPU()-c0)
	}
	b.StopTimer()
	b.ReportMetric(float64(median(times))/1e6, "ms-median")
	b.ReportMetric(float64(median(cpus))/1e6, "cpu-ms-median")
	b.Logf("%d institutions, %d pushes: on the site after %v (median), CPU %v (median); all: %v", n, len(times), median(times), median(cpus), times)
}

// commitReport changes one report of the clone work (a different
// institution each i) and commits it; it returns the commit.
func commitReport(b *testing.B, work string, n, i int) string {
	b.Helper()
	// The next institution from i on that has the report (those the
	// corpus removes early have none).
	var rel, p string
	var data []byte
	var err error
	for j := i; ; j++ {
		rel = filepath.Join("institutions", corpus.Slug(1+(j*7919)%n), "reports", "2026-10.md")
		p = filepath.Join(work, rel)
		if data, err = os.ReadFile(p); err == nil {
			break
		}
		if !errors.Is(err, fs.ErrNotExist) || j > i+n {
			b.Fatal(err)
		}
	}
	writeFile(b, p, string(data)+fmt.Sprintf("\n补充说明 %d\n", i))
	git(b, work, "commit", "-q", "-am", "approved report "+rel)
	return git(b, work, "rev-parse", "HEAD")
}

// publishCPU returns the CPU time the publish of commit took, from the
// publish log of gitDir (written once the publish is done, after the
// release went live: it waits for it).
func publishCPU(b *testing.B, gitDir, commit string) time.Duration {
	b.Helper()
	for start := time.Now(); time.Since(start) < 5*time.Minute; time.Sleep(10 * time.Millisecond) {
		data, err := os.ReadFile(LogPath(gitDir))
		if err != nil {
			b.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			var a Attempt
			if json.Unmarshal([]byte(line), &a) == nil && a.Commit == commit {
				return time.Duration(a.CPUSeconds * 1e9)
			}
		}
	}
	b.Fatalf("no publish of %s in the log", commit)
	return 0
}

// childrenCPU returns the CPU time of the children of this process that
// ended and were waited for (and of theirs).
func childrenCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	ds = slices.Clone(ds)
	slices.Sort(ds)
	return ds[len(ds)/2]
}
