package outbox

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"kjjr/content"
	"kjjr/internal/safetext"
)

// ApplicationReceipt (申报回执) is what the inbox tells an applicant about
// one application to a selection round (第三条第2项): received and kept
// for staff, or not taken (the window is closed, the mail unusable), with
// the eligibility pre-check of 第二条 line by line.
//
// An applicant need not be registered: the receipt goes to the address
// that sent the application (To), and to no one else. That address is
// the applicant's own claim; the inbox queues such a receipt only for a
// mail that carries a readable application form and is no auto-reply, so
// kjjr never answers mail that is not an application.
type ApplicationReceipt struct {
	// Key is the identity of the original message: one receipt per Key.
	Key         string
	To          string
	InReplyTo   string
	References  []string
	OrigSubject string
	ReceivedAt  time.Time
	// Applicant is the name on the form ("" when not read).
	Applicant string
	// Slug is the registered institution the application was filed
	// under, "" for a new applicant.
	Slug string
	// Round is the round's title; Window its application window.
	Round  string
	Window content.Window
	// Accepted: the application was kept (committed) for staff.
	Accepted bool
	// Closed: no round's window was open when the mail arrived.
	Closed bool
	// Replaced: an earlier application of the same applicant to the same
	// round was replaced by this one.
	Replaced bool
	Branch   string
	Files    []ReceiptFile
	// Checks are the pre-check findings, one line each (【通过】…/【未通过】…).
	Checks []string
	// Problems are why the application was not taken, or warnings about
	// an accepted one (active content in an attachment).
	Problems []string
}

// Subject returns the receipt's subject line.
func (r *ApplicationReceipt) Subject() string {
	switch {
	case r.Closed:
		return "回执：申报未受理（不在申报时间内）"
	case !r.Accepted:
		return "回执：申报材料未能受理，请修改后重新发送"
	}
	failed := 0
	for _, c := range r.Checks {
		if strings.HasPrefix(c, "【未通过】") {
			failed++
		}
	}
	if failed > 0 {
		return fmt.Sprintf("回执：已收到遴选申报（初审有%d项未通过，请查看）", failed)
	}
	return "回执：已收到遴选申报"
}

// QueueApplicationReceipt records the receipt r durably, once per r.Key.
// No network I/O. Unlike a report's receipt, its recipient is not checked
// against an institution's report_senders (an applicant has none yet): it
// is the single address r.To, validated.
func (o *Outbox) QueueApplicationReceipt(r *ApplicationReceipt) error {
	if r == nil || strings.TrimSpace(r.Key) == "" {
		return errors.New("outbox: application receipt without a Key")
	}
	to, err := staffRecipients([]string{r.To})
	if err != nil {
		return err
	}
	key := "application:" + r.Key
	return o.queue(key, "receipt", r.Slug, time.Time{}, func() (string, string, error) {
		subject := r.Subject()
		h, err := o.replyHeader(subject, key, to, nil, r.InReplyTo, nil)
		if err != nil {
			return "", "", err
		}
		msg, err := render(h, o.applicationBody(r))
		return subject, msg, err
	}, to)
}

// applicationBody is the receipt's text.
func (o *Outbox) applicationBody(r *ApplicationReceipt) string {
	var t text
	line := func(s string) string { return safetext.Line(s, 0) }
	t.received(r.Applicant, "申报单位", r.ReceivedAt, r.OrigSubject)
	if rd := line(r.Round); rd != "" {
		t.line("遴选批次：" + rd)
	}
	if !r.Window.From.IsZero() {
		t.line("申报时间：" + r.Window.From.Chinese() + "至" + r.Window.To.Chinese() + "（含当日）")
	}
	switch {
	case r.Closed:
		t.line("处理结果：不在申报时间内，本次申报未受理，材料未保存")
	case r.Accepted && r.Replaced:
		t.line("处理结果：已收到，已替换贵单位此前发送的申报材料，等待科技局审核")
	case r.Accepted:
		t.line("处理结果：已收到，等待科技局审核")
	default:
		t.line("处理结果：申报材料未能受理")
	}
	if r.Accepted && r.Branch != "" {
		t.line("申报编号：" + line(r.Branch))
	}
	t.blank()
	if len(r.Checks) > 0 {
		t.line("资格初审（《办法》第二条，系统根据申报表自动核对，仅供参考，最终以专家评审和局党组研究结果为准）：")
		for i, c := range r.Checks {
			t.line(fmt.Sprintf("%d. %s", i+1, line(c)))
		}
		t.blank()
	}
	if len(r.Files) > 0 {
		t.line(fmt.Sprintf("附件（共%d个）：", len(r.Files)))
		for i, f := range r.Files {
			status := "已保存"
			if !f.Kept {
				status = "未保存"
			}
			if n := line(f.Note); n != "" && !f.Kept {
				status += "：" + n
			}
			t.line(fmt.Sprintf("%d. %s（%s，%s）", i+1, line(f.Name), size(f.Size), status))
		}
		t.blank()
	}
	if len(r.Problems) > 0 {
		if r.Accepted {
			t.line(fmt.Sprintf("请注意（共%d处）：", len(r.Problems)))
		} else {
			t.line(fmt.Sprintf("未受理的原因（共%d处）：", len(r.Problems)))
		}
		for i, p := range r.Problems {
			t.line(fmt.Sprintf("%d. %s", i+1, line(p)))
		}
		t.blank()
	}
	switch {
	case r.Closed:
		t.line("请关注市科技局发布的遴选通知，在申报时间内发送申报材料。")
	case r.Accepted:
		t.line("初审未通过的项目不影响本次受理；如需补正，请在申报截止前重新发送整封申报邮件（含申报表和全部附件）" + o.toInbox() + "，以最后一次为准。")
	default:
		t.line("请按以上提示修改后，在申报截止前重新发送整封申报邮件（含申报表和全部附件）" + o.toInbox() + "。")
	}
	t.blank()
	o.contact(&t)
	t.blank()
	t.line("（本邮件由系统自动发送。）")
	return t.String()
}
