package outbox

import (
	"context"
	"strings"
	"testing"
	"time"

	"kjjr/content"
)

func sampleApplication(key string) *ApplicationReceipt {
	return &ApplicationReceipt{
		Key: key, To: "a1@qingyuan.example.cn", InReplyTo: "<a1@qingyuan.example.cn>",
		OrigSubject: "申报晋中清源科技金融服务有限公司", ReceivedAt: time.Date(2026, 11, 20, 9, 0, 0, 0, content.CST),
		Applicant: "晋中清源科技金融服务有限公司", Round: "2026年度科技金融服务机构遴选（第二批）",
		Window:   content.Window{From: content.Date{Year: 2026, Month: 11, Day: 10}, To: content.Date{Year: 2026, Month: 11, Day: 30}},
		Accepted: true, Branch: "apply/2026-2/91140702MA0KAP001N",
		Files:  []ReceiptFile{{Name: "遴选申报表.xlsx", Size: 9000, Kept: true}, {Name: "logo.png", Size: 900, Note: "图片小于 10 KiB"}},
		Checks: []string{"【通过】统一社会信用代码：91140702MA0KAP001N", "【未通过】依法成立3年以上：成立于2024年11月30日，至申报截止日2026年11月30日不满3年"},
	}
}

// An application's receipt goes to the applicant's own address, which no
// institution lists (the Senders guard of report receipts does not apply),
// and states the round, the window, the result and the pre-check.
func TestApplicationReceipt(t *testing.T) {
	srv := startServer(t, serverOpts{})
	cfg := testConfig(srv.Addr, newClock())
	cfg.Senders = func(string) []string { return nil } // no institution lists the applicant
	o := openTest(t, cfg)
	if err := o.QueueApplicationReceipt(sampleApplication("k1")); err != nil {
		t.Fatal(err)
	}
	closed := sampleApplication("k2")
	closed.Accepted, closed.Closed, closed.Checks, closed.Branch = false, true, nil, ""
	closed.Problems = []string{"“2026年度科技金融服务机构遴选（第二批）”的申报时间为2026年11月10日至2026年11月30日，已于2026年11月30日截止"}
	if err := o.QueueApplicationReceipt(closed); err != nil {
		t.Fatal(err)
	}
	if err := o.QueueApplicationReceipt(sampleApplication("k1")); err != nil { // the same Key: nothing new
		t.Fatal(err)
	}
	for _, bad := range []string{"", "not an address", "a@b.cn, c@d.cn"} {
		r := sampleApplication("bad")
		r.To = bad
		if err := o.QueueApplicationReceipt(r); err == nil {
			t.Errorf("receipt to %q queued", bad)
		}
	}
	if err := o.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Msgs()
	if len(msgs) != 2 {
		t.Fatalf("delivered %d mails, want 2", len(msgs))
	}
	want := []struct {
		subject string
		words   []string
	}{
		{"回执：已收到遴选申报（初审有1项未通过，请查看）", []string{"晋中清源科技金融服务有限公司：", "遴选批次：2026年度科技金融服务机构遴选（第二批）",
			"申报时间：2026年11月10日至2026年11月30日（含当日）", "处理结果：已收到，等待科技局审核", "申报编号：apply/2026-2/91140702MA0KAP001N",
			"2. 【未通过】依法成立3年以上：成立于2024年11月30日", "2. logo.png（900 字节，未保存：图片小于 10 KiB）", "初审未通过的项目不影响本次受理"}},
		{"回执：申报未受理（不在申报时间内）", []string{"处理结果：不在申报时间内，本次申报未受理，材料未保存", "已于2026年11月30日截止"}},
	}
	for i, m := range msgs {
		if strings.Join(m.Rcpt, ",") != "a1@qingyuan.example.cn" {
			t.Errorf("recipients %v", m.Rcpt)
		}
		h, body := readMail(t, m.Data)
		if s, _ := h.Subject(); s != want[i].subject {
			t.Errorf("Subject %q, want %q", s, want[i].subject)
		}
		for _, w := range want[i].words {
			if !strings.Contains(body, w) {
				t.Errorf("receipt %d lacks %q:\n%s", i, w, body)
			}
		}
		if h.Get("In-Reply-To") != "<a1@qingyuan.example.cn>" || h.Get("Auto-Submitted") != "auto-replied" {
			t.Errorf("header %v", h)
		}
	}
}
