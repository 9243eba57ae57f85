package content

import (
	"fmt"
	"sort"
	"time"
)

// Status is an institution's standing, derived from rounds, publicity and
// results; it is never typed into a record.
type Status string

// Statuses in the order an institution passes through them.
const (
	StatusNone       Status = ""           // not (yet) part of any round
	StatusApplicant  Status = "applicant"  // applied in a round (第三条第2项)
	StatusPublicized Status = "publicized" // on a publicity list (第三条第5项)
	StatusAnnounced  Status = "announced"  // announced to the public (第五条第1项)
	StatusFiled      Status = "filed"      // filed with the province (第三条第6项)
	StatusRemoved    Status = "removed"    // graded 不合格 (第六条第3项)
)

// Chinese returns the status for people.
func (s Status) Chinese() string {
	switch s {
	case StatusApplicant:
		return "申报中"
	case StatusPublicized:
		return "公示中"
	case StatusAnnounced:
		return "已公告"
	case StatusFiled:
		return "已备案"
	case StatusRemoved:
		return "已移出"
	}
	return "—"
}

// OnRoster reports whether the status is one of an announced institution.
func (s Status) OnRoster() bool { return s == StatusAnnounced || s == StatusFiled }

// EventKind names what happened to an institution.
type EventKind string

// Kinds of Event.
const (
	EventApplied    EventKind = "applied"
	EventPublicized EventKind = "publicized"
	EventWithdrawn  EventKind = "withdrawn" // objection upheld during publicity
	EventAnnounced  EventKind = "announced"
	EventFiled      EventKind = "filed"
	EventGraded     EventKind = "graded"
	EventRemoved    EventKind = "removed"
)

// Event is one step of an institution's status history.
type Event struct {
	Date  Date
	Kind  EventKind
	Round string // round slug, for round events
	Ref   string // the file the event comes from
	Grade string // for EventGraded and EventRemoved
	Year  int    // assessment year, for EventGraded and EventRemoved
	// Until is the last day of a publicity, for EventPublicized.
	Until Date
}

// Chinese describes the event for people.
func (e Event) Chinese() string {
	switch e.Kind {
	case EventApplied:
		return "提交遴选申请"
	case EventPublicized:
		return fmt.Sprintf("列入公示（至%s）", e.Until.Chinese())
	case EventWithdrawn:
		return "公示后未予确定"
	case EventAnnounced:
		return "确定为科技金融服务机构并公告"
	case EventFiled:
		return "向省科技厅备案"
	case EventGraded:
		return fmt.Sprintf("%d年度考核：%s", e.Year, e.Grade)
	case EventRemoved:
		return fmt.Sprintf("%d年度考核不合格，不再作为科技金融服务机构", e.Year)
	}
	return string(e.Kind)
}

func (r *Repo) deriveHistory() {
	add := func(slug string, e Event) {
		if inst := r.institutions[slug]; inst != nil {
			inst.History = append(inst.History, e)
		}
	}
	for _, rd := range r.Rounds {
		for _, s := range rd.Applicants {
			d := rd.Application.To
			if d.IsZero() {
				d = rd.Application.From
			}
			add(s, Event{Date: d, Kind: EventApplied, Round: rd.Slug, Ref: rd.File})
		}
		announced := rd.Decision.Selected
		if p := r.publicities[rd.Publicity]; p != nil {
			withdrawn := map[string]bool{}
			for _, s := range p.Withdrawn {
				withdrawn[s] = true
			}
			announced = nil
			for _, s := range p.Institutions {
				add(s, Event{Date: p.Start, Kind: EventPublicized, Round: rd.Slug, Ref: p.File, Until: p.End})
				if withdrawn[s] {
					d := p.End
					if d.IsZero() {
						d = p.Start
					}
					add(s, Event{Date: d, Kind: EventWithdrawn, Round: rd.Slug, Ref: p.File})
				} else {
					announced = append(announced, s)
				}
			}
		}
		if !rd.Announcement.Date.IsZero() {
			for _, s := range announced {
				add(s, Event{Date: rd.Announcement.Date, Kind: EventAnnounced, Round: rd.Slug, Ref: rd.File})
			}
			if !rd.Filing.Date.IsZero() {
				for _, s := range announced {
					add(s, Event{Date: rd.Filing.Date, Kind: EventFiled, Round: rd.Slug, Ref: rd.File})
				}
			}
		}
	}
	for _, res := range r.Results {
		if res.Draft {
			continue
		}
		for _, g := range res.Grades {
			if g.Grade == "" {
				continue
			}
			add(g.Institution, Event{Date: res.Effective(), Kind: EventGraded, Ref: res.File, Grade: g.Grade, Year: res.Year})
			if g.Grade == GradeFail {
				add(g.Institution, Event{Date: res.Effective(), Kind: EventRemoved, Ref: res.File, Grade: g.Grade, Year: res.Year})
			}
		}
	}
	order := map[EventKind]int{EventApplied: 0, EventPublicized: 1, EventWithdrawn: 2, EventAnnounced: 3, EventFiled: 4, EventGraded: 5, EventRemoved: 6}
	for _, inst := range r.Institutions {
		sort.SliceStable(inst.History, func(a, b int) bool {
			x, y := inst.History[a], inst.History[b]
			if c := x.Date.Compare(y.Date); c != 0 {
				return c < 0
			}
			return order[x.Kind] < order[y.Kind]
		})
	}
}

// StatusOn returns the institution's status at the end of day d.
func (inst *Institution) StatusOn(d Date) Status {
	st := StatusNone
	for _, e := range inst.History {
		if e.Date.After(d) {
			break
		}
		switch e.Kind {
		case EventApplied:
			if st == StatusNone {
				st = StatusApplicant
			}
		case EventPublicized:
			if st != StatusAnnounced && st != StatusFiled {
				st = StatusPublicized
			}
		case EventWithdrawn:
			if st == StatusPublicized {
				st = StatusApplicant
			}
		case EventAnnounced:
			st = StatusAnnounced
		case EventFiled:
			st = StatusFiled
		case EventRemoved:
			st = StatusRemoved
		}
	}
	return st
}

// AnnouncedOn returns the date the institution was first announced, or the zero Date.
func (inst *Institution) AnnouncedOn() Date {
	for _, e := range inst.History {
		if e.Kind == EventAnnounced {
			return e.Date
		}
	}
	return Date{}
}

// RemovedOn returns the date the institution left the roster, or the zero Date.
func (inst *Institution) RemovedOn() (Date, *Event) {
	for i, e := range inst.History {
		if e.Kind == EventRemoved {
			return e.Date, &inst.History[i]
		}
	}
	return Date{}, nil
}

// Roster returns the institutions announced and not removed at the end of day d.
func (r *Repo) Roster(d Date) []*Institution {
	var out []*Institution
	for _, inst := range r.Institutions {
		if inst.StatusOn(d).OnRoster() {
			out = append(out, inst)
		}
	}
	return out
}

// ReceivedDate returns the date the report was received (CST), or the zero
// Date when received_at is missing or malformed.
func (rep *Report) ReceivedDate() Date {
	t, err := time.Parse(time.RFC3339, rep.ReceivedAt)
	if err != nil {
		return Date{}
	}
	return DateOf(t)
}

// ReportState is the compliance state of one institution for one period.
type ReportState string

// Report states, as shown in kjjr status and on the public site.
const (
	StateNotRequired ReportState = "not_required" // before announcement or after removal
	StateNotDue      ReportState = "not_due"      // the deadline has not passed and nothing arrived
	StateOnTime      ReportState = "on_time"      // approved, received by the deadline
	StateLate        ReportState = "late"         // approved, received after the deadline
	StatePending     ReportState = "pending"      // waiting on a review branch
	StateMissing     ReportState = "missing"      // deadline passed, nothing approved or pending
)

// Chinese returns the state for people.
func (s ReportState) Chinese() string {
	switch s {
	case StateNotRequired:
		return "无需报送"
	case StateNotDue:
		return "未到期"
	case StateOnTime:
		return "按时报送"
	case StateLate:
		return "逾期报送"
	case StatePending:
		return "待审核"
	case StateMissing:
		return "未报送"
	}
	return string(s)
}

// Required reports whether the institution owed a report for period p:
// the period ends on or after the first day of the month after its
// announcement, and it ended before the institution was removed (an
// institution graded 不合格 owes nothing for a period still running on the
// day it left the roster, 第六条第3项).
func (inst *Institution) Required(p Period) bool {
	ann := inst.AnnouncedOn()
	if ann.IsZero() {
		return false
	}
	first := Period{Kind: Monthly, Year: ann.Year, Month: int(ann.Month)}.Next().Start()
	if p.End().Before(first) {
		return false
	}
	if rm, _ := inst.RemovedOn(); !rm.IsZero() && !p.End().Before(rm) {
		return false
	}
	return true
}

// ReportState returns the compliance state of inst for period p as of
// today, from approved reports only (what is on the loaded tree). Callers
// that know about pending review branches pass pending = true for them.
func (r *Repo) ReportState(inst *Institution, p Period, today Date, pending bool) ReportState {
	st, _ := reportState(inst, p, r.Deadline(p).Date, today, func() bool { return pending })
	return st
}

// reportState is the one rule behind ReportState and the compliance matrix
// (ComplianceRow): due is p's deadline, pending is asked only when nothing
// was approved. It also returns the date an approved report was received.
func reportState(inst *Institution, p Period, due, today Date, pending func() bool) (ReportState, Date) {
	if !inst.Required(p) {
		return StateNotRequired, Date{}
	}
	if rep := inst.Report(p); rep != nil {
		rd := rep.ReceivedDate()
		if rd.IsZero() {
			return StateOnTime, rd
		}
		return Due{Date: due}.State(rd), rd
	}
	if pending != nil && pending() {
		return StatePending, Date{}
	}
	if !today.After(due) {
		return StateNotDue, Date{}
	}
	return StateMissing, Date{}
}

// ReportableOn reports whether a report for p may be filed on day d: a
// monthly sheet once its month has ended; a half-year progress report or
// an annual summary from the first day of the period's last month, since
// 第六条第3项 asks for the annual summary 每年12月底前, within the year.
func (p Period) ReportableOn(d Date) bool {
	if p.Kind == Monthly {
		return p.End().Before(d)
	}
	last := p.End()
	return !d.Before(Date{last.Year, last.Month, 1})
}

// Rostered reports whether inst was on the roster during p, so that it may
// file a report for p: announced on or before the period's last day and
// not removed before the period began. (Required is stricter: it is what
// the institution owes.)
func (inst *Institution) Rostered(p Period) bool {
	ann := inst.AnnouncedOn()
	if ann.IsZero() || ann.After(p.End()) {
		return false
	}
	rm, _ := inst.RemovedOn()
	return rm.IsZero() || p.Start().Before(rm)
}
