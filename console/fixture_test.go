package console

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"kjjr/content"
	"kjjr/submission"
)

// The fixture is a small content repo written with the C git CLI: three
// institutions, three approved months of alpha, and submission branches
// committed the way the inbox commits them (the submission contract's
// paths and trailers, the institution as author, kjjr inbox as committer).

const siteYAML = `title: 测试站点
bureau: 晋中市科学技术局
base_url: https://example.org/
deadlines:
  monthly_day: 10
  half_year_days: 15
  annual: "12-31"
inbox:
  receipt_from: kjjr@example.gov.cn
`

const roundMD = `---
title: 2025年第一批遴选
notice: ""
application:
  from: 2025-04-01
  to: 2025-04-30
applicants: [alpha, beta, gamma]
review:
  date: 2025-05-20
  form: 会议评审
decision:
  date: 2025-06-01
  selected: [alpha, beta, gamma]
publicity: ""
announcement:
  date: 2025-06-20
filing:
  date: 2025-07-01
---
`

func instMD(name, email string) string {
	return fmt.Sprintf("---\nname: %s\nuscc: \"\"\nlegal_form: 有限责任公司\nfounded: 2015-01-01\ncredit:\n  checked_on: 2025-04-01\n  source: 信用中国\n  serious_dishonesty: false\n  blacklisted: false\npartners:\n  banks: [晋中银行]\nservices: [融资对接]\nserves_jinchuanggu: true\nteam:\n  size: 5\noffice:\n  address: 榆次区示例路1号\n  county: 榆次区\nreport_senders:\n  - email: %s\n---\n", name, email)
}

var institutions = map[string][2]string{
	"alpha": {"甲科技金融服务有限公司", "report@alpha.example.com"},
	"beta":  {"乙融资服务中心", "report@beta.example.com"},
	"gamma": {"丙创投咨询有限公司", "report@gamma.example.com"},
}

var cstZone = time.FixedZone("CST", 8*3600)

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, cstZone)
	if err != nil {
		panic(err)
	}
	return t
}

func testUSCC(n int) string {
	head := fmt.Sprintf("91140700%09d", n)
	c, err := content.USCCCheckChar(head)
	if err != nil {
		panic(err)
	}
	return head + string(c)
}

// monthly returns a monthly report of slug received at recv.
func monthly(slug, p string, recv time.Time, served int, fin string) *content.Report {
	per, err := content.ParsePeriod(p)
	if err != nil {
		panic(err)
	}
	w, err := content.ParseWan(fin)
	if err != nil {
		panic(err)
	}
	fees := false
	return &content.Report{Kind: per.Kind.String(), Period: per, ReceivedAt: recv.Format(time.RFC3339),
		Sender: institutions[slug][1], MessageID: "<" + slug + p + "@x.example.com>",
		Indicators: &content.Indicators{EnterprisesServed: served, JinchuangguEnterprises: served / 2, MatchmakingEvents: 1, PolicySessions: 1,
			FinancingWan: w, JinchuangguFinancingWan: w / 2},
		PartnerBanks: []string{"晋中银行"}, ChargedFees: &fees,
		Financing: []content.Financing{
			{Enterprise: "示例科技有限公司", USCC: testUSCC(1), Jinchuanggu: true, Lender: "晋中银行", Method: "信用贷款", AmountWan: w / 2, Disbursed: per.Start()},
			{Enterprise: "示例制造有限公司", USCC: testUSCC(2), Lender: "晋中银行", Method: "抵押贷款", AmountWan: w - w/2, Disbursed: per.Start()},
		}}
}

// requireTool fails in CI and skips elsewhere when a tool is missing.
func requireTool(t testing.TB, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is required in CI: %v", what, err)
	}
	t.Skipf("%s not available: %v", what, err)
}

// repoFixture is a bare content repo and a work clone that pushes to it.
type repoFixture struct {
	t    testing.TB
	bare string // the content repo the console serves
	work string
}

func gitCmd(t testing.TB, dir string, env []string, args ...string) string {
	t.Helper()
	_, err := exec.LookPath("git")
	requireTool(t, "git", err)
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=科技局", "GIT_AUTHOR_EMAIL=staff@example.gov.cn", "GIT_COMMITTER_NAME=科技局", "GIT_COMMITTER_EMAIL=staff@example.gov.cn")
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func (f *repoFixture) git(args ...string) string { return gitCmd(f.t, f.work, nil, args...) }

func (f *repoFixture) write(rel string, data []byte) {
	f.t.Helper()
	p := filepath.Join(f.work, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		f.t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		f.t.Fatal(err)
	}
}

func encode(t testing.TB, rep *content.Report) []byte {
	b, err := content.EncodeRecord(rep, "您好，附件是本月报表。\n<script>alert(1)</script>\n")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newRepo(t testing.TB) *repoFixture {
	t.Helper()
	root := t.TempDir()
	f := &repoFixture{t: t, work: filepath.Join(root, "work"), bare: filepath.Join(root, "content.git")}
	gitCmd(t, root, nil, "init", "-q", "-b", "main", f.work)
	f.write("site.yaml", []byte(siteYAML))
	f.write("rounds/2025-1.md", []byte(roundMD))
	for _, d := range []string{"notices", "results", "calendar", "publicity"} {
		f.write(d+"/.gitkeep", nil)
	}
	for slug, v := range institutions {
		f.write("institutions/"+slug+"/index.md", []byte(instMD(v[0], v[1])))
	}
	for i, p := range []string{"2026-01", "2026-02", "2026-03"} {
		b := submission.Branch{Slug: "alpha", Period: mustPeriod(p)}
		f.write(b.ReportPath(), encode(t, monthly("alpha", p, at(fmt.Sprintf("2026-%02d-05 10:00", i+2)), 10+i, "100")))
	}
	f.git("add", "-A")
	f.git("commit", "-q", "-m", "初始内容")
	gitCmd(t, root, nil, "clone", "-q", "--bare", f.work, f.bare)
	f.git("remote", "add", "content", f.bare)
	return f
}

func mustPeriod(s string) content.Period {
	p, err := content.ParsePeriod(s)
	if err != nil {
		panic(err)
	}
	return p
}

// submit commits rep on the submission branch of slug (from the content
// repo's main, or on the branch's tip for a resubmission) as the inbox
// does, and pushes it to the content repo. It returns the tip.
func (f *repoFixture) submit(slug string, rep *content.Report, extra ...string) string {
	f.t.Helper()
	b := submission.Branch{Slug: slug, Period: rep.Period}
	f.git("fetch", "-q", "content", "+refs/heads/*:refs/remotes/content/*")
	start := "content/main"
	if out := gitCmd(f.t, f.work, nil, "branch", "-r", "--list", "content/"+b.String()); out != "" {
		start = "content/" + b.String()
	}
	f.git("checkout", "-q", "-B", b.String(), start)
	f.write(b.ReportPath(), encode(f.t, rep))
	for _, p := range extra { // files a real submission may not touch
		f.write(p, []byte("changed by a submission\n"))
	}
	f.git("add", "-A")
	meta := submission.Meta{Branch: b, MessageID: rep.MessageID, SourceSHA256: fmt.Sprintf("%064x", 1), BodySHA256: fmt.Sprintf("%064x", 2), DKIM: "none"}
	msg := fmt.Sprintf("%s %s %s\n\n附件：报表.xlsx\n\n%s", rep.Period.Kind.Chinese(), rep.Period, institutions[slug][0], meta.Trailers())
	recv, _ := time.Parse(time.RFC3339, rep.ReceivedAt)
	date := recv.Format(time.RFC3339)
	gitCmd(f.t, f.work, []string{"GIT_AUTHOR_NAME=" + institutions[slug][0], "GIT_AUTHOR_EMAIL=" + rep.Sender, "GIT_AUTHOR_DATE=" + date,
		"GIT_COMMITTER_NAME=kjjr inbox", "GIT_COMMITTER_EMAIL=kjjr@example.gov.cn", "GIT_COMMITTER_DATE=" + date}, "commit", "-q", "-m", msg)
	f.git("push", "-q", "-f", "content", b.String()+":refs/heads/"+b.String())
	f.git("checkout", "-q", "main")
	return f.git("rev-parse", b.String())
}

// mainLog returns "%an <%ae>|%s" of the content repo's main tip.
func (f *repoFixture) mainTip(format string) string {
	return gitCmd(f.t, f.bare, nil, "log", "-1", "--format="+format, "main")
}

// clock is a settable clock for tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

const (
	staffName  = "王科长"
	staffEmail = "wang@example.gov.cn"
	staffPass  = "correct horse battery"
)

// consoleFixture is a console on a fixture repo with one staff account.
type consoleFixture struct {
	*repoFixture
	srv   *Server
	url   string
	clock *clock
}

func startConsole(t testing.TB, mod func(*Config)) *consoleFixture {
	t.Helper()
	f := newRepo(t)
	st, err := LoadStaff(StaffFile(f.bare))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Add(staffName, staffEmail, staffPass); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(nil)
	clk := &clock{t: at("2026-05-06 09:00")}
	cfg := Config{Repo: f.bare, Addr: ts.Listener.Addr().String(), Now: clk.now, Logf: t.Logf}
	if mod != nil {
		mod(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv.Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	return &consoleFixture{repoFixture: f, srv: srv, url: ts.URL, clock: clk}
}

var _ = http.MethodGet
