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
