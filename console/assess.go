package console

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"kjjr/content"
	"kjjr/internal/safetext"
	"kjjr/review"
)

// Grades are the grades staff may give (第六条第3项); "" leaves one open
// in a draft.
var Grades = []string{content.GradeExcellent, content.GradePass, content.GradeFail}

type assessYear struct {
	Year  int
	State string // 已定稿, 草稿, 未开始
}

// assessYears lists the years with a results file on main, and the last
// and current year when main has approved reports of them (a draft needs
// some), each linking to its 考核 page.
func (s *Server) assessYears(w http.ResponseWriter, r *http.Request, se *session, _ string) {
	repo, done, ok := s.borrowRepo(w, se)
	if !ok {
		return
	}
	defer done()
	today := content.DateOf(s.cfg.Now())
	st, err := s.mainStatus(repo)
	if err != nil {
		s.fail(w, se, err)
		return
	}
	years := map[int]string{}
	for _, inst := range st.Institutions {
		for _, rep := range inst.Reports {
			if y := rep.Period.Year; y >= today.Year-1 {
				years[y] = "未开始"
			}
		}
	}
	for _, res := range st.Results {
		if res.Draft {
			years[res.Year] = "草稿"
		} else {
			years[res.Year] = "已定稿"
		}
	}
	var list []assessYear
	for y, state := range years {
		list = append(list, assessYear{y, state})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Year > list[j].Year })
	s.render(w, http.StatusOK, "assessyears", page{Title: "考核", Staff: se, Flash: s.sess.takeFlash(se), Data: list})
}

type assessRow struct {
	Slug, Name   string
	Grade, Notes string
	F            *content.Figures
}

type assessData struct {
	Year       int
	File       string
	Tip        string
	Exists     bool // results/YEAR.md is on main
	Final      bool // draft: false
	AssessedOn string
	Rows       []assessRow
	Grades     []string
	Problems   []string
	Check      *checkView
	Note       string
}

// CanCommit reports whether the form offers 提交.
func (d assessData) CanCommit() bool { return d.Check.CanCommit() }

func resultsPath(year int) string { return fmt.Sprintf("results/%d.md", year) }

// assessment is a year's result as the console edits it: the file on main
// or, without one, the draft `kjjr assess` would write.
type assessment struct {
	tip    plumbing.Hash
	res    *content.Result
	body   string
	names  map[string]string
	exists bool
}

// loadAssessment reads the year's results file from main, or drafts it
// from main's approved reports (content.Repo.AssessDraft, as kjjr assess);
// ok false means the refusal was written.
func (s *Server) loadAssessment(w http.ResponseWriter, se *session, repo *review.Repo, year int) (*assessment, bool) {
	now := s.cfg.Now()
	today := content.DateOf(now)
	p := resultsPath(year)
	tip, data, err := repo.MainFile(p)
	if err != nil {
		s.fail(w, se, err)
		return nil, false
	}
	a := &assessment{tip: tip, names: map[string]string{}}
	if data != nil {
		a.exists = true
		a.res = new(content.Result)
		if ds := content.DecodeRecord(p, data, a.res); ds.HasErrors() {
			s.render(w, http.StatusConflict, "message", page{Title: "无法编辑", Message: fmt.Sprintf("main 上的 %s 有格式错误，不能在控制台中编辑（以免丢失内容）：请先用 git 改正：%s", p, safetext.Line(ds.Error(), 2000)), Staff: se})
			return nil, false
		}
		a.body = a.res.Body
		st, err := s.mainStatus(repo)
		if err != nil {
			s.fail(w, se, err)
			return nil, false
		}
		for _, inst := range st.Institutions {
			a.names[inst.Slug] = inst.Name
		}
		return a, true
	}
	// The full load of main kept for the export under main's hash; a
	// fresh one if that fails (LoadMain is never nil: its problems are
	// kjjr check's to report).
	var full *content.Repo
	if k, err := readRefs(repo); err == nil {
		full, _ = s.views.fullRepo(repo, k)
	}
	if full == nil {
		full, _ = repo.LoadMain()
	}
	res, missing, err := full.AssessDraft(year, today)
	if errors.Is(err, content.ErrNoReports) {
		s.render(w, http.StatusNotFound, "message", page{Title: "没有可考核的报送", Message: fmt.Sprintf("%d 年没有已审核通过的报送（main 上没有该年度的报告），无法生成考核草稿：请先审核该年度的报送。", year), Staff: se})
		return nil, false
	}
	if err != nil {
		s.fail(w, se, err)
		return nil, false
	}
	a.res, a.body = res, full.AssessBody(res, missing, today)
	for _, inst := range full.Institutions {
		a.names[inst.Slug] = inst.Name
	}
	return a, true
}

func (a *assessment) data(year int) assessData {
	d := assessData{Year: year, File: resultsPath(year), Tip: a.tip.String(), Exists: a.exists, Final: !a.res.Draft, AssessedOn: a.res.AssessedOn.String(), Grades: Grades}
	for _, g := range a.res.Grades {
		d.Rows = append(d.Rows, assessRow{Slug: g.Institution, Name: a.names[g.Institution], Grade: g.Grade, Notes: g.Notes, F: g.Figures})
	}
	return d
}

func yearOf(r *http.Request) (int, bool) {
	y, err := strconv.Atoi(r.PathValue("year"))
	return y, err == nil && y >= 2000 && y <= 2100
}

func (s *Server) badYear(w http.ResponseWriter, r *http.Request, se *session) {
	s.render(w, http.StatusNotFound, "message", page{Title: "年份无效", Message: fmt.Sprintf("“%s”不是有效的考核年度：请从考核页面选择年份。", safetext.Line(r.PathValue("year"), 20)), Staff: se})
}

// assess shows the year's assessment with a grade and notes per
// institution.
func (s *Server) assess(w http.ResponseWriter, r *http.Request, se *session, _ string) {
	year, ok := yearOf(r)
	if !ok {
		s.badYear(w, r, se)
		return
	}
	repo, ok := s.openRepo(w, se)
	if !ok {
		return
	}
	defer repo.Close()
	a, ok := s.loadAssessment(w, se, repo, year)
	if !ok {
		return
	}
	s.render(w, http.StatusOK, "assess", page{Title: fmt.Sprintf("%d 年度考核", year), Staff: se, Flash: s.sess.takeFlash(se), Data: a.data(year)})
}

// editAssess previews or commits the posted grades as results/YEAR.md on
// main, by the rules of editInstitution.
func (s *Server) editAssess(w http.ResponseWriter, r *http.Request, se *session, _ string) {
	year, ok := yearOf(r)
	if !ok {
		s.badYear(w, r, se)
		return
	}
	if r.PostForm.Get("action") == "commit" { // a preview changes nothing: it need not wait
		s.act.Lock()
		defer s.act.Unlock()
	}
	repo, ok := s.openRepo(w, se)
	if !ok {
		return
	}
	defer repo.Close()
	p := resultsPath(year)
	seen := plumbing.NewHash(r.PostForm.Get("tip"))
	if err := repo.CheckMain(seen); err != nil {
		s.refusedEdit(w, r, se, "assess "+p, err)
		return
	}
	a, ok := s.loadAssessment(w, se, repo, year)
	if !ok {
		return
	}
	pf := r.PostForm
	var probs []string
	if d, err := content.ParseDate(safetext.Line(pf.Get("assessed_on"), 20)); err != nil {
		probs = append(probs, fmt.Sprintf("考核日期“%s”无效：请写作 YYYY-MM-DD，例如 %d-01-20", safetext.Line(pf.Get("assessed_on"), 20), year+1))
	} else {
		a.res.AssessedOn = d
	}
	a.res.Draft = pf.Get("final") != "1"
	for i := range a.res.Grades {
		g := &a.res.Grades[i]
		grade := safetext.Line(pf.Get("grade:"+g.Institution), 10)
		if grade != "" && !slices.Contains(Grades, grade) {
			probs = append(probs, fmt.Sprintf("%s 的等次“%s”无效：应为 优秀、合格 或 不合格", g.Institution, grade))
		} else {
			g.Grade = grade
		}
		g.Notes = safetext.Line(pf.Get("notes:"+g.Institution), 500)
	}
	d := a.data(year)
	if len(probs) > 0 {
		d.AssessedOn = safetext.Line(pf.Get("assessed_on"), 20)
	}
	d.Problems = probs
	title := fmt.Sprintf("%d 年度考核", year)
	show := func(status int) {
		s.render(w, status, "assess", page{Title: title, Staff: se, Data: d})
	}
	if len(probs) > 0 {
		show(http.StatusUnprocessableEntity)
		return
	}
	data, err := content.EncodeRecord(a.res, a.body)
	if err != nil {
		s.fail(w, se, err)
		return
	}
	now := s.cfg.Now()
	fc, note, status, ok := s.previewedEdit(w, r, se, repo, "assess", "考核结果", p, data, seen, pf)
	if !ok {
		return
	}
	d.Check = viewOf(fc)
	if note != "" || status != 0 {
		d.Note = note
		show(status)
		return
	}
	kind := "草稿"
	if !a.res.Draft {
		kind = "定稿"
	}
	msg := fmt.Sprintf("%d 年度考核结果（%s）\n\n经报送审核台填写等次，写入 %s。\n修改人：%s <%s>\n", year, kind, p, se.name, se.email)
	fcm, err := repo.CommitChange(fc, msg, object.Signature{Name: se.name, Email: se.email}, now)
	if err != nil {
		s.refusedEdit(w, r, se, "assess "+p, err)
		return
	}
	s.logAudit(auditLine{Event: "assess", User: se.name, Addr: s.clientAddr(r), Detail: p + " " + fcm.Commit.String()})
	s.sess.setFlash(se, fmt.Sprintf("已提交 %d 年度考核结果（%s）：main 上的提交 %s，修改人 %s。", year, kind, fcm.Commit.String()[:12], se.name))
	http.Redirect(w, r, fmt.Sprintf("/assess/%d", year), http.StatusSeeOther)
}
