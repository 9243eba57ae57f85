package outbox

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"kjjr/content"
)

func loadFixture(t *testing.T) *content.Repo {
	t.Helper()
	repo, err := content.Load(os.DirFS("testdata/repo"), nil)
	if err != nil {
		t.Fatal(err)
	}
	return repo
}

func d(s string) content.Date {
	v, err := content.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return v
}

func TestPlan(t *testing.T) {
	repo := loadFixture(t)
	type item struct{ slug, period, stage string }
	for _, tc := range []struct {
		today   string
		pending []string
		want    []item
	}{
		// alpha's 2026-10 is approved on main; beta's is missing; 2026-09 is
		// missing for both and overdue (deadline 2026-10-10).
		{"2026-11-04", nil, []item{{"alpha", "2026-09", "overdue"}, {"beta", "2026-09", "overdue"}}},
		{"2026-11-05", nil, []item{{"alpha", "2026-09", "overdue"}, {"beta", "2026-09", "overdue"}, {"beta", "2026-10", "before"}}},
		{"2026-11-05", []string{"beta/2026-10", "alpha/2026-09"}, []item{{"beta", "2026-09", "overdue"}}},
		{"2026-11-10", nil, []item{{"beta", "2026-10", "due"}}},
		{"2026-11-11", nil, []item{{"beta", "2026-10", "overdue"}}},
		// H2 deadline 2027-01-15 (half_year_days 15), annual 2026-12-31.
		{"2026-12-28", nil, []item{{"alpha", "2026-11", "overdue"}, {"alpha", "2026-annual", "before"}, {"beta", "2026-11", "overdue"}, {"beta", "2026-annual", "before"}}},
		// 2026-11 (deadline 2026-12-10) is 31 days overdue: past OverdueDays.
		// 2026-12's nominal deadline, Sunday 2027-01-10, is a rest day: the
		// sheet is due Monday the 11th (provisional: no 2027 calendar).
		{"2027-01-10", nil, []item{
			{"alpha", "2026-annual", "overdue"}, {"alpha", "2026-12", "before"}, {"alpha", "2026-H2", "before"},
			{"beta", "2026-annual", "overdue"}, {"beta", "2026-12", "before"}, {"beta", "2026-H2", "before"}}},
		{"2027-01-11", nil, []item{
			{"alpha", "2026-annual", "overdue"}, {"alpha", "2026-12", "due"}, {"alpha", "2026-H2", "before"},
			{"beta", "2026-annual", "overdue"}, {"beta", "2026-12", "due"}, {"beta", "2026-H2", "before"}}},
		// Before the announcement (2026-03-02) nothing is owed: 2026-03's sheet is not required.
		{"2026-04-08", nil, nil},
		// 2026-04 is due Monday 2026-05-11 (the 10th is a Sunday), so the
		// reminder 5 days before goes out on the 6th, not the 5th.
		{"2026-05-05", nil, nil},
		{"2026-05-06", nil, []item{{"alpha", "2026-04", "before"}, {"beta", "2026-04", "before"}}},
	} {
		t.Run(tc.today, func(t *testing.T) {
			pending := map[string]bool{}
			for _, p := range tc.pending {
				pending[p] = true
			}
			rs, skipped := Plan(repo, d(tc.today), pending)
			var got []item
			for _, r := range rs {
				got = append(got, item{r.Slug, r.Period.String(), string(r.Stage)})
				inst := repo.Institution(r.Slug)
				if len(r.To) != len(inst.ReportSenders) {
					t.Errorf("%s: To %v, want all of %v", r.Slug, r.To, inst.ReportSenders)
				}
				for _, a := range r.To {
					if owner := repo.InstitutionByEmail(a); owner == nil || owner.Slug != r.Slug {
						t.Errorf("reminder for %s goes to %s, who is not its sender", r.Slug, a)
					}
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("got  %v\nwant %v", got, tc.want)
			}
			for _, s := range skipped {
				if s.Slug != "gamma" || len(s.To) != 0 {
					t.Errorf("skipped %+v", s)
				}
			}
		})
	}
}

// TestRemindTwice: the same day's run twice sends nothing new; every mail
// goes to one institution's senders only; the next stage sends again.
func TestRemindTwice(t *testing.T) {
	repo := loadFixture(t)
	srv := startServer(t, serverOpts{})
	clk := newClock()
	cfg := testConfig(srv.Addr, clk)
	cfg.Senders = func(slug string) []string {
		var out []string
		if inst := repo.Institution(slug); inst != nil {
			for _, s := range inst.ReportSenders {
				out = append(out, s.Email)
			}
		}
		return out
	}
	o := openTest(t, cfg)
	remind := func(day string) {
		t.Helper()
		clk.mu.Lock()
		clk.t = d(day).Time().Add(8 * time.Hour)
		clk.mu.Unlock()
		rs, _ := Plan(repo, d(day), nil)
		for _, r := range rs {
			if err := o.QueueReminder(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := o.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	remind("2026-11-05")
	if n := len(srv.Msgs()); n != 3 {
		t.Fatalf("first run delivered %d, want 3", n)
	}
	remind("2026-11-05")
	remind("2026-11-06")
	if n := len(srv.Msgs()); n != 3 {
		t.Fatalf("runs on the same stage delivered %d in all, want 3", n)
	}
	remind("2026-11-10")
	if n := len(srv.Msgs()); n != 4 {
		t.Fatalf("due day: %d in all, want 4", n)
	}
	for _, m := range srv.Msgs() {
		h, body := readMail(t, m.Data)
		var owner string
		for _, a := range m.Rcpt {
			inst := repo.InstitutionByEmail(a)
			if inst == nil || (owner != "" && inst.Slug != owner) {
				t.Fatalf("recipient list %v mixes institutions", m.Rcpt)
			}
			owner = inst.Slug
		}
		if h.Get("Auto-Submitted") != "auto-generated" || h.Get("In-Reply-To") != "" {
			t.Errorf("headers: %v", h.Header)
		}
		if !strings.Contains(body, repo.Institution(owner).Name) {
			t.Errorf("body does not name %s", owner)
		}
	}
	h, body := readMail(t, srv.Msgs()[2].Data)
	if s, _ := h.Subject(); s != "提醒：2026年10月月报请于2026年11月10日前报送" {
		t.Errorf("Subject %q", s)
	}
	golden(t, "reminder_before.txt", body)
	h, _ = readMail(t, srv.Msgs()[3].Data)
	if s, _ := h.Subject(); s != "提醒：2026年10月月报今日（2026年11月10日）截止报送" {
		t.Errorf("Subject %q", s)
	}
}

// TestReminderExpires: a "before" reminder still queued on the deadline
// (the server was down for days) is not sent late; an overdue one is sent
// until OverdueDays after the deadline.
func TestReminderExpires(t *testing.T) {
	repo := loadFixture(t)
	clk := newClock()
	o := openTest(t, testConfig("127.0.0.1:1", clk))
	rs, _ := Plan(repo, d("2026-11-05"), nil)
	clk.mu.Lock()
	clk.t = d("2026-11-09").Time().Add(23 * time.Hour)
	clk.mu.Unlock()
	for _, r := range rs {
		o.QueueReminder(r)
	}
	o.Flush(context.Background()) // the server is down
	for _, e := range must(o.List()) {
		if e.State != StateQueued {
			t.Errorf("on 2026-11-09 %s is %s, want queued", e.Key, e.State)
		}
	}
	clk.mu.Lock()
	clk.t = d("2026-11-10").Time()
	clk.mu.Unlock()
	o.Flush(context.Background())
	es, _ := o.List()
	for _, e := range es {
		// 2026-09's deadline was 2026-10-10: 2026-11-10 is OverdueDays+1 after.
		if want := StateExpired; e.State != want {
			t.Errorf("%s: %s, want %s", e.Key, e.State, want)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
