package outbox

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"

	"kjjr/content"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

const testFrom = "noreply@kjjr.example.gov.cn"

func testConfig(addr string, clk *clock) *Config {
	return &Config{
		Addr: addr, TLS: "none", From: testFrom, FromName: "晋中市科学技术局",
		Contact: content.Contact{Department: "晋中市科学技术局 科技金融科", Phone: "0354-555-0100", Email: "kjjr@example.gov.cn"},
		Now:     clk.Now,
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		Timeout: 10 * time.Second,
	}
}

func newClock() *clock {
	return &clock{t: time.Date(2026, 11, 5, 14, 40, 0, 0, content.CST)}
}

func openTest(t *testing.T, cfg *Config) *Outbox {
	t.Helper()
	o, err := Open(filepath.Join(t.TempDir(), "kjjr", "outbox"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func sampleReceipt(key string) *Receipt {
	return &Receipt{
		Key:         key,
		To:          "zhang@alpha.example.com",
		Cc:          []string{"li@alpha.example.com"},
		InReplyTo:   "<20261105143212.ABC@alpha.example.com>",
		References:  []string{"<earlier@alpha.example.com>"},
		OrigSubject: "2026年10月月报",
		ReceivedAt:  time.Date(2026, 11, 5, 14, 32, 0, 0, content.CST),
		Institution: "甲科技金融服务有限公司",
		Slug:        "alpha",
		Kind:        content.Monthly,
		Period:      content.Period{Kind: content.Monthly, Year: 2026, Month: 10},
		Accepted:    true,
		Branch:      "submit/alpha/2026-10",
		Files: []ReceiptFile{
			{Name: "2026年10月绩效评价考核表.xlsx", Size: 23958, SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Kept: true},
			{Name: "logo.png", Size: 3172, SHA256: "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752", Kept: false, Note: "小于10 KiB 的图片，视为签名图标"},
		},
	}
}

// readMail parses a delivered mail as a mail client would.
func readMail(t *testing.T, data []byte) (*mail.Header, string) {
	t.Helper()
	r, err := mail.CreateReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("mail does not parse: %v\n%s", err, data)
	}
	p, err := r.NextPart()
	if err != nil {
		t.Fatalf("no body: %v", err)
	}
	b, err := io.ReadAll(p.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &r.Header, strings.ReplaceAll(string(b), "\r\n", "\n")
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestReceiptAccepted(t *testing.T) {
	srv := startServer(t, serverOpts{})
	clk := newClock()
	o := openTest(t, testConfig(srv.Addr, clk))
	if err := o.QueueReceipt(sampleReceipt("<20261105143212.ABC@alpha.example.com> 1234")); err != nil {
		t.Fatal(err)
	}
	if got := len(srv.Msgs()); got != 0 {
		t.Fatalf("QueueReceipt sent mail (%d); it must not touch the network", got)
	}
	if err := o.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Msgs()
	if len(msgs) != 1 {
		t.Fatalf("delivered %d mails, want 1", len(msgs))
	}
	m := msgs[0]
	if m.From != testFrom {
		t.Errorf("envelope from %q", m.From)
	}
	if strings.Join(m.Rcpt, ",") != "zhang@alpha.example.com,li@alpha.example.com" {
		t.Errorf("envelope recipients %v", m.Rcpt)
	}
	h, body := readMail(t, m.Data)
	if s, _ := h.Subject(); s != "回执：已收到2026年10月月报" {
		t.Errorf("Subject %q", s)
	}
	if raw := h.Get("Subject"); !strings.HasPrefix(raw, "=?utf-8?") && !strings.HasPrefix(raw, "=?UTF-8?") {
		t.Errorf("Subject not RFC 2047 encoded: %q", raw)
	}
	from, _ := h.AddressList("From")
	if len(from) != 1 || from[0].Address != testFrom || from[0].Name != "晋中市科学技术局" {
		t.Errorf("From %v", from)
	}
	to, _ := h.AddressList("To")
	cc, _ := h.AddressList("Cc")
	if len(to) != 1 || to[0].Address != "zhang@alpha.example.com" || len(cc) != 1 || cc[0].Address != "li@alpha.example.com" {
		t.Errorf("To %v Cc %v", to, cc)
	}
	if d, err := h.Date(); err != nil || !d.Equal(clk.Now().Truncate(time.Second)) {
		t.Errorf("Date %v %v, want %v", d, err, clk.Now())
	}
	id, _ := h.MessageID()
	if !strings.HasSuffix(id, "@kjjr.example.gov.cn") {
		t.Errorf("Message-ID %q not in the From domain", id)
	}
	irt, _ := h.MsgIDList("In-Reply-To")
	refs, _ := h.MsgIDList("References")
	if strings.Join(irt, " ") != "20261105143212.ABC@alpha.example.com" ||
		strings.Join(refs, " ") != "earlier@alpha.example.com 20261105143212.ABC@alpha.example.com" {
		t.Errorf("threading: In-Reply-To %v References %v", irt, refs)
	}
	for k, want := range map[string]string{
		"Auto-Submitted":            "auto-replied",
		"X-Auto-Response-Suppress":  "All",
		"Content-Transfer-Encoding": "base64",
		"Reply-To":                  "",
	} {
		if got := h.Get(k); want != "" && got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	if rt, _ := h.AddressList("Reply-To"); len(rt) != 1 || rt[0].Address != "kjjr@example.gov.cn" {
		t.Errorf("Reply-To %v", rt)
	}
	if mt, params, _ := h.ContentType(); mt != "text/plain" || !strings.EqualFold(params["charset"], "utf-8") {
		t.Errorf("Content-Type %s %v", mt, params)
	}
	for _, want := range []string{"甲科技金融服务有限公司", "2026年11月5日 14:32", "submit/alpha/2026-10",
		"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "23.4 KB（23958 字节）",
		"未保存：小于10 KiB 的图片", "0354-555-0100"} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q", want)
		}
	}
	golden(t, "receipt_accepted.txt", body)
	checkHeaderLines(t, m.Data)
}

// checkHeaderLines checks what strict servers and clients require: CRLF
// line ends, 7-bit header, lines within 998 (and header lines within 78
// where they can be folded).
func checkHeaderLines(t *testing.T, data []byte) {
	t.Helper()
	if bytes.Contains(bytes.ReplaceAll(data, []byte("\r\n"), nil), []byte("\n")) {
		t.Error("bare LF in message")
	}
	hdr, _, _ := bytes.Cut(data, []byte("\r\n\r\n"))
	for _, l := range strings.Split(string(hdr), "\r\n") {
		for _, c := range []byte(l) {
			if c >= 0x80 {
				t.Errorf("8-bit header line %q", l)
				break
			}
		}
		if len(l) > 998 {
			t.Errorf("header line over 998: %q", l)
		}
	}
}

func TestReceiptRejected(t *testing.T) {
	srv := startServer(t, serverOpts{})
	o := openTest(t, testConfig(srv.Addr, newClock()))
	r := sampleReceipt("raw:5f2b")
	r.Accepted, r.Branch, r.Cc = false, "", nil
	r.Files = r.Files[:1]
	r.Problems = []string{
		"融资明细!G7: 统一社会信用代码校验位错误，应为 91140700MA0L00000X，请核对后重新填写",
		"绩效评价考核表!C5: 服务企业数量未填写：没有服务企业请填 0",
	}
	if err := o.QueueReceipt(r); err != nil {
		t.Fatal(err)
	}
	if err := o.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Msgs()
	if len(msgs) != 1 {
		t.Fatalf("delivered %d", len(msgs))
	}
	h, body := readMail(t, msgs[0].Data)
	if s, _ := h.Subject(); s != "回执：2026年10月月报未通过校验，请修改后重新发送" {
		t.Errorf("Subject %q", s)
	}
	if h.Get("Cc") != "" {
		t.Errorf("Cc %q, want none", h.Get("Cc"))
	}
	for _, want := range []string{"融资明细!G7", "91140700MA0L00000X", "需要修改的问题（共2处）", "未通过校验"} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q", want)
		}
	}
	golden(t, "receipt_rejected.txt", body)
}

func TestQueueIdempotent(t *testing.T) {
	srv := startServer(t, serverOpts{})
	clk := newClock()
	o := openTest(t, testConfig(srv.Addr, clk))
	r := sampleReceipt("k1")
	for i := 0; i < 3; i++ {
		if err := o.QueueReceipt(r); err != nil {
			t.Fatal(err)
		}
		if err := o.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		clk.Add(time.Hour)
	}
	// A second process queueing the same Key after delivery sends nothing.
	o2, err := Open(o.Dir(), testConfig(srv.Addr, clk))
	if err != nil {
		t.Fatal(err)
	}
	if err := o2.QueueReceipt(r); err != nil {
		t.Fatal(err)
	}
	if err := o2.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Msgs()); n != 1 {
		t.Fatalf("delivered %d times, want once", n)
	}
	es, _ := o.List()
	if len(es) != 1 || es[0].State != StateSent {
		t.Fatalf("entries %+v", es)
	}
}

func TestInvalidRecipients(t *testing.T) {
	o := openTest(t, testConfig("127.0.0.1:1", newClock()))
	for _, tc := range []struct {
		name string
		edit func(r *Receipt)
	}{
		{"not an address", func(r *Receipt) { r.To = "张三" }},
		{"no domain", func(r *Receipt) { r.To = "zhang@" }},
		{"header injection", func(r *Receipt) { r.To = "a@b.cn\r\nBcc: x@evil.example" }},
		{"bad cc", func(r *Receipt) { r.Cc = []string{"li at alpha"} }},
		{"empty", func(r *Receipt) { r.To = "" }},
		{"no key", func(r *Receipt) { r.Key = " " }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := sampleReceipt("bad-" + tc.name)
			tc.edit(r)
			if err := o.QueueReceipt(r); err == nil {
				t.Fatal("queued an invalid receipt")
			}
			if has, _ := o.Has("receipt:" + r.Key); has {
				t.Fatal("left an entry behind")
			}
		})
	}
}

// TestSendersGuard: with Config.Senders, a recipient from another
// institution is refused at queue time.
func TestSendersGuard(t *testing.T) {
	cfg := testConfig("127.0.0.1:1", newClock())
	senders := map[string][]string{
		"alpha": {"zhang@alpha.example.com", "li@alpha.example.com"},
		"beta":  {"wang@beta.example.cn"},
	}
	cfg.Senders = func(slug string) []string { return senders[slug] }
	o := openTest(t, cfg)
	r := sampleReceipt("guard")
	r.Cc = append(r.Cc, "wang@beta.example.cn")
	if err := o.QueueReceipt(r); err == nil || !strings.Contains(err.Error(), "not a report sender") {
		t.Fatalf("mixed recipients queued: %v", err)
	}
	if err := o.QueueReceipt(sampleReceipt("guard-ok")); err != nil {
		t.Fatal(err)
	}
	rem := &Reminder{To: []string{"zhang@alpha.example.com"}, Slug: "beta", Institution: "乙", Period: content.Period{Kind: content.Monthly, Year: 2026, Month: 10}, Deadline: content.Date{Year: 2026, Month: 11, Day: 10}, Stage: StageBefore}
	if err := o.QueueReminder(rem); err == nil {
		t.Fatal("reminder to another institution's sender queued")
	}
}

// TestServerDown: connection refused is retried with backoff, and the mail
// goes out once the server is up.
func TestServerDown(t *testing.T) {
	srv := startServer(t, serverOpts{})
	addr := srv.Addr
	srv.Close()
	clk := newClock()
	o := openTest(t, testConfig(addr, clk))
	if err := o.QueueReceipt(sampleReceipt("down")); err != nil {
		t.Fatal(err)
	}
	if err := o.Flush(context.Background()); err == nil {
		t.Fatal("Flush with the server down returned nil")
	}
	es, _ := o.List()
	if es[0].State != StateQueued || es[0].Attempts != 1 || !es[0].NextTry.After(clk.Now()) || es[0].LastError == "" {
		t.Fatalf("after a refused connection: %+v", es[0])
	}
	// Not due yet: no attempt.
	o.Flush(context.Background())
	if es, _ := o.List(); es[0].Attempts != 1 {
		t.Fatalf("retried before the backoff passed: %+v", es[0])
	}
	srv2 := startServer(t, serverOpts{addr: addr})
	clk.Add(backoffCap)
	if err := o.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(srv2.Msgs()); n != 1 {
		t.Fatalf("delivered %d after the server came up", n)
	}
	if es, _ := o.List(); es[0].State != StateSent {
		t.Fatalf("%+v", es[0])
	}
}

func TestBackoff(t *testing.T) {
	prev := time.Duration(0)
	for n := 1; n <= 12; n++ {
		lo, hi := time.Duration(1<<62), time.Duration(0)
		for i := 0; i < 200; i++ {
			d := backoff(n)
			lo, hi = min(lo, d), max(hi, d)
		}
		if hi > backoffCap || lo < backoffBase/2 {
			t.Errorf("backoff(%d) in [%v, %v], want within [%v, %v]", n, lo, hi, backoffBase/2, backoffCap)
		}
		if lo == hi {
			t.Errorf("backoff(%d) has no jitter", n)
		}
		if hi < prev/2 {
			t.Errorf("backoff(%d) shrinks", n)
		}
		prev = hi
	}
}

// TestGiveUp: temporary failures end after three days.
func TestGiveUp(t *testing.T) {
	clk := newClock()
	o := openTest(t, testConfig("127.0.0.1:1", clk))
	o.QueueReceipt(sampleReceipt("gone"))
	for i := 0; i < 100; i++ {
		o.Flush(context.Background())
		clk.Add(backoffCap)
	}
	es, _ := o.List()
	if es[0].State != StateFailed || !strings.Contains(es[0].LastError, "gave up") {
		t.Fatalf("%+v", es[0])
	}
	if es[0].Attempts > 80 {
		t.Fatalf("%d attempts in three days", es[0].Attempts)
	}
}

// TestPermanentAndTemporary: 5xx ends delivery (recorded, not retried);
// 4xx is retried; a 5xx for one recipient leaves the others served.
func TestPermanentAndTemporary(t *testing.T) {
	t.Run("5xx all", func(t *testing.T) {
		srv := startServer(t, serverOpts{})
		srv.rcpt = func(to string) error {
			return &smtpErr550
		}
		clk := newClock()
		o := openTest(t, testConfig(srv.Addr, clk))
		o.QueueReceipt(sampleReceipt("perm"))
		if err := o.Flush(context.Background()); err == nil {
			t.Fatal("no error")
		}
		clk.Add(24 * time.Hour)
		o.Flush(context.Background())
		es, _ := o.List()
		if es[0].State != StateFailed || es[0].Attempts != 1 || !strings.Contains(es[0].LastError, "550") {
			t.Fatalf("%+v", es[0])
		}
	})
	t.Run("5xx one", func(t *testing.T) {
		srv := startServer(t, serverOpts{})
		srv.rcpt = func(to string) error {
			if strings.HasPrefix(to, "li@") {
				return &smtpErr550
			}
			return nil
		}
		o := openTest(t, testConfig(srv.Addr, newClock()))
		o.QueueReceipt(sampleReceipt("partial"))
		if err := o.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		msgs := srv.Msgs()
		es, _ := o.List()
		if len(msgs) != 1 || strings.Join(msgs[0].Rcpt, ",") != "zhang@alpha.example.com" || es[0].State != StateSent || len(es[0].Refused) != 1 {
			t.Fatalf("msgs %v entry %+v", msgs, es[0])
		}
	})
	t.Run("5xx data", func(t *testing.T) {
		srv := startServer(t, serverOpts{})
		srv.data = func(delivered) error { return &smtpErr554 }
		o := openTest(t, testConfig(srv.Addr, newClock()))
		o.QueueReceipt(sampleReceipt("spam"))
		o.Flush(context.Background())
		es, _ := o.List()
		if es[0].State != StateFailed || !strings.Contains(es[0].LastError, "554") {
			t.Fatalf("%+v", es[0])
		}
	})
	t.Run("4xx then ok", func(t *testing.T) {
		srv := startServer(t, serverOpts{})
		var mu sync.Mutex
		fail := true
		srv.rcpt = func(to string) error {
			mu.Lock()
			defer mu.Unlock()
			if fail {
				return &smtpErr451
			}
			return nil
		}
		clk := newClock()
		o := openTest(t, testConfig(srv.Addr, clk))
		o.QueueReceipt(sampleReceipt("greylisted"))
		if err := o.Flush(context.Background()); err == nil {
			t.Fatal("no error on 451")
		}
		es, _ := o.List()
		if es[0].State != StateQueued || !strings.Contains(es[0].LastError, "451") {
			t.Fatalf("%+v", es[0])
		}
		mu.Lock()
		fail = false
		mu.Unlock()
		clk.Add(backoffCap)
		if err := o.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		if n := len(srv.Msgs()); n != 1 {
			t.Fatalf("delivered %d", n)
		}
	})
}

// TestTLSModes: implicit TLS and STARTTLS, with AUTH PLAIN (which the
// server offers only over TLS); "none" refused off loopback.
func TestTLSModes(t *testing.T) {
	for _, mode := range []string{"tls", "starttls"} {
		t.Run(mode, func(t *testing.T) {
			srv := startServer(t, serverOpts{tls: selfSigned(t), implicit: mode == "tls", user: "kjjr", pass: "s3cret"})
			cfg := testConfig(srv.Addr, newClock())
			cfg.TLS, cfg.User, cfg.Password, cfg.InsecureSkipVerify = mode, "kjjr", "s3cret", true
			o := openTest(t, cfg)
			o.QueueReceipt(sampleReceipt("tls-" + mode))
			if err := o.Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
			if n := len(srv.Msgs()); n != 1 {
				t.Fatalf("delivered %d", n)
			}
		})
	}
	t.Run("bad password", func(t *testing.T) {
		srv := startServer(t, serverOpts{tls: selfSigned(t), user: "kjjr", pass: "s3cret"})
		cfg := testConfig(srv.Addr, newClock())
		cfg.TLS, cfg.User, cfg.Password, cfg.InsecureSkipVerify = "starttls", "kjjr", "wrong", true
		o := openTest(t, cfg)
		o.QueueReceipt(sampleReceipt("auth"))
		if err := o.Flush(context.Background()); err == nil || !strings.Contains(err.Error(), "AUTH") {
			t.Fatalf("err %v", err)
		}
		if es, _ := o.List(); es[0].State != StateQueued {
			t.Fatalf("a refused login must be retried (configuration), got %+v", es[0])
		}
	})
	t.Run("untrusted certificate", func(t *testing.T) {
		srv := startServer(t, serverOpts{tls: selfSigned(t), implicit: true})
		cfg := testConfig(srv.Addr, newClock())
		cfg.TLS = "tls"
		o := openTest(t, cfg)
		o.QueueReceipt(sampleReceipt("cert"))
		if err := o.Flush(context.Background()); err == nil {
			t.Fatal("sent over TLS to an untrusted certificate")
		}
	})
	t.Run("none off loopback", func(t *testing.T) {
		cfg := testConfig("smtp.example.com:25", newClock())
		if _, err := Open(t.TempDir(), cfg); err == nil {
			t.Fatal("plain SMTP to a remote host accepted")
		}
	})
}

// TestRun: the background loop delivers what is queued without Flush.
func TestRun(t *testing.T) {
	srv := startServer(t, serverOpts{})
	cfg := testConfig(srv.Addr, newClock())
	cfg.Now = nil
	o := openTest(t, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { o.Run(ctx); close(done) }()
	if err := o.QueueReceipt(sampleReceipt("run")); err != nil {
		t.Fatal(err)
	}
	select {
	case <-srv.got:
	case <-time.After(30 * time.Second): // a hang guard, not a timing assertion
		t.Fatal("Run did not deliver")
	}
	cancel()
	<-done
}

// TestQueueConcurrent: many goroutines queueing the same keys while
// another flushes produce one mail per key.
func TestQueueConcurrent(t *testing.T) {
	srv := startServer(t, serverOpts{})
	o := openTest(t, testConfig(srv.Addr, newClock()))
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < 10; k++ {
				if err := o.QueueReceipt(sampleReceipt("c" + string(rune('a'+k)))); err != nil {
					t.Error(err)
				}
				if k%3 == 0 {
					o.Flush(context.Background())
				}
			}
		}()
	}
	wg.Wait()
	if err := o.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Msgs()); n != 10 {
		t.Fatalf("delivered %d, want 10", n)
	}
}

// TestNoServer: without an SMTP address, Flush leaves queued mail alone
// (no attempt counted, never given up), for a process that has one.
func TestNoServer(t *testing.T) {
	clk := newClock()
	o := openTest(t, testConfig("", clk))
	o.QueueReceipt(sampleReceipt("later"))
	for i := 0; i < 5; i++ {
		if err := o.Flush(context.Background()); !errors.Is(err, ErrNoServer) {
			t.Fatalf("err %v, want ErrNoServer", err)
		}
		clk.Add(48 * time.Hour)
	}
	es, _ := o.List()
	if es[0].State != StateQueued || es[0].Attempts != 0 {
		t.Fatalf("%+v", es[0])
	}
	srv := startServer(t, serverOpts{})
	o2, err := Open(o.Dir(), testConfig(srv.Addr, clk))
	if err != nil {
		t.Fatal(err)
	}
	if err := o2.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Msgs()); n != 1 {
		t.Fatalf("delivered %d", n)
	}
}

func TestReceiptRecipients(t *testing.T) {
	repo := loadFixture(t)
	alpha := repo.Institution("alpha")
	to, cc, ok := ReceiptRecipients(alpha, "LI@alpha.example.com")
	if !ok || to != "li@alpha.example.com" || fmt.Sprint(cc) != "[zhang@alpha.example.com]" {
		t.Fatalf("%q %v %v", to, cc, ok)
	}
	if _, _, ok := ReceiptRecipients(alpha, "wang@beta.example.cn"); ok {
		t.Fatal("a receipt for another institution's sender")
	}
	to, cc, ok = ReceiptRecipients(repo.Institution("beta"), "wang@beta.example.cn")
	if !ok || to != "wang@beta.example.cn" || len(cc) != 0 {
		t.Fatalf("%q %v %v", to, cc, ok)
	}
}
