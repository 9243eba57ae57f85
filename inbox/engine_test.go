package inbox

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"

	"kjjr/content"
	"kjjr/content/gitfs"
)

func newTestEngine(t *testing.T, bare bool) (*engine, *memQueue, string) {
	t.Helper()
	dir := newFixtureRepo(t, bare, fixtureFiles(t, ""))
	q := newMemQueue()
	e, err := newEngine(dir, testOptions(q))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.close() })
	return e, q, dir
}

func TestAcceptMonthly(t *testing.T) {
	e, q, dir := newTestEngine(t, false)
	raw := compose("周强 <"+instSender+">", "2026年10月月报", "m1@jinchuang-capital.example.com", testNow.Add(-time.Hour),
		"您好，附件为10月月报。", []attachment{
			{Name: "2026年10月考核表.xlsx", Type: xlsxType, Data: goodSheet(t, "2026年10月")},
			{Name: "银企对接现场.pdf", Type: "application/pdf", Data: fakePDF(50_000, "a")},
		})
	h, err := e.handle(context.Background(), raw, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if h.dest != destProcessed || h.branch != "submit/"+instSlug+"/2026-10" {
		t.Fatalf("handled = %+v", h)
	}
	r, _ := git.PlainOpen(dir)
	c, err := r.CommitObject(h.commit)
	if err != nil {
		t.Fatal(err)
	}
	tr := trailers(c.Message)
	for k, want := range map[string]string{
		"Kjjr-Institution": instSlug, "Kjjr-Period": "2026-10", "Kjjr-Kind": "monthly",
		"Message-Id": "<m1@jinchuang-capital.example.com>", "Source-Sha256": sha256hex(raw), "DKIM": "none",
	} {
		if tr[k] != want {
			t.Errorf("trailer %s = %q, want %q", k, tr[k], want)
		}
	}
	if !strings.HasPrefix(c.Message, "月报 2026-10 "+instName+"\n\n") {
		t.Errorf("subject line: %q", strings.SplitN(c.Message, "\n", 2)[0])
	}
	if c.Author.Name != instName || c.Author.Email != instSender {
		t.Errorf("author %v", c.Author)
	}
	if c.Committer.Email != "kjjr@example.gov.cn" {
		t.Errorf("committer %v", c.Committer)
	}
	fsys, _, err := gitfs.Rev(r, h.branch)
	if err != nil {
		t.Fatal(err)
	}
	repo, err := content.Load(fsys, nil)
	if err != nil {
		t.Fatalf("load branch: %v", err)
	}
	inst := repo.Institution(instSlug)
	rep := inst.Report(content.Period{Kind: content.Monthly, Year: 2026, Month: 10})
	if rep == nil {
		t.Fatal("no report on branch")
	}
	if rep.Indicators == nil || rep.Indicators.EnterprisesServed != 12 || rep.Sender != instSender {
		t.Errorf("report = %+v", rep)
	}
	if len(rep.Documents) != 1 || len(rep.Evidence) != 1 {
		t.Fatalf("documents %v evidence %v", rep.Documents, rep.Evidence)
	}
	if _, err := fsys.Stat("institutions/" + instSlug + "/" + rep.Evidence[0].Path); err != nil {
		t.Errorf("evidence file missing: %v", err)
	}
	if len(q.order) != 1 || !q.byKey[q.order[0]].Accepted {
		t.Errorf("receipts: %v", q.order)
	}
	// The same message again (a re-delivery with a new Received line) is a duplicate.
	again := append([]byte("Received: from mx by kjjr; Fri, 20 Nov 2026 10:00:00 +0800\r\n"), raw...)
	h2, err := e.handle(context.Background(), again, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if !h2.duplicate || h2.commit != h.commit {
		t.Fatalf("re-delivery: %+v", h2)
	}
	if len(q.order) != 1 {
		t.Errorf("second receipt queued")
	}
	// Rebuilt from git, the index still knows it.
	e.close()
	e2, err := newEngine(dir, testOptions(q))
	if err != nil {
		t.Fatal(err)
	}
	defer e2.close()
	if _, ok := e2.index.lookup(quickID(raw).Hash()); !ok {
		t.Error("index lost the message")
	}
}
