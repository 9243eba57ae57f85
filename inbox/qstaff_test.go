package inbox

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDeleteQuarantine deletes one of two quarantined messages: it leaves
// the listing whole, a second delete and a path for an id change nothing,
// and a directory a crash left mid-delete is swept.
func TestDeleteQuarantine(t *testing.T) {
	e, _, dir := newTestEngine(t, true)
	ctx := context.Background()
	a, err := e.handle(ctx, compose("周强 <zq1987@163.example.com>", "2026年10月月报", "del1@163.example.com", testNow, "一",
		[]attachment{{Name: "月报.xlsx", Type: xlsxType, Data: goodSheet(t, "2026-10")}}), testNow)
	if err != nil || a.dest != destQuarantine {
		t.Fatalf("%+v %v", a, err)
	}
	b, err := e.handle(ctx, readFixture(t, "no_sheet.eml"), testNow.Add(time.Minute))
	if err != nil || b.dest != destQuarantine {
		t.Fatalf("%+v %v", b, err)
	}
	e.close()
	gd, _ := gitDirOf(dir)
	qd := quarantineDir(filepath.Join(gd, "kjjr"))
	leftover := filepath.Join(qd, deletedPrefix+"x-0")
	if err := os.MkdirAll(leftover, 0o755); err != nil {
		t.Fatal(err)
	}

	for _, bad := range []string{"", "..", "../" + a.qid, a.qid + "/record.json", "/etc", ".tmp-x", deletedPrefix + "x-0"} {
		if _, err := DeleteQuarantine(gd, bad); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("DeleteQuarantine(%q) = %v, want not exist", bad, err)
		}
	}
	if recs, _ := ListQuarantine(gd); len(recs) != 2 {
		t.Fatalf("refused deletes changed the quarantine: %d records", len(recs))
	}

	hdr, err := QuarantineHeader(gd, a.qid)
	if err != nil || !strings.Contains(hdr, "Message-ID: <del1@163.example.com>") || strings.Contains(hdr, "Content-Transfer-Encoding: base64") {
		t.Errorf("header of %s: %v\n%s", a.qid, err, hdr)
	}
	if r, err := ReadQuarantine(gd, b.qid); err != nil || r.ID != b.qid {
		t.Errorf("ReadQuarantine: %+v %v", r, err)
	}
	if _, err := ReadQuarantine(gd, "../kjjr"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ReadQuarantine of a path: %v", err)
	}

	rec, err := DeleteQuarantine(gd, a.qid)
	if err != nil || rec.ID != a.qid || rec.From != "zq1987@163.example.com" {
		t.Fatalf("delete: %+v %v", rec, err)
	}
	recs, err := ListQuarantine(gd)
	if err != nil || len(recs) != 1 || recs[0].ID != b.qid {
		t.Fatalf("after delete: %+v %v", recs, err)
	}
	if _, err := os.Stat(filepath.Join(qd, a.qid)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("record dir still there: %v", err)
	}
	if _, err := os.Stat(leftover); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("leftover of an interrupted delete not swept: %v", err)
	}
	if _, err := DeleteQuarantine(gd, a.qid); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("second delete: %v, want not exist", err)
	}
	if recs, _ := ListQuarantine(gd); len(recs) != 1 {
		t.Errorf("second delete changed the quarantine: %d records", len(recs))
	}
}
