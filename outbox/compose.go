package outbox

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-message/mail"

	"kjjr/content"
	"kjjr/internal/safetext"
)

// fieldOrder is the order of the header fields in every mail (Date is
// added first when the mail is sent).
var fieldOrder = []string{"From", "To", "Cc", "Reply-To", "Subject", "Message-Id", "In-Reply-To", "References",
	"Auto-Submitted", "X-Auto-Response-Suppress", "MIME-Version", "Content-Type", "Content-Transfer-Encoding"}

// ordered returns h with its fields in fieldOrder (go-message writes
// fields in the reverse order they were set).
func ordered(h mail.Header) mail.Header {
	var out mail.Header
	for i := len(fieldOrder) - 1; i >= 0; i-- {
		if v := h.Get(fieldOrder[i]); v != "" {
			out.Set(fieldOrder[i], v)
		}
	}
	return out
}

// header starts a mail header with the fields every kjjr mail has.
func (o *Outbox) header(subject, key, kind string, to, cc []string, autoSubmitted string) (mail.Header, error) {
	var h mail.Header
	h.Set("MIME-Version", "1.0")
	h.Set("From", formatAddress(o.cfg.FromName, o.cfg.From))
	h.SetAddressList("To", addrList(to))
	if len(cc) > 0 {
		h.SetAddressList("Cc", addrList(cc))
	}
	if o.cfg.Contact.Email != "" {
		if a, err := parseAddr(o.cfg.Contact.Email); err == nil && !strings.EqualFold(a, o.cfg.From) {
			h.Set("Reply-To", formatAddress(o.cfg.Contact.Department, a))
		}
	}
	h.SetSubject(subject)
	h.SetMessageID(messageID(kind, key, o.cfg.From))
	// RFC 3834: this is an automatic message; Outlook/Exchange: do not send
	// out-of-office or other auto-replies to it.
	h.Set("Auto-Submitted", autoSubmitted)
	h.Set("X-Auto-Response-Suppress", "All")
	h.SetContentType("text/plain", map[string]string{"charset": "UTF-8"})
	h.Set("Content-Transfer-Encoding", "base64")
	return h, nil
}

// formatAddress writes one mailbox for a header field. A display name in
// plain ASCII is written as net/mail writes it. Any other name is written
// as ONE RFC 2047 encoded word in base64, whatever its length: a name
// split into several encoded words is read back with a space between
// the words by common parsers of address fields (Python's email package,
// and the clients built on such code), which turned 晋中市科学技术局
// into 晋中市科学技术 局. Up to 15 Chinese characters the word is within
// RFC 2047's 75 characters; a longer name gives a longer word, which
// decoders read as well (the header line stays far below 998). The name
// is one clean line (safetext.Line) first.
func formatAddress(name, addr string) string {
	name = safetext.Line(name, 0)
	a := &mail.Address{Address: addr}
	if name == "" {
		return a.String()
	}
	ascii := true
	for i := 0; i < len(name); i++ {
		if name[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		a.Name = name
		return a.String()
	}
	return "=?utf-8?b?" + base64.StdEncoding.EncodeToString([]byte(name)) + "?= " + a.String()
}

func addrList(l []string) []*mail.Address {
	out := make([]*mail.Address, len(l))
	for i, a := range l {
		out[i] = &mail.Address{Address: a}
	}
	return out
}

// messageID derives the Message-ID from the Key, in the From domain: the
// same Key always gives the same ID, so a mail is recognisable in logs and
// in the Sent folder, and two keys never share one.
func messageID(kind, key, from string) string {
	sum := sha256.Sum256([]byte(key))
	return fmt.Sprintf("kjjr.%s.%s@%s", kind, hex.EncodeToString(sum[:12]), helloName(from))
}

// render writes h and the body (lines joined with CRLF) as a message
// without the Date field (added when sent).
func render(h mail.Header, body string) (string, error) {
	var buf bytes.Buffer
	w, err := mail.CreateSingleInlineWriter(&buf, ordered(h))
	if err != nil {
		return "", fmt.Errorf("outbox: compose: %w", err)
	}
	body = strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n")
	if _, err := w.Write([]byte(body)); err != nil {
		return "", fmt.Errorf("outbox: compose: %w", err)
	}
	if err := w.Close(); err != nil {
		return "", fmt.Errorf("outbox: compose: %w", err)
	}
	if !bytes.HasSuffix(buf.Bytes(), []byte("\r\n")) {
		buf.WriteString("\r\n")
	}
	return buf.String(), nil
}

// text builds a plain-text body. Each line is written whole: mail
// clients (Foxmail, QQ Mail, 163, Outlook, phones) show text/plain as it
// is and wrap long lines to the window themselves, so a break written
// here would land inside a Chinese sentence, a file name, a path, an
// address or a hash. Lines end only between items (a paragraph, a file,
// a problem). Every value from mail is one line (safetext.Line) before it
// is written, so it cannot start a line of its own, and the body is
// base64, so long lines cost nothing on the wire.
type text struct{ b strings.Builder }

// line writes s as one line.
func (t *text) line(s string) {
	t.b.WriteString(strings.TrimRight(s, " "))
	t.b.WriteByte('\n')
}

func (t *text) blank() { t.b.WriteByte('\n') }

// received writes a receipt's salutation to name (fallback when it is
// empty) and the line saying when the mail with subject arrived, each a
// blank line after it. Name and subject come from mail: each is one clean
// line here, so it cannot add lines that look like the bureau's own.
func (t *text) received(name, fallback string, at time.Time, subject string) {
	if name = safetext.Line(name, 0); name == "" {
		name = fallback
	}
	t.line(name + "：")
	t.blank()
	when := ""
	if !at.IsZero() {
		when = "于" + chineseTime(at)
	}
	if subj := safetext.Line(subject, 0); subj != "" {
		t.line("您好！本平台已" + when + "收到贵单位发送的邮件《" + subj + "》。")
	} else {
		t.line("您好！本平台已" + when + "收到贵单位发送的邮件。")
	}
	t.blank()
}

func (t *text) String() string { return t.b.String() }

// size renders n bytes for people: 23.4 KB（23958 字节）.
func size(n int64) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d 字节", n)
	case n < 1024*1024:
		return fmt.Sprintf("%.1f KB（%d 字节）", float64(n)/1024, n)
	default:
		return fmt.Sprintf("%.1f MB（%d 字节）", float64(n)/(1024*1024), n)
	}
}

// chineseTime renders t in CST: 2026年11月5日 14:32.
func chineseTime(t time.Time) string {
	t = t.In(content.CST)
	return fmt.Sprintf("%d年%d月%d日 %02d:%02d", t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute())
}

// itemName names what a period's report is: 2026年10月月报,
// 2026年上半年工作进展报告, 2026年度工作总结.
func itemName(k content.PeriodKind, p content.Period) string {
	if p.IsZero() {
		switch k {
		case content.Monthly:
			return "月报"
		case content.HalfYear:
			return "半年工作进展报告"
		case content.Annual:
			return "年度工作总结"
		}
		return "报送材料"
	}
	switch p.Kind {
	case content.Monthly:
		return p.Chinese() + "月报"
	case content.HalfYear:
		return p.Chinese() + "工作进展报告"
	case content.Annual:
		return p.Chinese() + "工作总结"
	}
	return "报送材料"
}

// toInbox is "至报送邮箱 <address>" when the inbox address is known.
func (o *Outbox) toInbox() string {
	if a := safetext.Line(o.cfg.Inbox, 0); a != "" {
		return "至报送邮箱 " + a
	}
	return ""
}

// contact writes the closing lines: whom to ask.
func (o *Outbox) contact(t *text) {
	c := o.cfg.Contact
	if c.Department == "" && c.Phone == "" && c.Email == "" {
		return
	}
	who := c.Department
	if c.Person != "" {
		who = strings.TrimSpace(who + " " + c.Person)
	}
	if who != "" {
		t.line("如有疑问，请联系" + who + "。")
	} else {
		t.line("如有疑问，请联系我们。")
	}
	if c.Phone != "" {
		t.line("电话：" + c.Phone)
	}
	if c.Email != "" {
		t.line("邮箱：" + c.Email)
	}
}

// Subject returns the receipt's subject line.
func (r *Receipt) Subject() string {
	item := itemName(r.Kind, r.Period)
	if r.Accepted {
		return "回执：已收到" + item
	}
	if item == "报送材料" {
		return "回执：您发送的报送材料未通过校验，请修改后重新发送"
	}
	return "回执：" + item + "未通过校验，请修改后重新发送"
}

// Body returns the receipt's text (LF line ends), as the mail carries it.
func (o *Outbox) receiptBody(r *Receipt) string {
	var t text
	// Every value of the receipt may come from mail (the subject, file
	// names, problems quoting a cell): each is one clean line here, so it
	// cannot add lines that look like the bureau's own.
	line := func(s string) string { return safetext.Line(s, 0) }
	t.received(r.Institution, "报送单位", r.ReceivedAt, r.OrigSubject)
	t.line("报送内容：" + itemName(r.Kind, r.Period))
	if r.Accepted {
		t.line("处理结果：已接收，等待科技局审核")
		if r.Branch != "" {
			t.line("审核分支：" + line(r.Branch))
		}
	} else {
		t.line("处理结果：未通过校验，本次报送未被接收")
	}
	if !r.Due.Date.IsZero() {
		t.line("截止日期：" + r.Due.Chinese())
		switch {
		case r.ReceivedAt.IsZero():
		case !r.Accepted:
			t.line("报送时限：本次未被接收，以修改后重新发送的时间判断是否按时")
		case r.Due.Late(content.DateOf(r.ReceivedAt)):
			t.line("报送时限：" + content.StateLate.Chinese() + "（截止日期后收到，将记入年度考核）")
		default:
			t.line("报送时限：" + content.StateOnTime.Chinese())
		}
	}
	t.blank()
	if len(r.Files) == 0 {
		t.line("附件：无")
	} else {
		t.line(fmt.Sprintf("附件（共%d个）：", len(r.Files)))
		for i, f := range r.Files {
			t.line(fmt.Sprintf("%d. %s", i+1, line(f.Name)))
			t.line("   大小：" + size(f.Size))
			if f.SHA256 != "" {
				t.line("   SHA-256：" + line(f.SHA256))
			}
			status := "已保存"
			if !f.Kept {
				status = "未保存"
			}
			if n := line(f.Note); n != "" {
				status += "：" + n
			}
			t.line("   " + status)
		}
	}
	t.blank()
	if len(r.Problems) > 0 {
		if r.Accepted {
			t.line(fmt.Sprintf("请注意以下问题（共%d处）：", len(r.Problems)))
		} else {
			t.line(fmt.Sprintf("需要修改的问题（共%d处）：", len(r.Problems)))
		}
		for i, p := range r.Problems {
			// One paragraph each: a line break in a problem (a cell's
			// text quoted in it) must not start a line of its own.
			t.line(fmt.Sprintf("%d. %s", i+1, line(p)))
		}
		t.blank()
	}
	if r.Accepted {
		t.line("审核通过后，报送情况将在平台上更新。如需更正，请重新发送整封邮件（含全部附件）" + o.toInbox() + "，以最后一次为准。")
	} else {
		t.line("请按以上提示修改后，重新发送整封邮件（含全部附件）" + o.toInbox() + "。")
	}
	t.blank()
	o.contact(&t)
	t.blank()
	t.line("（本邮件由系统自动发送。）")
	return t.String()
}

// replyHeader is the header of an automatic reply (a receipt) to the
// message whose Message-Id is inReplyTo: In-Reply-To names it and
// References lists references and then it, each id trimmed of its angle
// brackets and left out unless it is one clean token, so that a hostile
// Message-Id cannot add header fields.
func (o *Outbox) replyHeader(subject, key string, to, cc []string, inReplyTo string, references []string) (mail.Header, error) {
	h, err := o.header(subject, key, "receipt", to, cc, "auto-replied")
	if err != nil {
		return h, err
	}
	if id := strings.Trim(strings.TrimSpace(inReplyTo), "<>"); id != "" && !strings.ContainsAny(id, " \t<>\r\n") {
		h.SetMsgIDList("In-Reply-To", []string{id})
		var refs []string
		seen := map[string]bool{}
		for _, ref := range append(append([]string(nil), references...), id) {
			ref = strings.Trim(strings.TrimSpace(ref), "<>")
			if ref != "" && !seen[ref] && !strings.ContainsAny(ref, " \t<>\r\n") {
				seen[ref] = true
				refs = append(refs, ref)
			}
		}
		h.SetMsgIDList("References", refs)
	}
	return h, nil
}

// composeReceipt returns the subject and the message (without Date).
func (o *Outbox) composeReceipt(r *Receipt, to string, cc []string) (string, string, error) {
	subject := r.Subject()
	h, err := o.replyHeader(subject, r.Key, []string{to}, cc, r.InReplyTo, r.References)
	if err != nil {
		return "", "", err
	}
	msg, err := render(h, o.receiptBody(r))
	return subject, msg, err
}
