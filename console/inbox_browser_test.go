package console

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"mime"
	"os"
	"strings"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"kjjr/content"
	"kjjr/inbox"
	"kjjr/internal/dovecottest"
	"kjjr/internal/tinypdf"
	"kjjr/sheet"
)

// These tests put mail through the real inbox (a throwaway Dovecot on
// loopback, inbox.Worker.RunOnce on the fixture repo) and then use the
// console in Chromium on what it made: submission branches with evidence,
// and quarantined mail whose body only the IMAP quarantine folder holds.

type mailPart struct {
	name, ctype string
	data        []byte
}

// composeMail builds a multipart message as mail clients send it.
func composeMail(from, subject, msgID string, date time.Time, text string, parts ...mailPart) []byte {
	var b strings.Builder
	w := func(s string) { b.WriteString(strings.ReplaceAll(s, "\n", "\r\n")) }
	b64 := func(data []byte) {
		s := base64.StdEncoding.EncodeToString(data)
		for len(s) > 76 {
			b.WriteString(s[:76] + "\r\n")
			s = s[76:]
		}
		b.WriteString(s + "\r\n")
	}
	w("From: " + from + "\nTo: kjjr@example.gov.cn\nSubject: " + mime.BEncoding.Encode("utf-8", subject) + "\n")
	w("Date: " + date.Format(time.RFC1123Z) + "\nMessage-ID: <" + msgID + ">\nMIME-Version: 1.0\n")
	w("Content-Type: multipart/mixed; boundary=\"=_b\"\n\n--=_b\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n")
	b64([]byte(text))
	for _, p := range parts {
		n := mime.BEncoding.Encode("utf-8", p.name)
		w("--=_b\nContent-Type: " + p.ctype + "; name=\"" + n + "\"\nContent-Disposition: attachment; filename=\"" + n + "\"\nContent-Transfer-Encoding: base64\n\n")
		b64(p.data)
	}
	w("--=_b--\n")
	return []byte(b.String())
}

// monthlySheet is the filled monthly template of slug for period p.
func monthlySheet(t testing.TB, slug, p string) []byte {
	t.Helper()
	rep := monthly(slug, p, at("2026-05-05 10:00"), 8, "50")
	rep.Filer, rep.Phone, rep.FiledOn = "张三", "0354-5550251", content.Date{Year: 2026, Month: 5, Day: 5}
	var b bytes.Buffer
	if err := sheet.Fill(&b, &content.Institution{Name: institutions[slug][0], USCC: usccOf(slug)}, rep); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// usccOf is the credit code startInboxConsole registers for slug.
func usccOf(slug string) string { return testUSCC(900 + int(slug[0])) }

// inboxFixture is a console whose repo the real inbox fed from a Dovecot
// mailbox; Config.Inbox points 放行 at that mailbox.
type inboxFixture struct {
	*consoleFixture
	opts *inbox.Options
}

func startInboxConsole(t *testing.T) *inboxFixture {
	t.Helper()
	d := dovecottest.Start(t, dovecottest.Config{Users: map[string]string{"kjjr": "pw"}})
	clk := &clock{t: at("2026-05-06 09:00")}
	opts := &inbox.Options{
		IMAP:      inbox.IMAPConfig{Addr: d.Addr, User: "kjjr", Password: "pw", TLS: "none"},
		Now:       clk.now,
		LookupTXT: func(string) ([]string, error) { return nil, fmt.Errorf("no DNS in tests") },
	}
	f := startConsole(t, func(c *Config) { c.Inbox = opts; c.Now = clk.now })
	f.clock = clk
	// The inbox checks the sheet's credit code against the register.
	for slug, v := range institutions {
		f.write("institutions/"+slug+"/index.md", []byte(strings.Replace(instMD(v[0], v[1]), `uscc: ""`, `uscc: "`+usccOf(slug)+`"`, 1)))
	}
	f.git("commit", "-q", "-am", "登记统一社会信用代码")
	f.git("push", "-q", "content", "main")
	return &inboxFixture{consoleFixture: f, opts: opts}
}

// deliver appends the messages to INBOX and runs one pass of the inbox.
func (f *inboxFixture) deliver(t *testing.T, msgs ...[]byte) inbox.Stats {
	t.Helper()
	c, err := imapclient.DialInsecure(f.opts.IMAP.Addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("kjjr", "pw").Wait(); err != nil {
		t.Fatal(err)
	}
	for _, raw := range msgs {
		ac := c.Append("INBOX", int64(len(raw)), &imap.AppendOptions{Time: f.clock.now()})
		if _, err := ac.Write(raw); err != nil {
			t.Fatal(err)
		}
		if err := ac.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := ac.Wait(); err != nil {
			t.Fatal(err)
		}
	}
	w, err := inbox.NewWorker(f.bare, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	st, err := w.RunOnce(context.Background())
	if err != nil {
		t.Fatalf("inbox pass: %v", err)
	}
	return st
}

// quarantineID returns the ID of the record from addr.
func (f *inboxFixture) quarantineID(t *testing.T, addr string) string {
	t.Helper()
	recs, err := inbox.ListQuarantine(f.bare)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.From == addr {
			return r.ID
		}
	}
	t.Fatalf("no quarantine record from %s in %+v", addr, recs)
	return ""
}

// TestBrowserQuarantine releases a stranger's sheet to beta in Chromium,
// registering the sender: the message becomes submit/beta/2026-04, main
// gets one commit by the staff member adding the address to beta's
// index.md, git fsck --strict is clean. Then it deletes an advert.
func TestBrowserQuarantine(t *testing.T) {
	f := startInboxConsole(t)
	now := f.clock.now()
	st := f.deliver(t,
		composeMail("新同事 <new@beta.example.com>", "2026年4月月报", "beta-new@beta.example.com", now, "您好，我是新来的报送人，附件是四月月报。",
			mailPart{"乙融资服务中心2026年4月.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", monthlySheet(t, "beta", "2026-04")}),
		composeMail("推销 <ads@spam.example.com>", "优惠贷款", "ad1@spam.example.com", now, "低息贷款，欢迎咨询。"))
	if st.Quarantined != 2 {
		t.Fatalf("inbox pass: %+v, want 2 quarantined", st)
	}
	newID, adID := f.quarantineID(t, "new@beta.example.com"), f.quarantineID(t, "ads@spam.example.com")
	oldMain := gitCmd(t, f.bare, nil, "rev-parse", "main")

	tb := newTab(t)
	tb.login(t, f.url, staffName, staffPass)
	tb.do(t, chromedp.Click(chromedp.CSS(`a[href="/quarantine/"]`)), chromedp.WaitVisible(chromedp.CSS("#quarantine-list")),
		chromedp.Click(chromedp.CSS(`a[href="/quarantine/`+newID+`"]`)), chromedp.WaitVisible(chromedp.CSS("#release")))
	if h := tb.text(t, "#header"); !strings.Contains(h, "Message-ID: <beta-new@beta.example.com>") {
		t.Errorf("header block shown: %q", h)
	}
	if fl := tb.text(t, "#nobody"); !strings.Contains(fl, "附件名未知") {
		t.Errorf("a stranger's attachments: %q", fl)
	}
	tb.do(t, chromedp.SetValue(chromedp.CSS("#institution"), "beta"), chromedp.Click(chromedp.CSS("#add_sender")),
		chromedp.Click(chromedp.CSS("#release")), chromedp.WaitVisible(chromedp.CSS("#flash")))
	fl := tb.text(t, "#flash")
	if !strings.Contains(fl, "已放行隔离邮件 "+newID) || !strings.Contains(fl, "submit/beta/2026-04") || !strings.Contains(fl, "已把发件人 new@beta.example.com 登记") {
		t.Fatalf("flash after release: %q", fl)
	}
	if loc := tb.location(t); !strings.HasSuffix(loc, "/review/submit/beta/2026-04") {
		t.Errorf("after release at %s", loc)
	}
	if out := gitCmd(t, f.bare, nil, "for-each-ref", "--format=%(refname)", "refs/heads/submit/beta/2026-04"); out != "refs/heads/submit/beta/2026-04" {
		t.Fatalf("no submission branch after release: %q", out)
	}
	if got := gitCmd(t, f.bare, nil, "log", "-1", "--format=%an <%ae>|%cn <%ce>|%P", "main"); got != staffName+" <"+staffEmail+">|"+staffName+" <"+staffEmail+">|"+oldMain {
		t.Errorf("main's new commit: %q", got)
	}
	if idx := gitCmd(t, f.bare, nil, "show", "main:institutions/beta/index.md"); !strings.Contains(idx, "- email: new@beta.example.com") || !strings.Contains(idx, "report@beta.example.com") {
		t.Errorf("beta's index.md on main:\n%s", idx)
	}
	if files := gitCmd(t, f.bare, nil, "diff", "--name-only", oldMain, "main"); files != "institutions/beta/index.md" {
		t.Errorf("the commit changed %q", files)
	}
	gitCmd(t, f.bare, nil, "fsck", "--strict")
	if r, err := inbox.ReadQuarantine(f.bare, newID); err != nil || r.Released != "submit/beta/2026-04" || r.ReleasedAs != "beta" {
		t.Errorf("record after release: %+v %v", r, err)
	}

	// Back to the form (the browser may show it from its back/forward
	// cache, as it was) and 放行 again: refused, nothing moves. chromedp
	// loses track of a page restored from that cache, so the page is
	// driven by script until the next navigation.
	if _, err := chromedp.Run(tb.ctx, chromedp.Evaluate[any](`history.back()`)); err != nil {
		t.Fatal(err)
	}
	tb.waitJS(t, `location.pathname === "/quarantine/`+newID+`" && document.readyState === "complete"`)
	if _, err := chromedp.Run(tb.ctx, chromedp.Evaluate[any](`(() => {
		const b = document.querySelector("#release");
		if (b) { document.querySelector("#institution").value = "beta"; b.click(); } else { location.reload(); }
	})()`)); err != nil {
		t.Fatal(err)
	}
	tb.waitJS(t, `document.readyState === "complete" && document.body.innerText.includes("放行为 beta")`)
	if msg, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`document.body.innerText`)); err != nil || !strings.Contains(msg, "已于") || !strings.Contains(msg, "放行为 beta") {
		t.Errorf("second release: %q %v", msg, err)
	}
	if n := gitCmd(t, f.bare, nil, "rev-list", "--count", oldMain+"..main"); n != "1" {
		t.Errorf("%s commits on main after a second release, want 1", n)
	}

	// 删除 the advert with a double click: the form is posted twice at
	// once (by a script: the page's CSP forbids script requests, so the
	// test has the browser bypass it); one deletes, the other is refused.
	if _, err := chromedp.Call(tb.ctx, cdppage.SetBypassCSP, cdppage.SetBypassCSPParams{Enabled: true}); err != nil {
		t.Fatal(err)
	}
	tb.do(t, chromedp.Navigate(f.url+"/quarantine/"+adID), chromedp.WaitVisible(chromedp.CSS("#delete")))
	statuses, err := chromedp.Run(tb.ctx, chromedp.Evaluate[[]int](`(() => {
		const form = document.querySelector("#delete").form;
		const post = () => fetch(form.action, {method: "POST", body: new URLSearchParams(new FormData(form)), redirect: "manual"}).then(r => r.status);
		return Promise.all([post(), post()]);
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if len(statuses) != 2 || statuses[0]+statuses[1] != 404 { // an opaque redirect (0) and a 404
		t.Errorf("double delete: statuses %v, want one redirect and one 404", statuses)
	}
	if _, err := inbox.ReadQuarantine(f.bare, adID); err == nil {
		t.Error("the deleted record is still there")
	}
	tb.do(t, chromedp.Navigate(f.url+"/quarantine/"), chromedp.WaitVisible(chromedp.CSS("#flash")))
	if fl := tb.text(t, "#flash"); !strings.Contains(fl, "已删除隔离邮件 "+adID) {
		t.Errorf("flash after delete: %q", fl)
	}
	// 工作台 counts what still waits: neither the released nor the deleted message.
	tb.do(t, chromedp.Navigate(f.url+"/"), chromedp.WaitVisible(chromedp.CSS("#quarantine")))
	if n := tb.text(t, "#quarantine"); n != "0" {
		t.Errorf("dashboard quarantine count after release and delete: %q, want 0", n)
	}
	audit, _ := os.ReadFile(AuditFile(f.bare))
	if n := strings.Count(string(audit), `"event":"delete_quarantine"`); n != 1 {
		t.Errorf("%d deletions in the audit log, want 1", n)
	}
	if n := strings.Count(string(audit), `"event":"release"`); n != 1 {
		t.Errorf("%d releases in the audit log, want 1", n)
	}
	tb.checkErrors(t)
}

// TestBrowserEvidencePreview: a registered sender's sheet with a photo and
// a PDF goes through the inbox; the submission page shows the photo
// (loaded: naturalWidth > 0) and links the PDF and the workbook.
func TestBrowserEvidencePreview(t *testing.T) {
	f := startInboxConsole(t)
	st := f.deliver(t, composeMail("丙 <"+institutions["gamma"][1]+">", "2026年4月月报", "gamma-04@gamma.example.com", f.clock.now(), "附件为四月月报和现场照片。",
		mailPart{"丙2026年4月.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", monthlySheet(t, "gamma", "2026-04")},
		mailPart{"路演现场.png", "image/png", testPNG(t, 200, 150)},
		mailPart{"会议纪要.pdf", "application/pdf", tinypdf.Lines("roadshow minutes")}))
	if st.Committed != 1 {
		recs, _ := inbox.ListQuarantine(f.bare)
		t.Fatalf("inbox pass: %+v, want 1 committed; quarantine: %+v", st, recs)
	}
	tb := newTab(t)
	tb.login(t, f.url, staffName, staffPass)
	tb.do(t, chromedp.Navigate(f.url+"/review/submit/gamma/2026-04"), chromedp.WaitVisible(chromedp.CSS("img.evidence-image")))
	var width int
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	for {
		w, err := chromedp.Run(ctx, chromedp.Evaluate[int](`(() => { const i = document.querySelector("img.evidence-image"); return i.complete ? i.naturalWidth : 0 })()`))
		if err != nil {
			t.Fatal(err)
		}
		width = w
		if width > 0 || ctx.Err() != nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if width != 200 {
		t.Fatalf("evidence image naturalWidth = %d, want 200", width)
	}
	if l := tb.text(t, "a.evidence-pdf"); !strings.Contains(l, "会议纪要.pdf") {
		t.Errorf("PDF link: %q", l)
	}
	if l := tb.text(t, "a.evidence-download"); !strings.Contains(l, "丙2026年4月.xlsx") {
		t.Errorf("workbook link: %q", l)
	}
	tb.checkErrors(t)
}
