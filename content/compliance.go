package content

import "sort"

// CompliancePeriods returns the reporting items of a year in the order of a
// compliance row: the twelve monthly sheets, the two half-year progress
// reports and the annual summary (第五条第3项, 第六条第3项).
func CompliancePeriods(year int) []Period {
	ps := make([]Period, 0, 15)
	for m := 1; m <= 12; m++ {
		ps = append(ps, Period{Kind: Monthly, Year: year, Month: m})
	}
	ps = append(ps,
		Period{Kind: HalfYear, Year: year, Half: 1},
		Period{Kind: HalfYear, Year: year, Half: 2},
		Period{Kind: Annual, Year: year})
	return ps
}

// Cell is one item of an institution's compliance row: the state of one
// period's report, its deadline, and the day an approved report arrived.
type Cell struct {
	Period Period      `json:"period"`
	State  ReportState `json:"state"`
	Due    Date        `json:"due"`
	// Provisional: Due was computed on weekends alone, the calendar of its
	// year not being published yet (see Due).
	Provisional bool `json:"provisional,omitempty"`
	Received    Date `json:"received,omitzero"` // approved reports only
}

// ComplianceRow returns the compliance of inst for every item of year (see
// CompliancePeriods) as of today, from the approved reports in r. pending,
// when not nil, reports whether a submission for the slug and period waits
// on a review branch (kjjr status passes the submit/* branches; the public
// site passes nil, so that it shows only what staff approved).
func (r *Repo) ComplianceRow(inst *Institution, year int, today Date, pending func(slug string, p Period) bool) []Cell {
	ps := CompliancePeriods(year)
	return r.complianceRow(inst, ps, r.deadlines(ps), today, pending)
}

func (r *Repo) deadlines(ps []Period) []Due {
	dues := make([]Due, len(ps))
	for i, p := range ps {
		dues[i] = r.Deadline(p)
	}
	return dues
}

// complianceRow is ComplianceRow with the deadlines computed once; each
// cell comes from reportState, the rule behind Repo.ReportState.
func (r *Repo) complianceRow(inst *Institution, ps []Period, dues []Due, today Date, pending func(slug string, p Period) bool) []Cell {
	cells := make([]Cell, len(ps))
	for i, p := range ps {
		c := Cell{Period: p, Due: dues[i].Date, Provisional: dues[i].Provisional}
		c.State, c.Received = reportState(inst, p, dues[i].Date, today, func() bool {
			return pending != nil && pending(inst.Slug, p)
		})
		cells[i] = c
	}
	return cells
}

// ComplianceLine is one institution's row of the compliance matrix.
type ComplianceLine struct {
	Institution *Institution
	Cells       []Cell
}

// Compliance returns the matrix institution x item for year: one line per
// institution that owed at least one report in the year (see
// Institution.Required), in slug order. Institutions that owed nothing
// (never announced, or removed before the year) are left out.
func (r *Repo) Compliance(year int, today Date, pending func(slug string, p Period) bool) []ComplianceLine {
	var out []ComplianceLine
	ps := CompliancePeriods(year)
	dues := r.deadlines(ps)
	for _, inst := range r.Institutions {
		if !inst.RequiredIn(year) {
			continue
		}
		out = append(out, ComplianceLine{Institution: inst, Cells: r.complianceRow(inst, ps, dues, today, pending)})
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Institution.Slug < out[b].Institution.Slug })
	return out
}

// RequiredIn reports whether the institution owed any report in year.
func (inst *Institution) RequiredIn(year int) bool {
	for _, p := range CompliancePeriods(year) {
		if inst.Required(p) {
			return true
		}
	}
	return false
}

// Tally counts the cells of a row by state.
func Tally(cells []Cell) map[ReportState]int {
	t := map[ReportState]int{}
	for _, c := range cells {
		t[c.State]++
	}
	return t
}
