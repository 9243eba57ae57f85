//go:build unix

package publish

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkPublishAfterReport measures `kjjr publish`, a new process as
// the post-receive hook starts it, after one approved report on main of
// the benchmark repository (benchRepo), warm: its web root was published
// before. It reports the medians of the wall and CPU time of the process
// and logs those of each step (Result.Steps). With KJJR_BENCH_OLD set to
// the path of another kjjr binary (one built from main, say), it runs that
// one too, after each run of this one and on the same commit, into a web
// root and bare repo of its own, and logs both side by side.
//
//	go build -o /tmp/kjjr-old ./cmd/kjjr   # in a checkout of main
//	KJJR_BENCH_ROOT=/var/tmp/bench KJJR_BENCH_OLD=/tmp/kjjr-old \
//	  go test -run '^$' -bench PublishAfterReport -benchtime 5x ./publish
func BenchmarkPublishAfterReport(b *testing.B) {
	n, root := benchRepo(b)
	type side struct {
		name, bin, bare, web string
		wall, cpu            []time.Duration
		steps                map[string][]time.Duration
	}
	sides := []*side{{name: "new", bin: kjjrBinary(b), bare: filepath.Join(root, "content.git"), web: filepath.Join(root, "www-new")}}
	if old := os.Getenv("KJJR_BENCH_OLD"); old != "" {
		bare := filepath.Join(root, "content-old.git")
		if _, err := os.Stat(bare); err != nil {
			git(b, root, "clone", "-q", "--bare", sides[0].bare, bare)
		}
		sides = append(sides, &side{name: "old", bin: old, bare: bare, web: filepath.Join(root, "www-old")})
	}
	work := filepath.Join(root, "work")
	run := func(s *side) (time.Duration, time.Duration, *Result) {
		b.Helper()
		cmd := exec.Command(s.bin, "publish", "--repo", s.bare, "--to", s.web, "--json")
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		start := time.Now()
		if err := cmd.Run(); err != nil {
			b.Fatalf("%s publish: %v\n%s", s.name, err, errb.String())
		}
		wall := time.Since(start)
		ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		var res Result
		if err := json.Unmarshal([]byte(out.String()), &res); err != nil {
			b.Fatalf("%s publish: %v\n%s", s.name, err, out.String())
		}
		return wall, cpu, &res
	}
	sync := func() {
		for _, s := range sides {
			git(b, s.bare, "fetch", "-q", work, "+main:main")
		}
	}
	git(b, work, "fetch", "-q", "origin")
	git(b, work, "reset", "-q", "--hard", "origin/main")
	sync()
	for _, s := range sides {
		t0 := time.Now()
		_, _, res := run(s) // warm: the web root, the build and the caches of this binary
		b.Logf("%s: warm-up publish in %v (%d written)", s.name, time.Since(t0).Round(time.Millisecond), res.Release.Written)
		s.steps = map[string][]time.Duration{}
	}
	i := int(time.Now().Unix() % 100000)
	for b.Loop() {
		b.StopTimer()
		i++
		commitReport(b, work, n, i)
		sync()
		for k, s := range sides {
			if k == 0 {
				b.StartTimer()
			}
			wall, cpu, res := run(s)
			if k == 0 {
				b.StopTimer()
			}
			if k == len(sides)-1 {
				b.StartTimer() // b.Loop wants it running
			}
			if res.Unchanged {
				b.Fatalf("%s: no new release", s.name)
			}
			s.wall, s.cpu = append(s.wall, wall), append(s.cpu, cpu)
			for _, st := range res.Steps {
				s.steps[st.Name] = append(s.steps[st.Name], st.Wall)
				s.steps[st.Name+" cpu"] = append(s.steps[st.Name+" cpu"], st.CPU)
			}
			s.steps["in Publish"] = append(s.steps["in Publish"], res.Duration)
		}
	}
	b.ReportMetric(float64(median(sides[0].wall))/1e6, "ms-median")
	b.ReportMetric(float64(median(sides[0].cpu))/1e6, "cpu-ms-median")
	var sb strings.Builder
	fmt.Fprintf(&sb, "%d institutions, %d runs, medians (ms):\n%-16s", n, len(sides[0].wall), "")
	for _, s := range sides {
		fmt.Fprintf(&sb, "%10s", s.name)
	}
	row := func(name string, get func(*side) []time.Duration) {
		fmt.Fprintf(&sb, "\n%-16s", name)
		for _, s := range sides {
			fmt.Fprintf(&sb, "%10.1f", float64(median(get(s)))/1e6)
		}
	}
	row("process wall", func(s *side) []time.Duration { return s.wall })
	row("process cpu", func(s *side) []time.Duration { return s.cpu })
	row("outside Publish", func(s *side) []time.Duration {
		// Process start and exit, flags, and what follows Publish
		// (deleting the trash, the log).
		var d []time.Duration
		for i := range s.wall {
			d = append(d, s.wall[i]-s.steps["in Publish"][i])
		}
		return d
	})
	var names []string
	for k := range sides[0].steps {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		row(k, func(s *side) []time.Duration { return s.steps[k] })
	}
	// The table is longer than the benchmark log keeps.
	fmt.Println(sb.String())
}
