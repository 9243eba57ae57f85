package testenv_test

import (
	"errors"
	"testing"

	"kjjr/internal/testenv"
)

// recorder is a testing.TB that records how a test ended.
type recorder struct {
	testing.TB
	failed, skipped bool
	msg             string
}

func (r *recorder) Helper() {}
func (r *recorder) Fatal(args ...any) {
	r.failed, r.msg = true, args[0].(string)
}
func (r *recorder) Skip(args ...any) {
	r.skipped, r.msg = true, args[0].(string)
}

func TestMissing(t *testing.T) {
	for _, ci := range []string{"true", ""} {
		t.Run("CI="+ci, func(t *testing.T) {
			t.Setenv("CI", ci)
			r := &recorder{TB: t}
			testenv.Need(r, "chromium", errors.New("not found"))
			if r.failed != (ci == "true") || r.skipped != (ci != "true") {
				t.Errorf("CI=%q: failed %v, skipped %v; want a failure in CI and a skip elsewhere", ci, r.failed, r.skipped)
			}
			if r.msg == "" {
				t.Error("no message")
			}
		})
	}
}

func TestNeedTool(t *testing.T) {
	t.Setenv("CI", "true")
	r := &recorder{TB: t}
	testenv.NeedTool(r, "kjjr-no-such-tool")
	if !r.failed {
		t.Error("a missing tool did not fail in CI")
	}
	r = &recorder{TB: t}
	testenv.Need(r, "something", nil)
	if r.failed || r.skipped {
		t.Error("Need with no error ended the test")
	}
}
