package inbox

import (
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// countingProxy forwards loopback TCP connections to addr and counts the
// bytes that the server sends: what the client fetched.
type countingProxy struct {
	Addr string
	down atomic.Int64
}

func newCountingProxy(t testing.TB, addr string) *countingProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &countingProxy{Addr: ln.Addr().String()}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", addr)
			if err != nil {
				c.Close()
				continue
			}
			wg.Add(2)
			go func() {
				defer wg.Done()
				io.Copy(s, c)
				s.Close()
			}()
			go func() {
				defer wg.Done()
				n, _ := io.Copy(c, s)
				p.down.Add(n)
				c.Close()
			}()
		}
	}()
	return p
}

// dirSize is the total size of the regular files under dir.
func dirSize(t testing.TB, dir string) int64 {
	t.Helper()
	var n int64
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			fi, err := d.Info()
			if err != nil {
				return err
			}
			n += fi.Size()
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return n
}

// TestDovecotLargeMailNotFetched: a large message from a stranger and one
// over max_message_mib from a registered sender are decided on their size
// and header alone. Neither body crosses the wire (bytes counted on the
// connection to a real Dovecot), the quarantine keeps headers, size and
// reason but no body, the registered sender gets a receipt naming the
// limit and the stranger none.
func TestDovecotLargeMailNotFetched(t *testing.T) {
	d := dovecot(t)
	user := d.account(t)
	dir := newFixtureRepo(t, true, fixtureFiles(t, "")) // max_message_mib: 3
	c := dovecotClient(t, d.Addr, user)
	stranger := compose("陌生人 <bulk@evil.example>", "请查收资料", "big-stranger@evil.example", testNow, "见附件",
		[]attachment{{Name: "资料.pdf", Type: "application/pdf", Data: fakePDF(20<<20, "stranger")}})
	over := compose(instSender, "2026年10月月报", "big-registered@jinchuang-capital.example.com", testNow, "月报及扫描件",
		[]attachment{{Name: "10月考核表.xlsx", Type: xlsxType, Data: goodSheet(t, "2026-10")},
			{Name: "扫描件.pdf", Type: "application/pdf", Data: fakePDF(4<<20, "scan")}})
	appendMsg(t, c, "INBOX", stranger)
	appendMsg(t, c, "INBOX", over)

	proxy := newCountingProxy(t, d.Addr)
	q := newMemQueue()
	opts := testOptions(q)
	opts.IMAP = IMAPConfig{Addr: proxy.Addr, User: user, Password: "pw", TLS: "none"}
	w, err := NewWorker(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	st, err := w.RunOnce(context.Background())
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	if st.Quarantined != 2 || st.Committed != 0 {
		t.Errorf("stats: %v", st)
	}
	if n := mailboxCount(t, c, "待核查"); n != 2 {
		t.Errorf("待核查 holds %d messages, want 2", n)
	}
	if n := proxy.down.Load(); n > 1<<20 {
		t.Errorf("the worker read %d bytes from the server for two messages of %d and %d bytes: bodies were fetched", n, len(stranger), len(over))
	}
	gd, _ := gitDirOf(dir)
	if n := dirSize(t, quarantineDir(filepath.Join(gd, "kjjr"))); n > 64<<10 {
		t.Errorf("quarantine holds %d bytes: a body was stored", n)
	}
	recs, err := ListQuarantine(gd)
	if err != nil || len(recs) != 2 {
		t.Fatalf("records: %+v %v", recs, err)
	}
	byFrom := map[string]QuarantineRecord{}
	for _, r := range recs {
		byFrom[r.From] = r
	}
	s, o := byFrom["bulk@evil.example"], byFrom[instSender]
	if s.Reason != ReasonUnknownSender || s.Receipt || s.MessageID != "<big-stranger@evil.example>" || s.Subject != "请查收资料" {
		t.Errorf("stranger's record: %+v", s)
	}
	if o.Reason != ReasonRejected || !o.Receipt || o.Institution != instSlug || len(o.Reasons) != 1 || !strings.Contains(o.Reasons[0], "超过上限 3.0 MiB") {
		t.Errorf("over-limit record: %+v", o)
	}
	checkStoredSize(t, s, int64(len(stranger)))
	checkStoredSize(t, o, int64(len(over)))
	// One receipt: to the registered sender, saying the limit and what to do.
	if len(q.order) != 1 {
		t.Fatalf("%d receipts, want 1 (none to the stranger)", len(q.order))
	}
	r := q.byKey[q.order[0]]
	if r.To != instSender || r.Accepted || len(r.Problems) != 1 || !strings.Contains(r.Problems[0], "3.0 MiB") || !strings.Contains(r.Problems[0], "分成几封邮件") {
		t.Errorf("receipt: to %s accepted %v problems %q", r.To, r.Accepted, r.Problems)
	}

	// A second pass over the same messages (moved back, as after a failed
	// MOVE) files them as duplicates: no new record, no second receipt.
	for _, raw := range [][]byte{stranger, over} {
		appendMsg(t, c, "INBOX", raw)
	}
	w, err = NewWorker(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	st, err = w.RunOnce(context.Background())
	w.Close()
	if err != nil || st.Duplicates != 2 || st.Quarantined != 0 {
		t.Errorf("second pass: %v %v", st, err)
	}
	if len(q.order) != 1 {
		t.Errorf("%d receipts after the second pass, want 1", len(q.order))
	}
}

// checkStoredSize checks that a record states the message's size.
func checkStoredSize(t testing.TB, r QuarantineRecord, want int64) {
	t.Helper()
	js, _ := json.Marshal(r)
	var m struct {
		Size int64 `json:"size"`
	}
	json.Unmarshal(js, &m)
	if m.Size != want {
		t.Errorf("record %s says size %d, want %d", r.ID, m.Size, want)
	}
}
