package main

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-smtp"

	"kjjr/content"
	"kjjr/internal/dovecottest"
)

// smtpSink is a real SMTP server on 127.0.0.1 that keeps what it gets.
type smtpSink struct {
	mu   sync.Mutex
	msgs []sunk
	addr string
}

type sunk struct {
	rcpt []string
	data []byte
}

type sinkSession struct {
	s    *smtpSink
	rcpt []string
}

func (x *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (x *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.rcpt = append(x.rcpt, to)
	return nil
}
func (x *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.s.mu.Lock()
	x.s.msgs = append(x.s.msgs, sunk{rcpt: x.rcpt, data: b})
	x.s.mu.Unlock()
	return nil
}
func (x *sinkSession) Reset()        { x.rcpt = nil }
func (x *sinkSession) Logout() error { return nil }

func startSink(t *testing.T) *smtpSink {
	t.Helper()
	sk := &smtpSink{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{s: sk}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 30*time.Second, 30*time.Second
	ln, err := netListen()
	if err != nil {
		t.Fatal(err)
	}
	sk.addr = ln.Addr().String()
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return sk
}

func (s *smtpSink) all() []sunk {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sunk(nil), s.msgs...)
}

// subjectAndBody decodes a delivered mail.
func subjectAndBody(t *testing.T, data []byte) (string, string) {
	t.Helper()
	mr, err := mail.CreateReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	subj, _ := mr.Header.Subject()
	p, err := mr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(p.Body)
	return subj, string(b)
}

// healthRepo is the register fixture as a git repo whose alerts go to
// ops@example.gov.cn, with calendars for this year and next and measures
// in force, so that only the inbox can be CRITICAL whatever the date.
func healthRepo(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("git is required in CI")
		}
		t.Skip("git not installed")
	}
	dir := filepath.Join(t.TempDir(), "repo")
	src := filepath.Join("testdata", "repos", "register")
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	y := content.Today().Year
	site, _ := os.ReadFile(filepath.Join(dir, "site.yaml"))
	s := regexp.MustCompile(`effective: \d{4}-\d\d-\d\d`).ReplaceAllString(string(site), fmt.Sprintf("effective: %d-01-01", y))
	s += "ops:\n  alert_to: [ops@example.gov.cn]\n"
	if err := os.WriteFile(filepath.Join(dir, "site.yaml"), []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, yy := range []int{y - 1, y, y + 1} {
		cal := fmt.Sprintf("year: %d\nsource: 测试\nholidays:\n  - {name: 元旦, from: %d-01-01, to: %d-01-01}\n", yy, yy, yy)
		if err := os.WriteFile(filepath.Join(dir, "calendar", fmt.Sprintf("%d.yaml", yy)), []byte(cal), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "-A"},
		{"-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "init"}} {
		if out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	return dir
}

func kjjr(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(args, strings.NewReader(""), &o, &e)
	return code, o.String(), e.String()
}

// A worker pointed at a real Dovecot with a wrong password: kjjr health
// goes CRITICAL after one pass and names the cause in Chinese; --notify
// mails exactly one alert to staff over real SMTP, and none more the same
// day; once the password is fixed and a pass succeeds, the check is OK
// and one 已恢复 mail goes out.
func TestHealthDovecotWrongPasswordAlertsAndRecovers(t *testing.T) {
	dv := dovecottest.Start(t, dovecottest.Config{Users: map[string]string{"kjjr": "right-pw"}})
	repo := healthRepo(t)
	sink := startSink(t)
	pwFile := filepath.Join(t.TempDir(), "pw")
	setPw := func(pw string) {
		if err := os.WriteFile(pwFile, []byte(pw+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	inboxOnce := func() (int, string) {
		code, _, stderr := kjjr("inbox", "--once", "--repo", repo, "--imap-addr", dv.Addr, "--imap-user", "kjjr",
			"--imap-password-file", pwFile, "--imap-tls", "none")
		return code, stderr
	}
	healthNotify := func() (int, string, string) {
		return kjjr("health", "--repo", repo, "--notify", "--smtp-addr", sink.addr, "--smtp-tls", "none")
	}

	setPw("wrong-pw-123")
	if code, stderr := inboxOnce(); code != 1 {
		t.Fatalf("inbox with a wrong password: exit %d\n%s", code, stderr)
	}
	rec, err := os.ReadFile(filepath.Join(repo, ".git", "kjjr", "health.json"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(rec, []byte("wrong-pw-123")) || !bytes.Contains(rec, []byte(`"cause": "auth"`)) || !bytes.Contains(rec, []byte(dv.Addr)) {
		t.Fatalf("health.json:\n%s", rec)
	}
	code, out, errOut := healthNotify()
	if code != 2 || !strings.Contains(out, "[严重] 收信：从未成功收信；最近错误：邮箱密码错误") || !strings.HasPrefix(out, "KJJR CRITICAL - ") {
		t.Fatalf("health after a failed pass: exit %d\n%s%s", code, out, errOut)
	}
	msgs := sink.all()
	if len(msgs) != 1 {
		t.Fatalf("%d alerts delivered, want 1\n%s", len(msgs), errOut)
	}
	if len(msgs[0].rcpt) != 1 || msgs[0].rcpt[0] != "ops@example.gov.cn" {
		t.Errorf("alert went to %v", msgs[0].rcpt)
	}
	subj, body := subjectAndBody(t, msgs[0].data)
	for _, want := range []string{"运行告警", "邮箱密码错误"} {
		if !strings.Contains(subj, want) {
			t.Errorf("subject %q lacks %q", subj, want)
		}
	}
	for _, want := range []string{"问题：", "开始于：", "机构会遇到：", "收不到回执", "处理办法：", "--imap-password-file"} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}

	// Ten minutes later (the timer again), still failing: no second mail.
	inboxOnce()
	if code, _, _ := healthNotify(); code != 2 || len(sink.all()) != 1 {
		t.Fatalf("second run: exit %d, %d mails", code, len(sink.all()))
	}

	setPw("right-pw")
	if code, stderr := inboxOnce(); code != 0 {
		t.Fatalf("inbox with the right password: exit %d\n%s", code, stderr)
	}
	code, out, errOut = healthNotify()
	if code == 2 || code == 3 || !strings.Contains(out, "[正常] 收信：正常") {
		t.Fatalf("health after recovery: exit %d\n%s%s", code, out, errOut)
	}
	msgs = sink.all()
	if len(msgs) != 2 {
		t.Fatalf("%d mails after recovery, want 2", len(msgs))
	}
	subj, body = subjectAndBody(t, msgs[1].data)
	if !strings.Contains(subj, "已恢复") || !strings.Contains(body, "邮箱密码错误") || msgs[1].rcpt[0] != "ops@example.gov.cn" {
		t.Errorf("recovery mail %q to %v:\n%s", subj, msgs[1].rcpt, body)
	}
	if code, _, _ := healthNotify(); code == 2 || len(sink.all()) != 2 {
		t.Fatalf("after recovery again: exit %d, %d mails", code, len(sink.all()))
	}
}

func netListen() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }
