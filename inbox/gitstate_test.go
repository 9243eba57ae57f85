package inbox

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"

	"kjjr/internal/testenv"
)

// TestStaleBranchLock: a lock that a killed git left on the submission
// branch (refs/heads/submit/<slug>/<period>.lock, holding the value git
// was about to write) stops the inbox from committing to that branch, as
// it stops C git. The operator reads why in the log, in Chinese, with the
// lock's path; the mail stays in the inbox and goes in on the first pass
// after the lock is removed.
func TestStaleBranchLock(t *testing.T) {
	testenv.NeedTool(t, "git")
	addr := memIMAP(t, imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}})
	c := imapLogin(t, addr)
	appendMsg(t, c, "INBOX", readFixture(t, "foxmail_gbk.eml"))
	dir, _ := cliRepo(t, fixtureFiles(t, ""))
	main := gitCLI(t, dir, "rev-parse", "main")
	branch := "refs/heads/submit/" + instSlug + "/2026-10"
	lock := filepath.Join(dir, ".git", filepath.FromSlash(branch)+".lock")
	writeFile(t, lock, []byte(main+"\n"))

	var logs bytes.Buffer
	opts := testOptions(newMemQueue())
	opts.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	opts.IMAP = IMAPConfig{Addr: addr, User: "kjjr", Password: "pw", TLS: "none"}
	w, err := NewWorker(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	st, err := w.RunOnce(context.Background())
	if err != nil || st.Left != 1 || st.Committed != 0 || mailboxCount(t, c, "INBOX") != 1 {
		t.Fatalf("with the lock: %v %v; INBOX %d", st, err, mailboxCount(t, c, "INBOX"))
	}
	if _, err := os.Stat(filepath.Join(dir, ".git", filepath.FromSlash(branch))); !os.IsNotExist(err) {
		t.Fatalf("the branch was written past git's lock: %v", err)
	}
	if l := logs.String(); !strings.Contains(l, lock) || !strings.Contains(l, "锁文件") || !strings.Contains(l, "删除") {
		t.Errorf("the log does not tell the operator about %s:\n%s", lock, l)
	}
	if err := os.Remove(lock); err != nil {
		t.Fatal(err)
	}
	st, err = w.RunOnce(context.Background())
	if err != nil || st.Committed != 1 || mailboxCount(t, c, "INBOX") != 0 {
		t.Fatalf("after removing the lock: %v %v", st, err)
	}
	if n := gitCLI(t, dir, "rev-list", "--count", "main.."+branch); n != "1" {
		t.Errorf("%s commits on the branch, want 1", n)
	}
	gitCLI(t, dir, "fsck", "--strict")
}

// TestEmptyMainLock: the empty refs/heads/main.lock that git leaves when
// it is killed mid-update does not stop the inbox from starting (listing
// refs to build its index) or from committing.
func TestEmptyMainLock(t *testing.T) {
	for _, bare := range []bool{true, false} {
		dir := newFixtureRepo(t, bare, fixtureFiles(t, ""))
		gd, err := gitDirOf(dir)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(gd, "refs", "heads", "main.lock"), nil)
		e, err := newEngine(dir, testOptions(newMemQueue()))
		if err != nil {
			t.Fatalf("bare=%v: start with main.lock: %v", bare, err)
		}
		if err := e.index.reconcile(e.store); err != nil {
			t.Fatalf("bare=%v: reconcile: %v", bare, err)
		}
		h, err := e.handle(context.Background(), readFixture(t, "foxmail_gbk.eml"), testNow)
		if err != nil || h.dest != destProcessed {
			t.Fatalf("bare=%v: handle = %+v, %v", bare, h, err)
		}
		e.close()
	}
}

// TestIndexDamage: an ingested.log that is empty, cut off, has a line
// longer than any reader's limit, or holds garbage is rebuilt from the
// commit trailers, as a missing one is. Otherwise a submission that staff
// approved (merged into main, branch deleted) and that the mail server
// delivers again would be committed again as pending.
func TestIndexDamage(t *testing.T) {
	cases := []struct {
		name    string
		damage  func(b []byte) []byte
		rebuilt bool
	}{
		{"intact", func(b []byte) []byte { return b }, false},
		{"empty", func([]byte) []byte { return nil }, true},
		{"header only", func(b []byte) []byte { return []byte(indexHeader + "\n") }, true},
		{"cut mid-line", func(b []byte) []byte {
			i := bytes.Index(b, []byte("\nc "))
			return b[:i+10]
		}, true},
		{"line over the reader's limit", func(b []byte) []byte {
			return append(append([]byte(indexHeader+"\n"), bytes.Repeat([]byte("x"), 2<<20)...), b[len(indexHeader)+1:]...)
		}, true},
		{"zeroed (a crash before the data reached the disk)", func(b []byte) []byte { return make([]byte, len(b)) }, true},
		{"garbage line", func(b []byte) []byte {
			return bytes.Replace(b, []byte("\nc "), []byte("\nc \x01\x02garbage\nc "), 1)
		}, true},
		{"old format without header", func(b []byte) []byte { return b[len(indexHeader)+1:] }, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			testenv.NeedTool(t, "git")
			e, _, dir := newTestEngine(t, true)
			raw := readFixture(t, "foxmail_gbk.eml")
			h, err := e.handle(context.Background(), raw, testNow)
			if err != nil || h.dest != destProcessed {
				t.Fatalf("first delivery: %+v %v", h, err)
			}
			e.close()
			// Staff approve: main gets a merge, the branch goes.
			branch := "refs/heads/" + h.branch
			merge := gitCLI(t, dir, "commit-tree", h.branch+"^{tree}", "-p", "main", "-p", h.branch, "-m", "Merge")
			gitCLI(t, dir, "update-ref", "refs/heads/main", merge)
			gitCLI(t, dir, "update-ref", "-d", branch)

			logPath := filepath.Join(dir, "kjjr", "ingested.log")
			b, err := os.ReadFile(logPath)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(b, []byte(indexHeader+"\n")) || !bytes.Contains(b, []byte("\nc ")) {
				t.Fatalf("log before damage:\n%s", b)
			}
			damaged := tc.damage(b)
			if err := os.WriteFile(logPath, damaged, 0o644); err != nil {
				t.Fatal(err)
			}
			e2, err := newEngine(dir, testOptions(newMemQueue()))
			if err != nil {
				t.Fatal(err)
			}
			defer e2.close()
			again, err := e2.handle(context.Background(), raw, testNow)
			if err != nil {
				t.Fatal(err)
			}
			if !again.duplicate || again.commit != h.commit {
				t.Errorf("the approved submission came in again: %+v", again)
			}
			if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(branch))); !os.IsNotExist(err) {
				t.Errorf("the approved submission's branch is back: %v", err)
			}
			after, _ := os.ReadFile(logPath)
			if got := !bytes.Equal(after, damaged); got != tc.rebuilt {
				t.Errorf("rebuilt = %v, want %v", got, tc.rebuilt)
			}
			if !bytes.HasPrefix(after, []byte(indexHeader+"\n")) || !bytes.HasSuffix(after, []byte("\n")) {
				t.Errorf("log after:\n%.300q", after)
			}
		})
	}
}
