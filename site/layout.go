package site

import (
	"bytes"
	"html"
	"html/template"
	"strings"
)

// The page layout (head, masthead, navigation, breadcrumbs, footer) is
// written by Go code rather than a template: it wraps every one of the
// site's pages (about 125,000 at 5,000 institutions), and html/template's
// reflective escaping made it most of the render time. Every value from
// content goes through esc; Root is made of "../" only.

var esc = html.EscapeString

// scrollHint stands before every wide table's scrolling box: on a narrow
// screen it tells the visitor the table scrolls sideways (site.js hides it
// where the table fits).
const scrollHint = `<p class="scroll-hint" aria-hidden="true">表格较宽，可左右滑动查看</p>` + "\n"

// chromeParts are the parts of the layout that only depend on the site.
type chromeParts struct {
	sample, brandText, footerA, footerB string
}

func newChromeParts(c *chromeView) *chromeParts {
	p := &chromeParts{}
	if c.SampleData {
		p.sample = `<div class="sample" role="note"><strong>示例数据：</strong>本站所列机构、报表和结果均为演示用的虚构数据，不代表真实情况。</div>` + "\n"
	}
	p.brandText = `<span class="title">` + esc(c.Title) + `</span><span class="bureau">` + esc(c.Bureau) + `</span>`
	var f strings.Builder
	f.WriteString("<footer class=\"footer\">\n<div class=\"wrap\">\n<p>主办单位：" + esc(c.Bureau))
	if c.Contact.Department != "" {
		f.WriteString("　承办：" + esc(c.Contact.Department))
	}
	f.WriteString("</p>\n<p>")
	if c.Contact.Address != "" {
		f.WriteString("地址：" + esc(c.Contact.Address) + "　")
	}
	if c.Contact.Phone != "" {
		f.WriteString("电话：" + esc(c.Contact.Phone) + "　")
	}
	if c.Contact.Email != "" {
		f.WriteString("电子邮箱：" + string(mailto(c.Contact.Email)))
	}
	f.WriteString("</p>\n<p>")
	if c.SiteCode != "" {
		f.WriteString("网站标识码：" + esc(c.SiteCode) + "　")
	}
	if c.ICP != "" {
		f.WriteString(`<a href="https://beian.miit.gov.cn/" rel="noopener">` + esc(c.ICP) + "</a>　")
	}
	if c.PSB != "" {
		f.WriteString("<span>" + esc(c.PSB) + "</span>")
	}
	f.WriteString("</p>\n<p>")
	p.footerA = f.String()
	// Between footerA and footerB come links that need the page's Root.
	tail := ""
	if c.Expires != "" {
		tail = "　《管理办法》有效期至" + esc(c.Expires)
	}
	p.footerB = tail + "</p>\n</div>\n</footer>\n"
	return p
}

// writeLayout writes the page around body, which writes the content of
// <main>.
func (w *worker) writeLayout(b *bytes.Buffer, p *page, body func() error) error {
	c := w.b.parts
	root := esc(p.Root) // "../" repeated, or the base path for the 404 page
	b.WriteString("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	if w.b.release != "" {
		b.WriteString(`<meta name="kjjr-release" content="` + esc(w.b.release) + "\">\n")
	}
	b.WriteString("<title>")
	if p.Title != "" {
		b.WriteString(esc(p.Title))
		b.WriteString(" - ")
	}
	b.WriteString(esc(p.C.Title))
	b.WriteString("</title>\n")
	writeShareMeta(b, p)
	if p.URL != "" {
		b.WriteString(`<link rel="canonical" href="` + esc(p.URL) + "\">\n")
	}
	b.WriteString(`<link rel="icon" href="` + root + AssetPath("assets/favicon.svg") + "\" type=\"image/svg+xml\">\n")
	b.WriteString(`<link rel="apple-touch-icon" href="` + root + AssetPath("assets/icon.png") + "\">\n")
	b.WriteString(`<link rel="stylesheet" href="` + root + AssetPath("assets/site.css") + "\">\n")
	b.WriteString(`<link rel="alternate" type="application/atom+xml" title="通知公告" href="` + root + "notices/atom.xml\">\n</head>\n<body>\n")
	b.WriteString("<a class=\"skip\" href=\"#main\">跳到正文</a>\n")
	b.WriteString("<header class=\"masthead\">\n")
	b.WriteString(c.sample)
	b.WriteString("<div class=\"wrap masthead-row\">\n<a class=\"brand\" href=\"")
	if root == "" {
		b.WriteString("./")
	} else {
		b.WriteString(root)
	}
	b.WriteString("\">" + c.brandText + "</a>\n")
	b.WriteString("<button type=\"button\" class=\"textsize\" id=\"textsize\" aria-pressed=\"false\" hidden>大字版</button>\n</div>\n")
	b.WriteString("<nav aria-label=\"主导航\" class=\"mainnav\"><ul class=\"wrap\">\n")
	for _, n := range nav {
		b.WriteString(`<li><a href="`)
		href := root + n.Href
		if href == "" {
			href = "./"
		}
		b.WriteString(href)
		b.WriteString(`"`)
		if n.Key == p.Nav {
			b.WriteString(` aria-current="page"`)
		}
		b.WriteString(">" + n.Label + "</a></li>\n")
	}
	b.WriteString("</ul></nav>\n</header>\n")
	if len(p.Crumbs) > 0 {
		home := root
		if home == "" {
			home = "./"
		}
		b.WriteString("<nav aria-label=\"当前位置\" class=\"crumbs wrap\"><ol>\n<li><a href=\"" + home + "\">首页</a></li>\n")
		for _, cr := range p.Crumbs {
			if cr.Href != "" {
				b.WriteString(`<li><a href="` + root + esc(cr.Href) + `">` + esc(cr.Label) + "</a></li>\n")
			} else {
				b.WriteString(`<li><span aria-current="page">` + esc(cr.Label) + "</span></li>\n")
			}
		}
		b.WriteString("</ol></nav>\n")
	}
	b.WriteString("<main id=\"main\" class=\"wrap\" tabindex=\"-1\">\n")
	if err := body(); err != nil {
		return err
	}
	b.WriteString("\n</main>\n")
	b.WriteString(c.footerA)
	b.WriteString(`<a href="` + root + `sitemap/">网站地图</a>　<a href="` + root + GuidePath + `">报送指南</a>　<a href="` + root + `notices/atom.xml">订阅通知公告（Atom）</a>　<a href="` + root + `data/">开放数据</a>　<a href="` + root + `search/">站内搜索</a>`)
	b.WriteString(c.footerB)
	b.WriteString(`<script src="` + root + AssetPath("assets/site.js") + "\" defer></script>\n")
	if p.Search {
		b.WriteString(`<script src="` + root + AssetPath("assets/search.js") + "\" defer></script>\n")
	}
	if p.C.Dev {
		b.WriteString("<script src=\"/_kjjr/live.js\" defer></script>\n")
	}
	b.WriteString("</body>\n</html>\n")
	return nil
}

// writeReport writes the body of a monthly report page: the most common
// page of the site, so it is written directly.
func writeReport(b *bytes.Buffer, instName string, r *reportView) {
	b.WriteString("<h1>" + esc(instName) + " " + esc(r.PeriodCN) + "月报</h1>\n<p>《科技金融服务机构绩效评价考核表》公开指标。")
	if r.Received != "" {
		b.WriteString("收到日期：" + esc(r.Received) + "；")
	}
	b.WriteString(`报送情况：<strong class="st-` + esc(r.State) + `">` + esc(r.StateCN) + "</strong>。</p>\n")
	b.WriteString("<table class=\"num kv\">\n<caption>" + esc(r.PeriodCN) + "服务指标</caption>\n")
	b.WriteString("<thead><tr><th scope=\"col\">指标</th><th scope=\"col\">数值</th><th scope=\"col\">单位</th></tr></thead>\n<tbody>\n")
	for _, d := range indicatorDefs {
		b.WriteString(`<tr><th scope="row">` + d.Label + "</th><td>" + formatValue(d.Get(&r.Indicators), d.Money) + "</td><td>" + d.Unit + "</td></tr>\n")
	}
	b.WriteString("</tbody>\n</table>\n")
	if len(r.PartnerBanks) > 0 {
		b.WriteString("<p>合作银行：" + esc(strings.Join(r.PartnerBanks, "、")) + "</p>\n")
	}
	if r.ChargedFees != "" {
		b.WriteString("<p>是否向服务对象收取费用：" + r.ChargedFees + "</p>\n")
	}
	b.WriteString("<nav aria-label=\"其他月份\" class=\"pager\"><ul>\n")
	if r.Prev != "" {
		b.WriteString(`<li><a href="` + esc(r.Prev) + `.html" rel="prev">上一月（` + esc(r.Prev) + "）</a></li>\n")
	}
	b.WriteString(`<li><a href="../">返回` + esc(instName) + "</a></li>\n")
	if r.Next != "" {
		b.WriteString(`<li><a href="` + esc(r.Next) + `.html" rel="next">下一月（` + esc(r.Next) + "）</a></li>\n")
	}
	b.WriteString("</ul></nav>\n")
}

// indicatorTable is the table of an institution's monthly public
// indicators (24 rows of 12 figures on a typical page), written directly.
func indicatorTable(v *instView) template.HTML {
	var b strings.Builder
	b.Grow(256 + len(v.Monthly)*600)
	b.WriteString(scrollHint + "<div class=\"scroll\" role=\"region\" aria-labelledby=\"cap-ind\" tabindex=\"0\">\n<table class=\"num\">\n<caption id=\"cap-ind\">各月公开指标</caption>\n<thead><tr><th scope=\"col\">月份</th>")
	for _, d := range indicatorDefs {
		b.WriteString(`<th scope="col">` + d.Label + "（" + d.Unit + "）</th>")
	}
	b.WriteString("</tr></thead>\n<tbody>\n")
	for i := range v.Monthly {
		r := &v.Monthly[i]
		b.WriteString(`<tr><th scope="row"><a href="reports/` + esc(r.Period) + `.html">` + esc(r.PeriodCN) + "</a></th>")
		for _, d := range indicatorDefs {
			b.WriteString("<td>" + formatValue(d.Get(&r.Indicators), d.Money) + "</td>")
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</tbody>\n</table>\n</div>\n")
	return template.HTML(b.String())
}
