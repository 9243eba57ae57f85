package content

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Due is when a report falls due: the one rule behind every deadline kjjr
// shows, checks or mails (status, remind, review, receipts, the site's
// compliance rows and the assessment's on-time figures).
//
// site.yaml names a nominal day (Deadlines). When that day is a statutory
// rest day (a weekend or holiday that calendar/<year>.yaml does not turn
// into an adjusted working day), the period ends on the next working day
// instead (民法典第二百零三条: 期间的最后一日是法定休假日的，以法定休假日
// 结束的次日为期间的最后一日). An adjusted working day (调休上班) is a
// working day, so a deadline on it stays. site.yaml's
// deadlines.shift_rest_days: false turns the rule off for a bureau that
// rules otherwise.
//
// The State Council publishes a year's holidays only late in the year
// before, yet deadlines reach into it (the December sheet is due in
// January). A day in a year without a calendar file is judged on weekends
// alone and the Due is Provisional: it is shown with
// ProvisionalNote, `kjjr check` warns and names the file to add, and the
// real rest days apply as soon as the file appears. (Working-day counts
// for a 公示 stay exact: Calendar.AddWorkdays refuses an unknown year.)
type Due struct {
	Date        Date // the last day to file
	Nominal     Date // the day site.yaml names, before the rest-day rule
	Provisional bool // a day on the way lies in a year without calendar/<year>.yaml
}

// ProvisionalNote is what status and the site say next to a provisional
// deadline.
const ProvisionalNote = "假期安排未公布，暂按周末计算"

// maxShift bounds the walk to the next working day (the longest run of
// rest days in a year is the Spring Festival's 9).
const maxShift = 31

// Deadline returns when a report for period p falls due under site s and
// calendar cal (nil means no calendar years). Repo.Deadline is the usual
// way in; this form serves callers that read site.yaml and the calendar
// without loading a repo.
func Deadline(s *Site, cal *Calendar, p Period) Due {
	n := s.nominalDeadline(p)
	due := Due{Date: n, Nominal: n}
	if n.IsZero() || !s.Deadlines.ShiftsRestDays() {
		return due
	}
	d := n
	for i := 0; i <= maxShift; i, d = i+1, d.AddDays(1) {
		var work bool
		if cal.HasYear(d.Year) {
			work, _ = cal.IsWorkday(d)
		} else {
			due.Provisional = true
			wd := d.Weekday()
			work = wd != time.Saturday && wd != time.Sunday
		}
		if work {
			due.Date = d
			return due
		}
	}
	return due
}

// Deadline returns when a report for period p falls due (see Due).
func (r *Repo) Deadline(p Period) Due { return Deadline(&r.Site, r.Calendar, p) }

// ShiftsRestDays reports whether a deadline on a rest day moves to the
// next working day (shift_rest_days, default true).
func (d Deadlines) ShiftsRestDays() bool { return d.ShiftRestDays == nil || *d.ShiftRestDays }

// nominalDeadline is the day site.yaml names for a report for period p:
// monthly sheets by day Deadlines.MonthlyDay of the next month (the
// month's last day when it is shorter), half-year reports
// Deadlines.HalfYearDays after the half ends, the annual summary by
// Deadlines.AnnualMonthDay of its year (第六条第3项: 12月底前).
func (s *Site) nominalDeadline(p Period) Date {
	switch p.Kind {
	case Monthly:
		n := p.Next().Start()
		day := s.Deadlines.MonthlyDay
		if day < 1 {
			day = 10
		}
		if last := p.Next().End().Day; day > last {
			day = last
		}
		return Date{n.Year, n.Month, day}
	case HalfYear:
		return p.End().AddDays(s.Deadlines.HalfYearDays)
	case Annual:
		m, d := 12, 31
		if mm, dd, ok := strings.Cut(s.Deadlines.AnnualMonthDay, "-"); ok {
			if v, err := strconv.Atoi(mm); err == nil && v >= 1 && v <= 12 {
				m = v
			}
			if v, err := strconv.Atoi(dd); err == nil && v >= 1 && v <= 31 {
				d = v
			}
		}
		return DateOf(time.Date(p.Year, time.Month(m), d, 0, 0, 0, 0, CST))
	}
	return Date{}
}

// Late reports whether a report received on day received (CST) is late
// under d: received after d.Date. A report received on the day a deadline
// moved to is on time. This is the rule of ReportState and of every
// 按时/逾期 kjjr shows.
func (d Due) Late(received Date) bool { return received.After(d.Date) }

// State is the state of an approved report received on day received:
// StateOnTime or StateLate (see Late), whose Chinese words are those
// status, the site and receipts show.
func (d Due) State(received Date) ReportState {
	if d.Late(received) {
		return StateLate
	}
	return StateOnTime
}

// Chinese writes the deadline for people: 2026年1月12日, followed when
// the rest-day rule moved it by （1月10日为休息日，顺延至其后第一个工作日）
// and when it is provisional by （ProvisionalNote）.
func (d Due) Chinese() string {
	if d.Date.IsZero() {
		return ""
	}
	s := d.Date.Chinese()
	if !d.Nominal.IsZero() && d.Nominal != d.Date {
		s += fmt.Sprintf("（%d月%d日为休息日，顺延至其后第一个工作日）", d.Nominal.Month, d.Nominal.Day)
	}
	if d.Provisional {
		s += "（" + ProvisionalNote + "）"
	}
	return s
}
