package govcheck

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"kjjr/content"
	"kjjr/content/jinzhong"
	"kjjr/internal/tinypdf"
	"kjjr/site"
)

var inspection = content.Date{Year: 2026, Month: 12, Day: 6}

// buildDefault builds the embedded default dataset as of day into a
// fresh directory, the site that kjjr build writes.
func buildDefault(t *testing.T, day content.Date) string {
	t.Helper()
	repo, err := content.Load(jinzhong.FS(), nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "public")
	if _, err := site.Build(repo, &site.Options{Out: dir, Now: day}); err != nil {
		t.Fatal(err)
	}
	return dir
}

func check(t *testing.T, dir string, day content.Date) *Report {
	t.Helper()
	rep, err := Check(Options{Dir: dir, Now: day, BaseURL: "https://kjj.sxjz.gov.cn/kjjr/", BasePath: "/"})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func findings(rep *Report, ind string) []Finding {
	var out []Finding
	for _, f := range rep.Findings {
		if f.Indicator == ind {
			out = append(out, f)
		}
	}
	return out
}

// TestDefaultSitePasses: the default dataset's site has no veto item, no
// broken link, its policy document has a 解读 linked both ways, the footer
// carries every identity mark and nothing personal is published.
func TestDefaultSitePasses(t *testing.T) {
	dir := buildDefault(t, inspection)
	rep := check(t, dir, inspection)
	var b strings.Builder
	rep.Write(&b)
	if len(rep.Vetoes()) > 0 {
		t.Errorf("veto items on the default site:\n%s", b.String())
	}
	for _, ind := range []string{IndLinks, IndPolicy, IndIdentity, IndPrivacy} {
		for _, f := range findings(rep, ind) {
			t.Errorf("default site: %s %s: %s", ind, f.Page, f.Reason)
		}
	}
	if rep.Pages < 50 {
		t.Errorf("only %d pages read", rep.Pages)
	}
}

func edit(t *testing.T, dir, rel, from, to string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(from)) {
		t.Fatalf("%s has no %q", rel, from)
	}
	if err := os.WriteFile(p, bytes.ReplaceAll(data, []byte(from), []byte(to)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Each case breaks one rule of a good site once, and the check finds it.
func TestEachRuleFails(t *testing.T) {
	good := buildDefault(t, inspection)
	cases := []struct {
		name      string
		day       content.Date
		breakSite func(t *testing.T, dir string)
		ind       string
		want      string
		veto      bool
	}{
		{"broken link", inspection, func(t *testing.T, dir string) {
			os.RemoveAll(filepath.Join(dir, "rounds"))
		}, IndLinks, "rounds/", false},
		{"broken attachment", inspection, func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, site.AssetPath("assets/site.css")))
		}, IndLinks, strings.TrimPrefix(site.AssetPath("assets/site.css"), "assets/"), false},
		{"empty column", inspection, func(t *testing.T, dir string) {
			emptyColumn(t, dir, "results/index.html")
		}, IndColumns, "空白栏目", false},
		{"five empty columns", inspection, func(t *testing.T, dir string) {
			for _, c := range []string{"results/index.html", "rounds/index.html", "publicity/index.html", "notices/index.html", "institutions/index.html"} {
				emptyColumn(t, dir, c)
			}
		}, IndColumns, "5 个空白栏目", true},
		{"stale notices", content.Date{Year: 2030, Month: 1, Day: 1}, func(t *testing.T, dir string) {}, IndColumns, "超过6个月未更新", false},
		{"policy without 解读", inspection, func(t *testing.T, dir string) {
			edit(t, dir, "notices/2025-03-18-measures/index.html", `<p class="related">政策解读：`, `<p class="related">`)
			edit(t, dir, "notices/2025-03-18-measures/index.html", `../2025-03-18-measures-interpretation/`, `#`)
		}, IndPolicy, "没有配套的政策解读", false},
		{"解读 not linked back", inspection, func(t *testing.T, dir string) {
			edit(t, dir, "notices/2025-03-18-measures-interpretation/index.html", `href="../2025-03-18-measures/"`, `href="#"`)
		}, IndPolicy, "没有链接回", false},
		{"expired policy not marked", inspection, func(t *testing.T, dir string) {
			edit(t, dir, "index.html", "有效期至2027年3月17日", "有效期至2026年3月17日")
		}, IndPolicy, "未标注“已失效”", false},
		{"no ICP link", inspection, func(t *testing.T, dir string) {
			edit(t, dir, "index.html", `https://beian.miit.gov.cn/`, `#`)
		}, IndIdentity, "ICP备案号", false},
		{"no site map", inspection, func(t *testing.T, dir string) {
			edit(t, dir, "index.html", `>网站地图</a>`, `>地图</a>`)
		}, IndIdentity, "网站地图", false},
		{"mobile number on a page", inspection, func(t *testing.T, dir string) {
			edit(t, dir, "institutions/jinchuang-capital/index.html", "</main>", "<p>联系人：张三 13912345678</p></main>")
		}, IndPrivacy, "手机号码 139****5678", false},
		{"ID number in open data", inspection, func(t *testing.T, dir string) {
			edit(t, dir, "data/roster.csv", "jinchuang-capital", "jinchuang-capital 11010519491231002X")
		}, IndPrivacy, "身份证号", false},
		{"mobile number in a DOCX attachment", inspection, func(t *testing.T, dir string) {
			writeFile(t, dir, "notices/a.docx", docx("联系人手机：13712345678"))
		}, IndPrivacy, "137****5678", false},
		{"card number in an XLSX attachment", inspection, func(t *testing.T, dir string) {
			writeFile(t, dir, "notices/a.xlsx", xlsx(t, "6222021234567890128"))
		}, IndPrivacy, "银行卡号", false},
		{"mobile number in a PDF attachment", inspection, func(t *testing.T, dir string) {
			writeFile(t, dir, "notices/a.pdf", tinypdf.Lines("Tel 13612345678"))
		}, IndPrivacy, "136****5678", false},
		{"damaged PDF", inspection, func(t *testing.T, dir string) {
			writeFile(t, dir, "notices/b.pdf", []byte("%PDF-1.4\n garbage"))
		}, IndPrivacy, "无法读取", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "public")
			if err := os.CopyFS(dir, os.DirFS(good)); err != nil {
				t.Fatal(err)
			}
			tc.breakSite(t, dir)
			rep := check(t, dir, tc.day)
			var hit bool
			for _, f := range findings(rep, tc.ind) {
				if strings.Contains(f.Reason, tc.want) && f.Veto == tc.veto {
					hit = true
				}
			}
			if !hit {
				var b strings.Builder
				rep.Write(&b)
				t.Errorf("no %s finding with %q (veto %v):\n%s", tc.ind, tc.want, tc.veto, b.String())
			}
			if got := len(rep.Vetoes()) > 0; got != tc.veto {
				t.Errorf("vetoes: %v, want %v", rep.Vetoes(), tc.veto)
			}
		})
	}
}

// emptyColumn removes every item from a column page's <main>.
func emptyColumn(t *testing.T, dir, rel string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	i, j := strings.Index(s, "<main"), strings.Index(s, "</main>")
	k := strings.Index(s[i:], ">") + i + 1
	s = s[:k] + "<h1>栏目</h1>" + s[j:]
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, dir, rel string, data []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(rel)), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func docx(text string) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create("word/document.xml")
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>%s</w:t></w:r></w:p></w:body></w:document>`, text)
	zw.Close()
	return b.Bytes()
}

func xlsx(t *testing.T, cell string) []byte {
	f := excelize.NewFile()
	defer f.Close()
	f.SetCellValue("Sheet1", "B2", cell)
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
