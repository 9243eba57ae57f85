package health

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"kjjr/content"
	"kjjr/inbox"
	"kjjr/outbox"
)

var now = time.Date(2026, 11, 20, 10, 0, 0, 0, content.CST)

func defaults(t *testing.T) Limits {
	t.Helper()
	s := &content.Site{}
	s.ApplyDefaults()
	l, err := LimitsFrom(s)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestCheckInbox(t *testing.T) {
	l := defaults(t)
	fail := func(cause string, passes int, since time.Duration) *Failure {
		return &Failure{Cause: cause, Message: "x", Since: now.Add(-since), At: now.Add(-time.Minute), Passes: passes}
	}
	tests := []struct {
		name   string
		job    *Job
		want   Status
		code   string
		phrase string
	}{
		{"no record", nil, Unknown, "no_record", "没有收信记录"},
		{"recent success", &Job{OK: true, End: now.Add(-time.Minute), LastSuccess: now.Add(-time.Minute), Counts: map[string]int{"fetched": 3, "accepted": 2, "quarantined": 1}},
			OK, "", "收取 3 封：入库 2，隔离 1，退回 0"},
		{"never succeeded, wrong password", &Job{End: now, Error: fail(CauseAuth, 1, 0)}, Critical, CauseAuth, "从未成功收信；最近错误：邮箱密码错误"},
		{"success too old, certificate", &Job{End: now, LastSuccess: now.Add(-31 * time.Minute), Error: fail(CauseCertificate, 5, 25*time.Minute)},
			Critical, CauseCertificate, "超过 30 分钟没有成功收信"},
		{"stopped worker: last run long ago, it succeeded", &Job{OK: true, End: now.Add(-2 * time.Hour), LastSuccess: now.Add(-2 * time.Hour)},
			Critical, "stalled", "kjjr inbox 可能已停止"},
		{"two errors in a row, recent success", &Job{End: now, LastSuccess: now.Add(-5 * time.Minute), Error: fail(CauseConnect, 2, 3*time.Minute)},
			OK, "", "最近错误：服务器无法连接（连续 2 次"},
		{"three errors in a row", &Job{End: now, LastSuccess: now.Add(-5 * time.Minute), Error: fail(CauseConnect, 3, 3*time.Minute)},
			Warning, CauseConnect, "连续 3 次出错：服务器无法连接"},
		{"error cleared", &Job{OK: true, End: now, LastSuccess: now, Error: &Failure{Cause: CauseAuth, Passes: 9, Cleared: now}}, OK, "", "正常"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := CheckInbox(tt.job, l, now)
			if r.Status != tt.want || r.Code != tt.code || !strings.Contains(r.Summary, tt.phrase) {
				t.Errorf("got %v %q %q, want %v %q containing %q", r.Status, r.Code, r.Summary, tt.want, tt.code, tt.phrase)
			}
		})
	}
}

func TestCheckOutbox(t *testing.T) {
	l := defaults(t)
	e := func(s outbox.State, queued time.Duration) outbox.Entry {
		return outbox.Entry{Subject: "回执", State: s, Queued: now.Add(-queued), LastError: "550 no such user"}
	}
	tests := []struct {
		name    string
		entries []outbox.Entry
		want    Status
	}{
		{"empty", nil, OK},
		{"sent", []outbox.Entry{e(outbox.StateSent, time.Hour)}, OK},
		{"queued a minute", []outbox.Entry{e(outbox.StateQueued, time.Minute)}, OK},
		{"queued over an hour", []outbox.Entry{e(outbox.StateQueued, 61*time.Minute)}, Warning},
		{"queued for weeks still counts", []outbox.Entry{e(outbox.StateQueued, 30*24*time.Hour)}, Warning},
		{"unconfirmed", []outbox.Entry{e(outbox.StateUnconfirmed, time.Hour)}, Warning},
		{"failed", []outbox.Entry{e(outbox.StateSent, time.Hour), e(outbox.StateFailed, 2*time.Hour)}, Critical},
		{"expired", []outbox.Entry{e(outbox.StateExpired, 2*time.Hour)}, Critical},
		{"failed long ago is history", []outbox.Entry{e(outbox.StateFailed, 8*24*time.Hour)}, OK},
		{"failed beats late", []outbox.Entry{e(outbox.StateQueued, 2*time.Hour), e(outbox.StateFailed, time.Hour)}, Critical},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := CheckOutbox(tt.entries, l, now); r.Status != tt.want {
				t.Errorf("got %v (%s), want %v", r.Status, r.Summary, tt.want)
			}
		})
	}
}

func calendar(t *testing.T, years ...int) *content.Calendar {
	t.Helper()
	var ys []*content.CalendarYear
	for _, y := range years {
		ys = append(ys, &content.CalendarYear{Year: y})
	}
	c, ds := content.NewCalendar(ys)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	return c
}

func TestCheckCalendar(t *testing.T) {
	site := &content.Site{}
	site.ApplyDefaults()
	off := false
	noShift := &content.Site{Deadlines: content.Deadlines{ShiftRestDays: &off}}
	noShift.ApplyDefaults()
	tests := []struct {
		name  string
		site  *content.Site
		cal   *content.Calendar
		today content.Date
		want  Status
		what  string
	}{
		{"October, next year missing", site, calendar(t, 2026), content.Date{Year: 2026, Month: 10, Day: 31}, OK, ""},
		{"1 November, next year missing", site, calendar(t, 2026), content.Date{Year: 2026, Month: 11, Day: 1}, Warning, "calendar/2027.yaml"},
		{"15 November", site, calendar(t, 2026), content.Date{Year: 2026, Month: 11, Day: 15}, Warning, "calendar/2027.yaml"},
		{"31 December: December not over", site, calendar(t, 2026), content.Date{Year: 2026, Month: 12, Day: 31}, Warning, "calendar/2027.yaml"},
		{"2 January, December sheet due", site, calendar(t, 2026), content.Date{Year: 2027, Month: 1, Day: 2}, Critical, "2026年12月"},
		{"2 January, calendar there", site, calendar(t, 2026, 2027), content.Date{Year: 2027, Month: 1, Day: 2}, OK, ""},
		{"November, both there", site, calendar(t, 2026, 2027), content.Date{Year: 2026, Month: 11, Day: 15}, OK, ""},
		{"no shift rule: deadlines need no calendar", noShift, calendar(t, 2026), content.Date{Year: 2027, Month: 1, Day: 2}, Warning, "今年"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := CheckCalendar(tt.site, tt.cal, tt.today)
			if r.Status != tt.want || !strings.Contains(r.Summary, tt.what) {
				t.Errorf("got %v %q, want %v containing %q", r.Status, r.Summary, tt.want, tt.what)
			}
		})
	}
}

func TestCheckPolicy(t *testing.T) {
	site := &content.Site{Policy: content.Policy{Effective: content.Date{Year: 2025, Month: 3, Day: 18}}}
	site.ApplyDefaults()
	tests := []struct {
		today content.Date
		want  Status
	}{
		{content.Date{Year: 2026, Month: 12, Day: 16}, OK},      // 91 days left
		{content.Date{Year: 2026, Month: 12, Day: 17}, Warning}, // 90 days left
		{content.Date{Year: 2027, Month: 3, Day: 17}, Warning},  // last day in force
		{content.Date{Year: 2027, Month: 3, Day: 18}, Critical},
	}
	for _, tt := range tests {
		if r := CheckPolicy(site, tt.today); r.Status != tt.want {
			t.Errorf("%s: got %v (%s), want %v", tt.today, r.Status, r.Summary, tt.want)
		}
	}
	if r := CheckPolicy(&content.Site{}, tests[0].today); r.Status != Warning {
		t.Errorf("no effective date: got %v", r.Status)
	}
}

func TestCheckQuarantine(t *testing.T) {
	l := defaults(t)
	q := func(age time.Duration, released string) inbox.QuarantineRecord {
		return inbox.QuarantineRecord{ID: "q", ReceivedAt: now.Add(-age), Released: released}
	}
	day := 24 * time.Hour
	tests := []struct {
		name     string
		recs     []inbox.QuarantineRecord
		used     int64
		reviewed time.Time
		want     Status
	}{
		{"empty", nil, 0, time.Time{}, OK},
		{"six days old", []inbox.QuarantineRecord{q(6*day, "")}, 1, time.Time{}, OK},
		{"eight days old, never looked at", []inbox.QuarantineRecord{q(8*day, "")}, 1, time.Time{}, Warning},
		{"eight days old, released", []inbox.QuarantineRecord{q(8*day, "submit/a/2026-10")}, 1, time.Time{}, OK},
		{"eight days old, listed since", []inbox.QuarantineRecord{q(8*day, "")}, 1, now.Add(-7 * day), OK},
		{"eight days old, listed before it came", []inbox.QuarantineRecord{q(8*day, "")}, 1, now.Add(-9 * day), Warning},
		{"over budget", nil, l.QuarantineBudget + 1, time.Time{}, Warning},
		{"at budget", nil, l.QuarantineBudget, time.Time{}, OK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := CheckQuarantine(tt.recs, tt.used, tt.reviewed, l, now); r.Status != tt.want {
				t.Errorf("got %v (%s), want %v", r.Status, r.Summary, tt.want)
			}
		})
	}
}

func TestCheckDisk(t *testing.T) {
	l := defaults(t)
	tests := []struct {
		usedPct uint64
		want    Status
	}{{0, OK}, {50, OK}, {90, OK}, {91, Warning}, {97, Warning}, {98, Critical}, {100, Critical}}
	for _, tt := range tests {
		d := DiskUsage{Path: "/x", Total: 1000, Free: 1000 - tt.usedPct*10}
		if r := CheckDisk(d, l); r.Status != tt.want {
			t.Errorf("%d%% used: got %v (%s), want %v", tt.usedPct, r.Status, r.Summary, tt.want)
		}
	}
	if r := CheckDisk(DiskUsage{}, l); r.Status != Unknown {
		t.Errorf("unmeasured disk: got %v", r.Status)
	}
}

func TestCheckRemindAndPublish(t *testing.T) {
	l := defaults(t)
	if r := CheckRemind(&Job{OK: true, End: now.Add(-24 * time.Hour)}, l, now); r.Status != OK {
		t.Errorf("daily remind: %v", r.Status)
	}
	if r := CheckRemind(&Job{OK: true, End: now.Add(-37 * time.Hour)}, l, now); r.Status != Warning {
		t.Errorf("remind stopped: %v", r.Status)
	}
	if r := CheckRemind(&Job{End: now, Error: &Failure{Cause: CauseSMTPAuth, Passes: 1}}, l, now); r.Status != Warning || !strings.Contains(r.Summary, "发信邮箱密码错误") {
		t.Errorf("remind failed: %v %s", r.Status, r.Summary)
	}
	if r := CheckPublish(&Job{End: now, Error: &Failure{Cause: CauseOther, Message: "push rejected", Passes: 1}}, now); r.Status != Critical {
		t.Errorf("publish failed: %v", r.Status)
	}
	if r := CheckPublish(&Job{OK: true, End: now, LastSuccess: now}, now); r.Status != OK {
		t.Errorf("publish ok: %v", r.Status)
	}
	past := now.Add(-time.Hour)
	if r := CheckPublish(&Job{OK: true, End: past.Add(-time.Hour), LastSuccess: past.Add(-time.Hour), NextChange: past}, now); r.Status != Warning {
		t.Errorf("site older than its next change: %v", r.Status)
	}
	if r := CheckPublish(&Job{OK: true, End: now, LastSuccess: now, NextChange: now.Add(time.Hour)}, now); r.Status != OK {
		t.Errorf("next change ahead: %v", r.Status)
	}
}

func TestLimitsFrom(t *testing.T) {
	s := &content.Site{Ops: content.OpsLimits{InboxMaxAge: "2h", DiskWarnPercent: 80, InboxErrorPasses: 5}}
	s.ApplyDefaults()
	l, err := LimitsFrom(s)
	if err != nil || l.InboxMaxAge != 2*time.Hour || l.DiskWarn != 80 || l.InboxErrorPasses != 5 || l.DiskCrit != 97 {
		t.Fatalf("got %+v, %v", l, err)
	}
	s.Ops.OutboxQueuedMaxAge = "an hour"
	if _, err := LimitsFrom(s); err == nil || !strings.Contains(err.Error(), "ops.outbox_queued_max_age") {
		t.Fatalf("bad duration: %v", err)
	}
}

func TestWorse(t *testing.T) {
	for _, tt := range []struct{ a, b, want Status }{
		{OK, Unknown, Unknown}, {Unknown, Warning, Warning}, {Warning, Critical, Critical}, {Critical, Unknown, Critical}, {OK, OK, OK},
	} {
		if got := Worse(tt.a, tt.b); got != tt.want {
			t.Errorf("Worse(%v, %v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestCause(t *testing.T) {
	// Real errors from real sockets: an untrusted certificate, a refused
	// connection.
	tlsSrv := httptest.NewUnstartedServer(http.NotFoundHandler())
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0)
	tlsSrv.StartTLS()
	defer tlsSrv.Close()
	_, certErr := tls.Dial("tcp", tlsSrv.Listener.Addr().String(), &tls.Config{ServerName: "127.0.0.1"})
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	_, refused := net.Dial("tcp", addr)
	tests := []struct {
		err  error
		want string
	}{
		{fmt.Errorf("imap: connect x: %w", certErr), CauseCertificate},
		{fmt.Errorf("imap: connect x: %w", refused), CauseConnect},
		{fmt.Errorf("smtp: %w", &smtp.SMTPError{Code: 535, Message: "bad"}), CauseSMTPAuth},
		{fmt.Errorf("smtp: %w", &smtp.SMTPError{Code: 554, Message: "no"}), CauseSMTPRefused},
		{fmt.Errorf("write: %w", &os.PathError{Op: "write", Path: "x", Err: errNoSpace}), CauseDiskFull},
		{errors.New("something"), CauseOther},
	}
	for _, tt := range tests {
		if got := Cause(tt.err); got != tt.want {
			t.Errorf("Cause(%v) = %s, want %s", tt.err, got, tt.want)
		}
	}
}
