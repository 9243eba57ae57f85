package outbox

import (
	"context"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"kjjr/internal/dovecottest"
)

// startDovecot runs a throwaway Dovecot IMAP server on loopback with
// users alice, bob and carol (passwords <name>pw); "Sent Messages" is
// marked \Sent (SPECIAL-USE) when it exists.
func startDovecot(t *testing.T) string {
	t.Helper()
	s := dovecottest.Start(t, dovecottest.Config{
		Users: map[string]string{"alice": "alicepw", "bob": "bobpw", "carol": "carolpw"},
		Extra: `namespace inbox {
  inbox = yes
  mailbox "Sent Messages" {
    special_use = \Sent
  }
}
`,
	})
	return s.Addr
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
