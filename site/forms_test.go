package site

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"kjjr/application"
	"kjjr/sheet"
)

func blankTemplate(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := sheet.Template(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestFormsPublished: every build publishes the blank monthly sheet, the
// bytes sheet.Template (kjjr template) writes, at SheetPath, and the
// 报送指南; every page's footer, the 网站地图 and every institution page
// link them.
func TestFormsPublished(t *testing.T) {
	dir, _ := buildTo(t, defaultRepo(t))
	files := walkOut(t, dir)
	if got := files[SheetPath]; got != string(blankTemplate(t)) {
		t.Fatalf("%s is %d bytes, not the %d bytes of sheet.Template", SheetPath, len(got), len(blankTemplate(t)))
	}
	guide := files[GuidePath+"index.html"]
	mustContain(t, "guide", guide,
		`<h1>报送指南</h1>`, `<a href="mailto:baosong@example.gov.cn">baosong@example.gov.cn</a>`,
		`<a href="../downloads/kaohebiao.xlsx" download>《科技金融服务机构绩效评价考核表》`,
		"月报：每月10日前报送上月报表。", "上半年的于7月15日前、下半年的于次年1月15日前报送",
		"截止日逢法定节假日或休息日的，顺延至其后第一个工作日",
		// testNow is 2025-12-01: the November sheet is next, due on Wednesday 12-10.
		"最近的截止日期：2025年11月月报，2025年12月10日。",
		"“按时报送”或“逾期报送”", "电话：0354-555-0100", "晋中市科学技术局 科技金融科")
	mustContain(t, "sitemap", files["sitemap/index.html"], `<a href="../baosong/">报送指南</a>`, `<a href="../downloads/kaohebiao.xlsx">`)
	mustContain(t, "sitemap.xml", files["sitemap.xml"], "<loc>https://kjjr.example.gov.cn/baosong/</loc>")
	n := 0
	for p, s := range files {
		if !strings.HasSuffix(p, ".html") || p == "404.html" {
			continue
		}
		root := strings.Repeat("../", strings.Count(p, "/"))
		mustContain(t, p, s, `<a href="`+root+`baosong/">报送指南</a>`)
		if strings.HasPrefix(p, "institutions/") && strings.HasSuffix(p, "/index.html") && strings.Count(p, "/") == 2 {
			n++
			mustContain(t, p, s, `<h2 id="h-howto">如何报送</h2>`, `<a href="../../downloads/kaohebiao.xlsx" download>`,
				`发送至报送邮箱 <a href="mailto:baosong@example.gov.cn">`, `<a href="../../baosong/">报送指南</a>`)
		}
	}
	if n == 0 {
		t.Error("no institution page checked")
	}
	// The 2025 selection notice lists the sheet as an attachment: it is
	// linked, not 请向主办单位索取.
	notice := files["notices/2025-04-15-selection-round-1/index.html"]
	mustContain(t, "notice", notice, `<li><a href="../../downloads/kaohebiao.xlsx">科技金融服务机构绩效评价考核表</a></li>`)
}

// TestFormsNoticeAttachments: an attachment stands for the published
// sheet when its file is the sheet's site path, or when it has no file and
// its title names the sheet; another site path the build does not make
// stays unlinked (请向主办单位索取) rather than a broken link.
func TestFormsNoticeAttachments(t *testing.T) {
	arch, err := txtar.ParseFile(filepath.Join("testdata", "basic.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	arch = editFile(t, arch, "notices/2025-04-01-selection.md", "  - {title: 申报书模板, file: 2025-04-01-selection/shenbao.pdf}\n",
		"  - {title: 申报书模板, file: 2025-04-01-selection/shenbao.pdf}\n"+
			"  - {title: 科技金融服务机构绩效评价考核表}\n"+
			"  - {title: 月报表（空白）, file: /downloads/kaohebiao.xlsx}\n"+
			"  - {title: 申报书（示例）, file: /downloads/shenbaoshu.docx}\n")
	dir, _ := buildTo(t, loadArchive(t, arch))
	page := readOut(t, dir, "notices/2025-04-01-selection/index.html")
	mustContain(t, "notice", page,
		`<li><a href="shenbao.pdf">申报书模板</a></li>`,
		`<li><a href="../../downloads/kaohebiao.xlsx">科技金融服务机构绩效评价考核表</a></li>`,
		`<li><a href="../../downloads/kaohebiao.xlsx">月报表（空白）</a></li>`,
		`<li>申报书（示例）（请向主办单位索取）</li>`)
	// The fixture has no inbox.address: the guide says whom to ask.
	mustContain(t, "guide", readOut(t, dir, GuidePath+"index.html"), "报送邮箱请向主办单位咨询")
}

// TestFormsIncremental: the sheet and the guide are byte-identical from
// one build to the next, an unchanged rebuild writes nothing, and a sheet
// deleted behind the build's back is written again.
func TestFormsIncremental(t *testing.T) {
	repo := defaultRepo(t)
	dir := filepath.Join(t.TempDir(), "public")
	first, err := Build(repo, &Options{Out: dir, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	again, err := Build(repo, &Options{Out: dir, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if again.Written != 0 || again.Files != first.Files {
		t.Errorf("unchanged rebuild: %+v", again)
	}
	other, _ := buildTo(t, repo)
	a, b := walkOut(t, dir), walkOut(t, other)
	for _, p := range []string{SheetPath, GuidePath + "index.html"} {
		if a[p] == "" || a[p] != b[p] {
			t.Errorf("%s differs between two builds", p)
		}
	}
	if err := os.Remove(filepath.Join(dir, filepath.FromSlash(SheetPath))); err != nil {
		t.Fatal(err)
	}
	res, err := Build(repo, &Options{Out: dir, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if res.Written != 1 || readOut(t, dir, SheetPath) != string(blankTemplate(t)) {
		t.Errorf("after deleting the sheet: Written = %d; want it written again", res.Written)
	}
}

// TestApplicationFormPublished: every build publishes the blank
// application form, the bytes application.Template (kjjr template
// --application) writes, at ApplicationPath, and a round's 遴选通知 page
// offers it even though the notice does not list it; a notice that is no
// round's does not.
func TestApplicationFormPublished(t *testing.T) {
	dir, _ := buildTo(t, defaultRepo(t))
	files := walkOut(t, dir)
	var want bytes.Buffer
	if err := application.Template(&want); err != nil {
		t.Fatal(err)
	}
	if got := files[ApplicationPath]; got != want.String() || !application.Looks([]byte(got)) {
		t.Fatalf("%s is %d bytes, not the %d bytes of application.Template", ApplicationPath, len(got), want.Len())
	}
	notice := files["notices/2025-04-15-selection-round-1/index.html"]
	mustContain(t, "round notice", notice, `<li><a href="../../downloads/shenbaobiao.xlsx">《科技金融服务机构遴选申报表》（空白，.xlsx）</a></li>`)
	if s := files["notices/2025-06-20-announcement-round-1/index.html"]; strings.Contains(s, "shenbaobiao.xlsx") {
		t.Error("the announcement offers the application form")
	}
}
