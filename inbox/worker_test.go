package inbox

import (
	"context"
	"net"
	"os"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"kjjr/internal/testenv"
)

// memIMAP starts go-imap's in-memory server on loopback (fast unit tests;
// the Dovecot tests are the real thing). caps nil: IMAP4rev1 only (no MOVE,
// no UIDPLUS, no IDLE).
func memIMAP(t *testing.T, caps imap.CapSet) string {
	t.Helper()
	mem := imapmemserver.New()
	u := imapmemserver.NewUser("kjjr", "pw")
	u.Create("INBOX", nil)
	mem.AddUser(u)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         caps,
		InsecureAuth: true,
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

func imapLogin(t *testing.T, addr string) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(addr, &imapclient.Options{WordDecoder: wordDecoder})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login("kjjr", "pw").Wait(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func appendMsg(t testing.TB, c *imapclient.Client, mbox string, raw []byte) {
	t.Helper()
	ac := c.Append(mbox, int64(len(raw)), &imap.AppendOptions{Time: testNow})
	if _, err := ac.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := ac.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := ac.Wait(); err != nil {
		t.Fatal(err)
	}
}

func mailboxCount(t testing.TB, c *imapclient.Client, mbox string) int {
	t.Helper()
	st, err := c.Status(mbox, &imap.StatusOptions{NumMessages: true}).Wait()
	if err != nil {
		t.Fatalf("status %s: %v", mbox, err)
	}
	return int(*st.NumMessages)
}

func TestWorkerOnce(t *testing.T) {
	for _, tc := range []struct {
		name string
		caps imap.CapSet
	}{
		{"IMAP4rev2 (MOVE, UIDPLUS, IDLE)", imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}}},
		{"IMAP4rev1 only (COPY+EXPUNGE fallback)", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := memIMAP(t, tc.caps)
			c := imapLogin(t, addr)
			for _, f := range []string{"foxmail_gbk.eml", "unknown_sender.eml", "no_sheet.eml", "outlook_rfc2231_halfyear.eml"} {
				appendMsg(t, c, "INBOX", readFixture(t, f))
			}
			appendMsg(t, c, "INBOX", readFixture(t, "foxmail_gbk.eml")) // the same mail twice
			dir := newFixtureRepo(t, false, fixtureFiles(t, ""))
			q := newMemQueue()
			opts := testOptions(q)
			opts.IMAP = IMAPConfig{Addr: addr, User: "kjjr", Password: "pw", TLS: "none"}
			w, err := NewWorker(dir, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			if _, err := NewWorker(dir, opts); err != ErrLocked {
				t.Errorf("second worker: %v, want ErrLocked", err)
			}
			st, err := w.RunOnce(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if st.Seen != 5 || st.Committed != 2 || st.Quarantined != 2 || st.Duplicates != 1 {
				t.Errorf("stats %v", st)
			}
			if n := mailboxCount(t, c, "INBOX"); n != 0 {
				t.Errorf("INBOX has %d", n)
			}
			if n := mailboxCount(t, c, "已处理"); n != 3 {
				t.Errorf("已处理 has %d", n)
			}
			if n := mailboxCount(t, c, "待核查"); n != 2 {
				t.Errorf("待核查 has %d", n)
			}
			if len(q.order) != 3 { // two accepted, one rejected; none for the unknown sender or the duplicate
				t.Errorf("receipts %d", len(q.order))
			}
			// A second pass finds nothing.
			st, err = w.RunOnce(context.Background())
			if err != nil || st.Seen != 0 {
				t.Errorf("second pass %v %v", st, err)
			}
		})
	}
}

// TestRunIdle: the long-running worker picks up a message delivered while
// it idles (IDLE, or polling on a server without it), and stops cleanly
// on cancel.
func TestRunIdle(t *testing.T) {
	t.Run("IDLE", func(t *testing.T) {
		testRun(t, imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}}, time.Hour) // only IDLE can wake it
	})
	t.Run("poll without IDLE", func(t *testing.T) { testRun(t, nil, 300*time.Millisecond) })
}

func testRun(t *testing.T, caps imap.CapSet, poll time.Duration) {
	addr := memIMAP(t, caps)
	c := imapLogin(t, addr)
	dir := newFixtureRepo(t, true, fixtureFiles(t, ""))
	opts := testOptions(newMemQueue())
	opts.IMAP = IMAPConfig{Addr: addr, User: "kjjr", Password: "pw", TLS: "none"}
	opts.PollInterval = poll
	w, err := NewWorker(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- w.Run(ctx) }()
	time.Sleep(200 * time.Millisecond)
	appendMsg(t, c, "INBOX", readFixture(t, "qq_octet_stream.eml"))
	deadline := time.Now().Add(10 * time.Second)
	for mailboxCount(t, c, "已处理") != 1 {
		if time.Now().After(deadline) {
			t.Fatal("message not processed while idling")
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop")
	}
}

// TestCASRace: someone moves the branch between our read and our swap; the
// writer re-reads and puts its commit on top, losing nothing.
func TestCASRace(t *testing.T) {
	e, _, _ := newTestEngine(t, true)
	ctx := context.Background()
	if _, err := e.handle(ctx, readFixture(t, "foxmail_gbk.eml"), testNow); err != nil {
		t.Fatal(err)
	}
	branch := plumbing.NewBranchReferenceName("submit/" + instSlug + "/2026-10")
	ref, _ := e.store.repo.Reference(branch, false)
	var theirs plumbing.Hash
	moved := false
	e.beforeCAS = func() {
		if moved {
			return
		}
		moved = true
		// A staff commit on the branch, with the C git CLI's semantics: a new
		// commit whose parent is the tip.
		pc, _ := e.store.repo.CommitObject(ref.Hash())
		sig := object.Signature{Name: "staff", Email: "s@x", When: testNow}
		c := &object.Commit{Author: sig, Committer: sig, Message: "staff note\n", TreeHash: pc.TreeHash, ParentHashes: []plumbing.Hash{ref.Hash()}}
		obj := e.store.repo.Storer.NewEncodedObject()
		c.Encode(obj)
		theirs, _ = e.store.repo.Storer.SetEncodedObject(obj)
		if err := e.store.repo.Storer.SetReference(plumbing.NewHashReference(branch, theirs)); err != nil {
			t.Fatal(err)
		}
	}
	h, err := e.handle(ctx, readFixture(t, "raw8bit_gbk.eml"), testNow)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := e.store.repo.CommitObject(h.commit)
	if len(c.ParentHashes) != 1 || c.ParentHashes[0] != theirs {
		t.Fatalf("parent %v, want the concurrent commit %v", c.ParentHashes, theirs)
	}
	tip, _ := e.store.repo.Reference(branch, false)
	if tip.Hash() != h.commit {
		t.Fatal("tip is not our commit")
	}
}

// TestPushFirst: with an origin that cannot be reached, the commit is made
// but the message stays in the inbox (it is not durable elsewhere yet);
// once origin is back, the next pass pushes and files it away, with no
// second commit.
func TestPushFirst(t *testing.T) {
	testenv.NeedTool(t, "git")
	addr := memIMAP(t, imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}})
	c := imapLogin(t, addr)
	appendMsg(t, c, "INBOX", readFixture(t, "foxmail_gbk.eml"))
	dir, origin := cliRepo(t, fixtureFiles(t, ""))
	moved := origin + ".away"
	if err := os.Rename(origin, moved); err != nil {
		t.Fatal(err)
	}
	opts := testOptions(newMemQueue())
	opts.IMAP = IMAPConfig{Addr: addr, User: "kjjr", Password: "pw", TLS: "none"}
	w, err := NewWorker(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	st, err := w.RunOnce(context.Background())
	if err != nil || st.Left != 1 || mailboxCount(t, c, "INBOX") != 1 {
		t.Fatalf("with origin away: %v %v", st, err)
	}
	if err := os.Rename(moved, origin); err != nil {
		t.Fatal(err)
	}
	st, err = w.RunOnce(context.Background())
	if err != nil || st.Duplicates != 1 || mailboxCount(t, c, "INBOX") != 0 || mailboxCount(t, c, "已处理") != 1 {
		t.Fatalf("with origin back: %v %v", st, err)
	}
	if n := gitCLI(t, origin, "rev-list", "--count", "main..submit/"+instSlug+"/2026-10"); n != "1" {
		t.Errorf("origin has %s commits on the branch, want 1", n)
	}
}
