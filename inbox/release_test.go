package inbox

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestReleaseAndList(t *testing.T) {
	e, q, dir := newTestEngine(t, false)
	ctx := context.Background()
	// A sheet sent from a private address staff know: quarantined.
	raw := compose("周强 <zq1987@163.example.com>", "2026年10月月报", "rel@163.example.com", testNow, "用个人邮箱发的月报",
		[]attachment{{Name: "月报.xlsx", Type: xlsxType, Data: goodSheet(t, "2026-10")}})
	h, err := e.handle(ctx, raw, testNow)
	if err != nil || h.dest != destQuarantine {
		t.Fatalf("%+v %v", h, err)
	}
	other, err := e.handle(ctx, readFixture(t, "no_sheet.eml"), testNow.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	e.close()
	gd, _ := gitDirOf(dir)
	recs, err := ListQuarantine(gd)
	if err != nil || len(recs) != 2 {
		t.Fatalf("list: %v %v", recs, err)
	}
	if recs[0].ID != h.qid || recs[0].Reason != ReasonUnknownSender || recs[0].Institution != "" || recs[1].ID != other.qid {
		t.Errorf("records %+v", recs)
	}
	// The quarantine kept the stranger's header only: without a mailbox
	// to fetch the body from, release says what to do.
	if n := dirSize(t, quarantineDir(filepath.Join(gd, "kjjr"))); n > 16<<10 {
		t.Errorf("quarantine holds %d bytes: the stranger's body was stored", n)
	}
	opts := testOptions(q)
	_, err = Release(ctx, dir, h.qid, instSlug, opts)
	var re *ReleaseError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "隔离区没有这封邮件的正文") {
		t.Fatalf("release without IMAP: %v", err)
	}
	// The message in the quarantine mailbox of a real Dovecot, among
	// others with the same Message-ID or size: release fetches that one.
	d := dovecot(t)
	user := d.account(t)
	c := dovecotClient(t, d.Addr, user)
	if err := c.Create("待核查", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	decoy := compose("周强 <zq1987@163.example.com>", "2026年10月月报", "rel@163.example.com", testNow, "另一封",
		[]attachment{{Name: "月报.xlsx", Type: xlsxType, Data: goodSheet(t, "2026-09")}})
	appendMsg(t, c, "待核查", decoy)
	appendMsg(t, c, "待核查", raw)
	opts.IMAP = IMAPConfig{Addr: d.Addr, User: user, Password: "pw", TLS: "none"}
	br, err := Release(ctx, dir, h.qid, instSlug, opts)
	if err != nil {
		t.Fatal(err)
	}
	if br != "submit/"+instSlug+"/2026-10" {
		t.Errorf("branch %s", br)
	}
	recs, _ = ListQuarantine(gd)
	if recs[0].Released != br || recs[0].ReleasedAs != instSlug {
		t.Errorf("record after release %+v", recs[0])
	}
	if br2, err := Release(ctx, dir, h.qid, instSlug, opts); err != nil || br2 != br {
		t.Errorf("second release: %s %v", br2, err)
	}
	// An accepted receipt went to the sender, once.
	n := 0
	for _, k := range q.order {
		if r := q.byKey[k]; r.Accepted && r.Key == "mid:rel@163.example.com "+sha256hex(raw[headerEnd(raw):])+" released" && r.To == instSender {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d accepted receipts for the released message", n)
	}
	// Content that cannot be used is not released, whoever vouches.
	_, err = Release(ctx, dir, other.qid, instSlug, opts)
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "没有找到月报表") {
		t.Errorf("release of unusable mail: %v", err)
	}
	if _, err := Release(ctx, dir, "../../etc", instSlug, opts); err == nil {
		t.Error("path in id accepted")
	}
	if _, err := Release(ctx, dir, h.qid, "no-such-inst", opts); err == nil {
		t.Error("unknown slug accepted")
	}
}
