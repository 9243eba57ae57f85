package outbox

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// need reports a missing tool: a failure under CI=true, else a skip.
func need(t *testing.T, tool string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required in CI (apt-get install dovecot-imapd): %v", tool, err)
		}
		t.Skipf("%s not installed: %v", tool, err)
	}
	return p
}

// startDovecot runs a throwaway Dovecot IMAP server on loopback with
// users alice, bob and carol (passwords <name>pw); "Sent Messages" is
// marked \Sent (SPECIAL-USE) when it exists.
func startDovecot(t *testing.T) string {
	t.Helper()
	bin := need(t, "dovecot")
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("the Dovecot test runs as root in CI")
		}
		t.Skip("the Dovecot test config needs root")
	}
	if _, err := user.Lookup("dovecot"); err != nil {
		t.Skip("no dovecot system user")
	}
	dir, err := os.MkdirTemp("", "kjjr-dovecot-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	for _, d := range []string{"run", "state", "mail"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := exec.Command("chown", "dovecot:dovecot", filepath.Join(dir, "mail")).Run(); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	conf := fmt.Sprintf(`protocols = imap
listen = 127.0.0.1
base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%n %[1]s/users
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=%[1]s/mail/%%n
}
mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  mailbox "Sent Messages" {
    special_use = \Sent
  }
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = %[2]d
  }
  inet_listener imaps {
    port = 0
  }
}
`, dir, port)
	os.WriteFile(filepath.Join(dir, "dovecot.conf"), []byte(conf), 0o644)
	os.WriteFile(filepath.Join(dir, "users"), []byte("alice:{PLAIN}alicepw::::::\nbob:{PLAIN}bobpw::::::\ncarol:{PLAIN}carolpw::::::\n"), 0o644)
	cmd := exec.Command(bin, "-F", "-c", filepath.Join(dir, "dovecot.conf"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	})
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for i := 0; ; i++ { // ready = the greeting (a hang guard, not a timing assertion)
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			line, _ := bufio.NewReader(c).ReadString('\n')
			c.Close()
			if strings.HasPrefix(line, "* OK") {
				return addr
			}
		}
		if i > 300 {
			log, _ := os.ReadFile(filepath.Join(dir, "dovecot.log"))
			t.Fatalf("dovecot did not start: %v\n%s", err, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func imapLogin(t *testing.T, addr, user string) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(user, user+"pw").Wait(); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestIMAPSentCopy: every sent mail is appended, \Seen, to the Sent folder
// of a real Dovecot: found by SPECIAL-USE (alice), by its Chinese name
// (carol), or skipped when the account has none (bob).
func TestIMAPSentCopy(t *testing.T) {
	addr := startDovecot(t)
	ac := imapLogin(t, addr, "alice")
	if err := ac.Create("Sent Messages", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	cc := imapLogin(t, addr, "carol")
	if err := cc.Create("已发送", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ user, mailbox string }{{"alice", "Sent Messages"}, {"carol", "已发送"}, {"bob", ""}} {
		t.Run(tc.user, func(t *testing.T) {
			srv := startServer(t, serverOpts{})
			cfg := testConfig(srv.Addr, newClock())
			cfg.AppendSent = IMAPSentAppender(IMAPConfig{Addr: addr, User: tc.user, Password: tc.user + "pw", TLS: "none"})
			o := openTest(t, cfg)
			if err := o.QueueReceipt(sampleReceipt("imap-" + tc.user)); err != nil {
				t.Fatal(err)
			}
			if err := o.Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
			es, _ := o.List()
			if es[0].State != StateSent || es[0].SentCopy != copyDone {
				t.Fatalf("%+v", es[0])
			}
			c := imapLogin(t, addr, tc.user)
			list, err := c.List("", "*", nil).Collect()
			if err != nil {
				t.Fatal(err)
			}
			if tc.mailbox == "" {
				for _, l := range list {
					if l.Mailbox != "INBOX" {
						t.Errorf("created mailbox %q", l.Mailbox)
					}
				}
				return
			}
			if _, err := c.Select(tc.mailbox, nil).Wait(); err != nil {
				t.Fatal(err)
			}
			body := &imap.FetchItemBodySection{Peek: true}
			msgs, err := c.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{Flags: true, BodySection: []*imap.FetchItemBodySection{body}}).Collect()
			if err != nil || len(msgs) != 1 {
				t.Fatalf("fetch: %v %d", err, len(msgs))
			}
			if got, want := string(msgs[0].FindBodySection(body)), string(srv.Msgs()[0].Data); got != want {
				t.Errorf("Sent copy differs from the delivered mail:\n%s\n---\n%s", got, want)
			}
			seen := false
			for _, f := range msgs[0].Flags {
				seen = seen || f == imap.FlagSeen
			}
			if !seen {
				t.Errorf("Sent copy not \\Seen: %v", msgs[0].Flags)
			}
		})
	}
	t.Run("IMAP down: copy retried, mail never resent", func(t *testing.T) {
		srv := startServer(t, serverOpts{})
		clk := newClock()
		cfg := testConfig(srv.Addr, clk)
		cfg.AppendSent = IMAPSentAppender(IMAPConfig{Addr: "127.0.0.1:1", User: "alice", Password: "alicepw", TLS: "none"})
		o := openTest(t, cfg)
		o.QueueReceipt(sampleReceipt("imap-badpw"))
		for i := 0; i < copyTries+2; i++ {
			o.Flush(context.Background())
		}
		es, _ := o.List()
		if es[0].SentCopy != copyFailed || len(srv.Msgs()) != 1 {
			t.Fatalf("copy %s, delivered %d", es[0].SentCopy, len(srv.Msgs()))
		}
	})
}
