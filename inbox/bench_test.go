package inbox

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"kjjr/content"
	"kjjr/content/corpus"
	"kjjr/internal/cputime"
)

// benchRepo returns a git repo of n institutions made by package corpus
// and committed with the C git CLI, cached under the temp dir between runs.
// KJJR_BENCH_REPO (for BenchmarkCommit) names an existing repo instead:
// any repo with a main branch and institutions/ (e.g. one made by
// kjjr gencorpus and committed with git).
func benchRepo(b *testing.B, n int) string {
	dir := filepath.Join(os.TempDir(), "kjjr-bench-corpus-"+strconv.Itoa(n))
	if _, err := os.Stat(filepath.Join(dir, ".git", "refs", "heads", "main")); err == nil {
		return dir
	}
	os.RemoveAll(dir)
	if err := corpus.Write(dir, &corpus.Options{Institutions: n}); err != nil {
		b.Fatal(err)
	}
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"config", "gc.auto", "0"}, {"add", "-A"},
		{"-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "commit", "-q", "-m", "import corpus"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	return dir
}

// BenchmarkCommit measures what one submission costs in git: a report and
// two ~50 KB evidence files committed on a new branch off main with the
// object API. Run with -benchtime=200x for 200 submissions, the size of
// one monthly round at 200 institutions.
func BenchmarkCommit(b *testing.B) {
	useFastZlib = os.Getenv("KJJR_BENCH_DEFAULT_ZLIB") == ""
	defer func() { useFastZlib = true }()
	type target struct{ name, dir string }
	var targets []target
	if p := os.Getenv("KJJR_BENCH_REPO"); p != "" {
		targets = append(targets, target{"repo=" + filepath.Base(p), p})
	} else {
		targets = append(targets, target{"institutions=20", ""})
		if os.Getenv("KJJR_BENCH_LARGE") != "" {
			targets = append(targets, target{"institutions=5000", ""})
		}
	}
	for _, tg := range targets {
		b.Run(tg.name, func(b *testing.B) {
			dir := tg.dir
			if dir == "" {
				n, _ := strconv.Atoi(strings.TrimPrefix(tg.name, "institutions="))
				dir = benchRepo(b, n)
			}
			g, err := openStore(dir)
			if err != nil {
				b.Fatal(err)
			}
			// The institutions on main (read once, as the worker reads main once).
			fsRef, _ := g.repo.Reference(mainRef, false)
			mc, _ := g.repo.CommitObject(fsRef.Hash())
			root, _ := mc.Tree()
			it, err := root.Tree("institutions")
			if err != nil {
				b.Fatal(err)
			}
			var slugs []string
			for _, e := range it.Entries {
				slugs = append(slugs, e.Name)
			}
			rng := rand.New(rand.NewPCG(1, 2))
			run := strconv.FormatInt(time.Now().UnixNano(), 36)
			subs := make([]*submission, b.N)
			for k := range subs {
				slug := slugs[(k*25+7)%len(slugs)]
				ev := func() []byte {
					d := make([]byte, 45_000+rng.IntN(10_000))
					for i := range d {
						d[i] = byte(rng.Uint32())
					}
					return d
				}
				rep := &content.Report{Kind: "monthly", Period: content.MonthPeriod(2025, 1), ReceivedAt: "2025-02-03T10:00:00+08:00",
					Sender: "report@" + slug + ".example.com", Evidence: []content.File{{Path: "evidence/2025-01/a.pdf"}, {Path: "evidence/2025-01/b.pdf"}}}
				md, _ := content.EncodeRecord(rep, "")
				sig := object.Signature{Name: "inbox", Email: "inbox@example.invalid", When: time.Date(2025, 2, 3, 10, 0, 0, 0, content.CST)}
				subs[k] = &submission{
					Branch: plumbing.NewBranchReferenceName("submit/" + slug + "/2025-01-" + run + "-" + strconv.Itoa(k)),
					Files: map[string][]byte{
						"institutions/" + slug + "/reports/2025-01.md":                               md,
						"institutions/" + slug + "/evidence/2025-01/0123456789ab-bank-statement.pdf": ev(),
						"institutions/" + slug + "/evidence/2025-01/0123456789ac-signed-sheet.pdf":   ev(),
					},
					Author: sig, Committer: sig, Message: "月报 2025-01 bench\n\nKjjr-Institution: " + slug + "\n",
				}
			}
			durs := make([]time.Duration, b.N)
			cpu0 := cputime.Process()
			b.ResetTimer()
			for k := 0; k < b.N; k++ {
				t0 := time.Now()
				if _, err := g.commit(subs[k], nil); err != nil {
					b.Fatal(err)
				}
				durs[k] = time.Since(t0)
			}
			b.StopTimer()
			b.ReportMetric(float64((cputime.Process()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/submission")
			sort.Slice(durs, func(i, j int) bool { return durs[i] < durs[j] })
			b.ReportMetric(float64(durs[len(durs)/2].Microseconds())/1000, "median-ms/submission")
		})
	}
}

// BenchmarkEndToEnd ingests 200 typical messages (a monthly sheet and a
// ~50 KB photo each) through a real Dovecot: fetch, MIME, sheet parse,
// commit, MOVE. It reports messages per second.
func BenchmarkEndToEnd(b *testing.B) {
	d := dovecot(b)
	files := fixtureFiles(b, "")
	insts := []struct{ slug, name, uscc, sender string }{
		{"jinchuang-capital", "山西晋创科技资本管理有限公司", "91140702MA0JQ7N36C", "report@jinchuang-capital.example.com"},
		{"kechuang-rongzi", "晋中科创融资服务有限公司", "91140702MA0H4K2T95", "baosong@kechuang-rongzi.example.cn"},
	}
	sheets := map[string][]byte{}
	const n = 200
	var total, cpu time.Duration
	for it := 0; it < b.N; it++ {
		b.StopTimer()
		user := d.account(b)
		dir := newFixtureRepo(b, true, files)
		c := dovecotClient(b, d.Addr, user)
		for i := 0; i < n; i++ {
			in := insts[i%2]
			m := 5 + (i/2)%17
			per := fmt.Sprintf("%d-%02d", 2025+m/12, 1+m%12)
			if sheets[in.slug+per] == nil {
				sheets[in.slug+per] = makeSheet(b, sheetSpec{Name: in.name, USCC: in.uscc, Period: per})
			}
			raw := compose(in.sender, per+" 月报", fmt.Sprintf("bench-%d-%d@kjjr.test", it, i), testNow, "月报及活动照片",
				[]attachment{{Name: per + "考核表.xlsx", Type: xlsxType, Data: sheets[in.slug+per]},
					{Name: "活动照片.jpg", Type: "image/jpeg", Data: fakePDF(50_000, strconv.Itoa(i))}})
			appendMsg(b, c, "INBOX", raw)
		}
		opts := testOptions(newMemQueue())
		opts.IMAP = IMAPConfig{Addr: d.Addr, User: user, Password: "pw", TLS: "none"}
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
		b.StartTimer()
		t0, c0 := time.Now(), cputime.Process()
		w, err := NewWorker(dir, opts)
		if err != nil {
			b.Fatal(err)
		}
		st, err := w.RunOnce(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		total += time.Since(t0)
		cpu += cputime.Process() - c0
		b.StopTimer()
		w.Close()
		if st.Committed != n {
			b.Fatalf("committed %d of %d: %v", st.Committed, n, st)
		}
	}
	b.ReportMetric(float64(n*b.N)/total.Seconds(), "msgs/s")
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(n*b.N), "cpu-ms/msg")
}
