package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"kjjr/content"
	"kjjr/internal/safetext"
	"kjjr/review"
)

// MatrixPageSize is the number of institutions on one page of 报送情况.
const MatrixPageSize = 50

// StateMarks are the marks of the matrix, as kjjr status prints them.
var StateMarks = map[content.ReportState]string{
	content.StateOnTime:      "✓",
	content.StateLate:        "迟",
	content.StatePending:     "审",
	content.StateMissing:     "✗",
	content.StateNotDue:      "·",
	content.StateNotRequired: "-",
}

// matrixStates are the states the matrix can be filtered by: rows with at
// least one cell in the state.
var matrixStates = []content.ReportState{content.StateMissing, content.StatePending, content.StateLate, content.StateOnTime}

type matrixCell struct {
	Mark, Label, Link string
	State             content.ReportState
}

type matrixRow struct {
	Slug, Name string
	Cells      []matrixCell
	Missing    int
}

type matrixData struct {
	Year      int
	Years     []int
	Today     content.Date
	Periods   []content.Period
	Rows      []matrixRow
	Q, County string
	State     content.ReportState
	Counties  []string
	States    []content.ReportState
	pager
	Total, All    int
	Tally         map[content.ReportState]int // over the filtered rows
	filter        url.Values
	ExportAllowed bool
}

// PageURL is the matrix URL of page n with the same filter.
func (d matrixData) PageURL(n int) string {
	q := url.Values{}
	for k, v := range d.filter {
		q[k] = v
	}
	q.Set("page", strconv.Itoa(n))
	return "/status/?" + q.Encode()
}

// yearParam reads ?year= (today's year when absent or out of range).
func yearParam(r *http.Request, today content.Date) int {
	y, err := strconv.Atoi(r.URL.Query().Get("year"))
	if err != nil || y < 2000 || y > 2100 {
		return today.Year
	}
	return y
}

func (s *Server) matrixPage(w http.ResponseWriter, r *http.Request, se *session, _ string) {
	repo, k, done, ok := s.borrowAtRefs(w, se)
	if !ok {
		return
	}
	defer done()
	today := content.DateOf(s.cfg.Now())
	q := r.URL.Query()
	d := matrixData{Year: yearParam(r, today), Today: today, Q: strings.TrimSpace(safetext.Line(q.Get("q"), 100)), County: safetext.Line(q.Get("county"), 100),
		State: content.ReportState(q.Get("state")), States: matrixStates, filter: url.Values{}}
	for y := today.Year; y >= today.Year-2; y-- {
		d.Years = append(d.Years, y)
	}
	d.Periods = content.CompliancePeriods(d.Year)
	d.filter.Set("year", strconv.Itoa(d.Year))
	if d.Q != "" {
		d.filter.Set("q", d.Q)
	}
	if d.County != "" {
		d.filter.Set("county", d.County)
	}
	validState := false
	for _, st := range matrixStates {
		validState = validState || st == d.State
	}
	if !validState {
		d.State = ""
	} else {
		d.filter.Set("state", string(d.State))
	}
	lines, err := s.views.matrix(repo, k, d.Year, today)
	if err != nil {
		s.fail(w, se, err)
		return
	}
	st, err := s.views.statusRepo(repo, k)
	if err != nil {
		s.fail(w, se, err)
		return
	}
	d.Counties = st.Site.Regions
	var counties map[string]string
	if d.County != "" {
		if counties, err = s.views.countyOf(repo, k); err != nil {
			s.fail(w, se, err)
			return
		}
	}
	d.All = len(lines)
	needle := strings.ToLower(d.Q)
	var kept []content.ComplianceLine
	for _, l := range lines {
		inst := l.Institution
		if needle != "" && !strings.Contains(strings.ToLower(inst.Name), needle) && !strings.Contains(strings.ToLower(inst.ShortName), needle) && !strings.Contains(inst.Slug, needle) {
			continue
		}
		if d.County != "" && counties[inst.Slug] != d.County {
			continue
		}
		if d.State != "" && content.Tally(l.Cells)[d.State] == 0 {
			continue
		}
		kept = append(kept, l)
	}
	d.Total = len(kept)
	d.Tally = map[content.ReportState]int{}
	for _, l := range kept {
		for _, c := range l.Cells {
			d.Tally[c.State]++
		}
	}
	d.Last = max(1, (len(kept)+MatrixPageSize-1)/MatrixPageSize)
	d.Page = min(pageParam(r), d.Last)
	from := (d.Page - 1) * MatrixPageSize
	for _, l := range kept[from:min(len(kept), from+MatrixPageSize)] {
		row := matrixRow{Slug: l.Institution.Slug, Name: l.Institution.Name}
		if row.Name == "" {
			row.Name = row.Slug
		}
		for _, c := range l.Cells {
			row.Cells = append(row.Cells, matrixCell{Mark: StateMarks[c.State], Label: c.Period.Chinese() + " " + c.State.Chinese(), Link: cellLink(row.Slug, c), State: c.State})
			if c.State == content.StateMissing {
				row.Missing++
			}
		}
		d.Rows = append(d.Rows, row)
	}
	s.render(w, http.StatusOK, "matrix", page{Title: "报送情况", Staff: se, Data: d})
}

type reportData struct {
	Slug, Name string
	Report     *content.Report
	Figures    []figureRow
	Files      []content.File
	Sum        content.Wan
	Received   string
}

// reportPage shows an approved report on main, read only.
func (s *Server) reportPage(w http.ResponseWriter, r *http.Request, se *session, _ string) {
	slug := r.PathValue("slug")
	p, perr := content.ParsePeriod(r.PathValue("period"))
	notFound := func() {
		s.render(w, http.StatusNotFound, "message", page{Title: "没有这份报告", Message: "main 上没有这份已审核的报告：请从“报送情况”页面点开。", Staff: se})
	}
	if perr != nil || !content.SlugPattern.MatchString(slug) {
		notFound()
		return
	}
	repo, done, ok := s.borrowRepo(w, se)
	if !ok {
		return
	}
	defer done()
	inst, err := s.keptInstitution(repo, slug)
	if err != nil {
		s.fail(w, se, err)
		return
	}
	if inst == nil {
		notFound()
		return
	}
	d := reportData{Slug: slug, Name: inst.Name}
	for _, rep := range inst.Reports {
		if rep.Period == p {
			d.Report = rep
		}
	}
	if d.Report == nil {
		notFound()
		return
	}
	if d.Report.Indicators != nil {
		for _, f := range review.Figures {
			d.Figures = append(d.Figures, figureRow{Label: f.Label, Value: f.Format(f.Get(d.Report.Indicators))})
		}
	}
	for _, f := range d.Report.Financing {
		d.Sum += f.AmountWan
	}
	d.Files = append(append(d.Files, d.Report.Documents...), d.Report.Evidence...)
	s.render(w, http.StatusOK, "report", page{Title: inst.Name + " " + p.Chinese(), Staff: se, Data: d})
}

// Count is the number of cells in state st over the filtered rows.
func (d matrixData) Count(st string) int { return d.Tally[content.ReportState(st)] }

func init() { funcs["shortperiod"] = shortPeriod }

// shortPeriod names p within its year: 1月, 上半年, 下半年, 年度.
func shortPeriod(p content.Period) string {
	if p.Kind == content.Annual {
		return "年度"
	}
	return strings.TrimPrefix(p.Chinese(), strconv.Itoa(p.Year)+"年")
}
