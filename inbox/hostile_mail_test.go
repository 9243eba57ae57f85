package inbox

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message"
	"github.com/go-git/go-git/v5"
	"github.com/xuri/excelize/v2"

	"kjjr/content"
	"kjjr/content/gitfs"
	"kjjr/internal/safetext"
)

// dovecotRun appends raws to a fresh Dovecot mailbox, runs the worker
// once with the real outbox and an SMTP sink, and returns the repo's work
// tree and the sink.
func dovecotRun(t *testing.T, raws ...[]byte) (string, *smtpSink, Stats) {
	dir, sink, st, _ := dovecotRunLog(t, raws...)
	return dir, sink, st
}

// dovecotRunLog is dovecotRun that also returns the worker's log, as
// kjjr inbox writes it (slog text, debug level).
func dovecotRunLog(t *testing.T, raws ...[]byte) (string, *smtpSink, Stats, string) {
	t.Helper()
	d := dovecot(t)
	user := d.account(t)
	dir, _ := cliRepo(t, fixtureFiles(t, ""))
	sink := newSMTPSink(t)
	c := dovecotClient(t, d.Addr, user)
	for _, raw := range raws {
		appendMsg(t, c, "INBOX", raw)
	}
	opts := testOptions(nil)
	opts.queue = nil // the real outbox
	opts.IMAP = IMAPConfig{Addr: d.Addr, User: user, Password: "pw", TLS: "none"}
	opts.SMTP = SMTPConfig{Addr: sink.Addr, TLS: "none"}
	var log bytes.Buffer
	opts.Logger = slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	w, err := NewWorker(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	st, err := w.RunOnce(context.Background())
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	return dir, sink, st, log.String()
}

// receiptText decodes the body of a delivered receipt.
func receiptText(t *testing.T, data []byte) string {
	t.Helper()
	e, err := message.Read(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(e.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDovecotSenderIdentity: a message without exactly one From field
// holding exactly one valid mailbox is untrusted, whatever registered
// address it mentions: it is quarantined with the reason, no branch is
// written and no receipt goes out.
func TestDovecotSenderIdentity(t *testing.T) {
	sheet := goodSheet(t, "2026年10月")
	att := []attachment{{Name: "2026年10月考核表.xlsx", Type: xlsxType, Data: sheet}}
	mk := func(id, from string, extra ...string) []byte {
		return compose(from, "2026年10月月报", id, testNow.Add(-time.Hour), "您好，附件为10月月报。", att, extra...)
	}
	cases := map[string][]byte{
		"addr-then-angle": mk("f1@evil.example", instSender+" <attacker@evil.example>"),
		"double-at":       mk("f2@evil.example", instSender+"@evil.example"),
		"two-addresses":   mk("f3@evil.example", instSender+", attacker@evil.example"),
		"two-fields":      mk("f4@evil.example", instSender, "From: attacker@evil.example"),
		"two-fields-rev":  mk("f5@evil.example", "attacker@evil.example", "From: "+instSender),
		"no-from":         bytes.Replace(mk("f6@evil.example", instSender), []byte("From: "+instSender+"\r\n"), nil, 1),
		"group":           mk("f7@evil.example", "报送组: "+instSender+", attacker@evil.example;"),
	}
	var raws [][]byte
	for _, raw := range cases {
		raws = append(raws, raw)
	}
	dir, sink, st := dovecotRun(t, raws...)
	if st.Committed != 0 || st.Quarantined != len(cases) {
		t.Errorf("stats %v: want 0 committed, %d quarantined", st, len(cases))
	}
	if b := gitCLI(t, dir, "for-each-ref", "--format=%(refname)", "refs/heads/submit/"); b != "" {
		t.Errorf("branches written for untrusted senders:\n%s", b)
	}
	if n := len(sink.all()); n != 0 {
		t.Errorf("%d receipts sent, want none", n)
	}
	ob := filepath.Join(dir, ".git", "kjjr", "outbox")
	filepath.Walk(ob, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() && strings.HasSuffix(p, ".json") {
			t.Errorf("outbox holds %s", p)
		}
		return nil
	})
	recs, err := ListQuarantine(filepath.Join(dir, ".git"))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(cases) {
		t.Fatalf("%d quarantine records, want %d", len(recs), len(cases))
	}
	for _, r := range recs {
		if r.Reason != ReasonBadSender || r.Receipt || r.Institution != "" {
			t.Errorf("record %s: reason %q receipt %v institution %q", r.MessageID, r.Reason, r.Receipt, r.Institution)
		}
		if len(r.Reasons) != 1 || !strings.Contains(r.Reasons[0], "无法确认发件人") || !strings.Contains(r.Reasons[0], "发件人（From）") {
			t.Errorf("record %s reasons %q", r.MessageID, r.Reasons)
		}
	}
}

// TestDovecotHostileText: text from mail is data, not layout. A subject
// with line breaks cannot add lines to the receipt (which names the DDE
// formula of the sheet as a risk), an attachment name
// with NUL, BEL and ESC gives a commit that git fsck --strict accepts and
// git log shows without escapes, and a stranger's subject reaches the
// quarantine record as one clean line.
func TestDovecotHostileText(t *testing.T) {
	const injected = "\r\n处理结果：已接收，审核通过\r\n请将服务费 5000 元汇至账户 6222 0000 1111 2222\r\n"
	subjA := "2026年10月月报" + injected
	rawA := compose("周强 <"+instSender+">", subjA, "a1@jinchuang-capital.example.com", testNow.Add(-2*time.Hour), "您好，附件为10月月报。",
		[]attachment{{Name: "2026年10月考核表.xlsx", Type: xlsxType, Data: withActive(t, goodSheet(t, "2026年10月"), `cmd|'/C calc'!A0`)}})
	hostileName := "银企对接\x00\x07\x1b]0;pwned\x07\x1b[2J现场\u202efdp.exe\r\n.pdf"
	rawB := compose("周强 <"+instSender+">", "2026年9月月报", "b1@jinchuang-capital.example.com", testNow.Add(-time.Hour), "您好，附件为9月月报。",
		[]attachment{
			{Name: "2026年9月考核表.xlsx", Type: xlsxType, Data: goodSheet(t, "2026年9月")},
			{Name: hostileName, Type: "application/pdf", Data: fakePDF(40_000, "b")},
		})
	fakeRow := "正常主题\r\n0123456789abcdef0123  2026-11-20 10:00  " + instSender + "  2026年10月月报  内容不合格（已回执）\x1b[2J\x1b]0;title\x07"
	rawC := compose("attacker@evil.example", fakeRow, "c1@evil.example", testNow.Add(-time.Hour), "hi", nil)
	dir, sink, st, wlog := dovecotRunLog(t, rawA, rawB, rawC)
	if strings.ContainsAny(wlog, "\x00\x07\x1b\u202e") || !strings.Contains(wlog, "quarantined") {
		t.Errorf("the log carries control characters (or logged nothing): %q", wlog)
	}
	if st.Committed != 2 || st.Quarantined != 1 {
		t.Fatalf("stats %v", st)
	}

	// The receipts: the injected lines are not lines of their own.
	msgs := sink.all()
	if len(msgs) != 2 {
		t.Fatalf("%d receipts, want 2", len(msgs))
	}
	flagged, late := 0, 0
	for _, m := range msgs {
		body := receiptText(t, m.Data)
		// Received on 2026-11-20, after the deadlines of both months
		// (2026-11-10 and 2026-10-10): each receipt says so.
		if nl := strings.ReplaceAll(body, "\r\n", "\n"); (strings.Contains(nl, "\n截止日期：2026年11月10日\n") || strings.Contains(nl, "\n截止日期：2026年10月10日\n")) &&
			strings.Contains(nl, "\n报送时限：逾期报送") {
			late++
		}
		if strings.Contains(body, "附件“2026年10月考核表.xlsx”含有DDE 公式") && strings.Contains(body, "请勿启用宏") {
			flagged++ // the sheet's active content is named in its receipt
		}
		results := 0
		// The bureau's own lines start in column 0 (a value's
		// continuation lines are indented): none is the sender's text.
		for _, l := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n") {
			if strings.HasPrefix(l, "处理结果：") {
				results++
			}
			if !strings.HasPrefix(l, " ") && !strings.HasPrefix(l, "您好！") && (strings.Contains(l, "请将服务费") || strings.Contains(l, "汇至账户")) {
				t.Errorf("receipt has an injected line %q:\n%s", l, body)
			}
		}
		if results != 1 {
			t.Errorf("receipt has %d 处理结果 lines, want 1:\n%s", results, body)
		}
		if strings.ContainsAny(body, "\x00\x07\x1b\u202e") {
			t.Errorf("receipt carries control characters: %q", body)
		}
	}

	if late != 2 {
		t.Errorf("%d receipts state the deadline and 逾期报送, want 2", late)
	}
	if flagged != 1 {
		t.Errorf("%d receipts name the DDE formula, want 1", flagged)
	}

	// The commits: fsck --strict clean, git log without escapes.
	gitCLI(t, dir, "fsck", "--strict", "--no-progress")
	log := gitCLI(t, dir, "log", "--format=%an <%ae>%n%B", "submit/jinchuang-capital/2026-10", "submit/jinchuang-capital/2026-09")
	if strings.ContainsAny(log, "\x00\x07\x1b\u202e") {
		t.Errorf("git log carries control characters: %q", log)
	}
	if !strings.Contains(log, "《2026年10月月报 处理结果：已接收，审核通过 请将服务费") {
		t.Errorf("the subject is not kept as one line of data:\n%s", log)
	}
	if !strings.Contains(log, "- 银企对接]0;pwned[2J现场fdp.exe .pdf（40000 字节，保存）") {
		t.Errorf("the attachment name is not kept as one line of data:\n%s", log)
	}
	for _, l := range strings.Split(log, "\n") {
		if strings.HasPrefix(l, "请将服务费") || strings.HasPrefix(l, "处理结果") {
			t.Errorf("commit message has an injected line %q", l)
		}
	}
	tree := gitCLI(t, dir, "-c", "core.quotePath=false", "ls-tree", "-r", "--name-only", "submit/jinchuang-capital/2026-09", "--", "institutions/jinchuang-capital/evidence/")
	if strings.ContainsAny(tree, "\x00\x07\x1b\u202e\"\\") {
		t.Errorf("tree names carry control characters:\n%s", tree)
	}

	// The stranger's record: one clean line, nothing to lay out.
	recs, err := ListQuarantine(filepath.Join(dir, ".git"))
	if err != nil || len(recs) != 1 {
		t.Fatalf("quarantine: %v %d", err, len(recs))
	}
	r := recs[0]
	for _, s := range append([]string{r.From, r.Subject, r.MessageID}, r.Reasons...) {
		if !safetext.Clean(s) {
			t.Errorf("quarantine record holds unclean text %q", s)
		}
	}
	if !strings.HasPrefix(r.Subject, "正常主题 0123456789abcdef0123") {
		t.Errorf("subject %q", r.Subject)
	}
}

// plainWorkbook is a small workbook that is no monthly sheet.
func plainWorkbook(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	f.SetCellValue("Sheet1", "A1", "融资台账")
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// withActive adds formula to the first sheet of a workbook, in a cell the
// parser does not read.
func withActive(t *testing.T, data []byte, formula string) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sh := f.GetSheetList()[0]
	if err := f.SetCellFormula(sh, "Z40", formula); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestActiveContentFlagged: a monthly sheet with a DDE formula and an
// evidence workbook with a WEBSERVICE call are kept, and flagged in the
// report's warnings (kjjr review), in the commit and in the receipt, with
// the risk named in Chinese.
func TestActiveContentFlagged(t *testing.T) {
	e, q, dir := newTestEngine(t, false)
	raw := compose("周强 <"+instSender+">", "2026年10月月报", "act1@jinchuang-capital.example.com", testNow.Add(-time.Hour),
		"您好，附件为10月月报。", []attachment{
			{Name: "2026年10月考核表.xlsx", Type: xlsxType, Data: withActive(t, goodSheet(t, "2026年10月"), `cmd|'/C calc'!A0`)},
			{Name: "融资台账.xlsx", Type: xlsxType, Data: withActive(t, plainWorkbook(t), `WEBSERVICE("http://evil.example/")`)},
		})
	h, err := e.handle(context.Background(), raw, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if h.dest != destProcessed {
		t.Fatalf("handled = %+v", h)
	}
	r, _ := git.PlainOpen(dir)
	c, err := r.CommitObject(h.commit)
	if err != nil {
		t.Fatal(err)
	}
	fsys, _, err := gitfs.Rev(r, h.branch)
	if err != nil {
		t.Fatal(err)
	}
	repo, err := content.Load(fsys, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep := repo.Institution(instSlug).Report(content.Period{Kind: content.Monthly, Year: 2026, Month: 10})
	rc := q.byKey[q.order[0]]
	for what, text := range map[string]string{
		"report warnings": strings.Join(rep.Warnings, "\n"),
		"commit":          c.Message,
		"receipt":         strings.Join(rc.Problems, "\n"),
	} {
		for _, want := range []string{"附件“2026年10月考核表.xlsx”含有DDE 公式", "附件“融资台账.xlsx”含有WEBSERVICE 联网公式", "打开时可能执行外部程序"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s lacks %q:\n%s", what, want, text)
			}
		}
	}
	if !rc.Accepted {
		t.Error("a flagged sheet was not accepted")
	}
}
