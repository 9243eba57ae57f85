package site

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"kjjr/content"
)

// xmlEscapeTo writes s escaped as XML text, as xml.EscapeText does.
// A string of characters that need no escape (the URLs of the sitemap:
// hundreds of thousands at thousands of institutions) is written as it
// is, without xml.EscapeText's copy and rune loop.
func xmlEscapeTo(w io.Writer, s string) error {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '&' || c == '<' || c == '>' || c == '"' || c == '\'' {
			return xml.EscapeText(w, []byte(s))
		}
	}
	_, err := io.WriteString(w, s)
	return err
}

// csvFile writes rows as CSV with a UTF-8 BOM (spreadsheets then read
// Chinese correctly).
func csvFile(rows [][]string) []byte {
	var b bytes.Buffer
	b.WriteString("\ufeff")
	cw := csv.NewWriter(&b)
	_ = cw.WriteAll(rows)
	return b.Bytes()
}

func jsonFile(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	_ = enc.Encode(v)
	return b.Bytes()
}

func (w *worker) data() error {
	b := w.b
	out := b.out
	// Roster, with removed institutions and those in selection.
	type rosterRow struct {
		Slug      string   `json:"slug"`
		Name      string   `json:"name"`
		USCC      string   `json:"uscc"`
		Status    string   `json:"status"`
		Announced string   `json:"announced,omitempty"`
		Removed   string   `json:"removed,omitempty"`
		County    string   `json:"county,omitempty"`
		Services  []string `json:"services"`
		URL       string   `json:"url"`
	}
	var roster []rosterRow
	rows := [][]string{{"slug", "name", "uscc", "status", "announced", "removed", "county", "services", "url"}}
	for _, inst := range b.repo.Institutions {
		st := inst.StatusOn(b.now)
		if st == content.StatusNone {
			continue
		}
		r := rosterRow{Slug: inst.Slug, Name: inst.Name, USCC: inst.USCC, Status: string(st), County: inst.Office.County,
			Services: inst.Services, URL: b.chrome.BaseURL + "institutions/" + inst.Slug + "/"}
		if r.Services == nil {
			r.Services = []string{}
		}
		if a := inst.AnnouncedOn(); !a.IsZero() && !a.After(b.now) {
			r.Announced = a.String()
		}
		if d, _ := inst.RemovedOn(); !d.IsZero() && !d.After(b.now) {
			r.Removed = d.String()
		}
		roster = append(roster, r)
		rows = append(rows, []string{r.Slug, r.Name, r.USCC, r.Status, r.Announced, r.Removed, r.County, strings.Join(r.Services, "、"), r.URL})
	}
	if roster == nil {
		roster = []rosterRow{}
	}
	if err := out.emit(w.group, "data/roster.csv", csvFile(rows)); err != nil {
		return err
	}
	if err := out.emit(w.group, "data/roster.json", jsonFile(roster)); err != nil {
		return err
	}
	// Results.
	type resultRow struct {
		Year                    int     `json:"year"`
		Published               string  `json:"published"`
		Slug                    string  `json:"slug"`
		Name                    string  `json:"name"`
		Grade                   string  `json:"grade"`
		EnterprisesServed       *int    `json:"enterprises_served,omitempty"`
		MatchmakingEvents       *int    `json:"matchmaking_events,omitempty"`
		PolicySessions          *int    `json:"policy_sessions,omitempty"`
		FinancingWan            *string `json:"financing_wan,omitempty"`
		JinchuangguFinancingWan *string `json:"jinchuanggu_financing_wan,omitempty"`
		// The counts of 服务企业名单, never the list: distinct enterprises
		// (家), 晋创谷 ones as 家次 and 家, and the months with a list.
		JinchuangguEnterprises *int `json:"jinchuanggu_enterprises,omitempty"`
		Enterprises            *int `json:"enterprises,omitempty"`
		JinchuangguDistinct    *int `json:"jinchuanggu_distinct,omitempty"`
		Reports                *int `json:"reports,omitempty"`
		ListedMonths           *int `json:"listed_months,omitempty"`
	}
	results := []resultRow{}
	rows = [][]string{{"year", "published", "slug", "name", "grade", "enterprises_served", "matchmaking_events", "policy_sessions", "financing_wan", "jinchuanggu_financing_wan",
		"jinchuanggu_enterprises", "enterprises", "jinchuanggu_distinct", "reports", "listed_months"}}
	for _, res := range b.publishedResults() {
		for _, g := range res.Grades {
			if g.Grade == "" {
				continue
			}
			r := resultRow{Year: res.Year, Published: res.Effective().String(), Slug: g.Institution, Name: w.instLink(g.Institution).Label, Grade: g.Grade}
			row := []string{strconv.Itoa(r.Year), r.Published, r.Slug, r.Name, r.Grade, "", "", "", "", "", "", "", "", "", ""}
			if f := g.Figures; f != nil {
				es, me, ps := f.EnterprisesServed, f.MatchmakingEvents, f.PolicySessions
				fw, jw := f.FinancingWan.String(), f.JinchuangguFinancingWan.String()
				r.EnterprisesServed, r.MatchmakingEvents, r.PolicySessions, r.FinancingWan, r.JinchuangguFinancingWan = &es, &me, &ps, &fw, &jw
				je, rp := f.JinchuangguEnterprises, f.Reports
				r.JinchuangguEnterprises, r.Reports = &je, &rp
				row = []string{row[0], row[1], row[2], row[3], row[4], strconv.Itoa(es), strconv.Itoa(me), strconv.Itoa(ps), fw, jw, strconv.Itoa(je), "", "", strconv.Itoa(rp), ""}
				if f.Enterprises > 0 || f.ListedMonths > 0 { // counted from lists (not an older result)
					en, jd, lm := f.Enterprises, f.JinchuangguDistinct, f.ListedMonths
					r.Enterprises, r.JinchuangguDistinct, r.ListedMonths = &en, &jd, &lm
					row[11], row[12], row[14] = strconv.Itoa(en), strconv.Itoa(jd), strconv.Itoa(lm)
				}
			}
			results = append(results, r)
			rows = append(rows, row)
		}
	}
	if err := out.emit(w.group, "data/results.csv", csvFile(rows)); err != nil {
		return err
	}
	if err := out.emit(w.group, "data/results.json", jsonFile(results)); err != nil {
		return err
	}
	return w.page(w.group, "data/index.html", "data", &page{Title: "开放数据", Nav: "data", Crumbs: []crumb{{"开放数据", ""}}})
}

// monthlyData writes the monthly totals, the open data that every report
// changes.
func (w *worker) monthlyData() error {
	b := w.b
	out := b.out
	// Monthly totals.
	head := []string{"period", "reports"}
	for _, d := range indicatorDefs {
		head = append(head, d.Key)
	}
	rows := [][]string{head}
	type monthRow struct {
		Period     string          `json:"period"`
		Reports    int             `json:"reports"`
		Indicators json.RawMessage `json:"indicators"`
	}
	months := []monthRow{}
	for _, m := range b.totals.Months {
		row := []string{m.Period.String(), strconv.Itoa(m.Reports)}
		var ind bytes.Buffer
		ind.WriteByte('{')
		for i, d := range indicatorDefs {
			v := formatValue(d.Get(&m.Sum), d.Money)
			row = append(row, v)
			if i > 0 {
				ind.WriteByte(',')
			}
			fmt.Fprintf(&ind, "%q:%s", d.Key, v)
		}
		ind.WriteByte('}')
		rows = append(rows, row)
		months = append(months, monthRow{m.Period.String(), m.Reports, ind.Bytes()})
	}
	if err := out.emit(w.group, "data/monthly.csv", csvFile(rows)); err != nil {
		return err
	}
	if err := out.emit(w.group, "data/monthly.json", jsonFile(months)); err != nil {
		return err
	}
	// Yearly totals: enterprises served as 家次 (the monthly figures) and
	// as 家 (distinct over the year's lists), never the lists themselves.
	type yearRow struct {
		Year                   int `json:"year"`
		Reports                int `json:"reports"`
		ListedReports          int `json:"listed_reports"`
		EnterprisesServed      int `json:"enterprises_served"`
		Enterprises            int `json:"enterprises"`
		JinchuangguEnterprises int `json:"jinchuanggu_enterprises"`
		JinchuangguDistinct    int `json:"jinchuanggu_distinct"`
	}
	rows = [][]string{{"year", "reports", "listed_reports", "enterprises_served", "enterprises", "jinchuanggu_enterprises", "jinchuanggu_distinct"}}
	years := []yearRow{}
	for _, y := range b.totals.Years {
		r := yearRow{y.Year, y.Reports, y.Listed, y.Sum.EnterprisesServed, y.Enterprises, y.Sum.JinchuangguEnterprises, y.JCGDistinct}
		years = append(years, r)
		rows = append(rows, []string{strconv.Itoa(r.Year), strconv.Itoa(r.Reports), strconv.Itoa(r.ListedReports), strconv.Itoa(r.EnterprisesServed),
			strconv.Itoa(r.Enterprises), strconv.Itoa(r.JinchuangguEnterprises), strconv.Itoa(r.JinchuangguDistinct)})
	}
	if err := out.emit(w.group, "data/yearly.csv", csvFile(rows)); err != nil {
		return err
	}
	if err := out.emit(w.group, "data/yearly.json", jsonFile(years)); err != nil {
		return err
	}
	return nil
}

// searchNorm normalises text for the search index the way search.js does:
// NFKC, lower case, no white space.
func searchNorm(s string) []rune {
	s = strings.ToLower(norm.NFKC.String(s))
	rs := make([]rune, 0, len(s))
	for _, r := range s {
		if !unicode.IsSpace(r) {
			rs = append(rs, r)
		}
	}
	return rs
}

// search writes the search page and its index: documents (title, URL
// from the site root, a short text, a kind) and, for every character
// bigram, the documents holding it.
func (w *worker) search() error {
	b := w.b
	type doc struct{ title, url, text, kind string }
	var docs []doc
	for _, inst := range b.repo.Institutions {
		st := inst.StatusOn(b.now)
		if st == content.StatusNone {
			continue
		}
		text := strings.TrimSpace(strings.Join([]string{inst.ShortName, inst.Office.County, strings.Join(inst.Services, "、")}, " "))
		docs = append(docs, doc{inst.Name, "institutions/" + inst.Slug + "/", text, "机构·" + st.Chinese()})
	}
	for _, n := range b.publishedNotices() {
		docs = append(docs, doc{n.Title, "notices/" + n.Slug + "/", n.Date.Chinese(), n.Kind})
	}
	for _, rd := range b.repo.Rounds {
		docs = append(docs, doc{roundTitle(rd), "rounds/" + rd.Slug + "/", "", "遴选"})
	}
	for _, p := range b.publishedPublicities() {
		t := p.Title
		if t == "" {
			t = p.Slug
		}
		docs = append(docs, doc{t, "publicity/" + p.Slug + "/", p.Start.Chinese() + "至" + p.End.Chinese(), "公示"})
	}
	for _, r := range b.publishedResults() {
		docs = append(docs, doc{strconv.Itoa(r.Year) + "年度考核结果", "results/" + strconv.Itoa(r.Year) + "/", "", "考核"})
	}
	for _, n := range nav[1:] {
		docs = append(docs, doc{n.Label, n.Href, "", "栏目"})
	}
	grams := map[string][]int{}
	for i, d := range docs {
		rs := searchNorm(d.title + d.text)
		seen := map[string]bool{}
		for j := 0; j+1 < len(rs); j++ {
			g := string(rs[j : j+2])
			if !seen[g] {
				seen[g] = true
				grams[g] = append(grams[g], i)
			}
		}
	}
	keys := make([]string, 0, len(grams))
	for k := range grams {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var x bytes.Buffer
	x.WriteString(`{"docs":[`)
	for i, d := range docs {
		if i > 0 {
			x.WriteByte(',')
		}
		j, _ := json.Marshal([]string{d.title, d.url, d.text, d.kind})
		x.Write(j)
	}
	x.WriteString(`],"grams":{`)
	for i, k := range keys {
		if i > 0 {
			x.WriteByte(',')
		}
		kj, _ := json.Marshal(k)
		x.Write(kj)
		x.WriteByte(':')
		x.WriteByte('[')
		for n, id := range grams[k] {
			if n > 0 {
				x.WriteByte(',')
			}
			x.WriteString(strconv.Itoa(id))
		}
		x.WriteByte(']')
	}
	x.WriteString("}}\n")
	if err := b.out.emit(w.group, "search/index.json", x.Bytes()); err != nil {
		return err
	}
	return w.page(w.group, "search/index.html", "search", &page{Title: "站内搜索", Nav: "search", Search: true, Crumbs: []crumb{{"搜索", ""}}})
}

// sitemapURL is a page's URL path (from the site root) in pieces, joined
// when written: hundreds of thousands of report pages at thousands of
// institutions share their institution's piece instead of each being a
// string of its own.
type sitemapURL [4]string

// sitemapURLs lists every HTML page's URL path in a fixed order, computed
// from the repo rather than from the output.
func (b *builder) sitemapURLs() []sitemapURL {
	n := 2 + len(nav) + len(b.repo.Notices) + len(b.repo.Rounds) + len(b.repo.Publicities) + len(b.repo.Results)
	for _, ip := range b.pages {
		n += 1 + strings.Count(ip.Reports, " ") + 1
	}
	u := make([]sitemapURL, 0, n)
	add := func(s string) { u = append(u, sitemapURL{s}) }
	add("")
	for _, n := range nav[1:] {
		add(n.Href)
	}
	add("sitemap/")
	add(GuidePath)
	for _, ip := range b.pages {
		base := "institutions/" + ip.Slug + "/"
		add(base)
		for rest := ip.Reports; rest != ""; {
			var p string
			p, rest, _ = strings.Cut(rest, " ")
			u = append(u, sitemapURL{base, "reports/", p, ".html"})
		}
	}
	for _, n := range b.publishedNotices() {
		add("notices/" + n.Slug + "/")
	}
	for _, rd := range b.repo.Rounds {
		add("rounds/" + rd.Slug + "/")
	}
	for _, p := range b.publishedPublicities() {
		add("publicity/" + p.Slug + "/")
	}
	for _, r := range b.publishedResults() {
		add("results/" + strconv.Itoa(r.Year) + "/")
	}
	return u
}

const sitemapMax = 50000 // URLs per sitemap file (sitemaps.org)

func (w *worker) sitemap() error {
	b := w.b
	urls := b.sitemapURLs()
	var base bytes.Buffer
	_ = xmlEscapeTo(&base, b.chrome.BaseURL)
	write := func(rel string, us []sitemapURL) error {
		var x bytes.Buffer
		x.Grow(len(us) * 96)
		x.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n")
		for _, u := range us {
			x.WriteString("<url><loc>")
			x.Write(base.Bytes())
			for _, part := range u {
				_ = xmlEscapeTo(&x, part)
			}
			x.WriteString("</loc></url>\n")
		}
		x.WriteString("</urlset>\n")
		return b.out.emit(w.group, rel, x.Bytes())
	}
	if len(urls) <= sitemapMax {
		return write("sitemap.xml", urls)
	}
	var x bytes.Buffer
	x.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n")
	for i, n := 0, 1; i < len(urls); i, n = i+sitemapMax, n+1 {
		j := min(i+sitemapMax, len(urls))
		rel := fmt.Sprintf("sitemap-%d.xml", n)
		if err := write(rel, urls[i:j]); err != nil {
			return err
		}
		x.WriteString("<sitemap><loc>")
		_ = xmlEscapeTo(&x, b.chrome.BaseURL+rel)
		x.WriteString("</loc></sitemap>\n")
	}
	x.WriteString("</sitemapindex>\n")
	return b.out.emit(w.group, "sitemap.xml", x.Bytes())
}
