// Package govcheck is the inspector's view of a built site: it checks an
// output directory of package site against the parts of
// 《政府网站与政务新媒体检查指标》(国办秘函〔2019〕19号) and
// 《政府网站发展指引》(国办发〔2017〕47号) that apply to a static register
// like this one, offline, the way an inspection would find them.
//
// What is checked, by indicator:
//
//   - 链接可用性: every internal link, stylesheet, script, image and
//     attachment resolves to a file of the site; external links are listed
//     for a person to review (never fetched: the check runs offline).
//   - 栏目更新: the columns are the main navigation's entries. A column with
//     nothing in it is a 空白栏目. The newest dated item (<time datetime>)
//     of a 通知公告/政策文件 column must be no older than Limits.NoticeMonths
//     (6), of a 动态/要闻 column no older than Limits.NewsDays (14); items
//     without a date count as not updated (未注明发布时间的视为不更新).
//     Five or more stale columns, or five or more empty ones, is a 单项否决.
//   - 政策文件与解读: a page of kind 政策文件 links to its 政策解读, which
//     links back (双向关联); when the footer's validity of the measures has
//     passed, the policy's page says 已失效.
//   - 网站标识: the footer names the 主办单位 and carries the 网站标识码, the
//     ICP备案号 linked to the MIIT site and the 公安机关备案号; the site has a
//     网站地图 page and a way to the large-text version (大字版).
//   - 个人信息保护: no page, data file or attachment (the text of PDF, DOCX
//     and XLSX files where it can be read) holds a resident ID number, a
//     mobile number or a bank card number (see FindPII).
//
// Findings are reported in Chinese with the page and the reason; Veto marks
// a 单项否决 item, which makes the whole site 不合格.
package govcheck

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/net/html"

	"kjjr/content"
)

// Indicators, in report order.
const (
	IndLinks    = "链接可用性"
	IndColumns  = "栏目更新"
	IndPolicy   = "政策文件与解读"
	IndIdentity = "网站标识"
	IndPrivacy  = "个人信息保护"
	IndExternal = "外部链接（供人工复核）"
)

var indicatorOrder = []string{IndColumns, IndLinks, IndPolicy, IndIdentity, IndPrivacy, IndExternal}

// Finding is one problem, on one page.
type Finding struct {
	Indicator string
	Page      string // slash path in the output directory
	Reason    string // Chinese
	Veto      bool   // a 单项否决 item
	Info      bool   // listed for review, not a problem in itself
}

// Limits are the freshness limits of the indicators (site.yaml gov:).
type Limits struct {
	NewsDays     int // 动态/要闻 columns; default 14
	NoticeMonths int // 通知公告/政策文件 columns; default 6
}

// Options say what to check.
type Options struct {
	Dir      string       // the built site
	Now      content.Date // the day of the inspection
	BasePath string       // the site's path under its host, "/" or "/kjjr/"
	BaseURL  string       // absolute links under it are internal
	Limits   Limits
	// MaxFileBytes bounds what is read of one file for the privacy scan
	// (default 32 MiB); larger files are reported as not scanned.
	MaxFileBytes int64
}

// Report is the result of Check.
type Report struct {
	Pages    int
	Files    int
	Findings []Finding
}

// Vetoes returns the 单项否决 findings.
func (r *Report) Vetoes() []Finding {
	var v []Finding
	for _, f := range r.Findings {
		if f.Veto {
			v = append(v, f)
		}
	}
	return v
}

// Problems counts the findings that are not Info.
func (r *Report) Problems() int {
	n := 0
	for _, f := range r.Findings {
		if !f.Info {
			n++
		}
	}
	return n
}

// pageInfo is what one HTML page holds for the checks.
type pageInfo struct {
	rel           string
	links         []string // raw href/src values
	times         []content.Date
	kinds         []string // text of .kind elements in <main>
	mainNav       [][2]string
	footer        string
	footerLinks   [][2]string // href, text
	text          string
	hasSizeToggle bool
	mainLinks     []string
	mainItems     int // list items, table rows and figures in <main>
}

// Check inspects the site in opts.Dir.
func Check(opts Options) (*Report, error) {
	if opts.Limits.NewsDays <= 0 {
		opts.Limits.NewsDays = 14
	}
	if opts.Limits.NoticeMonths <= 0 {
		opts.Limits.NoticeMonths = 6
	}
	if opts.BasePath == "" {
		opts.BasePath = "/"
	}
	if opts.MaxFileBytes <= 0 {
		opts.MaxFileBytes = 32 << 20
	}
	if st, err := os.Stat(opts.Dir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("govcheck: %s 不是网站输出目录（先运行 kjjr build --out %s）", opts.Dir, opts.Dir)
	}
	c := &checker{opts: opts, rep: &Report{}, pages: map[string]*pageInfo{}, files: map[string]bool{}}
	fsys := os.DirFS(opts.Dir)
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() {
			c.add(IndLinks, p, "不是普通文件（符号链接或设备文件），不应出现在网站目录中", false)
			return nil
		}
		c.files[p] = true
		return c.file(fsys, p)
	})
	if err != nil {
		return nil, fmt.Errorf("govcheck: read %s: %w", opts.Dir, err)
	}
	c.links()
	c.columns()
	c.policy()
	c.identity()
	sort.SliceStable(c.rep.Findings, func(i, j int) bool {
		return indexOf(c.rep.Findings[i].Indicator) < indexOf(c.rep.Findings[j].Indicator)
	})
	return c.rep, nil
}

func indexOf(ind string) int {
	for i, s := range indicatorOrder {
		if s == ind {
			return i
		}
	}
	return len(indicatorOrder)
}

type checker struct {
	opts  Options
	rep   *Report
	pages map[string]*pageInfo
	files map[string]bool
}

func (c *checker) add(ind, page, reason string, veto bool) {
	c.rep.Findings = append(c.rep.Findings, Finding{Indicator: ind, Page: page, Reason: reason, Veto: veto})
}

func (c *checker) file(fsys fs.FS, p string) error {
	c.rep.Files++
	f, err := fsys.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, c.opts.MaxFileBytes+1))
	if err != nil {
		return err
	}
	if int64(len(data)) > c.opts.MaxFileBytes {
		c.add(IndPrivacy, p, fmt.Sprintf("文件超过 %d MiB，未检查其中的个人信息，请人工复核", c.opts.MaxFileBytes>>20), false)
		return nil
	}
	var text string
	switch strings.ToLower(path.Ext(p)) {
	case ".html", ".htm":
		c.rep.Pages++
		pi := parsePage(p, data)
		c.pages[p] = pi
		text = pi.text
	case ".json", ".csv", ".txt", ".xml", ".md":
		text = string(data)
	case ".pdf", ".docx", ".xlsx":
		t, err := documentText(p, data)
		if err != nil {
			c.add(IndPrivacy, p, "无法读取附件中的文字（"+err.Error()+"），请人工复核是否含有个人信息", false)
			return nil
		}
		text = t
	default:
		return nil
	}
	seen := map[string]bool{}
	for _, pii := range FindPII(text) {
		if seen[pii.Kind+pii.Value] {
			continue
		}
		seen[pii.Kind+pii.Value] = true
		c.add(IndPrivacy, p, "公开了"+pii.Kind+" "+pii.Value+"：个人信息不得公开（个人信息保护法第二十五条），请删除或去标识化", false)
	}
	return nil
}

// parsePage reads what the checks need from one HTML page.
func parsePage(rel string, data []byte) *pageInfo {
	pi := &pageInfo{rel: rel}
	doc, err := html.Parse(bytes.NewReader(data))
	if err != nil {
		return pi
	}
	var text strings.Builder
	var walk func(n *html.Node, inMain, inFooter, inNav bool)
	walk = func(n *html.Node, inMain, inFooter, inNav bool) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "style":
				if src := attr(n, "src"); src != "" {
					pi.links = append(pi.links, src)
				}
				return
			case "main":
				inMain = true
			case "footer":
				inFooter = true
			case "nav":
				if strings.Contains(attr(n, "class"), "mainnav") {
					inNav = true
				}
			case "a":
				href := attr(n, "href")
				if href != "" {
					pi.links = append(pi.links, href)
					label := strings.TrimSpace(nodeText(n))
					if inNav {
						pi.mainNav = append(pi.mainNav, [2]string{href, label})
					}
					if inFooter {
						pi.footerLinks = append(pi.footerLinks, [2]string{href, label})
					}
					if inMain {
						pi.mainLinks = append(pi.mainLinks, href)
					}
				}
			case "link":
				if href := attr(n, "href"); href != "" && attr(n, "rel") != "canonical" && attr(n, "rel") != "alternate" {
					pi.links = append(pi.links, href)
				}
			case "img", "source", "iframe", "embed":
				if src := attr(n, "src"); src != "" {
					pi.links = append(pi.links, src)
				}
			case "li", "tr", "dd", "figure":
				if inMain {
					pi.mainItems++
				}
			case "time":
				if inMain {
					if d, err := content.ParseDate(attr(n, "datetime")); err == nil {
						pi.times = append(pi.times, d)
					}
				}
			case "button":
				if attr(n, "id") == "textsize" {
					pi.hasSizeToggle = true
				}
			}
			if inMain && strings.Contains(" "+attr(n, "class")+" ", " kind ") {
				pi.kinds = append(pi.kinds, strings.TrimSpace(nodeText(n)))
			}
		}
		if n.Type == html.TextNode {
			text.WriteString(n.Data)
			text.WriteByte(' ')
			if inFooter {
				pi.footer += n.Data
			}
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch, inMain, inFooter, inNav)
		}
	}
	walk(doc, false, false, false)
	pi.text = text.String()
	return pi
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func nodeText(n *html.Node) string {
	var b strings.Builder
	var f func(*html.Node)
	f = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			f(ch)
		}
	}
	f(n)
	return b.String()
}

// resolve returns the file a link from page rel points to, whether it is
// internal, and the external URL otherwise.
func (c *checker) resolve(rel, href string) (target string, internal bool) {
	if i := strings.IndexAny(href, "#?"); i >= 0 {
		href = href[:i]
	}
	if href == "" {
		return rel, true
	}
	low := strings.ToLower(href)
	if c.opts.BaseURL != "" && strings.HasPrefix(href, c.opts.BaseURL) {
		href = c.opts.BasePath + strings.TrimPrefix(href, c.opts.BaseURL)
		low = strings.ToLower(href)
	}
	switch {
	case strings.HasPrefix(low, "mailto:"), strings.HasPrefix(low, "tel:"), strings.HasPrefix(low, "javascript:"), strings.HasPrefix(low, "data:"):
		return "", false
	case strings.Contains(low, "://"), strings.HasPrefix(low, "//"):
		return href, false
	case strings.HasPrefix(href, "/"):
		if !strings.HasPrefix(href, c.opts.BasePath) {
			return href, true // outside the site's path: cannot resolve
		}
		target = strings.TrimPrefix(href, c.opts.BasePath)
	default:
		target = path.Join(path.Dir(rel), href)
		if strings.HasSuffix(href, "/") {
			target += "/"
		}
	}
	target = strings.TrimPrefix(path.Clean("/"+target), "/")
	if strings.HasSuffix(href, "/") || target == "" {
		target = path.Join(target, "index.html")
	} else if !c.files[target] && c.files[path.Join(target, "index.html")] {
		target = path.Join(target, "index.html")
	}
	return target, true
}

func (c *checker) links() {
	external := map[string][]string{}
	for _, rel := range sortedKeys(c.pages) {
		pi := c.pages[rel]
		broken := map[string]bool{}
		for _, href := range pi.links {
			t, internal := c.resolve(rel, href)
			if !internal {
				if t != "" {
					external[t] = append(external[t], rel)
				}
				continue
			}
			if !c.files[t] && !broken[href] {
				broken[href] = true
				c.add(IndLinks, rel, "链接 "+href+" 指向的页面或附件不存在", false)
			}
		}
	}
	for _, u := range sortedKeys(external) {
		c.rep.Findings = append(c.rep.Findings, Finding{Indicator: IndExternal, Page: external[u][0], Info: true,
			Reason: fmt.Sprintf("外部链接 %s（%d 个页面），请人工确认可以访问且内容合适", u, len(external[u]))})
	}
}

// columns checks the main navigation's columns for emptiness and freshness.
func (c *checker) columns() {
	home := c.pages["index.html"]
	if home == nil {
		c.add(IndColumns, "index.html", "没有首页 index.html", true)
		return
	}
	stale, empty := 0, 0
	for _, nav := range home.mainNav {
		target, internal := c.resolve("index.html", nav[0])
		label := nav[1]
		if !internal || target == "index.html" || strings.Contains(label, "搜索") {
			continue
		}
		col := c.pages[target]
		if col == nil {
			continue // reported as a broken link
		}
		dir := path.Dir(target) + "/"
		items := 0
		for _, l := range col.mainLinks {
			t, in := c.resolve(target, l)
			if in && t != target && strings.HasPrefix(t, dir) {
				items++
			}
		}
		if items == 0 && len(col.times) == 0 && col.mainItems == 0 {
			empty++
			c.add(IndColumns, target, "栏目「"+label+"」为空白栏目（没有任何内容）", false)
			continue
		}
		var limit time.Duration
		var what string
		switch {
		case strings.Contains(label, "动态") || strings.Contains(label, "要闻") || strings.Contains(label, "新闻"):
			limit, what = time.Duration(c.opts.Limits.NewsDays)*24*time.Hour, fmt.Sprintf("%d天", c.opts.Limits.NewsDays)
		case strings.Contains(label, "通知") || strings.Contains(label, "公告") || strings.Contains(label, "政策"):
			limit, what = time.Duration(c.opts.Limits.NoticeMonths)*30*24*time.Hour+5*24*time.Hour, fmt.Sprintf("%d个月", c.opts.Limits.NoticeMonths)
		default:
			continue
		}
		if len(col.times) == 0 {
			stale++
			c.add(IndColumns, target, "栏目「"+label+"」的内容未注明发布时间，视为不更新", false)
			continue
		}
		newest := col.times[0]
		for _, d := range col.times {
			if d.After(newest) {
				newest = d
			}
		}
		if c.opts.Now.Time().Sub(newest.Time()) > limit {
			stale++
			c.add(IndColumns, target, fmt.Sprintf("栏目「%s」最近一次更新是%s，超过%s未更新", label, newest.Chinese(), what), false)
		}
	}
	if stale >= 5 {
		c.add(IndColumns, "index.html", fmt.Sprintf("%d 个栏目超期未更新（5个及以上为单项否决）", stale), true)
	}
	if empty >= 5 {
		c.add(IndColumns, "index.html", fmt.Sprintf("%d 个空白栏目（5个及以上为单项否决）", empty), true)
	}
}

func (c *checker) pageKind(pi *pageInfo) string {
	if len(pi.kinds) == 0 {
		return ""
	}
	return pi.kinds[0]
}

// policy checks that each 政策文件 has a 解读 linked both ways, and that
// an expired policy is marked.
func (c *checker) policy() {
	expired := c.measuresExpired()
	for _, rel := range sortedKeys(c.pages) {
		pi := c.pages[rel]
		if c.pageKind(pi) != "政策文件" || strings.HasSuffix(rel, "notices/index.html") {
			continue
		}
		found := false
		for _, l := range pi.mainLinks {
			t, in := c.resolve(rel, l)
			other := c.pages[t]
			if !in || other == nil || c.pageKind(other) != "政策解读" {
				continue
			}
			back := false
			for _, bl := range other.mainLinks {
				if bt, ok := c.resolve(t, bl); ok && bt == rel {
					back = true
				}
			}
			if !back {
				c.add(IndPolicy, t, "政策解读没有链接回所解读的政策文件 "+rel+"（应双向关联）", false)
			}
			found = true
		}
		if !found {
			c.add(IndPolicy, rel, "政策文件没有配套的政策解读（或未链接到解读页面）", false)
		}
		if expired && !strings.Contains(pi.text, "已失效") && !strings.Contains(pi.text, "已废止") {
			c.add(IndPolicy, rel, "《管理办法》有效期已过，但政策文件页面未标注“已失效”", false)
		}
	}
}

// measuresExpired reads the footer's 有效期至 date of the home page.
func (c *checker) measuresExpired() bool {
	home := c.pages["index.html"]
	if home == nil {
		return false
	}
	_, after, ok := strings.Cut(home.footer, "有效期至")
	if !ok {
		return false
	}
	var y, m, d int
	if _, err := fmt.Sscanf(after, "%d年%d月%d日", &y, &m, &d); err != nil {
		return false
	}
	return c.opts.Now.After(content.Date{Year: y, Month: time.Month(m), Day: d})
}

func (c *checker) identity() {
	home := c.pages["index.html"]
	if home == nil {
		return
	}
	f := home.footer
	need := []struct {
		has  bool
		what string
	}{
		{strings.Contains(f, "主办单位"), "页脚没有注明主办单位"},
		{strings.Contains(f, "网站标识码"), "页脚没有网站标识码"},
		{strings.Contains(f, "公网安备") || strings.Contains(f, "公安备案") || strings.Contains(f, "公安机关备案"), "页脚没有公安机关备案号"},
	}
	icp, sitemap := false, false
	for _, l := range home.footerLinks {
		if strings.Contains(l[0], "beian.miit.gov.cn") && strings.Contains(l[1], "ICP") {
			icp = true
		}
		if strings.Contains(l[1], "网站地图") {
			t, in := c.resolve("index.html", l[0])
			sitemap = in && c.files[t]
		}
	}
	need = append(need,
		struct {
			has  bool
			what string
		}{icp, "页脚没有链接到工业和信息化部备案系统（beian.miit.gov.cn）的ICP备案号"},
		struct {
			has  bool
			what string
		}{sitemap, "没有网站地图页面（页脚应有“网站地图”链接）"},
		struct {
			has  bool
			what string
		}{home.hasSizeToggle || strings.Contains(home.text, "无障碍") || strings.Contains(home.text, "大字版"), "没有进入大字版或无障碍版本的入口"},
	)
	for _, n := range need {
		if !n.has {
			c.add(IndIdentity, "index.html", n.what, false)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Write prints the report in Chinese, grouped by indicator.
func (r *Report) Write(w io.Writer) {
	fmt.Fprintf(w, "政府网站检查（《政府网站与政务新媒体检查指标》适用部分）：%d 个页面，%d 个文件\n", r.Pages, r.Files)
	for _, ind := range indicatorOrder {
		var fs []Finding
		for _, f := range r.Findings {
			if f.Indicator == ind {
				fs = append(fs, f)
			}
		}
		if len(fs) == 0 {
			if ind != IndExternal {
				fmt.Fprintf(w, "\n【%s】通过\n", ind)
			}
			continue
		}
		fmt.Fprintf(w, "\n【%s】%d 项\n", ind, len(fs))
		for _, f := range fs {
			mark := ""
			if f.Veto {
				mark = "［单项否决］"
			}
			fmt.Fprintf(w, "  %s%s：%s\n", mark, filepath.ToSlash(f.Page), f.Reason)
		}
	}
	if v := r.Vetoes(); len(v) > 0 {
		fmt.Fprintf(w, "\n结论：有 %d 个单项否决项，网站将被判定为不合格。\n", len(v))
		return
	}
	fmt.Fprintf(w, "\n结论：没有单项否决项；需要处理的问题 %d 项。\n", r.Problems())
}
