package review

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kjjr/content"
	"kjjr/content/corpus"
)

// BenchmarkApprove5000 is `kjjr review approve` on a 5000-institution,
// two-year repo (kjjr/content/corpus) committed with the C git CLI, main
// checked out: each round approves a fresh branch that changes one
// institution's 2026-10 report (made with git plumbing, outside the
// timer). KJJR_BENCH_REPO keeps the corpus between runs.
//
//	KJJR_BENCH_REPO=/tmp/corpus go test -run '^$' -bench Approve5000 -benchtime 10x ./review
func BenchmarkApprove5000(b *testing.B) {
	dir := corpusRepo(b)
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	n := 0
	for b.Loop() {
		b.StopTimer()
		n++
		inst := fmt.Sprintf("jg%05d", 1+(time.Now().UnixNano()/1000+int64(n)*7919)%5000)
		branch := "submit/" + inst + "/2026-10"
		p := "institutions/" + inst + "/reports/2026-10.md"
		data := gitOut(b, dir, nil, "show", "main:"+p)
		blob := strings.TrimSpace(gitOut(b, dir, strings.NewReader(data+fmt.Sprintf("\n补充说明 %d\n", time.Now().UnixNano())), "hash-object", "-w", "--stdin"))
		idx := []string{"GIT_INDEX_FILE=" + filepath.Join(b.TempDir(), "index")}
		gitEnv(b, dir, idx, "read-tree", "main")
		gitEnv(b, dir, idx, "update-index", "--cacheinfo", "100644,"+blob+","+p)
		tree := strings.TrimSpace(gitEnv(b, dir, idx, "write-tree"))
		c := strings.TrimSpace(gitOut(b, dir, nil, "commit-tree", tree, "-p", "main", "-m", "月报 2026-10 "+inst+"\n\nKjjr-Institution: "+inst+"\nKjjr-Period: 2026-10\n"))
		gitB(b, dir, "update-ref", "refs/heads/"+branch, c)
		b.StartTimer()
		r, err := Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := r.Approve(branch, approver, now); err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
}

// corpusRepo returns a 5000-institution, two-year content repo
// (kjjr/content/corpus, about 130,000 files) committed on main with the C
// git CLI, main checked out. KJJR_BENCH_REPO keeps it between runs (it
// takes minutes to make).
func corpusRepo(b *testing.B) string {
	b.Helper()
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
	return dir
}

func gitOut(b *testing.B, dir string, stdin *strings.Reader, args ...string) string {
	b.Helper()
	cmd := execGit(dir, args...)
	if stdin != nil {
		cmd.Stdin = stdin
	}
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("git %v: %v", args, err)
	}
	return string(out)
}

func gitEnv(b *testing.B, dir string, env []string, args ...string) string {
	b.Helper()
	cmd := execGit(dir, args...)
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("git %v: %v", args, err)
	}
	return string(out)
}

// BenchmarkCommitFile5000 is the console's 机构 edit on the
// 5000-institution corpus: PrepareFile (the preview: diff and check of
// the changed tree) then CommitChange of one institution's index.md with
// one more report sender, main checked out. It reports the two steps'
// times as ms/preview and ms/commit.
//
//	KJJR_BENCH_REPO=/tmp/corpus go test -run '^$' -bench CommitFile5000 -benchtime 5x ./review
func BenchmarkCommitFile5000(b *testing.B) {
	dir := corpusRepo(b)
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	n := 0
	var prep, commit time.Duration
	for b.Loop() {
		n++
		r, err := Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		p := fmt.Sprintf("institutions/jg%05d/index.md", 1+(time.Now().UnixNano()/1000+int64(n)*7919)%5000)
		tip, data, err := r.MainFile(p)
		if err != nil || data == nil {
			b.Fatalf("%s: %v", p, err)
		}
		inst := new(content.Institution)
		if ds := content.DecodeRecord(p, data, inst); ds.HasErrors() {
			b.Fatal(ds)
		}
		inst.ReportSenders = append(inst.ReportSenders, content.Sender{Email: fmt.Sprintf("bench%d@example.com", time.Now().UnixNano())})
		data, err = content.EncodeRecord(inst, inst.Body)
		if err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		fc, err := r.PrepareFile(p, data, tip, now)
		if err != nil || len(fc.NewErrors) > 0 {
			b.Fatalf("prepare: %v %v", err, fc.NewErrors)
		}
		t1 := time.Now()
		if _, err := r.CommitChange(fc, "bench", approver, now); err != nil {
			b.Fatal(err)
		}
		prep += t1.Sub(t0)
		commit += time.Since(t1)
		r.Close()
	}
	b.ReportMetric(float64(prep.Milliseconds())/float64(n), "ms/preview")
	b.ReportMetric(float64(commit.Milliseconds())/float64(n), "ms/commit")
}
