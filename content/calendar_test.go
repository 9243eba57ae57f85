package content_test

import (
	"errors"
	"testing"

	"kjjr/content"
	"kjjr/content/jinzhong"
)

func defaultCalendar(t *testing.T) *content.Calendar {
	t.Helper()
	repo, err := content.Load(jinzhong.FS(), nil)
	if err != nil {
		t.Fatalf("Load(default): %v", err)
	}
	return repo.Calendar
}

func TestAddWorkdays(t *testing.T) {
	cal := defaultCalendar(t)
	tests := []struct {
		start string
		n     int
		want  string
	}{
		{"2025-09-26", 5, "2025-10-09"}, // 9-28 adjusted working day, 10-01..08 off
		{"2026-02-12", 5, "2026-02-25"}, // Spring Festival 2026, 2-14 adjusted working day
		{"2025-06-03", 5, "2025-06-09"},
		{"2025-06-07", 1, "2025-06-09"}, // a Saturday start does not count
		{"2025-01-24", 2, "2025-01-26"}, // Sunday 1-26 is an adjusted working day
		{"2025-12-31", 1, "2025-12-31"},
	}
	for _, tt := range tests {
		start, _ := content.ParseDate(tt.start)
		got, err := cal.AddWorkdays(start, tt.n)
		if err != nil {
			t.Errorf("AddWorkdays(%s, %d): %v", tt.start, tt.n, err)
			continue
		}
		if got.String() != tt.want {
			t.Errorf("AddWorkdays(%s, %d) = %s; want %s", tt.start, tt.n, got, tt.want)
		}
	}
}

func TestAddWorkdaysOutsideCalendar(t *testing.T) {
	cal := defaultCalendar(t)
	for _, s := range []string{"2024-06-03", "2026-12-29", "2027-01-04"} {
		start, _ := content.ParseDate(s)
		_, err := cal.AddWorkdays(start, 5)
		var re *content.CalendarRangeError
		if !errors.As(err, &re) {
			t.Errorf("AddWorkdays(%s, 5) error = %v; want a CalendarRangeError", s, err)
		}
	}
}

func TestWorkdaysPerYear(t *testing.T) {
	cal := defaultCalendar(t)
	for _, year := range []int{2025, 2026} {
		n := 0
		for d := (content.Date{Year: year, Month: 1, Day: 1}); d.Year == year; d = d.AddDays(1) {
			ok, err := cal.IsWorkday(d)
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				n++
			}
		}
		if n != 248 {
			t.Errorf("%d has %d working days; want 248 (State Council notice)", year, n)
		}
	}
}
