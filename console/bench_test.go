package console

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing/object"

	"kjjr/content/corpus"
	"kjjr/internal/cputime"
	"kjjr/review"
	"kjjr/submission"
)

// benchGit runs the C git CLI in dir with stdin and extra environment.
func benchGit(b *testing.B, dir string, stdin string, env []string, args ...string) string {
	b.Helper()
	_, err := exec.LookPath("git")
	requireTool(b, "git", err)
	cmd := exec.Command("git", append([]string{"-c", "user.name=王审核", "-c", "user.email=wang@example.gov.cn"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null"), env...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("git %v: %v", args, err)
	}
	return strings.TrimSpace(string(out))
}

// benchRepo returns a 5000-institution, two-year content repo
// (kjjr/content/corpus, about 130,000 files) committed on main with the C
// git CLI and packed, with BenchPending submission branches that replace
// an institution's 2026-10 report (made with git plumbing, as the inbox
// would commit them). KJJR_BENCH_REPO keeps the repo between runs (it
// takes minutes to make).
func benchRepo(b *testing.B) string {
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
		benchGit(b, dir, "", nil, "init", "-q", "-b", "main")
		benchGit(b, dir, "", nil, "add", "-A")
		benchGit(b, dir, "", nil, "commit", "-q", "-m", "corpus")
		benchGit(b, dir, "", nil, "repack", "-adq")
		b.Logf("corpus of 5000 institutions made in %v", time.Since(t0).Round(time.Second))
	}
	idx := []string{"GIT_INDEX_FILE=" + filepath.Join(b.TempDir(), "index")}
	benchGit(b, dir, "", idx, "read-tree", "main")
	made := 0
	for i := 1; made < BenchPending && i < 5000/97; i++ {
		slug := corpus.Slug(i * 97)
		br := submission.Branch{Slug: slug, Period: mustPeriod("2026-10")}
		p := br.ReportPath()
		if exec.Command("git", "-C", dir, "cat-file", "-e", "main:"+p).Run() != nil {
			continue // the institution left the roster before October
		}
		made++
		if benchGit(b, dir, "", nil, "for-each-ref", "refs/heads/"+br.String()) != "" {
			continue
		}
		data := benchGit(b, dir, "", nil, "show", "main:"+p)
		blob := benchGit(b, dir, data+"\n补充说明：更正融资金额。\n", nil, "hash-object", "-w", "--stdin")
		benchGit(b, dir, "", idx, "update-index", "--cacheinfo", "100644,"+blob+","+p)
		tree := benchGit(b, dir, "", idx, "write-tree")
		benchGit(b, dir, "", idx, "update-index", "--cacheinfo", "100644,"+benchGit(b, dir, "", nil, "rev-parse", "main:"+p)+","+p)
		meta := submission.Meta{Branch: br, MessageID: "<" + slug + "@example.com>", SourceSHA256: fmt.Sprintf("%064x", i), BodySHA256: fmt.Sprintf("%064x", i+1), DKIM: "none"}
		c := benchGit(b, dir, "", []string{"GIT_AUTHOR_NAME=" + slug, "GIT_AUTHOR_EMAIL=report@" + slug + ".example.com", "GIT_AUTHOR_DATE=2026-11-05T10:00:00+08:00"},
			"commit-tree", tree, "-p", "main", "-m", "月报 2026-10 "+slug+"\n\n"+meta.Trailers())
		benchGit(b, dir, "", nil, "update-ref", "refs/heads/"+br.String(), c)
	}
	return dir
}

// benchConsole starts a console on dir with a logged-in client; get
// requests a path and returns the body and the time to its last byte.
func benchConsole(b *testing.B, dir string) (hc *http.Client, base string, get func(path string) (string, time.Duration)) {
	st, err := LoadStaff(StaffFile(filepath.Join(dir, ".git")))
	if err != nil {
		b.Fatal(err)
	}
	if _, ok := st.Lookup(staffName); !ok {
		if err := st.Add(staffName, staffEmail, staffPass); err != nil {
			b.Fatal(err)
		}
	}
	ts := httptest.NewUnstartedServer(nil)
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, cstZone)
	srv, err := New(Config{Repo: dir, Addr: ts.Listener.Addr().String(), Now: func() time.Time { return now }, Logf: b.Logf})
	if err != nil {
		b.Fatal(err)
	}
	ts.Config.Handler = srv.Handler()
	ts.Start()
	b.Cleanup(ts.Close)
	jar, _ := cookiejar.New(nil)
	hc = &http.Client{Jar: jar, Timeout: 10 * time.Minute}
	resp, err := hc.PostForm(ts.URL+"/login", url.Values{"name": {staffName}, "password": {staffPass}})
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	get = func(path string) (string, time.Duration) {
		t0 := time.Now()
		resp, err := hc.Get(ts.URL + path)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		d := time.Since(t0)
		if resp.StatusCode != 200 {
			b.Fatalf("%s: %d\n%s", path, resp.StatusCode, body)
		}
		return string(body), d
	}
	return hc, ts.URL, get
}

// BenchPending is the number of submission branches in the benchmark repo.
const BenchPending = 20

// BenchmarkPages requests every page of the console (and the export) over
// HTTP on the 5000-institution repo, warm: each page once first (logged as
// its first load after start), then timed; the metric ms-median is the
// median time to the last byte of the response, cpu-ms-median the median
// CPU time the process (server and client) spent on it, which a busy
// machine does not inflate.
//
//	KJJR_BENCH_REPO=/tmp/corpus5000 go test -run '^$' -bench BenchmarkPages -benchtime 10x ./console
func BenchmarkPages(b *testing.B) {
	dir := benchRepo(b)
	_, _, get := benchConsole(b, dir)
	body, _ := get("/history/")
	commit := regexp.MustCompile(`href="(/history/[0-9a-f]{40})"`).FindStringSubmatch(body)
	if commit == nil {
		b.Fatal("no commit on the history page")
	}
	first := regexp.MustCompile(`href="/review/submit/(jg[0-9]+)/2026-10"`).FindStringSubmatch(func() string { s, _ := get("/review/"); return s }())
	if first == nil {
		b.Fatal("no pending submission")
	}
	pending := "/review/submit/" + first[1] + "/2026-10"
	pages := []struct{ name, path string }{
		{"工作台", "/"},
		{"待审核", "/review/"},
		{"报送", pending},
		{"待核查", "/quarantine/"},
		{"报送情况", "/status/?year=2026"},
		{"报送情况-p50", "/status/?year=2026&page=50"},
		{"报送情况-名称", "/status/?year=2026&q=" + url.QueryEscape("科技")},
		{"报送情况-区县", "/status/?year=2025&county=" + url.QueryEscape("榆次区")},
		{"报送情况-待审核", "/status/?year=2026&state=pending"},
		{"报告", "/report/" + first[1] + "/2026-05"},
		{"记录", "/history/"},
		{"改动", commit[1]},
		{"导出Excel", "/status/export.xlsx?year=2026"},
	}
	for _, p := range pages {
		_, d := get(p.path)
		b.Logf("%s %s: first load %v", p.name, p.path, d.Round(time.Millisecond))
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			var ds, cpu []time.Duration
			for b.Loop() {
				c0 := cputime.Process()
				_, d := get(p.path)
				ds, cpu = append(ds, d), append(cpu, cputime.Process()-c0)
			}
			slices.Sort(ds)
			slices.Sort(cpu)
			b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "ms-median")
			b.ReportMetric(float64(cpu[len(cpu)/2].Microseconds())/1000, "cpu-ms-median")
		})
	}
}

// BenchmarkApprove compares 通过 in the console (the POST, until its
// redirect) with what `kjjr review approve` does (review.Open,
// Repo.Approve, Close), alternating the two in one loop on the
// 5000-institution repo, each on a fresh branch that changes one
// institution's 2026-10 report (made with git plumbing outside the timer;
// the console's page is loaded before the timer too, as staff open it
// before pressing the button). Metrics: the median of each and their
// ratio, and the medians of the first 待审核 and 工作台 after each
// approval (main moved: their views are derived again).
//
//	KJJR_BENCH_REPO=/tmp/corpus5000 go test -run '^$' -bench BenchmarkApprove -benchtime 10x ./console
func BenchmarkApprove(b *testing.B) {
	dir := benchRepo(b)
	hc, base, get := benchConsole(b, dir)
	noFollow := &http.Client{Jar: hc.Jar, Timeout: hc.Timeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	next := 3001
	branch := func() (string, string) {
		for ; next < 5000; next++ {
			slug := corpus.Slug(next)
			br := submission.Branch{Slug: slug, Period: mustPeriod("2026-10")}
			p := br.ReportPath()
			if exec.Command("git", "-C", dir, "cat-file", "-e", "main:"+p).Run() != nil || benchGit(b, dir, "", nil, "for-each-ref", "refs/heads/"+br.String()) != "" {
				continue
			}
			next++
			idx := []string{"GIT_INDEX_FILE=" + filepath.Join(b.TempDir(), "index")}
			benchGit(b, dir, "", idx, "read-tree", "main")
			blob := benchGit(b, dir, benchGit(b, dir, "", nil, "show", "main:"+p)+fmt.Sprintf("\n补充说明 %d\n", time.Now().UnixNano()), nil, "hash-object", "-w", "--stdin")
			benchGit(b, dir, "", idx, "update-index", "--cacheinfo", "100644,"+blob+","+p)
			tree := benchGit(b, dir, "", idx, "write-tree")
			meta := submission.Meta{Branch: br, MessageID: "<" + slug + "-a@example.com>", SourceSHA256: fmt.Sprintf("%064x", next), BodySHA256: fmt.Sprintf("%064x", next+1), DKIM: "none"}
			c := benchGit(b, dir, "", nil, "commit-tree", tree, "-p", "main", "-m", "月报 2026-10 "+slug+"\n\n"+meta.Trailers())
			benchGit(b, dir, "", nil, "update-ref", "refs/heads/"+br.String(), c)
			return br.String(), c
		}
		b.Fatal("no institution left to approve")
		return "", ""
	}
	var viaConsole, viaReview, afterQueue, afterDash []time.Duration
	approver := object.Signature{Name: staffName, Email: staffEmail}
	for b.Loop() {
		b.StopTimer()
		br, tip := branch()
		page, _ := get("/review/" + br)
		csrf := csrfRE.FindStringSubmatch(page)
		if csrf == nil {
			b.Fatalf("no form on the page of %s", br)
		}
		b.StartTimer()
		t0 := time.Now()
		resp, err := noFollow.PostForm(base+"/review/"+br+"/approve", url.Values{"csrf": {csrf[1]}, "tip": {tip}})
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		viaConsole = append(viaConsole, time.Since(t0))
		if resp.StatusCode != http.StatusSeeOther {
			b.Fatalf("approve %s: %d\n%s", br, resp.StatusCode, body)
		}
		b.StopTimer()
		// The first pages after main moved: the queue the redirect goes
		// to, then the 工作台.
		_, d := get("/review/")
		afterQueue = append(afterQueue, d)
		_, d = get("/")
		afterDash = append(afterDash, d)
		br, _ = branch()
		b.StartTimer()
		t0 = time.Now()
		r, err := review.Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := r.Approve(br, approver, time.Date(2026, 11, 27, 10, 0, 0, 0, cstZone)); err != nil {
			b.Fatal(err)
		}
		r.Close()
		viaReview = append(viaReview, time.Since(t0))
	}
	slices.Sort(viaConsole)
	slices.Sort(viaReview)
	mc, mr := viaConsole[len(viaConsole)/2], viaReview[len(viaReview)/2]
	b.ReportMetric(float64(mc.Microseconds())/1000, "console-ms-median")
	b.ReportMetric(float64(mr.Microseconds())/1000, "review-ms-median")
	b.ReportMetric(float64(mc)/float64(mr), "console/review")
	slices.Sort(afterQueue)
	slices.Sort(afterDash)
	b.ReportMetric(float64(afterQueue[len(afterQueue)/2].Microseconds())/1000, "queue-after-ms-median")
	b.ReportMetric(float64(afterDash[len(afterDash)/2].Microseconds())/1000, "dashboard-after-ms-median")
}
