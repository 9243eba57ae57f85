package inbox

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/go-git/go-git/v5/plumbing"

	"kjjr/application"
	"kjjr/content"
	submit "kjjr/submission"
)

// The round of the application tests: its window holds testNow
// (2026-11-20) and closes on 2026-11-30.
const (
	roundSlug  = "2026-2"
	roundTitle = "2026年度科技金融服务机构遴选（第二批）"
	roundFile  = `---
title: ` + roundTitle + `
notice: 2026-11-09-selection-round-2
application:
  from: "2026-11-10"
  to: "2026-11-30"
---
`
	roundNotice = `---
kind: 遴选通知
title: 晋中市科技局关于开展2026年度科技金融服务机构遴选（第二批）工作的通知
date: "2026-11-09"
attachments:
  - title: 科技金融服务机构遴选申报表
    file: /downloads/shenbaobiao.xlsx
---
申报时间为2026年11月10日至11月30日。
`
)

// roundFiles are the fixture files with the round and its notice.
func roundFiles(t testing.TB) map[string][]byte {
	files := fixtureFiles(t, "")
	files["rounds/"+roundSlug+".md"] = []byte(roundFile)
	files["notices/2026-11-09-selection-round-2.md"] = []byte(roundNotice)
	return files
}

// applicationMail composes an application as an applicant sends it: the
// form and the attachments named.
func applicationMail(t testing.TB, from, msgID string, a *application.Application, atts ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := application.Fill(&b, a); err != nil {
		t.Fatal(err)
	}
	files := []attachment{{Name: "遴选申报表.xlsx", Type: xlsxType, Data: b.Bytes()}}
	for _, n := range atts {
		typ := "application/pdf"
		data := fakePDF(40_000, n+msgID)
		if strings.HasSuffix(n, ".jpg") {
			typ, data = "image/jpeg", append([]byte("\xff\xd8\xff\xe0"), fakePDF(40_000, n+msgID)...)
		}
		files = append(files, attachment{Name: n, Type: typ, Data: data})
	}
	return compose(from, "申报"+a.Institution.Name, msgID, testNow.Add(-time.Hour), "您好，附件为申报材料。", files)
}

func appendAt(t testing.TB, c *imapclient.Client, raw []byte, at time.Time) {
	t.Helper()
	ac := c.Append("INBOX", int64(len(raw)), &imap.AppendOptions{Time: at})
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

// TestDovecotApplications: a round's notice on main, then six
// applications through the real Dovecot, committed with the C git's
// fsck watching: a clean one, one founded 2 years before the close, one
// without a law or accounting firm, one from a registered institution,
// one after the window, and one sent twice (the second replaces the
// first). Branches, files, pre-check results and receipts as staff and
// applicants see them.
func TestDovecotApplications(t *testing.T) {
	d := dovecot(t)
	user := d.account(t)
	dir, origin := cliRepo(t, roundFiles(t))
	sink := newSMTPSink(t)
	c := dovecotClient(t, d.Addr, user)

	code := func(s string) string { return uscc(t, s) }
	clean := application.Example("晋中清源科技金融服务有限公司", code("91140702MA0KAP001"))
	young := application.Example("晋中新创科技服务有限公司", code("91140702MA0KAP002"))
	young.Institution.Founded = content.Date{Year: 2024, Month: 11, Day: 30}
	nofirm := application.Example("晋中汇融信息咨询有限公司", code("91140702MA0KAP003"))
	nofirm.Institution.Partners.LawFirms, nofirm.Institution.Partners.AccountingFirms = nil, nil
	registered := application.Example(instName, instUSCC)
	late := application.Example("晋中迟到科技有限公司", code("91140702MA0KAP004"))
	resub := application.Example("晋中再报科技金融服务有限公司", code("91140702MA0KAP005"))
	all := application.ExampleAttachments

	type msg struct {
		raw []byte
		at  time.Time
	}
	msgs := []msg{
		{applicationMail(t, "申报人 <a1@qingyuan.example.cn>", "a1@qingyuan.example.cn", clean, all...), testNow},
		{applicationMail(t, "a2@xinchuang.example.cn", "a2@xinchuang.example.cn", young, all...), testNow},
		{applicationMail(t, "a3@huirong.example.cn", "a3@huirong.example.cn", nofirm, all...), testNow},
		{applicationMail(t, instSender, "a4@jinchuang-capital.example.com", registered, all...), testNow},
		{applicationMail(t, "a5@chidao.example.cn", "a5@chidao.example.cn", late, all...), time.Date(2026, 12, 1, 9, 0, 0, 0, content.CST)},
		// First without the credit report, then complete.
		{applicationMail(t, "a6@zaibao.example.cn", "a6-1@zaibao.example.cn", resub, "营业执照.pdf", "办公场所照片.jpg"), testNow},
		{applicationMail(t, "a6@zaibao.example.cn", "a6-2@zaibao.example.cn", resub, "营业执照.pdf", "信用报告.pdf"), testNow.Add(time.Hour)},
	}
	for _, m := range msgs {
		appendAt(t, c, m.raw, m.at)
	}
	opts := testOptions(nil)
	opts.IMAP = IMAPConfig{Addr: d.Addr, User: user, Password: "pw", TLS: "none"}
	opts.SMTP = SMTPConfig{Addr: sink.Addr, TLS: "none"}
	w, err := NewWorker(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	st, err := w.RunOnce(context.Background())
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	if st.Committed != 6 || st.Quarantined != 1 || st.Rejected != 1 {
		t.Errorf("stats: %+v", st)
	}
	for mb, want := range map[string]int{"INBOX": 0, "已处理": 6, "待核查": 1} {
		if n := mailboxCount(t, c, mb); n != want {
			t.Errorf("%s holds %d messages, want %d", mb, n, want)
		}
	}
	branch := func(a *application.Application) string { return "apply/" + roundSlug + "/" + a.Institution.USCC }
	want := strings.Join([]string{branch(registered), branch(clean), branch(young), branch(nofirm), branch(resub)}, "\n")
	if got := gitCLI(t, dir, "for-each-ref", "--sort=refname", "--format=%(refname:short)", "refs/heads/apply/"); got != sortLines(want) {
		t.Errorf("branches:\n%s\nwant:\n%s", got, sortLines(want))
	}
	if got := gitCLI(t, origin, "for-each-ref", "--sort=refname", "--format=%(refname:short)", "refs/heads/apply/"); got != sortLines(want) {
		t.Errorf("origin branches:\n%s", got)
	}
	for _, r := range []string{dir, origin} {
		gitCLI(t, r, "fsck", "--strict", "--no-progress")
	}
	// The clean application: the draft record and the evidence, private.
	slug := strings.ToLower(clean.Institution.USCC)
	files := gitCLI(t, dir, "-c", "core.quotePath=false", "diff", "--name-only", "main", branch(clean))
	if n := len(strings.Split(files, "\n")); n != 6 || !strings.Contains(files, "institutions/"+slug+"/index.md") ||
		!strings.Contains(files, "institutions/"+slug+"/evidence/application-"+roundSlug+"/form.xlsx") {
		t.Errorf("clean application writes:\n%s", files)
	}
	var draft content.Institution
	raw := gitCLI(t, dir, "show", branch(clean)+":institutions/"+slug+"/index.md")
	if ds := content.DecodeRecord("index.md", []byte(raw+"\n"), &draft); ds.HasErrors() {
		t.Fatalf("draft record: %v\n%s", ds, raw)
	}
	if draft.Name != clean.Institution.Name || draft.Office.County != "榆次区" || len(draft.ReportSenders) != 1 || draft.ReportSenders[0].Email != "zhangsan@example.cn" {
		t.Errorf("draft record: %+v", draft)
	}
	body := gitCLI(t, dir, "log", "-1", "--format=%an <%ae>%n%B", branch(clean))
	for _, s := range []string{"a1@qingyuan.example.cn", "Kjjr-Kind: application", "Kjjr-Round: " + roundSlug,
		"Kjjr-Applicant: " + clean.Institution.USCC, "Kjjr-Institution: " + slug, "【通过】依法成立3年以上"} {
		if !strings.Contains(body, s) {
			t.Errorf("commit lacks %q:\n%s", s, body)
		}
	}
	if strings.Contains(body, "【未通过】") {
		t.Errorf("clean application fails the pre-check:\n%s", body)
	}
	failed := func(a *application.Application, rule string) {
		t.Helper()
		b := gitCLI(t, dir, "log", "-1", "--format=%B", branch(a))
		if !strings.Contains(b, "【未通过】"+rule) || strings.Count(b, "【未通过】") != 1 {
			t.Errorf("%s: want only %s failed:\n%s", a.Institution.Name, rule, b)
		}
	}
	failed(young, "依法成立3年以上")
	failed(nofirm, "与银行及律师或会计师事务所合作")
	// The registered institution's application is theirs.
	files = gitCLI(t, dir, "-c", "core.quotePath=false", "diff", "--name-only", "main", branch(registered))
	for _, f := range strings.Split(files, "\n") {
		if !strings.HasPrefix(f, "institutions/"+instSlug+"/") {
			t.Errorf("registered institution's application writes %s", f)
		}
	}
	raw = gitCLI(t, dir, "show", branch(registered)+":institutions/"+instSlug+"/index.md")
	if !strings.Contains(raw, instSender) || !strings.Contains(raw, "zhangsan@example.cn") {
		t.Errorf("registered draft lost or lacks senders:\n%s", raw)
	}
	// The resubmission: two commits; the tip holds the second's files only.
	if n := gitCLI(t, dir, "rev-list", "--count", "main.."+branch(resub)); n != "2" {
		t.Errorf("resubmitted branch has %s commits, want 2", n)
	}
	ev := gitCLI(t, dir, "-c", "core.quotePath=false", "ls-tree", "-r", "--name-only", branch(resub), "institutions/"+strings.ToLower(resub.Institution.USCC)+"/evidence/")
	if strings.Count(ev, "\n")+1 != 3 || !strings.Contains(ev, "信用报告.pdf") || strings.Contains(ev, "办公场所照片") {
		t.Errorf("resubmission evidence:\n%s", ev)
	}
	if b := gitCLI(t, dir, "log", "-1", "--format=%B", branch(resub)); !strings.HasPrefix(b, "重新申报") || strings.Contains(b, "【未通过】") {
		t.Errorf("resubmission commit:\n%s", b)
	}
	if b := gitCLI(t, dir, "log", "-1", "--format=%B", branch(resub)+"~1"); !strings.Contains(b, "【未通过】必需的附件") {
		t.Errorf("first submission should miss the credit report:\n%s", b)
	}
	// Receipts: one per message, each to its own sender only.
	got := sink.all()
	if len(got) != len(msgs) {
		t.Fatalf("%d receipts, want %d", len(got), len(msgs))
	}
	subjects := map[string]string{}
	for _, m := range got {
		if len(m.To) != 1 {
			t.Errorf("receipt to %v", m.To)
		}
		pm, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		dec := new(mime.WordDecoder)
		subj, _ := dec.DecodeHeader(pm.Header.Get("Subject"))
		text := decodeBody(t, pm)
		subjects[m.To[0]] += subj + "\n" + text
	}
	expect := map[string][]string{
		"a1@qingyuan.example.cn":  {"回执：已收到遴选申报", "【通过】依法成立3年以上", roundTitle, "2026年11月10日至2026年11月30日"},
		"a2@xinchuang.example.cn": {"初审有1项未通过", "【未通过】依法成立3年以上", "不满3年"},
		"a3@huirong.example.cn":   {"初审有1项未通过", "【未通过】与银行及律师或会计师事务所合作"},
		instSender:                {"回执：已收到遴选申报"},
		"a5@chidao.example.cn":    {"不在申报时间内", "已于2026年11月30日截止", "材料未保存"},
		"a6@zaibao.example.cn":    {"【未通过】必需的附件", "已替换贵单位此前发送的申报材料"},
	}
	for to, words := range expect {
		for _, w := range words {
			if !strings.Contains(subjects[to], w) {
				t.Errorf("receipt to %s lacks %q:\n%s", to, w, subjects[to])
			}
		}
	}
	// A second pass with the same mail moved back: nothing new.
	w, err = NewWorker(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := w.RunOnce(context.Background()); err != nil || st.Seen != 0 {
		t.Errorf("second pass: %+v %v", st, err)
	}
	w.Close()
}

func sortLines(s string) string {
	l := strings.Split(s, "\n")
	for i := range l {
		for j := i + 1; j < len(l); j++ {
			if l[j] < l[i] {
				l[i], l[j] = l[j], l[i]
			}
		}
	}
	return strings.Join(l, "\n")
}

// decodeBody returns the text of a receipt (base64 text/plain).
func decodeBody(t testing.TB, m *mail.Message) string {
	t.Helper()
	b, err := io.ReadAll(m.Body)
	if err != nil {
		t.Fatal(err)
	}
	dec, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(b)), ""))
	if err != nil {
		t.Fatal(err)
	}
	return string(dec)
}

// The same message twice is one commit; a stranger's mail without a form
// during the window stays an unknown sender's; a stranger's application
// whose DKIM fails gets no receipt.
func TestApplicationEngine(t *testing.T) {
	dir := newFixtureRepo(t, false, roundFiles(t))
	q := newMemQueue()
	e, err := newEngine(dir, testOptions(q))
	if err != nil {
		t.Fatal(err)
	}
	defer e.close()
	a := application.Example("晋中清源科技金融服务有限公司", uscc(t, "91140702MA0KAP001"))
	raw := applicationMail(t, "a1@qingyuan.example.cn", "x1@qingyuan.example.cn", a, application.ExampleAttachments...)
	h, err := e.handle(context.Background(), raw, testNow)
	if err != nil || h.dest != destProcessed || h.branch != "apply/"+roundSlug+"/"+a.Institution.USCC {
		t.Fatalf("handled %+v %v", h, err)
	}
	h2, err := e.handle(context.Background(), raw, testNow)
	if err != nil || !h2.duplicate || h2.commit != h.commit {
		t.Fatalf("second delivery: %+v %v", h2, err)
	}
	if len(q.order) != 1 {
		t.Errorf("%d receipts, want 1", len(q.order))
	}
	// No form: an unknown sender's mail, no receipt.
	plain := compose("x@stranger.example.cn", "申报材料", "x2@stranger.example.cn", testNow, "见附件", []attachment{{Name: "营业执照.pdf", Type: "application/pdf", Data: fakePDF(20_000, "x")}})
	h, err = e.handle(context.Background(), plain, testNow)
	if err != nil || h.dest != destQuarantine || h.rejected || len(q.order) != 1 {
		t.Fatalf("no form: %+v %v, %d receipts", h, err, len(q.order))
	}
	// An auto-reply carrying a form: no receipt.
	auto := compose("x@stranger.example.cn", "申报", "x3@stranger.example.cn", testNow, "", []attachment{{Name: "f.xlsx", Type: xlsxType, Data: formBytes(t, a)}}, "Auto-Submitted: auto-replied")
	h, err = e.handle(context.Background(), auto, testNow)
	if err != nil || h.dest != destQuarantine || len(q.order) != 1 {
		t.Fatalf("auto-reply: %+v %v, %d receipts", h, err, len(q.order))
	}
	// Staff see the branch as the contract says.
	ref, err := e.store.repo.Reference(submit.ApplyBranch{Round: roundSlug, Applicant: a.Institution.USCC}.Ref(), true)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := e.store.repo.CommitObject(ref.Hash())
	if m, ok := submit.ParseApplyMeta(c.Message); !ok || m.Slug != strings.ToLower(a.Institution.USCC) {
		t.Errorf("trailers: %+v %v", m, ok)
	}
}

func formBytes(t testing.TB, a *application.Application) []byte {
	var b bytes.Buffer
	if err := application.Fill(&b, a); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Which round: the open one; of two, the one the subject names, else the
// one opened last; none outside.
func TestOpenRound(t *testing.T) {
	d := func(m time.Month, day int) content.Date { return content.Date{Year: 2026, Month: m, Day: day} }
	r := &content.Repo{Rounds: []*content.Round{
		{Title: "第一批", Application: content.Window{From: d(3, 1), To: d(3, 31)}, Meta: content.Meta{Slug: "2026-1"}},
		{Title: "补充遴选", Application: content.Window{From: d(3, 15), To: d(4, 15)}, Meta: content.Meta{Slug: "2026-s"}},
	}}
	for _, c := range []struct {
		day     content.Date
		subject string
		want    string
	}{
		{d(3, 1), "", "2026-1"},
		{d(3, 31), "", "2026-s"},
		{d(3, 20), "申报第一批", "2026-1"},
		{d(4, 15), "", "2026-s"},
		{d(4, 16), "", ""},
		{d(2, 28), "", ""},
	} {
		got := ""
		if rd := openRound(r, c.day, c.subject); rd != nil {
			got = rd.Slug
		}
		if got != c.want {
			t.Errorf("openRound(%s, %q) = %q, want %q", c.day, c.subject, got, c.want)
		}
	}
	if rd := nearestRound(r, d(5, 1)); rd == nil || rd.Slug != "2026-s" {
		t.Errorf("nearestRound after: %v", rd)
	}
}

// A stranger's message is read whole only while a window is open, or,
// with an application subject, near one; outside, it stays an unknown
// sender's (header only, no receipt).
func TestApplicationScreen(t *testing.T) {
	dir := newFixtureRepo(t, false, roundFiles(t))
	e, err := newEngine(dir, testOptions(newMemQueue()))
	if err != nil {
		t.Fatal(err)
	}
	defer e.close()
	snap, err := e.snapshotNow()
	if err != nil {
		t.Fatal(err)
	}
	a := e.analyzer(snap)
	hdr := func(subject string) []byte {
		return []byte("From: x@stranger.example.cn\r\nSubject: " + encodeWord(subject) + "\r\nMessage-ID: <s@x>\r\n\r\n")
	}
	for _, c := range []struct {
		subject string
		at      time.Time
		size    int64
		fetch   bool
	}{
		{"你好", testNow, 10_000, true},                                           // window open: any subject
		{"你好", testNow, 4 << 20, false},                                         // over max_message_mib (3): never read
		{"你好", time.Date(2026, 12, 5, 9, 0, 0, 0, content.CST), 10_000, false},  // closed, no hint
		{"遴选申报", time.Date(2026, 12, 5, 9, 0, 0, 0, content.CST), 10_000, true}, // closed, hint, near
		{"遴选申报", time.Date(2027, 6, 1, 9, 0, 0, 0, content.CST), 10_000, false}, // closed long ago
	} {
		pl := a.previewPlan(preview{header: hdr(c.subject), size: c.size, receivedAt: c.at}, a.limits())
		if got := pl == nil; got != c.fetch {
			t.Errorf("%q at %s, %d bytes: fetch %v, want %v", c.subject, c.at.Format(time.DateOnly), c.size, got, c.fetch)
		}
		if pl != nil && pl.code != ReasonUnknownSender && pl.code != ReasonRejected {
			t.Errorf("%q: quarantined as %s", c.subject, pl.code)
		}
	}
}

// A stranger's application over the limits is not committed; the
// applicant gets a receipt that says why.
func TestApplicationLimits(t *testing.T) {
	dir := newFixtureRepo(t, false, roundFiles(t))
	q := newMemQueue()
	e, err := newEngine(dir, testOptions(q))
	if err != nil {
		t.Fatal(err)
	}
	defer e.close()
	a := application.Example("晋中清源科技金融服务有限公司", uscc(t, "91140702MA0KAP001"))
	atts := []attachment{{Name: "申报表.xlsx", Type: xlsxType, Data: formBytes(t, a)}}
	for i := range 30 {
		atts = append(atts, attachment{Name: fmt.Sprintf("协议%02d.pdf", i), Type: "application/pdf", Data: fakePDF(12_000, fmt.Sprint(i))})
	}
	raw := compose("a1@qingyuan.example.cn", "申报", "lim@qingyuan.example.cn", testNow, "", atts)
	h, err := e.handle(context.Background(), raw, testNow)
	if err != nil || h.dest != destQuarantine || !h.rejected {
		t.Fatalf("handled %+v %v", h, err)
	}
	if refs, _ := e.store.repo.References(); refs != nil {
		_ = refs.ForEach(func(r *plumbing.Reference) error {
			if strings.HasPrefix(r.Name().String(), "refs/heads/apply/") {
				t.Errorf("committed %s", r.Name())
			}
			return nil
		})
	}
	if len(q.order) != 1 {
		t.Fatalf("%d receipts", len(q.order))
	}
	r := q.byKey[q.order[0]]
	if r.App == nil || r.Accepted || r.To != "a1@qingyuan.example.cn" || len(r.Problems) != 1 || !strings.Contains(r.Problems[0], "附件数量 31 个") {
		t.Errorf("receipt %+v", r)
	}
}

// An application form with a macro is taken (staff decide), with the
// active-content warning in the commit and the receipt.
func TestApplicationActiveContent(t *testing.T) {
	dir := newFixtureRepo(t, false, roundFiles(t))
	q := newMemQueue()
	e, err := newEngine(dir, testOptions(q))
	if err != nil {
		t.Fatal(err)
	}
	defer e.close()
	a := application.Example("晋中清源科技金融服务有限公司", uscc(t, "91140702MA0KAP001"))
	// One form: two calls need not give the same bytes (the workbook
	// records when it was written), so the length must be of the same one.
	form := formBytes(t, a)
	zr, err := zip.NewReader(bytes.NewReader(form), int64(len(form)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		w, _ := zw.Create(f.Name)
		rc, _ := f.Open()
		_, _ = io.Copy(w, rc)
		rc.Close()
	}
	w, _ := zw.Create("xl/vbaProject.bin")
	_, _ = w.Write([]byte("vba"))
	_ = zw.Close()
	raw := compose("a1@qingyuan.example.cn", "申报", "vba@qingyuan.example.cn", testNow, "", []attachment{{Name: "申报表.xlsx", Type: xlsxType, Data: buf.Bytes()}})
	h, err := e.handle(context.Background(), raw, testNow)
	if err != nil || h.dest != destProcessed {
		t.Fatalf("handled %+v %v", h, err)
	}
	r := q.byKey[q.order[0]]
	if len(r.Problems) != 1 || !strings.Contains(r.Problems[0], "宏") {
		t.Errorf("receipt problems %v", r.Problems)
	}
	c, _ := e.store.repo.CommitObject(h.commit)
	if !strings.Contains(c.Message, "警告：附件“申报表.xlsx”含有宏") {
		t.Errorf("commit message:\n%s", c.Message)
	}
}
