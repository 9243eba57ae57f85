package inbox

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestExpireQuarantine: past the budget, strangers' records go first and
// whole, oldest first; then what registered senders' records keep of their
// messages (DKIM failures and auto-replies before rejected submissions),
// oldest first, the records staying.
func TestExpireQuarantine(t *testing.T) {
	const kib = 1 << 10
	day := func(n int) time.Time { return time.Date(2026, 11, n, 10, 0, 0, 0, time.UTC) }
	type item struct {
		id     string
		at     time.Time
		inst   string // "" for a stranger
		reason string
		body   int // bytes of the stored message
		rel    string
	}
	items := []item{
		{id: "s-old", at: day(1), reason: ReasonUnknownSender, body: 40 * kib},
		{id: "s-new", at: day(5), reason: ReasonUnknownSender, body: 40 * kib},
		{id: "s-rel", at: day(0), reason: ReasonUnknownSender, body: 40 * kib, rel: "submit/x/2026-10"},
		{id: "r-dkim", at: day(2), inst: instSlug, reason: ReasonDKIM, body: 100 * kib},
		{id: "r-rej-old", at: day(1), inst: instSlug, reason: ReasonRejected, body: 100 * kib},
		{id: "r-rej-new", at: day(3), inst: instSlug, reason: ReasonRejected, body: 100 * kib},
	}
	tests := []struct {
		name    string
		budget  int64
		gone    []string // records removed whole
		expired []string // records whose stored message was removed
	}{
		{name: "within budget", budget: 1 << 20},
		{name: "one stranger, the oldest", budget: 390 * kib, gone: []string{"s-old"}},
		{name: "both strangers before any registered", budget: 350 * kib, gone: []string{"s-new", "s-old"}},
		{name: "then DKIM failures and releases, oldest first", budget: 300 * kib, gone: []string{"s-new", "s-old"}, expired: []string{"r-dkim", "s-rel"}},
		{name: "rejected submissions last, oldest first", budget: 150 * kib, gone: []string{"s-new", "s-old"}, expired: []string{"r-dkim", "r-rej-old", "s-rel"}},
		{name: "zero budget: every body, records stay", budget: 0, gone: []string{"s-new", "s-old"}, expired: []string{"r-dkim", "r-rej-new", "r-rej-old", "s-rel"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stateDir := t.TempDir()
			for _, it := range items {
				rec := &QuarantineRecord{ID: it.id, ReceivedAt: it.at, Institution: it.inst, Reason: it.reason, Released: it.rel, Stored: storedMessage}
				raw := append([]byte("From: a@b.example\r\n\r\n"), bytes.Repeat([]byte("x"), it.body)...)
				if _, err := writeQuarantine(stateDir, rec, raw); err != nil {
					t.Fatal(err)
				}
			}
			used, err := expireQuarantine(stateDir, tc.budget, day(20))
			if err != nil {
				t.Fatal(err)
			}
			if disk := dirSize(t, quarantineDir(stateDir)); used != disk || (disk > tc.budget && len(tc.expired) < 4) {
				t.Errorf("reports %d bytes, %d on disk, budget %d", used, disk, tc.budget)
			}
			var gone, expired []string
			for _, it := range items {
				rec, err := readQuarantine(stateDir, it.id)
				if os.IsNotExist(err) {
					gone = append(gone, it.id)
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				_, ferr := os.Stat(filepath.Join(quarantineDir(stateDir), it.id, "message.eml"))
				if !rec.Expired.IsZero() {
					expired = append(expired, it.id)
					if rec.Stored != "" || ferr == nil {
						t.Errorf("%s expired but still keeps %q (%v)", it.id, rec.Stored, ferr)
					}
				} else if ferr != nil {
					t.Errorf("%s lost its message without being marked expired: %v", it.id, ferr)
				}
			}
			sort.Strings(gone)
			sort.Strings(expired)
			if strings.Join(gone, " ") != strings.Join(tc.gone, " ") || strings.Join(expired, " ") != strings.Join(tc.expired, " ") {
				t.Errorf("gone %v expired %v, want gone %v expired %v", gone, expired, tc.gone, tc.expired)
			}
		})
	}
}

// TestQuarantineBudget: the inbox keeps the quarantine within site.yaml
// inbox.quarantine_budget_mib, whatever arrives; strangers' records expire
// before what registered senders sent, and the newest rejected message
// stays whole so that staff can still release it.
func TestQuarantineBudget(t *testing.T) {
	files := fixtureFiles(t, "")
	files["site.yaml"] = []byte(strings.Replace(string(files["site.yaml"]), "quarantine_budget_mib: 1024", "quarantine_budget_mib: 1", 1))
	dir := newFixtureRepo(t, false, files)
	e, err := newEngine(dir, testOptions(newMemQueue()))
	if err != nil {
		t.Fatal(err)
	}
	defer e.close()
	ctx := context.Background()
	var strangers, registered []string
	for i := 0; i < 3; i++ {
		raw := compose("陌生人 <s"+strconv.Itoa(i)+"@evil.example>", "资料", "s"+strconv.Itoa(i)+"@evil.example", testNow, "见附件",
			[]attachment{{Name: "资料.pdf", Type: "application/pdf", Data: fakePDF(300<<10, "s"+strconv.Itoa(i))}})
		h, err := e.handle(ctx, raw, testNow.Add(time.Duration(i)*time.Minute))
		if err != nil || h.dest != destQuarantine {
			t.Fatalf("%+v %v", h, err)
		}
		strangers = append(strangers, h.qid)
	}
	for i := 0; i < 4; i++ {
		raw := compose(instSender, "资料", "r"+strconv.Itoa(i)+"@jinchuang-capital.example.com", testNow, "见附件",
			[]attachment{{Name: "说明.pdf", Type: "application/pdf", Data: fakePDF(300<<10, "r"+strconv.Itoa(i))}})
		h, err := e.handle(ctx, raw, testNow.Add(time.Hour+time.Duration(i)*time.Minute))
		if err != nil || h.dest != destQuarantine {
			t.Fatalf("%+v %v", h, err)
		}
		registered = append(registered, h.qid)
	}
	gd, _ := gitDirOf(dir)
	qd := quarantineDir(filepath.Join(gd, "kjjr"))
	if n := dirSize(t, qd); n > 1<<20 {
		t.Errorf("quarantine holds %d bytes, budget 1 MiB", n)
	}
	for _, id := range strangers {
		if _, err := os.Stat(filepath.Join(qd, id)); !os.IsNotExist(err) {
			t.Errorf("stranger's record %s kept while registered senders' messages expired (%v)", id, err)
		}
	}
	for _, id := range registered {
		if _, err := os.Stat(filepath.Join(qd, id, "record.json")); err != nil {
			t.Errorf("registered sender's record %s: %v", id, err)
		}
	}
	if _, err := os.Stat(filepath.Join(qd, registered[3], "message.eml")); err != nil {
		t.Errorf("the newest rejected message was not kept whole: %v", err)
	}
}
