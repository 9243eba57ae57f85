package content_test

import (
	"testing"

	"kjjr/content"
	"kjjr/content/jinzhong"
)

// TestDeadline pins the rest-day rule on the State Council's 2025 and 2026
// calendars as the default dataset carries them (monthly_day 10).
func TestDeadline(t *testing.T) {
	cal, ds := content.ReadCalendar(jinzhong.FS())
	if ds.HasErrors() || !cal.HasYear(2025) || !cal.HasYear(2026) {
		t.Fatalf("default calendar: %v (years %v)", ds, cal.Years())
	}
	no := false
	tests := []struct {
		period      string
		noShift     bool
		want        string
		provisional bool
		why         string
	}{
		{"2025-04", false, "2025-05-12", false, "the 10th is a Saturday"},
		{"2025-07", false, "2025-08-11", false, "Sunday"},
		{"2025-09", false, "2025-10-10", false, "a Friday and a working day"},
		{"2025-12", false, "2026-01-12", false, "Saturday"},
		{"2026-04", false, "2026-05-11", false, "Sunday; Saturday 05-09 is an adjusted working day, but the 10th is not"},
		{"2026-09", false, "2026-10-10", false, "Saturday, but an adjusted working day"},
		{"2025-09", false, "2025-10-10", false, "National Day ends on 10-08"},
		{"2026-12", false, "2027-01-11", true, "2027 has no calendar yet: Sunday the 10th moves on weekends alone"},
		{"2027-02", false, "2027-03-10", true, "a Wednesday, still provisional: it may yet be a holiday"},
		{"2025-04", true, "2025-05-10", false, "shift_rest_days: false keeps the named day"},
		{"2026-12", true, "2027-01-10", false, "without the rule no calendar is needed"},
		{"2025-H1", false, "2025-07-15", false, "half-year: 15 days after 06-30, a Tuesday"},
		{"2026-H2", false, "2027-01-15", true, "half-year due in a year without calendar"},
		{"2026-annual", false, "2026-12-31", false, "annual: a Thursday"},
		{"2025-annual", false, "2025-12-31", false, "annual: a Wednesday"},
	}
	for _, tt := range tests {
		t.Run(tt.period+"/"+tt.why, func(t *testing.T) {
			p, err := content.ParsePeriod(tt.period)
			if err != nil {
				t.Fatal(err)
			}
			s := &content.Site{}
			s.ApplyDefaults()
			if tt.noShift {
				s.Deadlines.ShiftRestDays = &no
			}
			got := content.Deadline(s, cal, p)
			if got.Date.String() != tt.want || got.Provisional != tt.provisional {
				t.Errorf("Deadline(%s) = %s provisional=%v, want %s provisional=%v (%s)",
					tt.period, got.Date, got.Provisional, tt.want, tt.provisional, tt.why)
			}
		})
	}
}

// TestDeadlineLateness: a sheet for 2025-12 that arrives on Monday
// 2026-01-12 is on time, because its nominal deadline (Saturday the 10th)
// was a rest day; the assessment's on-time figure follows.
func TestDeadlineLateness(t *testing.T) {
	r, err := content.Load(jinzhong.FS(), nil)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := content.ParsePeriod("2025-12")
	due := r.Deadline(p)
	if due.Date.String() != "2026-01-12" || due.Nominal.String() != "2026-01-10" {
		t.Fatalf("due %s (nominal %s), want 2026-01-12 (nominal 2026-01-10)", due.Date, due.Nominal)
	}
	var inst *content.Institution
	for _, in := range r.Institutions {
		if in.Required(p) {
			inst = in
			break
		}
	}
	if inst == nil {
		t.Fatal("no institution owes 2025-12 in the default dataset")
	}
	rep := &content.Report{Kind: "monthly", Period: p, ReceivedAt: "2026-01-12T16:30:00+08:00"}
	inst.Reports = append([]*content.Report(nil), rep)
	today, _ := content.ParseDate("2026-02-01")
	if st := r.ReportState(inst, p, today, false); st != content.StateOnTime {
		t.Errorf("received on the shifted day: %s, want %s", st, content.StateOnTime)
	}
	rep.ReceivedAt = "2026-01-13T09:00:00+08:00"
	if st := r.ReportState(inst, p, today, false); st != content.StateLate {
		t.Errorf("received the day after: %s, want %s", st, content.StateLate)
	}
}
