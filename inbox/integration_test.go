package inbox

import (
	"bytes"
	"context"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/go-git/go-git/v5"

	"kjjr/content"
	"kjjr/content/gitfs"
	"kjjr/internal/testenv"
)

// gitCLI runs the C git CLI in dir with a fixed identity.
func gitCLI(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=科技局", "-c", "user.email=staff@example.gov.cn", "-c", "init.defaultBranch=main"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// cliRepo makes a content repo the way staff would: git init, files,
// git add, git commit, with a bare clone as origin. It returns the work
// tree and the origin.
func cliRepo(t testing.TB, files map[string][]byte) (string, string) {
	t.Helper()
	testenv.NeedTool(t, "git")
	root := t.TempDir()
	dir := filepath.Join(root, "content")
	for p, b := range files {
		writeFile(t, filepath.Join(dir, filepath.FromSlash(p)), b)
	}
	gitCLI(t, dir, "init", "-q", "-b", "main")
	gitCLI(t, dir, "add", "-A")
	gitCLI(t, dir, "commit", "-q", "-m", "初始数据")
	origin := filepath.Join(root, "origin.git")
	gitCLI(t, root, "clone", "-q", "--bare", dir, origin)
	gitCLI(t, dir, "remote", "add", "origin", origin)
	return dir, origin
}

func dovecotClient(t testing.TB, addr, user string) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(addr, &imapclient.Options{WordDecoder: wordDecoder})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(user, "pw").Wait(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestDovecotEndToEnd: real Dovecot, real C git, real SMTP socket. Mail
// as Chinese clients send it goes in; branches, commits, mailboxes,
// receipts and a staff merge come out.
func TestDovecotEndToEnd(t *testing.T) {
	d := dovecot(t)
	user := d.account(t)
	dir, origin := cliRepo(t, fixtureFiles(t, ""))
	sink := newSMTPSink(t)
	c := dovecotClient(t, d.Addr, user)
	type in struct {
		file string
		dup  bool
	}
	inputs := []in{
		{file: "foxmail_gbk.eml"}, {file: "qq_octet_stream.eml"}, {file: "outlook_rfc2231_halfyear.eml"},
		{file: "applemail_rfc2231_annual.eml"}, {file: "no_sheet.eml"}, {file: "unknown_sender.eml"},
		{file: "auto_reply.eml"}, {file: "wrong_institution.eml"}, {file: "foxmail_gbk.eml", dup: true},
	}
	for _, m := range inputs {
		raw := readFixture(t, m.file)
		if m.dup { // a re-delivery: a new Received line, same body
			raw = append([]byte("Received: from relay.example.net by mx.example.gov.cn; Mon, 9 Nov 2026 10:20:00 +0800\r\n"), raw...)
		}
		appendMsg(t, c, "INBOX", raw)
	}
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
	if st.Committed != 4 || st.Quarantined != 4 || st.Duplicates != 1 {
		t.Errorf("stats: %v", st)
	}
	for mb, want := range map[string]int{"INBOX": 0, "已处理": 5, "待核查": 4} {
		if n := mailboxCount(t, c, mb); n != want {
			t.Errorf("%s holds %d messages, want %d", mb, n, want)
		}
	}
	// Dovecot stores the Chinese names in modified UTF-7.
	for _, name := range []string{".&XfJZBHQG-", ".&X4VoOGfl-"} {
		if _, err := os.Stat(filepath.Join(d.Dir, "mail", user, "Maildir", name)); err != nil {
			t.Errorf("maildir folder %s: %v", name, err)
		}
	}
	// Branches, commits, trailers; the worker left the work tree alone.
	if s := gitCLI(t, dir, "status", "--porcelain"); s != "" {
		t.Errorf("work tree touched:\n%s", s)
	}
	branches := gitCLI(t, dir, "for-each-ref", "--format=%(refname:short)", "refs/heads/submit/")
	want := "submit/jinchuang-capital/2025-annual\nsubmit/jinchuang-capital/2026-10\nsubmit/jinchuang-capital/2026-H1"
	if branches != want {
		t.Errorf("branches:\n%s\nwant:\n%s", branches, want)
	}
	if n := gitCLI(t, dir, "rev-list", "--count", "main..submit/jinchuang-capital/2026-10"); n != "2" {
		t.Errorf("2026-10 has %s commits, want 2 (a resubmission adds one)", n)
	}
	if got := gitCLI(t, origin, "for-each-ref", "--format=%(refname:short)", "refs/heads/submit/"); got != want {
		t.Errorf("origin branches:\n%s", got)
	}
	msg := gitCLI(t, dir, "log", "-1", "--format=%an <%ae>%n%cn <%ce>%n%B", "submit/jinchuang-capital/2026-H1")
	for _, s := range []string{instName + " <" + instSender + ">", "kjjr inbox <kjjr@example.gov.cn>", "半年工作进展 2026-H1 " + instName,
		"Kjjr-Kind: half_year", "Message-Id: <SG2PR06MB5312A1B2C3D4E5F6A7B8C9D0E1@SG2PR06MB5312.apcprd06.prod.outlook.com>", "DKIM: none"} {
		if !strings.Contains(msg, s) {
			t.Errorf("commit lacks %q:\n%s", s, msg)
		}
	}
	for _, r := range []string{dir, origin} {
		gitCLI(t, r, "fsck", "--strict", "--no-progress")
	}
	// Receipts: one per accepted or rejected message; none for the unknown
	// sender, the auto-reply or the duplicate.
	got := sink.all()
	if len(got) != 6 {
		t.Errorf("%d receipts, want 6", len(got))
	}
	replied := map[string]int{}
	for _, m := range got {
		for _, to := range m.To {
			if !strings.HasSuffix(to, "@jinchuang-capital.example.com") {
				t.Errorf("receipt to %s", to)
			}
		}
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		replied[msg.Header.Get("In-Reply-To")]++
	}
	for id, n := range replied {
		if n != 1 {
			t.Errorf("%d receipts in reply to %s", n, id)
		}
	}
	// A second pass: nothing new, no new mail.
	w, err = NewWorker(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	st, err = w.RunOnce(context.Background())
	w.Close()
	if err != nil || st.Seen != 0 || len(sink.all()) != 6 {
		t.Errorf("second pass: %v %v, %d receipts", st, err, len(sink.all()))
	}
	// Staff approve by hand with the C git CLI; main must still check.
	for _, b := range strings.Split(want, "\n") {
		gitCLI(t, dir, "merge", "-q", "--no-ff", "-m", "批准 "+b, b)
	}
	gitCLI(t, dir, "fsck", "--strict", "--no-progress")
	r, err := git.PlainOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	fsys, _, err := gitfs.Rev(r, "main")
	if err != nil {
		t.Fatal(err)
	}
	repo, err := content.Load(fsys, nil)
	if err != nil {
		t.Fatalf("main after merge does not load:\n%v", err)
	}
	if ds := repo.Check(content.DateOf(testNow)); ds.HasErrors() {
		t.Fatalf("kjjr check fails on main after merging:\n%v", ds.Errors())
	}
	inst := repo.Institution(instSlug)
	for _, p := range []string{"2025-annual", "2026-10", "2026-H1"} {
		per, _ := content.ParsePeriod(p)
		if inst.Report(per) == nil {
			t.Errorf("main lacks report %s", p)
		}
	}
	// The resubmission (QQ, later) is the report on main.
	if rep := inst.Report(content.Period{Kind: content.Monthly, Year: 2026, Month: 10}); rep.MessageID != "<tencent_8A1B2C3D4E5F60718293A4B5@qq.com>" {
		t.Errorf("2026-10 on main is from %s", rep.MessageID)
	}
}

// TestDovecotRestart: the long-running worker survives the IMAP server
// going away and coming back (reconnect with backoff).
func TestDovecotRestart(t *testing.T) {
	d := dovecot(t)
	user := d.account(t)
	dir, _ := cliRepo(t, fixtureFiles(t, ""))
	c := dovecotClient(t, d.Addr, user)
	opts := testOptions(newMemQueue())
	opts.IMAP = IMAPConfig{Addr: d.Addr, User: user, Password: "pw", TLS: "none"}
	opts.PollInterval = 2 * time.Second
	opts.MaxBackoff = 2 * time.Second
	w, err := NewWorker(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	waitCount := func(c **imapclient.Client, mb string, n int) {
		t.Helper()
		for i := 0; ; i++ { // hang guard, 60 s
			st, err := (*c).Status(mb, &imap.StatusOptions{NumMessages: true}).Wait()
			if err == nil && int(*st.NumMessages) == n {
				return
			}
			if i > 600 {
				t.Fatalf("%s never reached %d messages", mb, n)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	appendMsg(t, c, "INBOX", readFixture(t, "foxmail_gbk.eml"))
	waitCount(&c, "已处理", 1)
	d.restart(t)
	c = dovecotClient(t, d.Addr, user)
	appendMsg(t, c, "INBOX", readFixture(t, "outlook_rfc2231_halfyear.eml"))
	waitCount(&c, "已处理", 2)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
