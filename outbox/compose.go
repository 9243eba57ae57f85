package outbox

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-message/mail"

	"kjjr/content"
	"kjjr/internal/safetext"
	"kjjr/internal/textwidth"
)

// lineWidth is the display width (a Chinese character counts 2) at which
// body lines are wrapped: short lines read well in Foxmail, QQ Mail,
// Outlook and on a phone.
const lineWidth = 60

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
	h.SetAddressList("From", []*mail.Address{{Name: o.cfg.FromName, Address: o.cfg.From}})
	h.SetAddressList("To", addrList(to))
	if len(cc) > 0 {
		h.SetAddressList("Cc", addrList(cc))
	}
	if o.cfg.Contact.Email != "" {
		if a, err := parseAddr(o.cfg.Contact.Email); err == nil && !strings.EqualFold(a, o.cfg.From) {
			h.SetAddressList("Reply-To", []*mail.Address{{Name: o.cfg.Contact.Department, Address: a}})
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

// text builds a plain-text body with short lines.
type text struct{ b strings.Builder }

// line writes s wrapped at lineWidth, continuation lines indented by indent spaces.
func (t *text) line(s string, indent int) {
	for _, l := range wrap(s, lineWidth, indent) {
		t.b.WriteString(l)
		t.b.WriteByte('\n')
	}
}

func (t *text) blank() { t.b.WriteByte('\n') }

func (t *text) String() string { return t.b.String() }

// noLineStart are characters that must not begin a line (Chinese line
// breaking rules).
const noLineStart = "，。、；：！？）」』》〉】”’,.;:!?)]%"

// noLineEnd are characters that must not end a line.
const noLineEnd = "（《「『〈【“‘(["

// wrap breaks s into lines of at most max columns. A run of ASCII
// non-space characters (a file name, a cell reference like 融资明细!G7's
// G7, an e-mail address, a hash) is not broken unless it alone is too long;
// Chinese text breaks between any two characters, except before closing
// punctuation.
func wrap(s string, max, indent int) []string {
	s = strings.TrimRight(s, " ")
	if s == "" {
		return []string{""}
	}
	// Tokens: an ASCII word, a single space, or one wide character with
	// any closing punctuation that follows it.
	var toks []string
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		j := i + n
		switch {
		case r == ' ':
		case r < 0x80:
			for j < len(s) && s[j] != ' ' && s[j] < 0x80 {
				j++
			}
		}
		for j < len(s) {
			r2, n2 := utf8.DecodeRuneInString(s[j:])
			if !strings.ContainsRune(noLineStart, r2) || (r2 < 0x80 && r < 0x80) {
				break
			}
			j += n2
		}
		toks = append(toks, s[i:j])
		i = j
	}
	// An opening bracket or quote must not end a line: glue it to what follows.
	for i := 0; i < len(toks)-1; i++ {
		if r, _ := utf8.DecodeLastRuneInString(toks[i]); strings.ContainsRune(noLineEnd, r) && toks[i+1] != " " {
			toks[i] += toks[i+1]
			toks = append(toks[:i+1], toks[i+2:]...)
			i--
		}
	}
	var lines []string
	var cur strings.Builder
	w := 0
	pad := strings.Repeat(" ", indent)
	flush := func() {
		lines = append(lines, strings.TrimRight(cur.String(), " "))
		cur.Reset()
		cur.WriteString(pad)
		w = indent
	}
	for _, tk := range toks {
		tw := textwidth.String(tk)
		if w+tw > max && w > indent {
			flush()
			if tk == " " {
				continue
			}
		}
		cur.WriteString(tk)
		w += tw
	}
	if strings.TrimSpace(cur.String()) != "" {
		lines = append(lines, strings.TrimRight(cur.String(), " "))
	}
	return lines
}

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
		t.line("如有疑问，请联系"+who+"。", 0)
	} else {
		t.line("如有疑问，请联系我们。", 0)
	}
	if c.Phone != "" {
		t.line("电话："+c.Phone, 0)
	}
	if c.Email != "" {
		t.line("邮箱："+c.Email, 0)
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
	name := line(r.Institution)
	if name == "" {
		name = "报送单位"
	}
	t.line(name+"：", 0)
	t.blank()
	when := ""
	if !r.ReceivedAt.IsZero() {
		when = "于" + chineseTime(r.ReceivedAt)
	}
	if subj := line(r.OrigSubject); subj != "" {
		// Continuation lines are indented: however the sender's subject
		// wraps, no part of it starts a line as the bureau's own do.
		t.line("您好！本平台已"+when+"收到贵单位发送的邮件《"+subj+"》。", 3)
	} else {
		t.line("您好！本平台已"+when+"收到贵单位发送的邮件。", 0)
	}
	t.blank()
	t.line("报送内容："+itemName(r.Kind, r.Period), 0)
	if r.Accepted {
		t.line("处理结果：已接收，等待科技局审核", 0)
		if r.Branch != "" {
			t.line("审核分支："+line(r.Branch), 0)
		}
	} else {
		t.line("处理结果：未通过校验，本次报送未被接收", 0)
	}
	t.blank()
	if len(r.Files) == 0 {
		t.line("附件：无", 0)
	} else {
		t.line(fmt.Sprintf("附件（共%d个）：", len(r.Files)), 0)
		for i, f := range r.Files {
			t.line(fmt.Sprintf("%d. %s", i+1, line(f.Name)), 3)
			t.line("   大小："+size(f.Size), 6)
			if f.SHA256 != "" {
				t.line("   SHA-256："+line(f.SHA256), 3)
			}
			status := "已保存"
			if !f.Kept {
				status = "未保存"
			}
			if n := line(f.Note); n != "" {
				status += "：" + n
			}
			t.line("   "+status, 3)
		}
	}
	t.blank()
	if len(r.Problems) > 0 {
		if r.Accepted {
			t.line(fmt.Sprintf("请注意以下问题（共%d处）：", len(r.Problems)), 0)
		} else {
			t.line(fmt.Sprintf("需要修改的问题（共%d处）：", len(r.Problems)), 0)
		}
		for i, p := range r.Problems {
			// One paragraph each: a line break in a problem (a cell's
			// text quoted in it) must not start a line of its own.
			t.line(fmt.Sprintf("%d. %s", i+1, line(p)), 3)
		}
		t.blank()
	}
	if r.Accepted {
		t.line("审核通过后，报送情况将在平台上更新。如需更正，请重新发送整封邮件（含全部附件），以最后一次为准。", 0)
	} else {
		t.line("请按以上提示修改后，重新发送整封邮件（含全部附件）。", 0)
	}
	t.blank()
	o.contact(&t)
	t.blank()
	t.line("（本邮件由系统自动发送。）", 0)
	return t.String()
}

// composeReceipt returns the subject and the message (without Date).
func (o *Outbox) composeReceipt(r *Receipt, to string, cc []string) (string, string, error) {
	subject := r.Subject()
	h, err := o.header(subject, r.Key, "receipt", []string{to}, cc, "auto-replied")
	if err != nil {
		return "", "", err
	}
	if id := strings.Trim(strings.TrimSpace(r.InReplyTo), "<>"); id != "" && !strings.ContainsAny(id, " \t<>\r\n") {
		h.SetMsgIDList("In-Reply-To", []string{id})
		var refs []string
		seen := map[string]bool{}
		for _, ref := range append(append([]string(nil), r.References...), id) {
			ref = strings.Trim(strings.TrimSpace(ref), "<>")
			if ref != "" && !seen[ref] && !strings.ContainsAny(ref, " <>\r\n") {
				seen[ref] = true
				refs = append(refs, ref)
			}
		}
		h.SetMsgIDList("References", refs)
	}
	msg, err := render(h, o.receiptBody(r))
	return subject, msg, err
}
