package health

import (
	"strings"
	"testing"
	"time"

	"kjjr/content"
	"kjjr/outbox"
)

func openOutbox(t *testing.T, gd string) *outbox.Outbox {
	t.Helper()
	ob, err := outbox.Open(gd+"/kjjr/outbox", &outbox.Config{From: "kjjr@example.gov.cn"})
	if err != nil {
		t.Fatal(err)
	}
	return ob
}

func critical(at time.Time) Report {
	return Report{Status: Critical, At: at, Results: []Result{
		{Check: "inbox", Name: "收信", Status: Critical, Code: CauseAuth, Summary: "从未成功收信；最近错误：邮箱密码错误", Since: at.Add(-time.Minute)},
		{Check: "disk", Name: "磁盘", Status: OK, Summary: "正常"},
	}}
}

func TestNotifyOncePerDayAndRecovery(t *testing.T) {
	gd := t.TempDir()
	ob := openOutbox(t, gd)
	staff := Staff{To: []string{"ops@example.gov.cn"}, Site: "测试站点"}
	day1 := time.Date(2026, 11, 20, 9, 0, 0, 0, content.CST)
	sent, err := Notify(gd, critical(day1), ob, staff)
	if err != nil || len(sent) != 1 || sent[0].Recover {
		t.Fatalf("first: %+v %v", sent, err)
	}
	if !strings.Contains(sent[0].Subject, "邮箱密码错误") {
		t.Errorf("subject %q does not name the cause", sent[0].Subject)
	}
	// Ten minutes later, and late the same day (Beijing time): nothing.
	for _, at := range []time.Time{day1.Add(10 * time.Minute), time.Date(2026, 11, 20, 23, 50, 0, 0, content.CST)} {
		if sent, err := Notify(gd, critical(at), ob, staff); err != nil || len(sent) != 0 {
			t.Fatalf("again at %v: %+v %v", at, sent, err)
		}
	}
	// The next day: one more.
	if sent, err := Notify(gd, critical(day1.Add(24*time.Hour)), ob, staff); err != nil || len(sent) != 1 {
		t.Fatalf("next day: %+v %v", sent, err)
	}
	// Still broken, another way: a new alert, and no 已恢复 for the old cause.
	other := critical(day1.Add(24*time.Hour + time.Hour))
	other.Results[0].Code, other.Results[0].Summary = CauseConnect, "超过 30 分钟没有成功收信；最近错误：服务器无法连接"
	sent, err = Notify(gd, other, ob, staff)
	if err != nil || len(sent) != 1 || sent[0].Recover || !strings.Contains(sent[0].Subject, "服务器无法连接") {
		t.Fatalf("another cause: %+v %v", sent, err)
	}
	// Cleared: one recovery, then nothing.
	okRep := Report{Status: OK, At: day1.Add(25 * time.Hour), Results: []Result{{Check: "inbox", Name: "收信", Status: OK, Summary: "正常"}}}
	sent, err = Notify(gd, okRep, ob, staff)
	if err != nil || len(sent) != 1 || !sent[0].Recover || !strings.Contains(sent[0].Subject, "已恢复") {
		t.Fatalf("recovery: %+v %v", sent, err)
	}
	if sent, err := Notify(gd, okRep, ob, staff); err != nil || len(sent) != 0 {
		t.Fatalf("after recovery: %+v %v", sent, err)
	}
	list, _ := ob.List()
	if len(list) != 4 {
		t.Fatalf("outbox holds %d mails, want 4", len(list))
	}
	for _, e := range list {
		if e.Kind != "notice" || len(e.To) != 1 || e.To[0] != "ops@example.gov.cn" {
			t.Errorf("mail %+v", e)
		}
	}
	// A warning is no alert.
	warn := Report{Status: Warning, At: day1.Add(48 * time.Hour), Results: []Result{{Check: "quarantine", Name: "隔离区", Status: Warning, Code: "unreviewed"}}}
	if sent, err := Notify(gd, warn, ob, staff); err != nil || len(sent) != 0 {
		t.Fatalf("warning: %+v %v", sent, err)
	}
}

func TestNotifyNeverToAnInstitution(t *testing.T) {
	gd := t.TempDir()
	ob := openOutbox(t, gd)
	inst := &content.Institution{Name: "甲机构", ReportSenders: []content.Sender{{Email: "Report@Alpha.example.com"}}}
	_, err := Notify(gd, critical(time.Now()), ob, Staff{To: []string{"report@alpha.example.com"}, Institutions: []*content.Institution{inst}})
	if err == nil || !strings.Contains(err.Error(), "甲机构") {
		t.Fatalf("got %v, want a refusal naming the institution", err)
	}
	if _, err := Notify(gd, critical(time.Now()), ob, Staff{}); err != ErrNoAlertTo {
		t.Fatalf("no alert_to: %v", err)
	}
	if list, _ := ob.List(); len(list) != 0 {
		t.Fatalf("queued %d mails", len(list))
	}
}
