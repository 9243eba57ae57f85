package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"os"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/object"

	"kjjr/content"
	"kjjr/inbox"
	"kjjr/review"
)

// quarantine lists the mail the inbox set aside (inbox.ListQuarantine):
// reasons, sender, subject and attachments by name, newest first, each
// linking to its own page (quarantineRecord) where it is released or
// deleted.
func (s *Server) quarantine(w http.ResponseWriter, r *http.Request, se *session, _ string) {
	recs, err := inbox.ListQuarantine(s.gitDir)
	if err != nil {
		s.fail(w, se, err)
		return
	}
	var open []inbox.QuarantineRecord
	for i := len(recs) - 1; i >= 0; i-- {
		if recs[i].Reason != inbox.ReasonRejected {
			open = append(open, recs[i])
		}
	}
	s.render(w, http.StatusOK, "quarantine", page{Title: "待核查", Staff: se, Flash: s.sess.takeFlash(se), Data: open})
}

// rosterEntry is one institution of the 放行 select.
type rosterEntry struct{ Slug, Name string }

type quarantineData struct {
	R        *inbox.QuarantineRecord
	Header   string
	Roster   []rosterEntry
	Chosen   string // the institution preselected (the one the record names)
	Sender   string // the address 放行 may add to report_senders ("" when From is not one)
	Released bool
}

// senderOf returns the plain address of a record's From, or "" when it is
// not exactly one valid address (bad_sender).
func senderOf(rec *inbox.QuarantineRecord) string {
	a, err := mail.ParseAddress(rec.From)
	if err != nil || a.Address != strings.TrimSpace(rec.From) {
		return ""
	}
	return a.Address
}

// quarantineRecord shows one quarantined message: the reasons, its header
// block (escaped), the attachments by name, and the forms 放行 (to an
// institution chosen from the roster, optionally registering the sender)
// and 删除.
func (s *Server) quarantineRecord(w http.ResponseWriter, r *http.Request, se *session, _ string) {
	id := r.PathValue("id")
	rec, err := inbox.ReadQuarantine(s.gitDir, id)
	if errors.Is(err, os.ErrNotExist) {
		s.render(w, http.StatusNotFound, "message", page{Title: "未找到", Message: "隔离区没有这封邮件（可能已被删除）：请回到待核查列表。", Staff: se})
		return
	}
	if err != nil {
		s.fail(w, se, err)
		return
	}
	d := quarantineData{R: rec, Chosen: rec.Institution, Sender: senderOf(rec), Released: rec.Released != ""}
	if d.Header, err = inbox.QuarantineHeader(s.gitDir, id); err != nil {
		s.cfg.Logf("console: %v", err)
	}
	repo, ok := s.openRepo(w, se)
	if !ok {
		return
	}
	defer repo.Close()
	st, _, err := repo.LoadStatus(content.DateOf(s.cfg.Now()).Year)
	if err != nil {
		s.fail(w, se, err)
		return
	}
	for _, inst := range st.Institutions {
		d.Roster = append(d.Roster, rosterEntry{Slug: inst.Slug, Name: inst.Name})
	}
	sort.Slice(d.Roster, func(i, j int) bool { return d.Roster[i].Slug < d.Roster[j].Slug })
	title := "待核查 " + rec.ID
	s.render(w, http.StatusOK, "quarantine_record", page{Title: title, Staff: se, Flash: s.sess.takeFlash(se), Data: d})
}

// refuseQ writes a refusal of a quarantine action, logs it, and changes
// nothing.
func (s *Server) refuseQ(w http.ResponseWriter, r *http.Request, se *session, status int, action, id, msg string) {
	s.logAudit(auditLine{Event: "refused", User: se.name, Addr: s.clientAddr(r), Detail: action + " quarantine " + id + ": " + msg})
	s.render(w, status, "message", page{Title: "未执行", Message: msg, Staff: se})
}

// openRecord reads the record an action names, refusing one that is gone,
// released already or a rejected submission.
func (s *Server) openRecord(w http.ResponseWriter, r *http.Request, se *session, action string) *inbox.QuarantineRecord {
	id := r.PathValue("id")
	rec, err := inbox.ReadQuarantine(s.gitDir, id)
	if errors.Is(err, os.ErrNotExist) {
		s.refuseQ(w, r, se, http.StatusNotFound, action, id, "隔离区已没有这封邮件（可能已被删除），本次操作未执行。")
		return nil
	}
	if err != nil {
		s.fail(w, se, err)
		return nil
	}
	if rec.Released != "" {
		s.refuseQ(w, r, se, http.StatusConflict, action, id, fmt.Sprintf("这封邮件已于 %s 放行为 %s 的报送（分支 %s），本次操作未执行。",
			rec.ReleasedAt.In(content.CST).Format("2006-01-02 15:04"), rec.ReleasedAs, rec.Released))
		return nil
	}
	return rec
}

// releaseQ is 放行: the message becomes a submission of the chosen
// institution through inbox.Release (as `kjjr review release`), and, when
// asked, its sender is registered in that institution's report_senders by
// review.Repo.AddSender (a commit on main by the staff member). Whether the
// sender can be added is checked first, so a refusal of either step
// changes nothing; only a failure of the commit after the release (a lock,
// main moving three times) leaves the release done, and the message says
// so.
func (s *Server) releaseQ(w http.ResponseWriter, r *http.Request, se *session, _ string) {
	s.act.Lock()
	defer s.act.Unlock()
	rec := s.openRecord(w, r, se, "release")
	if rec == nil {
		return
	}
	if rec.Reason == inbox.ReasonRejected {
		s.refuseQ(w, r, se, http.StatusConflict, "release", rec.ID, "这封邮件来自登记的报送邮箱，因内容有误已被退回（回执已告知原因），不能放行：请机构改正后重新报送。")
		return
	}
	slug := strings.TrimSpace(r.PostForm.Get("institution"))
	addSender := r.PostForm.Get("add_sender") != ""
	repo, ok := s.openRepo(w, se)
	if !ok {
		return
	}
	defer repo.Close()
	inst, err := repo.Institution(slug)
	if err != nil {
		s.fail(w, se, err)
		return
	}
	if slug == "" || inst == nil {
		s.refuseQ(w, r, se, http.StatusUnprocessableEntity, "release", rec.ID, "请从名单中选择这封邮件所属的机构，本次操作未执行。")
		return
	}
	now := s.cfg.Now()
	sender := senderOf(rec)
	if addSender {
		if sender == "" {
			s.refuseQ(w, r, se, http.StatusUnprocessableEntity, "release", rec.ID, fmt.Sprintf("发件人 %q 不是一个有效的邮箱地址，不能登记为报送邮箱，本次操作未执行：请不勾选“登记发件人”再放行。", rec.From))
			return
		}
		if _, err := repo.CheckSender(slug, sender, now); err != nil {
			var re *review.Error
			if errors.As(err, &re) {
				s.refuseQ(w, r, se, http.StatusConflict, "release", rec.ID, "未放行："+re.Msg)
				return
			}
			s.fail(w, se, err)
			return
		}
	}
	opts := inbox.Options{}
	if s.cfg.Inbox != nil {
		opts = *s.cfg.Inbox
	}
	if opts.Now == nil {
		opts.Now = s.cfg.Now
	}
	branch, err := inbox.Release(context.WithoutCancel(r.Context()), s.cfg.Repo, rec.ID, slug, &opts)
	if err != nil && branch == "" {
		var re *inbox.ReleaseError
		if errors.As(err, &re) {
			s.refuseQ(w, r, se, http.StatusUnprocessableEntity, "release", rec.ID, err.Error()+"。本次操作未执行。")
			return
		}
		s.cfg.Logf("console: release %s: %v", rec.ID, err)
		s.logAudit(auditLine{Event: "refused", User: se.name, Addr: s.clientAddr(r), Detail: "release quarantine " + rec.ID + ": " + err.Error()})
		s.render(w, http.StatusInternalServerError, "message", page{Title: "未执行", Staff: se,
			Message: fmt.Sprintf("未能放行：连接收件邮箱或写入内容仓库时出错（%v）。本次操作未执行；请稍后重试，如反复出现请检查 kjjr console 的 --imap-addr 等设置。", err)})
		return
	}
	s.logAudit(auditLine{Event: "release", User: se.name, Addr: s.clientAddr(r), Detail: rec.ID + " " + slug + " " + branch})
	msg := fmt.Sprintf("已放行隔离邮件 %s，作为 %s 的报送写入分支 %s。", rec.ID, inst.Name, branch)
	if err != nil { // committed, but the record is not marked released
		s.cfg.Logf("console: release %s: %v", rec.ID, err)
		msg += "但隔离记录未能标为已放行，请勿再次放行。"
	}
	if addSender {
		ch, err := repo.AddSender(slug, sender, object.Signature{Name: se.name, Email: se.email}, now)
		switch {
		case err != nil:
			s.cfg.Logf("console: add sender %s to %s: %v", sender, slug, err)
			msg += fmt.Sprintf("但发件人 %s 未能登记到报送邮箱：%s 请到机构页面另行登记。", sender, err.Error())
		case ch.Already:
			msg += fmt.Sprintf("发件人 %s 已在该机构的报送邮箱中。", sender)
		default:
			s.logAudit(auditLine{Event: "add_sender", User: se.name, Addr: s.clientAddr(r), Detail: slug + " " + sender + " " + ch.Commit.String()})
			msg += fmt.Sprintf("已把发件人 %s 登记为该机构的报送邮箱（main 上的提交 %s，登记人 %s）。", sender, ch.Commit.String()[:12], se.name)
		}
	}
	s.sess.setFlash(se, msg)
	http.Redirect(w, r, "/review/"+branch, http.StatusSeeOther)
}

// deleteQ is 删除: the record and what the quarantine keeps of the message
// go (inbox.DeleteQuarantine); the audit log keeps who deleted what.
func (s *Server) deleteQ(w http.ResponseWriter, r *http.Request, se *session, _ string) {
	s.act.Lock()
	defer s.act.Unlock()
	id := r.PathValue("id")
	rec, err := inbox.DeleteQuarantine(s.gitDir, id)
	if errors.Is(err, os.ErrNotExist) {
		s.refuseQ(w, r, se, http.StatusNotFound, "delete", id, "隔离区已没有这封邮件（可能已被删除），本次操作未执行。")
		return
	}
	if err != nil && rec == nil {
		s.logAudit(auditLine{Event: "refused", User: se.name, Addr: s.clientAddr(r), Detail: "delete quarantine " + id + ": " + err.Error()})
		s.fail(w, se, err)
		return
	}
	if err != nil {
		s.cfg.Logf("console: %v", err)
	}
	s.logAudit(auditLine{Event: "delete_quarantine", User: se.name, Addr: s.clientAddr(r), Detail: rec.ID + " from " + rec.From + " reason " + rec.Reason})
	s.sess.setFlash(se, fmt.Sprintf("已删除隔离邮件 %s（发件人 %s）。", rec.ID, rec.From))
	http.Redirect(w, r, "/quarantine/", http.StatusSeeOther)
}
