package content

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// AssessFigures sums the institution's approved reports of year along the
// lines of 第六条第2项: monthly sheets approved and of which received by
// their deadline, enterprises served and of them 晋创谷 enterprises (both
// as the sum of the monthly figures, 家次, and as distinct enterprises over
// the year's lists, 家, with the months the lists cover),
// matchmaking events, policy sessions and the enterprises they reached,
// financing amount and of it 晋创谷 enterprises' financing, the distinct
// partner banks named in the sheets, and the half-year and annual reports
// received. Only what is in r counts: load the approved tree (main).
func (r *Repo) AssessFigures(inst *Institution, year int) *Figures {
	f := &Figures{}
	banks := map[string]bool{}
	var distinct DistinctCounter
	for _, rep := range inst.Reports {
		if rep.Period.Year != year {
			continue
		}
		switch rep.Period.Kind {
		case HalfYear:
			f.HalfYearReports++
			continue
		case Annual:
			f.AnnualSummary = true
			continue
		case Monthly:
		default:
			continue
		}
		f.Reports++
		due := r.Deadline(rep.Period).Date
		if rd := rep.ReceivedDate(); rd.IsZero() || !rd.After(due) {
			f.OnTime++
		}
		if in := rep.Indicators; in != nil {
			f.EnterprisesServed += in.EnterprisesServed
			f.JinchuangguEnterprises += in.JinchuangguEnterprises
			f.MatchmakingEvents += in.MatchmakingEvents
			f.PolicySessions += in.PolicySessions
			f.PolicyEnterprises += in.PolicyEnterprises
			f.FinancingWan += in.FinancingWan
			f.JinchuangguFinancingWan += in.JinchuangguFinancingWan
		}
		distinct.Add(rep)
		for _, b := range rep.PartnerBanks {
			if b = strings.TrimSpace(b); b != "" {
				banks[b] = true
			}
		}
	}
	f.Enterprises, f.JinchuangguDistinct = distinct.Counts()
	f.ListedMonths = distinct.Listed
	for b := range banks {
		f.PartnerBanks = append(f.PartnerBanks, b)
	}
	sort.Strings(f.PartnerBanks)
	return f
}

// ErrNoReports is returned by AssessDraft for a year without any approved report.
var ErrNoReports = errors.New("no approved reports in the year")

// AssessDraft returns a draft annual assessment of year (Draft: true, empty
// grades) with every institution's Figures, for each institution that owed
// a report in the year or sent one, in slug order, and the institutions
// among them whose annual summary (第六条第3项) is missing. assessedOn is
// written as the draft's assessed_on; staff change it when they grade. It
// returns ErrNoReports (wrapped) when no institution has an approved
// report of the year.
func (r *Repo) AssessDraft(year int, assessedOn Date) (*Result, []*Institution, error) {
	res := &Result{Year: year, AssessedOn: assessedOn, Draft: true}
	var missing []*Institution
	any := false
	for _, inst := range r.Institutions {
		f := r.AssessFigures(inst, year)
		sent := f.Reports > 0 || f.HalfYearReports > 0 || f.AnnualSummary
		if !sent && !inst.RequiredIn(year) {
			continue
		}
		any = any || sent
		res.Grades = append(res.Grades, Grade{Institution: inst.Slug, Figures: f})
		if !f.AnnualSummary {
			missing = append(missing, inst)
		}
	}
	if !any {
		return nil, nil, fmt.Errorf("assess %d: %w", year, ErrNoReports)
	}
	return res, missing, nil
}

// AssessBody returns the Markdown body of the draft assessment res of
// `kjjr assess` (and the console's 考核 page), written on today: a note
// on what the figures count and how to finish the draft, the institutions
// whose enterprise lists are incomplete (Figures.Coverage), and those
// among missing whose annual summary is missing.
func (r *Repo) AssessBody(res *Result, missing []*Institution, today Date) string {
	var b strings.Builder
	year := res.Year
	fmt.Fprintf(&b, "<!-- kjjr assess 于 %s 生成的 %d 年度考核草稿：figures 为已审核通过的报送之和（第六条第2项）；enterprises 和 jinchuanggu_distinct 为全年服务企业名单和融资明细中不同企业的家数（家），enterprises_served 和 jinchuanggu_enterprises 为各月之和（家次），listed_months 为有名单的月份数。请填写每家机构的 grade（优秀 / 合格 / 不合格），删除 draft: true 后提交。 -->\n\n", today, year)
	var partial []string
	for _, g := range res.Grades {
		if g.Figures == nil {
			continue
		}
		if c := g.Figures.Coverage(); c != "" {
			name := g.Institution
			if inst := r.Institution(g.Institution); inst != nil && inst.Name != "" {
				name = inst.Name
			}
			partial = append(partial, fmt.Sprintf("- %s（%s）：%s，服务企业 %d 家只统计了有名单的月份和融资明细中的企业\n", name, g.Institution, c, g.Figures.Enterprises))
		}
	}
	if len(partial) > 0 {
		fmt.Fprintf(&b, "## 服务企业名单不全的机构\n\n%s\n", strings.Join(partial, ""))
	}
	fmt.Fprintf(&b, "## 未报送 %d 年度工作总结的机构\n\n", year)
	if len(missing) == 0 {
		b.WriteString("无。\n")
	}
	for _, inst := range missing {
		fmt.Fprintf(&b, "- %s（%s）\n", inst.Name, inst.Slug)
	}
	return b.String()
}
