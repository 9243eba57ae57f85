package site

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
	"golang.org/x/net/html"

	"kjjr/content"
)

func TestBuildPages(t *testing.T) {
	repo := loadFixture(t, "basic.txtar")
	dir, res := buildTo(t, repo)
	files := walkOut(t, dir)
	if res.Pages != 24 { // with the 网站地图 and 报送指南 pages
		t.Errorf("Pages = %d; want 24", res.Pages)
	}
	if res.Written != res.Files || res.Removed != 0 {
		t.Errorf("first build: %+v; want every file written", res)
	}
	for _, p := range []string{
		"index.html", "404.html", "robots.txt", "sitemap.xml", "sitemap/index.html",
		AssetPath("assets/icon.png"), AssetPath("assets/site.css"), AssetPath("assets/site.js"), AssetPath("assets/search.js"), AssetPath("assets/favicon.svg"),
		"institutions/index.html", "institutions/alpha/index.html", "institutions/alpha/reports/2025-07.html",
		"notices/index.html", "notices/atom.xml", "notices/2025-04-01-selection/index.html", "notices/2025-04-01-selection/shenbao.pdf",
		"rounds/index.html", "rounds/2025-1/index.html", "publicity/index.html", "publicity/2025-06-03-round-1/index.html",
		"results/index.html", "results/2025/index.html", "statistics/index.html", "search/index.html", "search/index.json",
		"data/index.html", "data/roster.csv", "data/roster.json", "data/results.csv", "data/results.json", "data/monthly.csv", "data/monthly.json",
		"baosong/index.html", "downloads/kaohebiao.xlsx",
	} {
		if _, ok := files[p]; !ok {
			t.Errorf("missing %s", p)
		}
	}
	if _, ok := files["assets/live.js"]; ok {
		t.Error("the live-reload script is in a production build")
	}
	// Assets are named by a hash of their bytes (a web server may cache
	// them for good), and only so.
	for p, s := range files {
		if !strings.HasPrefix(p, "assets/") {
			continue
		}
		sum := sha256.Sum256([]byte(s))
		ext := path.Ext(p)
		if want := strings.TrimSuffix(strings.TrimSuffix(p, ext), path.Ext(strings.TrimSuffix(p, ext))) + "." + hex.EncodeToString(sum[:5]) + ext; p != want {
			t.Errorf("asset %s is not named by the hash of its bytes (%s)", p, want)
		}
	}
	for p, s := range files {
		if strings.HasSuffix(p, ".html") {
			mustContain(t, p, s, `<html lang="zh-CN">`, `<main id="main"`, "主办单位：晋中市科学技术局", "网站标识码：1407000001",
				"晋ICP备12345678号", "晋公网安备 14070202000001号", "示例数据", `<a class="skip" href="#main">`)
			if strings.Contains(s, "/_kjjr/") {
				t.Errorf("%s: dev script in a production build", p)
			}
		}
	}
	// Canonical URLs from base_url; relative links work under the sub-path.
	mustContain(t, "institution", files["institutions/alpha/index.html"],
		`<link rel="canonical" href="https://example.gov.cn/kjjr/institutions/alpha/">`,
		`href="../../`+AssetPath("assets/site.css")+`"`, `<a href="../../institutions/" aria-current="page">机构名录</a>`,
		"当前状态：<strong>已备案</strong>", "91140700MA00000015", "融资对接、项目路演、政策宣讲",
		// status history
		"提交遴选申请", "列入公示（至2025年6月9日）", "确定为科技金融服务机构并公告", "向省科技厅备案", "2025年度考核：优秀",
		// compliance by month, linked to the report pages
		`<td class="st-on_time"><a href="reports/2025-07.html">按时报送</a></td>`,
		`<td class="st-late"><a href="reports/2025-08.html">逾期报送</a></td>`,
		`<td class="st-missing">未报送</td>`, `<td class="st-not_due">未到期</td>`,
		// charts with text alternatives and the table beside them
		`role="img" aria-labelledby="c-served-t c-served-d"`, `<th scope="col">帮助企业融资金额（万元）</th>`, "<td>300.50</td>",
		// 第七条 and complaints
		"不得以开展的科技金融服务事项收取服务对象费用", "科技金融科（监督投诉）", "0354-0000099",
		"<strong>科技型中小企业</strong>")
	mustContain(t, "report", files["institutions/alpha/reports/2025-08.html"],
		"<h1>晋中阿尔法科技金融服务有限公司 2025年8月月报</h1>", "逾期报送", `href="2025-07.html" rel="prev"`, `href="2025-10.html" rel="next"`,
		`<link rel="canonical" href="https://example.gov.cn/kjjr/institutions/alpha/reports/2025-08.html">`, "<td>120.00</td>", "合作银行：晋中银行")
	mustContain(t, "directory", files["institutions/index.html"], "晋中阿尔法科技金融服务有限公司", "晋中贝塔创业投资服务中心",
		"2025年度考核不合格，不再作为科技金融服务机构", "2025年11月25日")
	if strings.Contains(between(files["institutions/index.html"], "在册机构", "历史变动"), "贝塔") {
		t.Error("directory: a removed institution is listed on the roster")
	}
	mustContain(t, "publicity", files["publicity/2025-06-03-round-1/index.html"], "公示已结束", "2025年6月3日", "2025年6月9日",
		"5个工作日", "gongshi@example.gov.cn", "公示期内收到一件异议", "公示后未予确定：晋中伽马咨询有限公司", `<th scope="col">统一社会信用代码</th>`)
	mustContain(t, "round", files["rounds/2025-1/index.html"], "1. 发布遴选通知", "2. 申报单位申请", "3. 专家评审", "4. 研究议定",
		"5. 公示", "6. 备案", "会议评审&#43;现场考察", "晋科备〔2025〕1号")
	mustContain(t, "result", files["results/2025/index.html"], "优秀", "不合格", "不再作为晋中市科学技术局确定的科技金融服务机构", "420.50")
	mustContain(t, "notice", files["notices/2025-04-01-selection/index.html"], `<a href="shenbao.pdf">申报书模板</a>`, "<table>", "<h2>")
	mustContain(t, "stats", files["statistics/index.html"], "<svg", "各月汇总", `<th scope="row">2025年7月</th><td>2</td><td>15</td>`)
	mustContain(t, "home", files["index.html"], "科技金融服务机构名录（1家）", "2025年服务情况", "关于开展2025年科技金融服务机构遴选工作的通知")
	mustContain(t, "404", files["404.html"], `href="/kjjr/`+AssetPath("assets/site.css")+`"`, `<a href="/kjjr/">首页</a>`)
	if strings.Contains(files["404.html"], `rel="canonical"`) {
		t.Error("404 page has a canonical URL")
	}
	mustContain(t, "robots", files["robots.txt"], "Sitemap: https://example.gov.cn/kjjr/sitemap.xml")
	mustContain(t, "sitemap", files["sitemap.xml"], "<loc>https://example.gov.cn/kjjr/institutions/alpha/reports/2025-07.html</loc>")
	mustContain(t, "atom", files["notices/atom.xml"], `<feed xmlns="http://www.w3.org/2005/Atom"`, "<id>https://example.gov.cn/kjjr/notices/2025-04-01-selection/</id>")
	mustContain(t, "roster.csv", files["data/roster.csv"], "\ufeffslug,name,uscc,status", "alpha,晋中阿尔法科技金融服务有限公司,91140700MA00000015,filed,2025-06-16,,榆次区")
	var roster []map[string]any
	if err := json.Unmarshal([]byte(files["data/roster.json"]), &roster); err != nil || len(roster) != 3 {
		t.Errorf("roster.json: %v, %d rows", err, len(roster))
	}
	var monthly []struct {
		Period     string
		Reports    int
		Indicators map[string]float64
	}
	if err := json.Unmarshal([]byte(files["data/monthly.json"]), &monthly); err != nil || len(monthly) != 3 || monthly[0].Indicators["financing_wan"] != 310.5 {
		t.Errorf("monthly.json: %v %+v", err, monthly)
	}
	// Search index: the bigrams of names point to their documents.
	var idx struct {
		Docs  [][]string
		Grams map[string][]int
	}
	if err := json.Unmarshal([]byte(files["search/index.json"]), &idx); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, id := range idx.Grams["贝塔"] {
		if idx.Docs[id][1] == "institutions/beta/" {
			found = true
		}
	}
	if !found {
		t.Errorf("search index: 贝塔 does not lead to institutions/beta/")
	}
	if res.NextChange != (content.Date{Year: 2025, Month: 12, Day: 11}) {
		t.Errorf("NextChange = %v (%s); want 2025-12-11, when the November sheets become missing", res.NextChange, res.NextChangeReason)
	}
}

func between(s, a, b string) string {
	i := strings.Index(s, a)
	j := strings.Index(s, b)
	if i < 0 || j < i {
		return ""
	}
	return s[i:j]
}

func TestBuildDeterministic(t *testing.T) {
	repo := loadFixture(t, "basic.txtar")
	a, _ := buildTo(t, repo)
	repo2 := loadFixture(t, "basic.txtar")
	b := filepath.Join(t.TempDir(), "b")
	if _, err := Build(repo2, &Options{Out: b, Now: testNow, Workers: 1}); err != nil {
		t.Fatal(err)
	}
	fa, fb := walkOut(t, a), walkOut(t, b)
	if len(fa) != len(fb) {
		t.Fatalf("%d files vs %d", len(fa), len(fb))
	}
	for p, s := range fa {
		if p == ManifestName {
			// The directory stamps are the output directory's own.
			s, fb[p] = withoutDirStamps(s), withoutDirStamps(fb[p])
		}
		if fb[p] != s {
			t.Errorf("%s differs between two builds of the same repo", p)
		}
	}
}

// withoutDirStamps drops the directory lines of a manifest.
func withoutDirStamps(m string) string {
	var keep []string
	for _, l := range strings.Split(m, "\n") {
		if !strings.HasPrefix(l, "D ") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// TestBuildIncremental: a second build writes nothing; a changed report
// rewrites only the pages that show it; a removed institution's pages go.
func TestBuildIncremental(t *testing.T) {
	arch, err := txtar.ParseFile("testdata/basic.txtar")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "public")
	build := func(a *txtar.Archive) *Result {
		t.Helper()
		res, err := Build(loadArchive(t, a), &Options{Out: dir, Now: testNow})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	first := build(arch)
	again := build(arch)
	if again.Written != 0 || again.Removed != 0 || again.Files != first.Files {
		t.Errorf("unchanged rebuild: %+v; want nothing written or removed", again)
	}
	if again.Rendered >= first.Rendered {
		t.Errorf("unchanged rebuild rendered %d files of %d; want institutions skipped", again.Rendered, first.Rendered)
	}
	before := walkOut(t, dir)

	edited := editFile(t, arch, "institutions/alpha/reports/2025-08.md", "enterprises_served: 15", "enterprises_served: 16")
	res := build(edited)
	after := walkOut(t, dir)
	var changed []string
	for p, s := range after {
		if before[p] != s && p != ManifestName {
			changed = append(changed, p)
		}
	}
	sort.Strings(changed)
	want := []string{"data/monthly.csv", "data/monthly.json", "data/yearly.csv", "data/yearly.json", "index.html", "institutions/alpha/index.html",
		"institutions/alpha/reports/2025-08.html", "statistics/index.html"}
	if strings.Join(changed, " ") != strings.Join(want, " ") {
		t.Errorf("files changed by one report:\n got %v\nwant %v", changed, want)
	}
	if res.Written != len(want) {
		t.Errorf("Written = %d; want %d", res.Written, len(want))
	}

	removed := &txtar.Archive{}
	for _, f := range edited.Files {
		if !strings.HasPrefix(f.Name, "institutions/gamma/") {
			removed.Files = append(removed.Files, f)
		}
	}
	removed = editFile(t, removed, "rounds/2025-1.md", "applicants: [alpha, beta, gamma]", "applicants: [alpha, beta]")
	res = build(removed)
	if res.Removed != 1 {
		t.Errorf("Removed = %d; want 1 (gamma's page)", res.Removed)
	}
	if _, err := os.Stat(filepath.Join(dir, "institutions/gamma")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("institutions/gamma still there: %v", err)
	}
	// Files deleted behind the build's back are written again.
	os.Remove(filepath.Join(dir, "institutions/alpha/reports/2025-07.html"))
	res = build(removed)
	if res.Written != 1 {
		t.Errorf("after deleting one output file: Written = %d; want 1", res.Written)
	}
}

func editFile(t *testing.T, a *txtar.Archive, name, old, new string) *txtar.Archive {
	t.Helper()
	out := &txtar.Archive{Comment: a.Comment}
	hit := false
	for _, f := range a.Files {
		if f.Name == name {
			if !bytes.Contains(f.Data, []byte(old)) {
				t.Fatalf("%s has no %q", name, old)
			}
			f.Data = bytes.Replace(f.Data, []byte(old), []byte(new), 1)
			hit = true
		}
		out.Files = append(out.Files, f)
	}
	if !hit {
		t.Fatalf("no file %s", name)
	}
	return out
}

func TestBuildRefusesForeignDirectory(t *testing.T) {
	dir := t.TempDir()
	keep := filepath.Join(dir, "important.txt")
	os.WriteFile(keep, []byte("mine"), 0o644)
	_, err := Build(loadFixture(t, "basic.txtar"), &Options{Out: dir, Now: testNow})
	if !errors.Is(err, ErrNotSiteDir) {
		t.Fatalf("Build into a directory with other files: %v; want ErrNotSiteDir", err)
	}
	if _, err := os.Stat(keep); err != nil {
		t.Errorf("a file Build did not write is gone: %v", err)
	}
}

// TestPrivateFieldsNeverPublished plants a canary in every private field
// of the model (the private fields of package content) and greps the whole site.
func TestPrivateFieldsNeverPublished(t *testing.T) {
	base, err := txtar.ParseFile("testdata/basic.txtar")
	if err != nil {
		t.Fatal(err)
	}
	canary, err := txtar.ParseFile("testdata/canary.txtar")
	if err != nil {
		t.Fatal(err)
	}
	base = editFile(t, base, "publicity/2025-06-03-round-1.md", "institutions: [alpha, beta, gamma]", "institutions: [alpha, beta, gamma, delta]")
	base.Files = append(base.Files, canary.Files...)
	repo := loadArchive(t, base)
	inst := repo.Institution("delta")
	if inst == nil || len(inst.Reports) != 2 || len(inst.Reports[0].Financing) != 2 || len(inst.Reports[0].Enterprises) != 2 || inst.ReportSenders == nil || inst.DKIMKeys == nil {
		t.Fatalf("fixture did not load every private field: %+v", inst)
	}
	dir, _ := buildTo(t, repo)
	files := walkOut(t, dir)
	if !strings.Contains(files["institutions/delta/reports/2025-07.html"], "<td>80.00</td>") {
		t.Fatal("the canary institution's report page is missing: the test would prove nothing")
	}
	for p, s := range files {
		if strings.Contains(strings.ToLower(s), "kjjrcanary") {
			i := strings.Index(strings.ToLower(s), "kjjrcanary")
			t.Errorf("%s publishes a private field: …%s…", p, s[max(0, i-80):min(len(s), i+40)])
		}
		if strings.Contains(p, "evidence") || strings.Contains(strings.ToLower(p), "kjjrcanary") {
			t.Errorf("evidence file published: %s", p)
		}
	}
}

// TestServedCounts: the statistics page and the open data carry the
// distinct enterprises counted from the lists (家) beside the monthly sum
// (家次), the same from a repo loaded for the public site (which keeps no
// list), and never an enterprise of a list.
func TestServedCounts(t *testing.T) {
	base, err := txtar.ParseFile("testdata/basic.txtar")
	if err != nil {
		t.Fatal(err)
	}
	canary, err := txtar.ParseFile("testdata/canary.txtar")
	if err != nil {
		t.Fatal(err)
	}
	base = editFile(t, base, "publicity/2025-06-03-round-1.md", "institutions: [alpha, beta, gamma]", "institutions: [alpha, beta, gamma, delta]")
	base.Files = append(base.Files, canary.Files...)
	full := loadArchive(t, base)
	// What the lists name in 2025, counted here from the full repo.
	var want content.DistinctCounter
	reports, visits := 0, 0
	for _, inst := range full.Institutions {
		for _, rep := range inst.Reports {
			if rep.Period.Kind == content.Monthly && rep.Period.Year == 2025 && rep.Indicators != nil && !rep.Period.Start().After(testNow) {
				want.Add(rep)
				reports++
				visits += rep.Indicators.EnterprisesServed
			}
		}
	}
	all, jcg := want.Counts()
	if all < 3 || jcg < 2 || all >= visits {
		t.Fatalf("fixture: %d enterprises (%d 晋创谷) of %d visits: the test would prove little", all, jcg, visits)
	}
	pub, err := content.Load(repoFS(t, base), &content.LoadOptions{Public: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, repo := range []*content.Repo{full, pub} {
		dir, _ := buildTo(t, repo)
		files := walkOut(t, dir)
		var years []struct {
			Year                int `json:"year"`
			Reports             int `json:"reports"`
			ListedReports       int `json:"listed_reports"`
			EnterprisesServed   int `json:"enterprises_served"`
			Enterprises         int `json:"enterprises"`
			JinchuangguDistinct int `json:"jinchuanggu_distinct"`
		}
		if err := json.Unmarshal([]byte(files["data/yearly.json"]), &years); err != nil || len(years) == 0 {
			t.Fatalf("yearly.json: %v %q", err, files["data/yearly.json"])
		}
		y := years[len(years)-1]
		if y.Year != 2025 || y.Reports != reports || y.EnterprisesServed != visits || y.Enterprises != all || y.JinchuangguDistinct != jcg || y.ListedReports != want.Listed {
			t.Errorf("yearly.json 2025 = %+v; want %d reports (%d listed), %d 家次, %d 家, %d 晋创谷", y, reports, want.Listed, visits, all, jcg)
		}
		row := fmt.Sprintf("<tr><th scope=\"row\">2025年</th><td>%d</td><td>%d</td><td>%d</td>", reports, all, visits)
		mustContain(t, "statistics/index.html", files["statistics/index.html"], row, fmt.Sprintf("%d份月报中%d份有名单", reports, want.Listed))
		// The canary institution's year: 1 report, 3 enterprises (家) of 7
		// 家次, 2 晋创谷 of 1 家次 (the fixture is not consistent: the site
		// shows what the reports say).
		mustContain(t, "institutions/delta/index.html", files["institutions/delta/index.html"],
			`<tr><th scope="row">2025年</th><td>1</td><td>3</td><td>7</td><td>2</td><td>1</td><td>全部月报有名单</td></tr>`)
		for p, s := range files {
			if strings.Contains(strings.ToLower(s), "kjjrcanary-listed") {
				t.Errorf("%s publishes an enterprise of a list", p)
			}
		}
	}
}

// TestResultServedColumns: a result's figures show 服务企业 and 晋创谷企业
// as 家 and 家次, with how many months had a list; an older result without
// the distinct counts shows — for 家, and the open data leaves them out.
func TestResultServedColumns(t *testing.T) {
	base, err := txtar.ParseFile("testdata/basic.txtar")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, edit, row, note, json string
	}{
		{"older result", "", "<td>—</td><td>36</td><td>—</td><td>6</td>", "", `"enterprises_served": 36,`},
		{"with lists", "enterprises: 20, jinchuanggu_distinct: 4, listed_months: 2, ",
			"<td>20</td><td>36</td><td>4</td><td>6</td>", "服务企业（家）按名单统计：3个月中2个月有名单。", `"enterprises": 20,`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			arch := editFile(t, base, "results/2025.md", "jinchuanggu_enterprises: 6, ", "jinchuanggu_enterprises: 6, "+tc.edit)
			dir, _ := buildTo(t, loadArchive(t, arch))
			files := walkOut(t, dir)
			page := files["results/2025/index.html"]
			mustContain(t, "result", page, tc.row)
			if tc.note != "" {
				mustContain(t, "result", page, tc.note)
			}
			mustContain(t, "results.json", files["data/results.json"], tc.json)
			if tc.edit == "" && strings.Contains(files["data/results.json"], `"enterprises":`) {
				t.Errorf("results.json gives an older result a distinct count: %s", files["data/results.json"])
			}
		})
	}
}

// TestNoExecutableScript: script payloads in every text field produce no
// script, event handler, javascript: URL or frame in any page.
func TestNoExecutableScript(t *testing.T) {
	repo := loadFixture(t, "xss.txtar")
	dir, res := buildTo(t, repo)
	if res.Pages < 10 {
		t.Fatalf("only %d pages", res.Pages)
	}
	ours := map[string]bool{AssetPath("assets/site.js"): true, AssetPath("assets/search.js"): true}
	for p, s := range walkOut(t, dir) {
		if !strings.HasSuffix(p, ".html") {
			continue
		}
		z := html.NewTokenizer(strings.NewReader(s))
		inScript := false
		for {
			tt := z.Next()
			if tt == html.ErrorToken {
				break
			}
			tok := z.Token()
			switch tt {
			case html.StartTagToken, html.SelfClosingTagToken:
				switch tok.Data {
				case "script":
					src := ""
					for _, a := range tok.Attr {
						if a.Key == "src" {
							src = strings.TrimLeft(a.Val, "./")
						}
					}
					if i := strings.LastIndex(src, "assets/"); i >= 0 && !strings.Contains(src, ":") && !strings.Contains(src, "//") {
						src = src[i:]
					}
					if !ours[src] {
						t.Errorf("%s: foreign script %q", p, tok.String())
					}
					inScript = true
				case "iframe", "object", "embed", "frame", "style", "base", "form":
					if tok.Data == "form" && p == "search/index.html" {
						continue
					}
					t.Errorf("%s: element %s from content", p, tok.String())
				}
				for _, a := range tok.Attr {
					v := strings.ToLower(strings.TrimSpace(a.Val))
					if strings.HasPrefix(a.Key, "on") {
						t.Errorf("%s: event handler %s=%q", p, a.Key, a.Val)
					}
					if (a.Key == "href" || a.Key == "src" || a.Key == "action") &&
						(strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "vbscript:") || strings.HasPrefix(v, "data:")) {
						t.Errorf("%s: %s=%q", p, a.Key, a.Val)
					}
					if a.Key == "src" && (strings.Contains(v, "//") || strings.Contains(v, ":")) {
						t.Errorf("%s: loads from outside: %s=%q", p, a.Key, a.Val)
					}
				}
			case html.TextToken:
				if inScript && strings.TrimSpace(tok.Data) != "" {
					t.Errorf("%s: inline script %q", p, tok.Data)
				}
			case html.EndTagToken:
				if tok.Data == "script" {
					inScript = false
				}
			}
		}
	}
	notice := readOut(t, dir, "notices/measures/index.html")
	mustContain(t, "notice", notice, "&lt;script&gt;alert(21)&lt;/script&gt;", "&lt;div onclick=")
}

func TestNextChange(t *testing.T) {
	repo := loadFixture(t, "basic.txtar")
	for _, tc := range []struct {
		now, want string
	}{
		{"2025-06-01", "2025-06-03"}, // publicity starts
		{"2025-06-05", "2025-06-09"}, // gamma withdrawn on the publicity's last day
		{"2025-06-09", "2025-06-10"}, // the day after the publicity's last day
		{"2025-11-21", "2025-11-25"}, // the 2025 result takes effect
		{"2025-12-01", "2025-12-11"}, // November's sheets become missing
		{"2025-12-12", "2026-01-01"}, // a new month
		{"2027-03-05", "2027-03-11"},
		{"2027-03-12", "2027-03-18"}, // the measures expire (in force until 2027-03-17)
	} {
		now, _ := content.ParseDate(tc.now)
		got, why := nextChange(repo, now)
		if got.String() != tc.want {
			t.Errorf("nextChange(%s) = %s (%s); want %s", tc.now, got, why, tc.want)
		}
	}
}

func TestBuildDefaultDataset(t *testing.T) {
	repo := defaultRepo(t)
	dir, res := buildTo(t, repo)
	if res.Pages < 20 {
		t.Errorf("default dataset: %d pages", res.Pages)
	}
	if s := readOut(t, dir, "institutions/index.html"); !strings.Contains(s, "<tbody>") {
		t.Error("default dataset: directory has no institutions")
	}
}
