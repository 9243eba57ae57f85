package outbox

import (
	"errors"
	"strings"
	"time"

	"kjjr/internal/safetext"
)

// ObjectionReceipt acknowledges a mail to a 公示's objection address
// (第三条第5项). It goes to whoever sent the mail, who need not be an
// institution: it is the one receipt QueueObjectionReceipt sends without
// consulting Config.Senders, and its text says nothing about anyone but
// the sender's own mail.
type ObjectionReceipt struct {
	Key         string // idempotency key (the mail's identity)
	To          string // the sender
	InReplyTo   string
	OrigSubject string
	ReceivedAt  time.Time
	Title       string // the 公示's title
	Start, End  string // the 公示's first and last day, Chinese (2026年6月9日)
	Late        bool   // received after End: the window is closed
	Attachments []string
	Rule        string // the 公示 rule (objections in writing, real name, evidence)
}

// Subject returns the receipt's subject line.
func (r *ObjectionReceipt) Subject() string {
	if r.Late {
		return "回执：公示期已结束"
	}
	return "回执：已收到您对公示的异议"
}

// QueueObjectionReceipt records the receipt durably, once per Key. No
// network I/O.
func (o *Outbox) QueueObjectionReceipt(r *ObjectionReceipt) error {
	if r == nil || strings.TrimSpace(r.Key) == "" {
		return errors.New("outbox: objection receipt without a Key")
	}
	to, err := staffRecipients([]string{r.To})
	if err != nil {
		return err
	}
	key := "objection:" + r.Key
	return o.queue(key, "receipt", "", time.Time{}, func() (string, string, error) {
		subject := r.Subject()
		h, err := o.replyHeader(subject, key, to, nil, r.InReplyTo, nil)
		if err != nil {
			return "", "", err
		}
		msg, err := render(h, o.objectionBody(r))
		return subject, msg, err
	}, to)
}

func (o *Outbox) objectionBody(r *ObjectionReceipt) string {
	var t text
	line := func(s string) string { return safetext.Line(s, 0) }
	t.line("您好！")
	t.blank()
	when := ""
	if !r.ReceivedAt.IsZero() {
		when = "于" + chineseTime(r.ReceivedAt)
	}
	mailName := "您的邮件"
	if s := line(r.OrigSubject); s != "" {
		mailName = "您的邮件《" + s + "》"
	}
	title := line(r.Title)
	if title == "" {
		title = "科技金融服务机构名单的公示"
	}
	period := ""
	if r.Start != "" && r.End != "" {
		period = "（公示期" + line(r.Start) + "至" + line(r.End) + "）"
	}
	if r.Late {
		t.line("本平台已" + when + "收到" + mailName + "。《" + title + "》" + period + "已经结束，您的邮件在公示期结束后收到，已登记并转交市科技局备查。")
	} else {
		t.line("本平台已" + when + "收到" + mailName + "，已作为对《" + title + "》" + period + "的异议登记，将转交市科技局核实处理。")
		if len(r.Attachments) > 0 {
			t.blank()
			t.line("随附材料：")
			for _, a := range r.Attachments {
				t.line("  " + line(a))
			}
		}
	}
	t.blank()
	if rule := line(r.Rule); rule != "" {
		t.line(rule)
	}
	t.line("本回执仅确认收到邮件，不代表对异议内容的认定；异议人信息和异议内容不予公开。")
	t.blank()
	o.contact(&t)
	return t.String()
}
