package console

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"kjjr/content"
	"kjjr/internal/safetext"
	"kjjr/review"
)

// RosterPageSize is how many institutions one page of the 机构 roster lists.
const RosterPageSize = 50

// Limits of what the edit forms accept (runes, entries).
const (
	maxField   = 200  // a name, phone, address
	maxEmail   = 254  // an address (RFC 5321)
	maxText    = 2000 // the team's description
	maxEntries = 50   // senders, partners of one kind
)

type rosterRow struct {
	Slug, Name, Status string
}

type rosterData struct {
	Q           string
	Rows        []rosterRow
	Total       int // matching the filter
	All         int // institutions on main
	Page, Pages int
	Prev, Next  string // links, "" when none
}

// pageLink is the roster URL of page n with filter q.
func pageLink(q string, n int) string {
	v := url.Values{}
	if q != "" {
		v.Set("q", q)
	}
	if n > 1 {
		v.Set("page", strconv.Itoa(n))
	}
	if len(v) == 0 {
		return "/institutions/"
	}
	return "/institutions/?" + v.Encode()
}

// roster lists main's institutions, filtered by name or slug, one page
// at a time (it stays small at thousands of institutions). It reads the
// compliance-mode load of main that the matrix keeps (views.statusRepo,
// under main's hash), so a page costs a filter and a sort.
func (s *Server) roster(w http.ResponseWriter, r *http.Request, se *session, _ string) {
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
	d := rosterData{Q: safetext.Line(r.URL.Query().Get("q"), 100), All: len(st.Institutions)}
	q := strings.ToLower(d.Q)
	var rows []rosterRow
	for _, inst := range st.Institutions {
		if q != "" && !strings.Contains(strings.ToLower(inst.Slug), q) && !strings.Contains(strings.ToLower(inst.Name), q) && !strings.Contains(strings.ToLower(inst.ShortName), q) {
			continue
		}
		rows = append(rows, rosterRow{Slug: inst.Slug, Name: inst.Name, Status: inst.StatusOn(today).Chinese()})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Slug < rows[j].Slug })
	d.Total = len(rows)
	d.Pages = max(1, (d.Total+RosterPageSize-1)/RosterPageSize)
	d.Page, _ = strconv.Atoi(r.URL.Query().Get("page"))
	d.Page = min(max(d.Page, 1), d.Pages)
	lo := (d.Page - 1) * RosterPageSize
	d.Rows = rows[lo:min(lo+RosterPageSize, d.Total)]
	if d.Page > 1 {
		d.Prev = pageLink(d.Q, d.Page-1)
	}
	if d.Page < d.Pages {
		d.Next = pageLink(d.Q, d.Page+1)
	}
	s.render(w, http.StatusOK, "institutions", page{Title: "机构", Staff: se, Flash: s.sess.takeFlash(se), Data: d})
}

// previewedEdit prepares the change of the file at p to data on main as
// of seen (review.Repo.PrepareFile) and decides what a POST of the form
// does: with action=commit and a change that adds no error, changes
// something and is the one previewed (form field preview: the blob the
// preview showed), it returns a zero note and status and the caller
// commits fc; otherwise it returns the note to show (empty for a plain
// preview) and the status to show it with. ok is false when a refusal
// was written. event and what name the edit in the audit log ("edit",
// "assess") and to staff (修改, 考核结果).
func (s *Server) previewedEdit(w http.ResponseWriter, r *http.Request, se *session, repo *review.Repo, event, what, p string, data []byte, seen plumbing.Hash, form url.Values) (fc *review.FileChange, note string, status int, ok bool) {
	fc, err := repo.PrepareFile(p, data, seen, s.cfg.Now())
	if err != nil {
		s.refusedEdit(w, r, se, event+" "+p, err)
		return nil, "", 0, false
	}
	switch {
	case form.Get("action") != "commit":
		return fc, "", http.StatusOK, true
	case len(fc.NewErrors) > 0:
		s.logAudit(auditLine{Event: "refused", User: se.name, Addr: s.clientAddr(r), Detail: event + " " + p + ": " + review.CodeCheckFailed})
		return fc, what + "会带来新的校验错误（见下），未提交：请改正后重新预览。", http.StatusUnprocessableEntity, true
	case !fc.Changed():
		return fc, "内容没有改动，无需提交。", http.StatusOK, true
	case form.Get("preview") != fc.Blob.String():
		return fc, "表单内容与预览时不同，未提交：请核对下面的修改和校验结果后再提交。", http.StatusOK, true
	}
	return fc, "", 0, true
}

// senderRow is one row of the report_senders part of the form.
type senderRow struct {
	Name, Email, Phone string
}

// instForm is the edit form of one institution: the fields staff may
// change, as entered (cleaned).
type instForm struct {
	Contact  content.Contact
	Senders  []senderRow
	Banks    string // one per line
	Law      string
	Acct     string
	Others   string
	TeamSize string
	TeamDesc string
	Office   content.Office
}

func formOf(inst *content.Institution) instForm {
	f := instForm{Contact: inst.Contact, Office: inst.Office, TeamDesc: inst.Team.Description,
		Banks: strings.Join(inst.Partners.Banks, "\n"), Law: strings.Join(inst.Partners.LawFirms, "\n"),
		Acct: strings.Join(inst.Partners.AccountingFirms, "\n"), Others: strings.Join(inst.Partners.Others, "\n")}
	if inst.Team.Size != 0 {
		f.TeamSize = strconv.Itoa(inst.Team.Size)
	}
	for _, rs := range inst.ReportSenders {
		f.Senders = append(f.Senders, senderRow{Name: rs.Name, Email: rs.Email, Phone: rs.Phone})
	}
	return f
}

// lines splits a textarea into its cleaned, non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(safetext.Block(s, maxEntries*(maxField+1)), "\n") {
		if l = safetext.Line(l, maxField); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// parseInstForm reads the posted form into f (cleaned and bounded) and
// applies it to inst; problems are messages for staff.
func parseInstForm(r *http.Request, inst *content.Institution) (instForm, []string) {
	pf := r.PostForm
	line := func(name string, max int) string { return safetext.Line(pf.Get(name), max) }
	var probs []string
	f := instForm{
		Contact: content.Contact{Department: line("contact_department", maxField), Person: line("contact_person", maxField),
			Phone: line("contact_phone", maxField), Email: line("contact_email", maxEmail), Address: line("contact_address", maxField)},
		Banks: strings.Join(lines(pf.Get("banks")), "\n"), Law: strings.Join(lines(pf.Get("law_firms")), "\n"),
		Acct: strings.Join(lines(pf.Get("accounting_firms")), "\n"), Others: strings.Join(lines(pf.Get("others")), "\n"),
		TeamSize: line("team_size", 10), TeamDesc: safetext.Block(pf.Get("team_description"), maxText),
		Office: content.Office{Address: line("office_address", maxField), County: line("office_county", maxField), Phone: line("office_phone", maxField)},
	}
	names, emails, phones := pf["sender_name"], pf["sender_email"], pf["sender_phone"]
	at := func(v []string, i, max int) string {
		if i < len(v) {
			return safetext.Line(v[i], max)
		}
		return ""
	}
	for i := range max(len(names), len(emails), len(phones)) {
		row := senderRow{Name: at(names, i, maxField), Email: at(emails, i, maxEmail), Phone: at(phones, i, maxField)}
		if row.Name == "" && row.Email == "" && row.Phone == "" {
			continue
		}
		if row.Email == "" {
			probs = append(probs, fmt.Sprintf("报送邮箱第 %d 行：填写了姓名或电话，但没有邮箱地址：请填写邮箱，或清空这一行", len(f.Senders)+1))
		}
		f.Senders = append(f.Senders, row)
	}
	if len(f.Senders) > maxEntries {
		probs = append(probs, fmt.Sprintf("报送邮箱最多 %d 个", maxEntries))
	}
	for _, l := range []struct{ name, v string }{{"合作银行", f.Banks}, {"合作律师事务所", f.Law}, {"合作会计师事务所", f.Acct}, {"其他合作机构", f.Others}} {
		if n := len(lines(l.v)); n > maxEntries {
			probs = append(probs, fmt.Sprintf("%s最多 %d 个（现有 %d 个）", l.name, maxEntries, n))
		}
	}
	size := 0
	if f.TeamSize != "" {
		n, err := strconv.Atoi(f.TeamSize)
		if err != nil || n < 0 || n > 100000 {
			probs = append(probs, fmt.Sprintf("团队人数“%s”不是有效的人数：请填写 0 到 100000 之间的整数", f.TeamSize))
		}
		size = n
	}
	inst.Contact = f.Contact
	inst.Office = f.Office
	inst.Team = content.Team{Size: size, Description: f.TeamDesc}
	inst.Partners = content.Partners{Banks: lines(f.Banks), LawFirms: lines(f.Law), AccountingFirms: lines(f.Acct), Others: lines(f.Others)}
	inst.ReportSenders = nil
	for _, row := range f.Senders {
		inst.ReportSenders = append(inst.ReportSenders, content.Sender{Name: row.Name, Email: row.Email, Phone: row.Phone})
	}
	return f, probs
}

// checkView is the preview of a change: its diff and what check says.
type checkView struct {
	Diff      []review.DiffLine
	NewErrors []string
	Kept      int
	Changed   bool
	Blob      string // what the 提交 button commits (the previewed content)
}

func viewOf(fc *review.FileChange) *checkView {
	v := &checkView{Diff: fc.Diff, Kept: fc.Kept, Changed: fc.Changed(), Blob: fc.Blob.String()}
	for _, d := range fc.NewErrors {
		v.NewErrors = append(v.NewErrors, d.String())
	}
	return v
}

// CanCommit reports whether the previewed change may be committed.
func (v *checkView) CanCommit() bool { return v != nil && v.Changed && len(v.NewErrors) == 0 }

type instEditData struct {
	Slug, Name, File string
	Tip              string
	Form             instForm
	Blank            []int // indexes of the empty sender rows offered for new senders
	Regions          []string
	Problems         []string
	Check            *checkView
	Note             string
}

// Rows returns the sender rows of the form, existing then blank.
func (d instEditData) Rows() []senderRow {
	rows := append([]senderRow{}, d.Form.Senders...)
	for range d.Blank {
		rows = append(rows, senderRow{})
	}
	return rows
}

// CanCommit reports whether the form offers 提交: the preview shown is of
// a change that adds no error.
func (d instEditData) CanCommit() bool { return d.Check.CanCommit() }

// HasRegion reports whether the county is one of site.yaml's regions.
func (d instEditData) HasRegion() bool {
	for _, r := range d.Regions {
		if r == d.Form.Office.County {
			return true
		}
	}
	return d.Form.Office.County == ""
}

func instPath(slug string) string { return "institutions/" + slug + "/index.md" }

// loadInst reads the institution's record from main; ok false means the
// refusal was written.
func (s *Server) loadInst(w http.ResponseWriter, se *session, repo *review.Repo, slug string) (plumbing.Hash, *content.Institution, bool) {
	p := instPath(slug)
	var tip plumbing.Hash
	var data []byte
	if slug != "" && !strings.ContainsAny(slug, "/\\") && !strings.HasPrefix(slug, ".") && safetext.Clean(slug) {
		var err error
		if tip, data, err = repo.MainFile(p); err != nil {
			s.fail(w, se, err)
			return tip, nil, false
		}
	}
	if data == nil {
		s.render(w, http.StatusNotFound, "message", page{Title: "找不到机构", Message: fmt.Sprintf("main 上没有机构 %s（%s）：请从机构列表中选择。", safetext.Line(slug, 80), safetext.Line(p, 120)), Staff: se})
		return tip, nil, false
	}
	inst := new(content.Institution)
	if ds := content.DecodeRecord(p, data, inst); ds.HasErrors() {
		s.render(w, http.StatusConflict, "message", page{Title: "无法编辑", Message: fmt.Sprintf("main 上的 %s 有格式错误，不能在控制台中编辑（以免丢失内容）：请先用 git 改正：\n%s", p, safetext.Block(ds.Error(), 2000)), Staff: se})
		return tip, nil, false
	}
	inst.Slug = slug
	return tip, inst, true
}

func (s *Server) regions(repo *review.Repo) []string {
	site, err := repo.LoadSite()
	if err != nil {
		return nil
	}
	return site.Regions
}

// institution shows the edit form of one institution.
func (s *Server) institution(w http.ResponseWriter, r *http.Request, se *session, _ string) {
	repo, ok := s.openRepo(w, se)
	if !ok {
		return
	}
	defer repo.Close()
	slug := r.PathValue("slug")
	tip, inst, ok := s.loadInst(w, se, repo, slug)
	if !ok {
		return
	}
	d := instEditData{Slug: slug, Name: inst.Name, File: instPath(slug), Tip: tip.String(), Form: formOf(inst), Blank: []int{0, 1}, Regions: s.regions(repo)}
	s.render(w, http.StatusOK, "institution", page{Title: "编辑 " + safetext.Line(inst.Name, 100), Staff: se, Flash: s.sess.takeFlash(se), Data: d})
}

// refusedEdit logs and shows a refusal that changed nothing.
func (s *Server) refusedEdit(w http.ResponseWriter, r *http.Request, se *session, what string, err error) {
	s.logAudit(auditLine{Event: "refused", User: se.name, Addr: s.clientAddr(r), Detail: what + ": " + review.CodeOf(err)})
	s.fail(w, se, err)
}

// editInstitution previews (action=preview) or commits (action=commit)
// the posted form: the diff of index.md and content.Check of the changed
// tree, and the commit on main by the staff member only when the change
// adds no error and is the one previewed.
func (s *Server) editInstitution(w http.ResponseWriter, r *http.Request, se *session, _ string) {
	if r.PostForm.Get("action") == "commit" { // a preview changes nothing: it need not wait
		s.act.Lock()
		defer s.act.Unlock()
	}
	repo, ok := s.openRepo(w, se)
	if !ok {
		return
	}
	defer repo.Close()
	slug := r.PathValue("slug")
	p := instPath(slug)
	tip, inst, ok := s.loadInst(w, se, repo, slug)
	if !ok {
		return
	}
	seen := plumbing.NewHash(r.PostForm.Get("tip"))
	if seen != tip {
		err := repo.CheckMain(seen)
		if err == nil { // main moved back meanwhile
			err = &review.Error{Code: review.CodeConcurrent, Msg: "main 在您打开页面之后有变动，本次修改未提交：请重新打开页面，在最新内容上修改。"}
		}
		s.refusedEdit(w, r, se, "edit "+p, err)
		return
	}
	f, probs := parseInstForm(r, inst)
	d := instEditData{Slug: slug, Name: inst.Name, File: p, Tip: tip.String(), Form: f, Blank: []int{0}, Regions: s.regions(repo), Problems: probs}
	show := func(status int) {
		s.render(w, status, "institution", page{Title: "编辑 " + safetext.Line(inst.Name, 100), Staff: se, Data: d})
	}
	if len(probs) > 0 {
		if r.PostForm.Get("action") == "commit" {
			s.logAudit(auditLine{Event: "refused", User: se.name, Addr: s.clientAddr(r), Detail: "edit " + p + ": form"})
		}
		show(http.StatusUnprocessableEntity)
		return
	}
	data, err := content.EncodeRecord(inst, inst.Body)
	if err != nil {
		s.fail(w, se, err)
		return
	}
	now := s.cfg.Now()
	fc, note, status, ok := s.previewedEdit(w, r, se, repo, "edit", "修改", p, data, tip, r.PostForm)
	if !ok {
		return
	}
	d.Check = viewOf(fc)
	if note != "" || status != 0 {
		d.Note = note
		show(status)
		return
	}
	msg := fmt.Sprintf("修改机构信息：%s（%s）\n\n经报送审核台修改 %s：联系方式、报送邮箱、合作机构、服务团队、办公场所。\n修改人：%s <%s>\n",
		safetext.Line(inst.Name, 100), slug, p, se.name, se.email)
	fcm, err := repo.CommitChange(fc, msg, object.Signature{Name: se.name, Email: se.email}, now)
	if err != nil {
		s.refusedEdit(w, r, se, "edit "+p, err)
		return
	}
	s.logAudit(auditLine{Event: "edit", User: se.name, Addr: s.clientAddr(r), Detail: p + " " + fcm.Commit.String()})
	s.sess.setFlash(se, fmt.Sprintf("已提交 %s 的修改：main 上的提交 %s，修改人 %s。", safetext.Line(inst.Name, 100), fcm.Commit.String()[:12], se.name))
	http.Redirect(w, r, "/institutions/"+url.PathEscape(slug), http.StatusSeeOther)
}
