package console

import (
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"kjjr/content"
	"kjjr/internal/safetext"
	"kjjr/outbox"
	"kjjr/review"
	"kjjr/submission"
)

var funcs = template.FuncMap{
	"cst": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(content.CST).Format("2006-01-02 15:04")
	},
	"short":    func(h plumbing.Hash) string { return h.String()[:12] },
	"line":     func(s string) string { return safetext.Line(s, 300) },
	"mailtext": func(s string) string { return safetext.Block(s, 20000) },
	"path":     submission.DisplayPath,
	"inc":      func(i int) int { return i + 1 },
	"block1":   func(s string) string { return safetext.Block(s, 1000) }, // one line of a diff, indentation kept
}

// CommonReasons are offered when rejecting; staff may write their own.
var CommonReasons = []string{
	"报表数据与附件不一致，请核对后重新报送",
	"报表缺少必填项，请补全后重新报送",
	"融资明细与合计金额不符，请核对后重新报送",
	"附件缺少盖章或签字，请补充后重新报送",
	"报送了错误的月份，请按正确月份重新报送",
}

func (s *sessions) setFlash(se *session, msg string) {
	s.mu.Lock()
	se.flash = msg
	s.mu.Unlock()
}

func (s *sessions) takeFlash(se *session) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := se.flash
	se.flash = ""
	return f
}

func (s *Server) queue(w http.ResponseWriter, r *http.Request, se *session, _ string) {
	repo, done, ok := s.borrowRepo(w, se)
	if !ok {
		return
	}
	defer done()
	subs, err := s.submissions(repo)
	if err != nil {
		s.fail(w, se, err)
		return
	}
	var pending []*review.Submission
	for _, sub := range subs {
		if !sub.Merged {
			pending = append(pending, sub)
		}
	}
	s.render(w, http.StatusOK, "queue", page{Title: "待审核", Staff: se, Flash: s.sess.takeFlash(se), Data: pending})
}

// figureRow is one figure beside the institution's previous months.
type figureRow struct {
	Label    string
	Value    string
	Earlier  string // the earlier version of the same report (resubmission or main)
	Previous []string
}

type submissionData struct {
	S            *review.Submission
	Figures      []figureRow
	PrevPeriods  []content.Period
	EarlierLabel string
	Diff         []review.Change
	Files        []content.File
	Refused      int
	Reasons      []string
	FinancingSum content.Wan
}

func branchOf(r *http.Request) string {
	return "submit/" + r.PathValue("slug") + "/" + r.PathValue("period")
}

func (s *Server) submission(w http.ResponseWriter, r *http.Request, se *session, _ string) {
	repo, done, ok := s.borrowRepo(w, se)
	if !ok {
		return
	}
	defer done()
	sub, err := s.getSubmission(repo, branchOf(r))
	if err != nil {
		s.fail(w, se, err)
		return
	}
	d := submissionData{S: sub, Reasons: CommonReasons}
	for _, c := range sub.Changes {
		if c.Problem != "" {
			d.Refused++
		}
	}
	var prevs []*content.Report
	if sub.Period.Kind == content.Monthly {
		if inst, err := s.keptInstitution(repo, sub.Slug); err == nil && inst != nil {
			start := sub.Period.Start()
			for i := 1; i <= 3; i++ {
				m := start.AddMonths(-i)
				p := content.MonthPeriod(m.Year, m.Month)
				d.PrevPeriods = append(d.PrevPeriods, p)
				prevs = append(prevs, inst.Report(p))
			}
		}
	}
	if sub.Previous != nil {
		d.EarlierLabel = "上一次提交"
		if sub.PreviousFrom == "main" {
			d.EarlierLabel = "已审核的版本"
		}
		if sub.Report != nil {
			d.Diff = review.Diff(sub.Previous, sub.Report)
		}
	}
	if rep := sub.Report; rep != nil {
		for _, f := range review.Figures {
			row := figureRow{Label: f.Label, Value: "—"}
			if rep.Indicators != nil {
				row.Value = f.Format(f.Get(rep.Indicators))
			}
			if sub.Previous != nil && sub.Previous.Indicators != nil {
				row.Earlier = f.Format(f.Get(sub.Previous.Indicators))
			}
			for _, p := range prevs {
				v := "未报"
				if p != nil && p.Indicators != nil {
					v = f.Format(f.Get(p.Indicators))
				}
				row.Previous = append(row.Previous, v)
			}
			d.Figures = append(d.Figures, row)
		}
		d.Files = append(append(d.Files, rep.Documents...), rep.Evidence...)
		for _, f := range rep.Financing {
			d.FinancingSum += f.AmountWan
		}
	}
	s.render(w, http.StatusOK, "submission", page{Title: sub.Institution + " " + sub.Period.Chinese(), Staff: se, Flash: s.sess.takeFlash(se), Data: d})
}

// settled explains why a branch that is gone or merged cannot be acted on
// again: who approved or rejected the tip the staff member saw.
func settled(repo *review.Repo, branch, tip string) string {
	if rejs, err := repo.Rejections(); err == nil {
		for i := len(rejs) - 1; i >= 0; i-- {
			if rejs[i].Branch == branch && rejs[i].Tip == tip {
				return fmt.Sprintf("%s 已由 %s 于 %s 驳回，本次操作未执行。", branch, rejs[i].By, rejs[i].Time.In(content.CST).Format("2006-01-02 15:04"))
			}
		}
	}
	ref, err := repo.Git.Reference(review.MainBranch, true)
	if err == nil {
		h := ref.Hash()
		for i := 0; i < 500; i++ {
			c, err := repo.Git.CommitObject(h)
			if err != nil || len(c.ParentHashes) == 0 {
				break
			}
			if len(c.ParentHashes) > 1 && c.ParentHashes[1].String() == tip {
				return fmt.Sprintf("%s 已由 %s 于 %s 审核通过，本次操作未执行。", branch, c.Author.Name, c.Author.When.In(content.CST).Format("2006-01-02 15:04"))
			}
			h = c.ParentHashes[0]
		}
	}
	return ""
}

// current loads the branch for an action and checks that its tip is the
// one the staff member saw. It returns the repo (to close) and the
// submission, or writes the refusal and returns nil.
func (s *Server) current(w http.ResponseWriter, r *http.Request, se *session, action string) (*review.Repo, *review.Submission) {
	branch, tip := branchOf(r), r.PostForm.Get("tip")
	repo, ok := s.openRepo(w, se)
	if !ok {
		return nil, nil
	}
	refuse := func(status int, msg string) (*review.Repo, *review.Submission) {
		repo.Close()
		s.logAudit(auditLine{Event: "refused", User: se.name, Addr: s.clientAddr(r), Detail: action + " " + branch + ": " + msg})
		s.render(w, status, "message", page{Title: "未执行", Message: msg, Staff: se})
		return nil, nil
	}
	sub, err := repo.Get(branch)
	if err != nil || sub.Merged {
		if msg := settled(repo, branch, tip); msg != "" {
			return refuse(http.StatusConflict, msg)
		}
		if err != nil {
			if re, ok := err.(*review.Error); ok {
				return refuse(http.StatusNotFound, re.Msg)
			}
			repo.Close()
			s.fail(w, se, err)
			return nil, nil
		}
		return refuse(http.StatusConflict, branch+" 已经合并进 main，本次操作未执行。")
	}
	if sub.Tip.String() != tip {
		return refuse(http.StatusConflict, fmt.Sprintf("%s 在您打开页面之后又收到了新的提交，本次操作未执行：请重新查看最新内容后再决定。", branch))
	}
	return repo, sub
}

func (s *Server) approve(w http.ResponseWriter, r *http.Request, se *session, _ string) {
	s.act.Lock()
	defer s.act.Unlock()
	repo, sub := s.current(w, r, se, "approve")
	if repo == nil {
		return
	}
	defer repo.Close()
	a, err := repo.ApproveSeen(sub.Branch, sub.Tip, object.Signature{Name: se.name, Email: se.email}, s.cfg.Now())
	if err != nil {
		s.logAudit(auditLine{Event: "refused", User: se.name, Addr: s.clientAddr(r), Detail: "approve " + sub.Branch + ": " + review.CodeOf(err)})
		s.fail(w, se, err)
		return
	}
	s.logAudit(auditLine{Event: "approve", User: se.name, Addr: s.clientAddr(r), Detail: sub.Branch + " " + a.Merge.String()})
	s.sess.setFlash(se, fmt.Sprintf("已审核通过 %s %s：合并提交 %s，审核人 %s。", sub.Institution, sub.Period.Chinese(), a.Merge.String()[:12], se.name))
	http.Redirect(w, r, "/review/", http.StatusSeeOther)
}

func (s *Server) reject(w http.ResponseWriter, r *http.Request, se *session, _ string) {
	reason := strings.TrimSpace(r.PostForm.Get("reason_text"))
	if reason == "" {
		reason = strings.TrimSpace(r.PostForm.Get("reason"))
	}
	reason = safetext.Line(reason, 500)
	if strings.TrimSpace(reason) == "" {
		s.logAudit(auditLine{Event: "refused", User: se.name, Addr: s.clientAddr(r), Detail: "reject " + branchOf(r) + ": no reason"})
		s.render(w, http.StatusUnprocessableEntity, "message", page{Title: "未执行", Message: "请选择或填写驳回理由：它会记录在案并写进给机构的回执。本次操作未执行。", Staff: se})
		return
	}
	s.act.Lock()
	defer s.act.Unlock()
	repo, sub := s.current(w, r, se, "reject")
	if repo == nil {
		return
	}
	defer repo.Close()
	rej, err := repo.RejectSeen(sub.Branch, sub.Tip, reason, se.name+" <"+se.email+">", s.cfg.Now())
	if err != nil && rej == nil {
		s.logAudit(auditLine{Event: "refused", User: se.name, Addr: s.clientAddr(r), Detail: "reject " + sub.Branch + ": " + review.CodeOf(err)})
		s.fail(w, se, err)
		return
	}
	s.logAudit(auditLine{Event: "reject", User: se.name, Addr: s.clientAddr(r), Detail: sub.Branch + " " + rej.Kept})
	msg := fmt.Sprintf("已驳回 %s %s，理由：%s。", sub.Institution, sub.Period.Chinese(), reason)
	if err != nil {
		msg += "但：" + err.Error()
	}
	rr, qerr := repo.QueueRejectReceipt(rej, outbox.Server{})
	switch {
	case qerr != nil:
		s.cfg.Logf("console: receipt of %s: %v", sub.Branch, qerr)
		msg += "回执未能放入发件队列，请另行通知机构。"
	case !rr.Queued:
		msg += fmt.Sprintf("未发送回执：发件人 %s 不是该机构登记的报送邮箱，请另行通知机构。", rej.Sender)
	default:
		msg += fmt.Sprintf("回执已放入发件队列，收件人 %s，由运行中的 kjjr inbox 发出。", rr.To)
	}
	s.sess.setFlash(se, msg)
	http.Redirect(w, r, "/review/", http.StatusSeeOther)
}
