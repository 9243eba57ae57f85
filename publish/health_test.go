package publish

import (
	"errors"
	"testing"
	"time"

	"kjjr/content"
	"kjjr/health"
)

// TestRecordHealth: every publish, failed or not, is recorded where
// kjjr health reads the jobs, with the next date the site changes.
func TestRecordHealth(t *testing.T) {
	gitDir := t.TempDir()
	start := time.Now().Add(-time.Second)
	if err := Record(gitDir, t.TempDir(), start, nil, errors.New("构建失败")); err != nil {
		t.Fatal(err)
	}
	rec, err := health.Read(gitDir)
	if err != nil {
		t.Fatal(err)
	}
	j := rec.Jobs[health.JobPublish]
	if j == nil || j.OK || j.Error == nil {
		t.Fatalf("after a failed publish the health record has %+v", j)
	}
	res := &Result{Release: Release{ID: "000001-abc", Commit: "abc"}, NextChange: content.Date{Year: 2027, Month: 1, Day: 12}}
	if err := Record(gitDir, t.TempDir(), start, res, nil); err != nil {
		t.Fatal(err)
	}
	rec, _ = health.Read(gitDir)
	j = rec.Jobs[health.JobPublish]
	if j == nil || !j.OK || j.NextChange.IsZero() || j.Error == nil || j.Error.Cleared.IsZero() {
		t.Fatalf("after a good publish the health record has %+v", j)
	}
}
