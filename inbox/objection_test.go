package inbox

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"

	"kjjr/selection"
)

// objectionFiles is the fixture repo with round 2026-1 decided and its
// 公示 running from 2026-11-16 to 2026-11-20 (testNow's day), objections
// to kjjr@example.gov.cn (the report address is baosong@example.gov.cn).
func objectionFiles(t testing.TB) map[string][]byte {
	files := fixtureFiles(t, "")
	files["rounds/2026-1.md"] = []byte(`---
title: 2026年度科技金融服务机构遴选（第一批）
notice: 2025-04-15-selection-round-1
application:
  from: "2026-10-08"
  to: "2026-11-06"
applicants: [jiexiu-xinke]
decision:
  date: "2026-11-13"
  meeting: 局党组会议
  selected: [jiexiu-xinke]
publicity: 2026-11-16-round-2026-1
---
`)
	files["publicity/2026-11-16-round-2026-1.md"] = []byte(`---
title: 关于2026年度科技金融服务机构遴选（第一批）拟确定名单的公示
round: 2026-1
start: "2026-11-16"
working_days: 5
institutions: [jiexiu-xinke]
objection_contact:
  department: 晋中市科学技术局 科技金融科
  email: kjjr@example.gov.cn
---
公示。
`)
	return files
}

// sunkText returns the subject and decoded text of a delivered receipt.
func sunkText(t testing.TB, m sunk) (string, string) {
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		t.Fatal(err)
	}
	subj, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	body, _ := io.ReadAll(msg.Body)
	text, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(body)), ""))
	if err != nil {
		t.Fatalf("receipt body: %v", err)
	}
	return subj, string(text)
}

// TestDovecotObjections: during the 公示, mail to the objection address from
// anyone is an objection, recorded privately with a receipt stating the
// 公示 rule; after its end, a receipt saying the window closed, recorded
// as late; a re-delivery is not recorded twice; an institution's report
// copied to the objection address stays a report.
func TestDovecotObjections(t *testing.T) {
	d := dovecot(t)
	user := d.account(t)
	dir, origin := cliRepo(t, objectionFiles(t))
	mainBefore := gitCLI(t, dir, "rev-parse", "main")
	sink := newSMTPSink(t)
	c := dovecotClient(t, d.Addr, user)

	inWindow := compose("张三 <zhangsan@example.com>", "对公示名单的异议\u202e", "obj-1@example.com", testNow,
		"本人张三，身份证号略。\x1b[2J\n鑫科服务办公场所不在晋中。", []attachment{{Name: "证明材料.pdf", Type: "application/pdf", Data: fakePDF(2000, "z")}})
	late := compose("李四 <lisi@example.com>", "迟到的异议", "obj-2@example.com", testNow.Add(72*time.Hour), "公示结束后才看到。", nil)
	report := bytes.Replace(compose(instSender, "2026年10月月报", "rep-1@jinchuang-capital.example.com", testNow, "月报见附件。",
		[]attachment{{Name: "月报.xlsx", Type: xlsxType, Data: goodSheet(t, "2026-10")}}),
		[]byte("To: kjjr@example.gov.cn\r\n"), []byte("To: baosong@example.gov.cn\r\nCc: kjjr@example.gov.cn\r\n"), 1)
	appendAt(t, c, inWindow, testNow)
	appendAt(t, c, late, time.Date(2026, 11, 23, 9, 0, 0, 0, testNow.Location()))
	appendAt(t, c, report, testNow)
	// A re-delivery of the first objection.
	appendAt(t, c, append([]byte("Received: from relay.example.net by mx.example.gov.cn; Fri, 20 Nov 2026 10:20:00 +0800\r\n"), inWindow...), testNow)

	opts := testOptions(nil)
	opts.queue = nil // the real outbox
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
	if st.Seen != 4 || st.Duplicates != 1 || st.Quarantined != 0 {
		t.Errorf("stats: %v", st)
	}
	for mb, want := range map[string]int{"INBOX": 0, "已处理": 4, "待核查": 0} {
		if n := mailboxCount(t, c, mb); n != want {
			t.Errorf("%s holds %d messages, want %d", mb, n, want)
		}
	}

	// Recorded privately: on refs/kjjr/rounds/2026-1, not on main, no branch.
	sr, err := selection.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer sr.Close()
	obs, err := sr.Objections("2026-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(obs) != 2 {
		t.Fatalf("%d objections recorded, want 2: %+v", len(obs), obs)
	}
	o := obs[0]
	if o.From != "zhangsan@example.com" || o.FromName != "张三" || o.Subject != "对公示名单的异议" || o.Late ||
		!strings.Contains(o.Text, "办公场所不在晋中") || strings.ContainsAny(o.Text, "\x1b") ||
		len(o.Attachments) != 1 || o.Attachments[0].Name != "证明材料.pdf" || o.Publicity != "2026-11-16-round-2026-1" {
		t.Errorf("objection = %+v", o)
	}
	if l := obs[1]; l.From != "lisi@example.com" || !l.Late {
		t.Errorf("late objection = %+v", l)
	}
	if got := gitCLI(t, dir, "rev-parse", "main"); got != mainBefore {
		t.Error("main moved")
	}
	if got := gitCLI(t, dir, "log", "--format=%cn %s", "refs/kjjr/rounds/2026-1"); !strings.Contains(got, "kjjr inbox 逾期异议") || !strings.Contains(got, "kjjr inbox 异议") {
		t.Errorf("private log:\n%s", got)
	}
	if got := gitCLI(t, origin, "for-each-ref", "refs/kjjr"); got != "" {
		t.Errorf("the private ref was pushed to origin: %s", got)
	}
	// The report copied to the objection address is a report.
	if b := gitCLI(t, dir, "for-each-ref", "--format=%(refname:short)", "refs/heads/submit/"); b != "submit/jinchuang-capital/2026-10" {
		t.Errorf("branches: %q", b)
	}
	gitCLI(t, dir, "fsck", "--strict", "--no-progress")

	// Receipts: one per objection (none for the re-delivery), one for the report.
	var objReceipts []sunk
	for _, m := range sink.all() {
		if len(m.To) == 1 && strings.HasSuffix(m.To[0], "@example.com") {
			objReceipts = append(objReceipts, m)
		}
	}
	if len(objReceipts) != 2 || len(sink.all()) != 3 {
		t.Fatalf("%d objection receipts of %d mails, want 2 of 3", len(objReceipts), len(sink.all()))
	}
	for _, m := range objReceipts {
		subj, text := sunkText(t, m)
		switch m.To[0] {
		case "zhangsan@example.com":
			for _, want := range []string{"已作为对《关于2026年度科技金融服务机构遴选（第一批）拟确定名单的公示》（公示期2026年11月16日至2026年11月20日）的异议登记",
				"请以书面形式实名", "提供必要的证明材料", "证明材料.pdf", "不予公开"} {
				if !strings.Contains(text, want) {
					t.Errorf("receipt to zhangsan lacks %q:\n%s", want, text)
				}
			}
			if subj != "回执：已收到您对公示的异议" {
				t.Errorf("subject %q", subj)
			}
		case "lisi@example.com":
			if subj != "回执：公示期已结束" || !strings.Contains(text, "已经结束") {
				t.Errorf("late receipt %q:\n%s", subj, text)
			}
		}
	}
}
