package console

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"kjjr/health"
)

// commitMain commits files (path → content) on the content repo's main
// with the C git CLI and pushes it, as staff using plain git do. It
// returns the new main.
func (f *repoFixture) commitMain(msg string, files map[string]string) string {
	f.t.Helper()
	f.git("fetch", "-q", "content")
	f.git("checkout", "-q", "-B", "main", "content/main")
	for p, data := range files {
		f.write(p, []byte(data))
	}
	f.git("add", "-A")
	f.git("commit", "-q", "--allow-empty", "-m", msg)
	f.git("push", "-q", "content", "main:main")
	return f.git("rev-parse", "HEAD")
}

// loggedIn is an HTTP client logged in to the console of f.
func loggedIn(t *testing.T, f *consoleFixture) *client {
	c := newClient(t, f.url)
	if resp, body := c.login(staffName, staffPass); resp.StatusCode != 200 || !strings.Contains(body, "工作台") {
		t.Fatalf("login: %d\n%s", resp.StatusCode, body)
	}
	return c
}

var rowRE = regexp.MustCompile(`(?s)<tr><th scope="row">([^<]*)</th>(.*?)</tr>`)

// matrixRows returns the rows of the matrix page: institution → its cells' HTML.
func matrixRows(body string) map[string]string {
	out := map[string]string{}
	if i := strings.Index(body, `id="matrix"`); i >= 0 {
		for _, m := range rowRE.FindAllStringSubmatch(body[i:], -1) {
			out[m[1]] = m[2]
		}
	}
	return out
}

func TestMatrixPage(t *testing.T) {
	f := startConsole(t, nil)
	f.submit("beta", monthly("beta", "2026-04", at("2026-05-05 10:00"), 8, "50"))
	c := loggedIn(t, f)
	resp, body := c.get("/status/?year=2026")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d\n%s", resp.StatusCode, body)
	}
	rows := matrixRows(body)
	alpha, beta, gamma := rows[institutions["alpha"][0]], rows[institutions["beta"][0]], rows[institutions["gamma"][0]]
	if len(rows) != 3 {
		t.Fatalf("rows %v\n%s", rows, body)
	}
	for _, want := range []string{`href="/report/alpha/2026-01"`, `href="/report/alpha/2026-03"`, "2026年1月 按时报送"} {
		if !strings.Contains(alpha, want) {
			t.Errorf("alpha's row lacks %q: %s", want, alpha)
		}
	}
	if !strings.Contains(beta, `href="/review/submit/beta/2026-04"`) || !strings.Contains(beta, "2026年4月 待审核") {
		t.Errorf("beta's pending April does not link to its branch: %s", beta)
	}
	if strings.Contains(gamma, "<a ") {
		t.Errorf("gamma sent nothing, yet its row links somewhere: %s", gamma)
	}

	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"q=" + url.QueryEscape("乙融资"), []string{"beta"}},
		{"q=gamma", []string{"gamma"}},
		{"state=pending", []string{"beta"}},
		{"state=on_time", []string{"alpha"}},
		{"state=bogus", []string{"alpha", "beta", "gamma"}},
		{"q=" + url.QueryEscape("没有这家"), nil},
	} {
		_, body := c.get("/status/?year=2026&" + tc.query)
		got := matrixRows(body)
		if len(got) != len(tc.want) {
			t.Errorf("%s: %d rows, want %v", tc.query, len(got), tc.want)
		}
		for _, slug := range tc.want {
			if _, ok := got[institutions[slug][0]]; !ok {
				t.Errorf("%s: %s missing", tc.query, slug)
			}
		}
	}
}

// TestMatrixFollowsRefs: the matrix is kept between requests, yet a plain
// git merge into main, a county changed by a push, and a new submission
// branch all show at the next request.
func TestMatrixFollowsRefs(t *testing.T) {
	f := startConsole(t, nil)
	c := loggedIn(t, f)
	_, body := c.get("/status/?year=2026&county=" + url.QueryEscape("榆次区"))
	if n := len(matrixRows(body)); n != 3 {
		t.Fatalf("榆次区: %d rows, want 3\n%s", n, body)
	}
	_, body = c.get("/status/?year=2026")
	if strings.Contains(matrixRows(body)[institutions["beta"][0]], "<a ") {
		t.Fatal("beta has a link before it sent anything")
	}

	f.submit("beta", monthly("beta", "2026-04", at("2026-05-05 10:00"), 8, "50"))
	_, body = c.get("/status/?year=2026")
	if !strings.Contains(matrixRows(body)[institutions["beta"][0]], `href="/review/submit/beta/2026-04"`) {
		t.Fatalf("a new submission branch does not show:\n%s", body)
	}

	// Merged by hand with plain git, and gamma moved to 太谷区.
	f.git("fetch", "-q", "content")
	f.git("checkout", "-q", "-B", "main", "content/main")
	f.git("merge", "-q", "--no-ff", "-m", "merge beta", "content/submit/beta/2026-04")
	f.write("institutions/gamma/index.md", []byte(strings.Replace(instMD(institutions["gamma"][0], institutions["gamma"][1]), "county: 榆次区", "county: 太谷区", 1)))
	f.write("site.yaml", []byte(siteYAML+"regions: [榆次区, 太谷区]\n"))
	f.git("commit", "-q", "-am", "gamma 迁到太谷区")
	f.git("push", "-q", "content", "main:main")

	_, body = c.get("/status/?year=2026")
	if !strings.Contains(matrixRows(body)[institutions["beta"][0]], `href="/report/beta/2026-04"`) {
		t.Fatalf("the merge by plain git does not show:\n%s", body)
	}
	if !strings.Contains(body, "<option selected>太谷区</option>") && !strings.Contains(body, "<option>太谷区</option>") {
		t.Errorf("the counties of site.yaml are not offered:\n%s", body)
	}
	_, body = c.get("/status/?year=2026&county=" + url.QueryEscape("榆次区"))
	if rows := matrixRows(body); len(rows) != 2 || rows[institutions["gamma"][0]] != "" {
		t.Errorf("榆次区 after gamma moved: %v", rows)
	}
	_, body = c.get("/status/?year=2026&county=" + url.QueryEscape("太谷区"))
	if rows := matrixRows(body); len(rows) != 1 || rows[institutions["gamma"][0]] == "" {
		t.Errorf("太谷区: %v", rows)
	}
}

func TestMatrixPaginated(t *testing.T) {
	f := startConsole(t, nil)
	files := map[string]string{}
	for i := 0; i < MatrixPageSize+7; i++ {
		slug := fmt.Sprintf("extra-%03d", i)
		files["institutions/"+slug+"/index.md"] = instMD(fmt.Sprintf("附加机构%03d", i), slug+"@example.com")
	}
	files["rounds/2025-1.md"] = strings.Replace(strings.Replace(roundMD, "applicants: [alpha, beta, gamma]", "applicants: [alpha, beta, gamma"+extraSlugs(MatrixPageSize+7)+"]", 1),
		"selected: [alpha, beta, gamma]", "selected: [alpha, beta, gamma"+extraSlugs(MatrixPageSize+7)+"]", 1)
	f.commitMain("更多机构", files)
	c := loggedIn(t, f)
	_, body := c.get("/status/?year=2026")
	if n := len(matrixRows(body)); n != MatrixPageSize {
		t.Fatalf("page 1: %d rows, want %d", n, MatrixPageSize)
	}
	if !strings.Contains(body, "第 1 / 2 页") || !strings.Contains(body, `id="next"`) {
		t.Fatalf("no pager:\n%s", body)
	}
	next := find(t, regexp.MustCompile(`href="([^"]+)" rel="next"`), body)
	_, body = c.get(strings.ReplaceAll(next, "&amp;", "&"))
	if n := len(matrixRows(body)); n != 10 {
		t.Fatalf("page 2: %d rows, want 10", n)
	}
	_, body = c.get("/status/?year=2026&page=99")
	if !strings.Contains(body, "第 2 / 2 页") {
		t.Errorf("a page past the end is not the last page")
	}
}

func extraSlugs(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, ", extra-%03d", i)
	}
	return b.String()
}

func TestReportPage(t *testing.T) {
	f := startConsole(t, nil)
	c := loggedIn(t, f)
	resp, body := c.get("/report/alpha/2026-02")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d\n%s", resp.StatusCode, body)
	}
	for _, want := range []string{"服务企业数量（家）</th><td>11</td>", "示例科技有限公司", "&lt;script&gt;alert(1)&lt;/script&gt;", `id="received">2026-03-05<`} {
		if !strings.Contains(body, want) {
			t.Errorf("report page lacks %q", want)
		}
	}
	if strings.Contains(body, "<script>") {
		t.Error("the mail text is not escaped")
	}
	for _, p := range []string{"/report/alpha/2026-09", "/report/nobody/2026-01", "/report/alpha/not-a-period", "/report/..%2Fbeta/2026-01", "/report/Alpha/2026-01"} {
		if resp, _ := c.get(p); resp.StatusCode != 404 {
			t.Errorf("%s: %d, want 404", p, resp.StatusCode)
		}
	}
}

func TestExportXLSX(t *testing.T) {
	f := startConsole(t, nil)
	f.submit("beta", monthly("beta", "2026-04", at("2026-05-05 10:00"), 8, "50"))
	c := loggedIn(t, f)
	resp, err := c.c.Get(f.url + "/status/export.xlsx?year=2026")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("content type %q", ct)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "kjjr-2026.xlsx") {
		t.Errorf("content disposition %q", cd)
	}
	x, err := excelize.OpenReader(resp.Body)
	if err != nil {
		t.Fatalf("the download is no workbook: %v", err)
	}
	defer x.Close()
	if got := strings.Join(x.GetSheetList(), ","); got != strings.Join([]string{SheetMatrix, SheetMonthly, SheetTotals, SheetAssess}, ",") {
		t.Fatalf("sheets %s", got)
	}
	cell := func(sheet, at string) string {
		t.Helper()
		v, err := x.GetCellValue(sheet, at)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	number := func(sheet, at string) {
		t.Helper()
		ct, err := x.GetCellType(sheet, at)
		if err != nil {
			t.Fatal(err)
		}
		if ct != excelize.CellTypeUnset && ct != excelize.CellTypeNumber {
			t.Errorf("%s!%s (%q) is not a number: type %v", sheet, at, cell(sheet, at), ct)
		}
	}
	for _, sh := range x.GetSheetList() {
		p, err := x.GetPanes(sh)
		if err != nil || !p.Freeze || p.YSplit != 1 {
			t.Errorf("%s: header row not frozen: %+v %v", sh, p, err)
		}
		if w, _ := x.GetColWidth(sh, "A"); w < 10 {
			t.Errorf("%s: column A is %v wide", sh, w)
		}
	}
	// 报送情况: alpha, beta, gamma in slug order; January to December, H1, H2, 年度.
	if cell(SheetMatrix, "A1") != "机构" || cell(SheetMatrix, "C1") != "2026年1月" || cell(SheetMatrix, "Q1") != "2026年度" {
		t.Errorf("matrix header: %q %q %q", cell(SheetMatrix, "A1"), cell(SheetMatrix, "C1"), cell(SheetMatrix, "Q1"))
	}
	if cell(SheetMatrix, "A2") != institutions["alpha"][0] || cell(SheetMatrix, "C2") != "按时报送" || cell(SheetMatrix, "F3") != "待审核" {
		t.Errorf("matrix: A2 %q C2 %q F3 %q", cell(SheetMatrix, "A2"), cell(SheetMatrix, "C2"), cell(SheetMatrix, "F3"))
	}
	// 月报明细: alpha's three approved sheets (beta's is pending: not in it), then 合计.
	if cell(SheetMonthly, "C2") != "2026年1月" || cell(SheetMonthly, "E2") != "10" || cell(SheetMonthly, "E4") != "12" || cell(SheetMonthly, "A5") != "合计" || cell(SheetMonthly, "E5") != "33" {
		t.Errorf("monthly: C2 %q E2 %q E4 %q A5 %q E5 %q", cell(SheetMonthly, "C2"), cell(SheetMonthly, "E2"), cell(SheetMonthly, "E4"), cell(SheetMonthly, "A5"), cell(SheetMonthly, "E5"))
	}
	number(SheetMonthly, "E2")
	// 帮助企业融资金额 is the 15th column: 100 万元 a month, 300 in all.
	if v := cell(SheetMonthly, "O2"); v != "100.00" {
		t.Errorf("financing O2 %q", v)
	}
	number(SheetMonthly, "O5")
	raw, _ := x.GetCellValue(SheetMonthly, "O5", excelize.Options{RawCellValue: true})
	if raw != "300" {
		t.Errorf("total financing raw %q, want the number 300", raw)
	}
	// 月报汇总: one row per institution owing reports, then 合计.
	if cell(SheetTotals, "A2") != institutions["alpha"][0] || cell(SheetTotals, "C2") != "3" || cell(SheetTotals, "A5") != "合计" || cell(SheetTotals, "C5") != "3" || cell(SheetTotals, "D5") != "33" {
		t.Errorf("totals: A2 %q C2 %q A5 %q C5 %q D5 %q", cell(SheetTotals, "A2"), cell(SheetTotals, "C2"), cell(SheetTotals, "A5"), cell(SheetTotals, "C5"), cell(SheetTotals, "D5"))
	}
	number(SheetTotals, "D5")
	// 年度考核数据: alpha's three reports, all on time.
	if cell(SheetAssess, "B2") != "alpha" || cell(SheetAssess, "C2") != "3" || cell(SheetAssess, "D2") != "3" || cell(SheetAssess, "M2") != "300.00" || cell(SheetAssess, "R2") != "缺" {
		rows, _ := x.GetRows(SheetAssess)
		t.Errorf("assess: %q", rows)
	}
	number(SheetAssess, "C2")
}

func TestHistoryPages(t *testing.T) {
	f := startConsole(t, nil)
	tip := f.submit("beta", monthly("beta", "2026-04", at("2026-05-05 10:00"), 8, "50"))
	c := loggedIn(t, f)
	_, page := c.get("/review/submit/beta/2026-04")
	if resp, body := c.post("/review/submit/beta/2026-04/approve", url.Values{"csrf": {find(t, csrfRE, page)}, "tip": {tip}}); resp.StatusCode != 200 {
		t.Fatalf("approve: %d\n%s", resp.StatusCode, body)
	}
	hostile := f.commitMain("修正 <script>alert(1)</script> 的说明\n\n正文 <b>x</b>", map[string]string{"notices/a.md": "x"})

	_, body := c.get("/history/")
	entries := regexp.MustCompile(`(?s)<tr><td>.*?</tr>`).FindAllString(body, -1)
	if len(entries) != 3 {
		t.Fatalf("%d entries, want 3 (initial, approval, hostile)\n%s", len(entries), body)
	}
	if !strings.Contains(entries[0], hostile[:12]) || strings.Contains(body, "<script>") || !strings.Contains(entries[0], "&lt;script&gt;") {
		t.Errorf("newest entry: %s", entries[0])
	}
	if !strings.Contains(entries[1], staffName+" &lt;"+staffEmail+"&gt;</td><td>"+staffName+" &lt;"+staffEmail+"&gt;") {
		t.Errorf("the approval does not show its author and Approved-By: %s", entries[1])
	}
	merge := gitCmd(t, f.bare, nil, "rev-parse", "main^")
	resp, body := c.get("/history/" + merge)
	if resp.StatusCode != 200 || !strings.Contains(body, "<code>institutions/beta/reports/2026-04.md</code>") || !strings.Contains(body, `id="approved-by">`+staffName) {
		t.Errorf("the approval's page: %d\n%s", resp.StatusCode, body)
	}
	_, body = c.get("/history/" + hostile)
	if strings.Contains(body, "<script>") || strings.Contains(body, "<b>") || !strings.Contains(body, "notices/a.md") {
		t.Errorf("the hostile commit's page:\n%s", body)
	}
	// The branch's tip is merged, but not on main's first-parent history.
	for _, p := range []string{"/history/" + tip, "/history/" + strings.Repeat("0", 40), "/history/main", "/history/" + strings.ToUpper(hostile)} {
		if resp, _ := c.get(p); resp.StatusCode != 404 {
			t.Errorf("%s: %d, want 404", p, resp.StatusCode)
		}
	}
}

func TestHistoryPaginated(t *testing.T) {
	f := startConsole(t, nil)
	c := loggedIn(t, f)
	c.get("/history/") // computed once, then extended
	for i := 0; i < HistoryPageSize; i++ {
		f.git("commit", "-q", "--allow-empty", "-m", fmt.Sprintf("第 %d 次修改", i))
	}
	f.git("push", "-q", "content", "main:main")
	_, body := c.get("/history/")
	if !strings.Contains(body, "共 51 项") || !strings.Contains(body, "第 1 / 2 页") || !strings.Contains(body, "第 49 次修改") {
		t.Fatalf("page 1:\n%s", body)
	}
	_, body = c.get("/history/?page=2")
	if !strings.Contains(body, "初始内容") || strings.Contains(body, "第 49 次修改") {
		t.Fatalf("page 2:\n%s", body)
	}
}

const calendar2026 = `year: 2026
source: 测试
holidays:
  - {name: 劳动节, from: 2026-05-01, to: 2026-05-05}
workdays:
  - {date: 2026-05-09, for: 劳动节}
`

func TestDashboardPublicityAndPublish(t *testing.T) {
	f := startConsole(t, nil)
	c := loggedIn(t, f)
	_, body := c.get("/")
	if !strings.Contains(body, `id="publicity-none"`) || !strings.Contains(body, "尚无发布记录") {
		t.Fatalf("dashboard before any publicity or publish:\n%s", body)
	}
	f.commitMain("公示", map[string]string{
		"calendar/2026.yaml":              calendar2026,
		"publicity/2026-05-06-round-1.md": "---\ntitle: 关于拟确定科技金融服务机构名单的公示\nround: 2025-1\nstart: \"2026-05-06\"\nworking_days: 5\ninstitutions: [alpha, beta]\nobjection_contact:\n  department: 科技金融科\n  phone: 0354-555-0100\n---\n",
	})
	start := at("2026-05-06 08:00")
	if err := health.Record(f.bare, health.JobPublish, health.Run{Start: start, End: start.Add(time.Minute), Err: errors.New("rsync: 目标目录不可写")}); err != nil {
		t.Fatal(err)
	}
	_, body = c.get("/")
	// 5 working days from Wednesday 6 May: 6, 7, 8, Saturday 9 (a working day), 11.
	if !strings.Contains(body, "<strong>2026-05-11 结束</strong>") || !strings.Contains(body, "关于拟确定科技金融服务机构名单的公示") {
		t.Errorf("the running publicity and its end are not shown:\n%s", body)
	}
	if !strings.Contains(body, "失败") || !strings.Contains(body, "rsync: 目标目录不可写") || !strings.Contains(body, "尚未成功发布过") {
		t.Errorf("the failed publish is not shown:\n%s", body)
	}
	f.clock.add(6 * 24 * time.Hour) // 2026-05-12: over
	c = loggedIn(t, f)
	_, body = c.get("/")
	if !strings.Contains(body, `id="publicity-none"`) {
		t.Errorf("a publicity that ended still shows")
	}
}

// TestPooledRepoSeesNewPacks: the pages keep opened repos between
// requests; commits that reach the repo only inside a new pack file (a
// push followed by git repack, or git gc) show all the same.
func TestPooledRepoSeesNewPacks(t *testing.T) {
	f := startConsole(t, nil)
	gitCmd(t, f.bare, nil, "repack", "-adq")
	c := loggedIn(t, f)
	for i := 0; i < 3; i++ { // fill the pool
		if resp, body := c.get("/history/"); resp.StatusCode != 200 {
			t.Fatalf("history: %d\n%s", resp.StatusCode, body)
		}
	}
	f.commitMain("新的一版", map[string]string{"notices/b.md": "y"})
	gitCmd(t, f.bare, nil, "repack", "-adq") // the new objects are in a new pack only
	resp, body := c.get("/history/")
	if resp.StatusCode != 200 || !strings.Contains(body, "新的一版") {
		t.Fatalf("after a repack: %d\n%s", resp.StatusCode, body)
	}
	if resp, body := c.get("/history/" + gitCmd(t, f.bare, nil, "rev-parse", "main")); resp.StatusCode != 200 || !strings.Contains(body, "notices/b.md") {
		t.Fatalf("the new commit's page: %d\n%s", resp.StatusCode, body)
	}
}
