package site

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"
	"sync"
	"unicode/utf8"

	"kjjr/sheet"
)

// What a shared link shows. Most visitors arrive from a link passed on in
// WeChat or another messenger, which shows the page's title, a line of
// description and an icon; search engines show the same description.
// Every page carries <meta name="description"> drawn from its content and
// the Open Graph title, description, URL and image (the site icon,
// assets/icon.png, drawn by iconPNG so that no binary is kept in the
// repository). Nothing is fetched from outside the site.

// maxDesc bounds a description, in characters: about two lines in a chat
// preview or a search result.
const maxDesc = 110

// description returns s as one line of at most maxDesc characters,
// cut after the first full sentence that fits when there is one.
func description(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= maxDesc {
		return s
	}
	r := []rune(s)[:maxDesc]
	for i := len(r) - 1; i >= maxDesc/2; i-- {
		if r[i] == '。' || r[i] == '；' {
			return string(r[:i+1])
		}
	}
	return string(r[:maxDesc-1]) + "…"
}

// markdownLead returns the first paragraph of a Markdown body as plain
// text: headings, emphasis, links' targets and list marks dropped, and a
// notice's salutation (各有关单位：) passed over for what it says.
func markdownLead(md string) string {
	var para []string
	lead := func() (string, bool) {
		p := plainMarkdown(strings.Join(para, ""))
		para = para[:0]
		salutation := (strings.HasSuffix(p, "：") || strings.HasSuffix(p, ":")) && utf8.RuneCountInString(p) < 80
		return p, p != "" && !salutation
	}
	for _, line := range strings.Split(md, "\n") {
		t := strings.TrimSpace(line)
		switch {
		case t == "" && len(para) > 0:
			if p, ok := lead(); ok {
				return p
			}
			continue
		case t == "", strings.HasPrefix(t, "#"), strings.HasPrefix(t, "|"), strings.HasPrefix(t, "<"), strings.HasPrefix(t, "---"):
			continue
		}
		para = append(para, strings.TrimLeft(t, "-*+> 0123456789."))
	}
	if p, ok := lead(); ok {
		return p
	}
	return ""
}

func plainMarkdown(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '*', '_', '`':
		case ']':
			// [text](target): keep the text, drop the target.
			if i+1 < len(s) && s[i+1] == '(' {
				if j := strings.IndexByte(s[i:], ')'); j > 0 {
					i += j
				}
			}
		case '[':
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

var (
	iconOnce sync.Once
	iconData []byte
)

// iconPNG is the site icon as a 180×180 PNG (the size phones ask for): the
// masthead's red with three rising white bars, the register's figures.
func iconPNG() []byte {
	iconOnce.Do(func() {
		const n = 180
		img := image.NewRGBA(image.Rect(0, 0, n, n))
		red := color.RGBA{0x8f, 0x1d, 0x1d, 0xff}
		white := color.RGBA{0xff, 0xff, 0xff, 0xff}
		for y := 0; y < n; y++ {
			for x := 0; x < n; x++ {
				img.Set(x, y, red)
			}
		}
		fill := func(x0, y0, x1, y1 int) {
			for y := y0; y < y1; y++ {
				for x := x0; x < x1; x++ {
					img.Set(x, y, white)
				}
			}
		}
		fill(36, 100, 64, 140)
		fill(76, 72, 104, 140)
		fill(116, 40, 144, 140)
		fill(28, 146, 152, 152)
		var b bytes.Buffer
		_ = png.Encode(&b, img) // writing to memory does not fail
		iconData = b.Bytes()
	})
	return iconData
}

// instDescription sums up an institution page: name, status and services.
func instDescription(v *instView) string {
	s := v.Name
	if v.ShortName != "" && v.ShortName != v.Name {
		s += "（" + v.ShortName + "）"
	}
	s += "：晋中市科技金融服务机构，当前状态" + v.Status + "。"
	if len(v.Services) > 0 {
		s += "服务内容：" + strings.Join(v.Services, "、") + "。"
	}
	if v.Office.County != "" {
		s += "办公地点：" + v.Office.County + "。"
	}
	return s
}

// writeShareMeta writes the page's description and Open Graph tags.
func writeShareMeta(b *bytes.Buffer, p *page) {
	title := p.C.Title
	if p.Title != "" {
		title = p.Title
	}
	desc := p.Desc
	switch {
	case desc != "":
	case p.Title != "":
		desc = p.Title + "——" + p.C.Title + "，" + p.C.Bureau + "公布科技金融服务机构名录、报送情况、遴选公示与考核结果。"
	default:
		desc = p.C.Bureau + "依《科技金融服务机构遴选及考核管理办法》公布的科技金融服务机构名录、通知公告、遴选公示与年度考核结果。"
	}
	desc = esc(description(desc))
	b.WriteString(`<meta name="description" content="` + desc + "\">\n")
	b.WriteString(`<meta property="og:type" content="website">` + "\n")
	b.WriteString(`<meta property="og:site_name" content="` + esc(p.C.Title) + "\">\n")
	b.WriteString(`<meta property="og:locale" content="zh_CN">` + "\n")
	b.WriteString(`<meta property="og:title" content="` + esc(title) + "\">\n")
	b.WriteString(`<meta property="og:description" content="` + desc + "\">\n")
	if p.URL != "" {
		b.WriteString(`<meta property="og:url" content="` + esc(p.URL) + "\">\n")
	}
	if strings.HasPrefix(p.C.BaseURL, "https://") || strings.HasPrefix(p.C.BaseURL, "http://") {
		b.WriteString(`<meta property="og:image" content="` + esc(p.C.BaseURL) + AssetPath("assets/icon.png") + "\">\n")
	}
}

// siteMapColumn is one column of the 网站地图 page.
type siteMapColumn struct {
	Label, Href, Note string
	Items             []struct{ Label, Href string }
}

// siteMap writes sitemap/index.html, the 网站地图 that the
// government-website indicators ask for: every column of the main
// navigation with its pages (institutions are counted, not listed: the
// directory lists them).
func (w *worker) siteMap() error {
	b := w.b
	var cols []siteMapColumn
	for _, n := range nav[1:] {
		c := siteMapColumn{Label: n.Label, Href: n.Href}
		add := func(label, href string) {
			c.Items = append(c.Items, struct{ Label, Href string }{label, href})
		}
		switch n.Key {
		case "institutions":
			c.Note = fmt.Sprintf("共 %d 家机构的页面", len(b.repo.Institutions))
		case "notices":
			for _, x := range b.publishedNotices() {
				add(x.Title, "notices/"+x.Slug+"/")
			}
		case "rounds":
			for _, rd := range b.repo.Rounds {
				add(roundTitle(rd), "rounds/"+rd.Slug+"/")
			}
		case "publicity":
			for _, p := range b.repo.Publicities {
				if p.Start.After(b.now) {
					continue
				}
				add(p.Title, "publicity/"+p.Slug+"/")
			}
		case "results":
			for _, r := range b.publishedResults() {
				add(fmt.Sprintf("%d年度考核结果", r.Year), fmt.Sprintf("results/%d/", r.Year))
			}
		}
		cols = append(cols, c)
	}
	cols = append(cols, siteMapColumn{Label: "报送指南", Href: GuidePath,
		Items: []struct{ Label, Href string }{{"《" + sheet.Title + "》空白表（.xlsx）", SheetPath}}})
	return w.page(w.group, "sitemap/index.html", "sitemap", &page{Title: "网站地图", Crumbs: []crumb{{"网站地图", ""}}, Data: cols,
		Desc: b.repo.Site.Title + "网站地图：各栏目及其页面。"})
}
