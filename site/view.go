package site

import (
	"fmt"
	"html/template"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"kjjr/content"
)

// The views below are the only data templates see. Each copies public
// fields of the model and nothing else: a private field (report senders,
// DKIM keys, sender, message ID, source hash, filer, phone, filing date,
// financing rows, documents, evidence, skipped files, warnings, report
// bodies) has no place to go. Views are also hashed to decide whether an
// institution's pages must be rendered again, so they hold everything its
// pages show.

// chromeView is what every page shows around its content.
type chromeView struct {
	Title      string
	Bureau     string
	BaseURL    string // with a trailing slash
	BasePath   string // path part of BaseURL, e.g. "/" or "/kjjr/"
	SampleData bool
	Contact    content.Contact
	SiteCode   string
	ICP        string
	PSB        string
	Complaints content.Contact
	Expires    string // the measures' last day in force, 2006年1月2日
	MonthlyDay int    // monthly sheets are due by this day of the next month
	ShiftRest  bool   // a deadline on a rest day moves to the next working day
	Inbox      string // where reports are sent (site.yaml inbox.address)
	Dev        bool
}

func newChrome(s *content.Site, dev bool) chromeView {
	base := strings.TrimSpace(s.BaseURL)
	if base == "" {
		base = "/"
	}
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	bp := "/"
	if u, err := url.Parse(base); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
		u.RawQuery, u.Fragment, u.RawPath = "", "", ""
		base = u.String() // escapes what must be escaped in a URL
		bp = u.EscapedPath()
		if !strings.HasSuffix(bp, "/") {
			bp += "/"
		}
	} else {
		base = "/" // not an absolute http(s) URL: canonical links from the root
	}
	return chromeView{
		Title: s.Title, Bureau: s.Bureau, BaseURL: base, BasePath: bp,
		SampleData: s.SampleData, Contact: s.Contact, SiteCode: s.SiteCode, ICP: s.ICP, PSB: s.PSB,
		Complaints: s.Complaints, Expires: s.Policy.Expires().Chinese(), Dev: dev,
		Inbox: strings.TrimSpace(s.Inbox.Address),
	}
}

var emailRE = regexp.MustCompile(`^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$`)

// mailto returns a mailto link for a well-formed address, else the text.
func mailto(addr string) template.HTML {
	if emailRE.MatchString(addr) {
		return template.HTML(`<a href="mailto:` + addr + `">` + addr + `</a>`)
	}
	return template.HTML(esc(addr))
}

// indicatorDef names one indicator for tables and charts.
type indicatorDef struct {
	Key   string
	Label string
	Unit  string
	Get   func(*content.Indicators) int64 // hundredths for money
	Money bool
}

var indicatorDefs = func() []indicatorDef {
	ds := make([]indicatorDef, len(content.IndicatorFields))
	for i, f := range content.IndicatorFields {
		ds[i] = indicatorDef{Key: f.Key, Label: f.Label, Unit: f.Unit, Get: f.Get, Money: f.Money}
	}
	return ds
}()

// formatValue writes an indicator value: money as 万元 with two decimals.
func formatValue(v int64, money bool) string {
	if money {
		return content.Wan(v).String()
	}
	return strconv.FormatInt(v, 10)
}

// instView is an institution's public record and everything derived for
// its page and its report pages.
type instView struct {
	Slug, Name, ShortName, USCC, LegalForm, Founded, Website string
	Credit                                                   creditView
	Capabilities, Services                                   []string
	Partners                                                 content.Partners
	ServesJinchuanggu                                        bool
	TeamSize                                                 int
	TeamDesc                                                 string
	Office                                                   content.Office
	Contact                                                  content.Contact
	IntroMD                                                  string
	Status, StatusCode                                       string
	History                                                  []eventView
	Compliance                                               []complianceYear
	ProvisionalDue                                           string       // the shown deadlines computed without the year's calendar
	Monthly                                                  []reportView // approved monthly reports, by period
	Years                                                    []yearTotal  // its enterprises served per year, as 家 and 家次
	Other                                                    []otherReport
	Grades                                                   []gradeRef
}

type creditView struct {
	CheckedOn, Source              string
	SeriousDishonesty, Blacklisted bool
}

type eventView struct {
	Date, DateISO, Text, Link string // Link relative to the site root, may be empty
}

type complianceYear struct {
	Year   int
	Months [12]complianceCell
}

type complianceCell struct {
	State string // content.ReportState, "" for months outside the range
	Label string
	Link  string // report page, relative to the institution page
}

// reportView is one approved monthly report's public content.
type reportView struct {
	Period, PeriodCN, Received, State, StateCN string
	Indicators                                 content.Indicators
	PartnerBanks                               []string
	ChargedFees                                string // 是, 否 or ""
	Prev, Next                                 string // period strings of neighbours
}

type otherReport struct {
	PeriodCN, Received, State, StateCN string
}

type gradeRef struct {
	Year         int
	Grade, Notes string
}

// buildInstView derives the public view of one institution as of now.
func buildInstView(r *content.Repo, inst *content.Institution, now content.Date) *instView {
	v := &instView{
		Slug: inst.Slug, Name: inst.Name, ShortName: inst.ShortName, USCC: inst.USCC, LegalForm: inst.LegalForm,
		Founded: inst.Founded.Chinese(), Website: inst.Website,
		Credit:       creditView{inst.Credit.CheckedOn.Chinese(), inst.Credit.Source, inst.Credit.SeriousDishonesty, inst.Credit.Blacklisted},
		Capabilities: inst.Capabilities, Services: inst.Services, Partners: inst.Partners,
		ServesJinchuanggu: inst.ServesJinchuanggu, TeamSize: inst.Team.Size, TeamDesc: inst.Team.Description,
		Office: inst.Office, Contact: inst.Contact, IntroMD: inst.Body,
	}
	st := inst.StatusOn(now)
	v.Status, v.StatusCode = st.Chinese(), string(st)
	for _, e := range inst.History {
		if e.Date.After(now) {
			continue
		}
		ev := eventView{Date: e.Date.Chinese(), DateISO: e.Date.String(), Text: e.Chinese()}
		switch e.Kind {
		case content.EventGraded, content.EventRemoved:
			ev.Link = "results/" + strconv.Itoa(e.Year) + "/"
		case content.EventPublicized, content.EventWithdrawn:
			if rd := r.Round(e.Round); rd != nil && publicityPublished(r.Publicity(rd.Publicity), now) {
				ev.Link = "publicity/" + rd.Publicity + "/"
			}
		default:
			if e.Round != "" && r.Round(e.Round) != nil {
				ev.Link = "rounds/" + e.Round + "/"
				if rd := r.Round(e.Round); rd.Title != "" {
					ev.Text += "（" + rd.Title + "）"
				}
			}
		}
		v.History = append(v.History, ev)
	}
	// Monthly reports and their states.
	var monthly []*content.Report
	for _, rep := range inst.Reports {
		if rep.Period.Kind == content.Monthly {
			if rep.Period.Start().After(now) {
				continue
			}
			monthly = append(monthly, rep)
			continue
		}
		s := r.ReportState(inst, rep.Period, now, false)
		v.Other = append(v.Other, otherReport{rep.Period.Chinese(), rep.ReceivedDate().Chinese(), string(s), s.Chinese()})
	}
	for i, rep := range monthly {
		s := r.ReportState(inst, rep.Period, now, false)
		rv := reportView{
			Period: rep.Period.String(), PeriodCN: rep.Period.Chinese(), Received: rep.ReceivedDate().Chinese(),
			State: string(s), StateCN: s.Chinese(), PartnerBanks: rep.PartnerBanks,
		}
		if rep.Indicators != nil {
			rv.Indicators = *rep.Indicators
		}
		if rep.ChargedFees != nil {
			rv.ChargedFees = "否"
			if *rep.ChargedFees {
				rv.ChargedFees = "是"
			}
		}
		if i > 0 {
			rv.Prev = monthly[i-1].Period.String()
		}
		if i+1 < len(monthly) {
			rv.Next = monthly[i+1].Period.String()
		}
		v.Monthly = append(v.Monthly, rv)
	}
	var distinct content.DistinctCounter
	for _, rep := range monthly {
		if rep.Indicators == nil {
			continue
		}
		if len(v.Years) == 0 || v.Years[len(v.Years)-1].Year != rep.Period.Year {
			distinct = content.DistinctCounter{}
			v.Years = append(v.Years, yearTotal{Year: rep.Period.Year, Months: true})
		}
		y := &v.Years[len(v.Years)-1]
		y.Reports++
		addIndicators(&y.Sum, rep.Indicators, 1)
		distinct.Add(rep)
		y.Enterprises, y.JCGDistinct = distinct.Counts()
		y.Listed = distinct.Listed
	}
	v.Compliance, v.ProvisionalDue = complianceRows(r, inst, now)
	for _, res := range r.Results {
		if res.Draft || res.Effective().After(now) {
			continue
		}
		for _, g := range res.Grades {
			if g.Institution == inst.Slug && g.Grade != "" {
				v.Grades = append(v.Grades, gradeRef{res.Year, g.Grade, g.Notes})
			}
		}
	}
	return v
}

// complianceRows is the reporting-compliance table of an institution: one
// row per year from the first month it owed a sheet to the current month
// (or its removal). provisional lists, for people, the deadlines of cells
// still open whose year has no calendar yet (content.Due).
func complianceRows(r *content.Repo, inst *content.Institution, now content.Date) (rows []complianceYear, provisional string) {
	ann := inst.AnnouncedOn()
	if ann.IsZero() || ann.After(now) {
		return nil, ""
	}
	first := content.MonthPeriod(ann.Year, ann.Month).Next()
	last := content.MonthPeriod(now.Year, now.Month)
	var prov []string
	for p := first; p.Compare(last) <= 0; p = p.Next() {
		if !inst.Required(p) {
			break
		}
		if len(rows) == 0 || rows[len(rows)-1].Year != p.Year {
			rows = append(rows, complianceYear{Year: p.Year})
		}
		s := r.ReportState(inst, p, now, false)
		c := complianceCell{State: string(s), Label: s.Chinese()}
		if s == content.StateOnTime || s == content.StateLate {
			c.Link = "reports/" + p.String() + ".html"
		}
		if due := r.Deadline(p); due.Provisional && s == content.StateNotDue {
			prov = append(prov, p.Chinese()+"月报截止日暂定为"+due.Date.Chinese())
		}
		rows[len(rows)-1].Months[p.Month-1] = c
	}
	if len(prov) > 0 {
		provisional = strings.Join(prov, "，") + "（" + content.ProvisionalNote + "）。"
	}
	return rows, provisional
}

// totals sums indicators per month over all institutions' approved
// monthly reports up to now.
type totals struct {
	Months []monthTotal // ascending
	Years  []yearTotal  // ascending
}

type monthTotal struct {
	Period  content.Period
	Reports int
	Sum     content.Indicators
}

type yearTotal struct {
	Year    int
	Reports int
	Sum     content.Indicators // Sum.EnterprisesServed is 家次
	// Enterprises and JCGDistinct are 服务企业（家） and 晋创谷企业（家）:
	// distinct enterprises over all institutions' lists of the year
	// (content.DistinctCounter), complete for Listed of the Reports.
	Enterprises, JCGDistinct, Listed int
	Months                           bool // one institution's year: its reports are months
}

// Coverage says how many of the year's monthly reports had a list, e.g.
// 120份月报中96份有名单 (12个月中8个月有名单 for one institution); "" when
// all had.
func (y *yearTotal) Coverage() string {
	switch {
	case y.Listed >= y.Reports:
		return ""
	case y.Months:
		return fmt.Sprintf("%d个月中%d个月有名单", y.Reports, y.Listed)
	}
	return fmt.Sprintf("%d份月报中%d份有名单", y.Reports, y.Listed)
}

// addIndicators adds b to a, sign times (1 or -1).
func addIndicators(a *content.Indicators, b *content.Indicators, sign int) {
	a.EnterprisesServed += sign * b.EnterprisesServed
	a.JinchuangguEnterprises += sign * b.JinchuangguEnterprises
	a.NeedsSurveyed += sign * b.NeedsSurveyed
	a.MatchmakingEvents += sign * b.MatchmakingEvents
	a.Roadshows += sign * b.Roadshows
	a.OnsiteVisits += sign * b.OnsiteVisits
	a.PolicySessions += sign * b.PolicySessions
	a.PolicyEnterprises += sign * b.PolicyEnterprises
	a.LoanSubsidyEnterprises += sign * b.LoanSubsidyEnterprises
	a.InsuranceEnterprises += sign * b.InsuranceEnterprises
	a.FinancingWan += content.Wan(sign) * b.FinancingWan
	a.JinchuangguFinancingWan += content.Wan(sign) * b.JinchuangguFinancingWan
}

// figureState is what the site's report figures (totals) come from: the
// sums of each month and, of each year, the tally of the enterprises
// listed. An incremental build from git keeps it (buildState) and takes
// the reports of the institutions that changed out and in again.
type figureState struct {
	Months  map[content.Period]*monthTotal
	Tallies map[int]*content.ServedTally
}

// counted reports whether rep is in the site's figures as of now: an
// approved monthly report with figures, of a month begun.
func counted(rep *content.Report, now content.Date) bool {
	return rep.Period.Kind == content.Monthly && rep.Indicators != nil && !rep.Period.Start().After(now)
}

// newFigureState sums the reports of insts.
func newFigureState(insts []*content.Institution, now content.Date) *figureState {
	s := &figureState{Months: map[content.Period]*monthTotal{}, Tallies: map[int]*content.ServedTally{}}
	distinct := map[int]*content.DistinctCounter{}
	for _, inst := range insts {
		for _, rep := range inst.Reports {
			if !counted(rep, now) {
				continue
			}
			s.month(rep.Period, 1, rep.Indicators)
			d := distinct[rep.Period.Year]
			if d == nil {
				d = &content.DistinctCounter{}
				distinct[rep.Period.Year] = d
			}
			d.Add(rep)
		}
	}
	for y, d := range distinct {
		s.Tallies[y] = d.Tally()
	}
	return s
}

// month adds (sign 1) or takes out (-1) one report of period p.
func (s *figureState) month(p content.Period, sign int, in *content.Indicators) {
	m := s.Months[p]
	if m == nil {
		m = &monthTotal{Period: p}
		s.Months[p] = m
	}
	m.Reports += sign
	addIndicators(&m.Sum, in, sign)
	if m.Reports <= 0 {
		delete(s.Months, p)
	}
}

// replace takes the reports of old out of s and puts those of cur in.
func (s *figureState) replace(old, cur []*content.Institution, now content.Date) {
	add, remove := map[int][]*content.Report{}, map[int][]*content.Report{}
	for _, side := range []struct {
		insts []*content.Institution
		sign  int
		to    map[int][]*content.Report
	}{{old, -1, remove}, {cur, 1, add}} {
		for _, inst := range side.insts {
			for _, rep := range inst.Reports {
				if counted(rep, now) {
					s.month(rep.Period, side.sign, rep.Indicators)
					side.to[rep.Period.Year] = append(side.to[rep.Period.Year], rep)
				}
			}
		}
	}
	years := map[int]bool{}
	for y := range add {
		years[y] = true
	}
	for y := range remove {
		years[y] = true
	}
	for y := range years {
		t := s.Tallies[y]
		if t == nil {
			t = &content.ServedTally{}
			s.Tallies[y] = t
		}
		t.Apply(add[y], remove[y])
	}
}

// totals computes the figures of s.
func (s *figureState) totals() *totals {
	t := &totals{}
	for _, m := range s.Months {
		t.Months = append(t.Months, *m)
	}
	sort.Slice(t.Months, func(i, j int) bool { return t.Months[i].Period.Compare(t.Months[j].Period) < 0 })
	for _, m := range t.Months {
		if len(t.Years) == 0 || t.Years[len(t.Years)-1].Year != m.Period.Year {
			t.Years = append(t.Years, yearTotal{Year: m.Period.Year})
		}
		y := &t.Years[len(t.Years)-1]
		y.Reports += m.Reports
		addIndicators(&y.Sum, &m.Sum, 1)
	}
	for i := range t.Years {
		y := &t.Years[i]
		if d := s.Tallies[y.Year]; d != nil {
			y.Enterprises, y.JCGDistinct = d.Counts()
			y.Listed = d.Listed
		}
	}
	return t
}
