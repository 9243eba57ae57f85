package outbox

import (
	"sort"
	"strings"
	"time"

	"kjjr/content"
	"kjjr/internal/safetext"
)

// Stage is when a reminder goes out relative to its deadline.
type Stage string

// Reminder stages: each item gets at most one reminder per stage.
const (
	StageBefore  Stage = "before"  // within site.yaml deadlines.remind_days before the deadline
	StageDue     Stage = "due"     // on the day of the deadline
	StageOverdue Stage = "overdue" // after the deadline, within OverdueDays
)

// OverdueDays is how long after a deadline an overdue reminder may still
// go out (so a first run on an old repo does not mail about every gap of
// past years).
const OverdueDays = 30

// Chinese names the stage for people.
func (s Stage) Chinese() string {
	switch s {
	case StageBefore:
		return "即将截止"
	case StageDue:
		return "今日截止"
	case StageOverdue:
		return "已逾期"
	}
	return string(s)
}

// Reminder is one mail to one institution about one item (a monthly
// sheet, half-year report or annual summary) at one stage.
type Reminder struct {
	Key         string   // "" means ReminderKey(Slug, Period, Stage)
	To          []string // the institution's report_senders, and only those
	Institution string   // the institution's name
	Slug        string
	Period      content.Period
	Deadline    content.Date
	Stage       Stage
	State       content.ReportState // not_due or missing
}

// ReminderKey is the identity of a reminder: once per institution, item and stage, ever.
func ReminderKey(slug string, p content.Period, s Stage) string {
	return "remind/" + slug + "/" + p.String() + "/" + string(s)
}

// Expires is when the reminder is no longer worth sending: a "before"
// reminder not sent by the deadline day, a "due" one not sent that day,
// an overdue one after OverdueDays.
func (r *Reminder) Expires() time.Time {
	switch r.Stage {
	case StageBefore:
		return r.Deadline.Time()
	case StageDue:
		return r.Deadline.AddDays(1).Time()
	default:
		return r.Deadline.AddDays(OverdueDays + 1).Time()
	}
}

// Subject returns the reminder's subject line.
func (r *Reminder) Subject() string {
	item := itemName(r.Period.Kind, r.Period)
	switch r.Stage {
	case StageBefore:
		return "提醒：" + item + "请于" + r.Deadline.Chinese() + "前报送"
	case StageDue:
		return "提醒：" + item + "今日（" + r.Deadline.Chinese() + "）截止报送"
	default:
		return "逾期提醒：" + item + "已于" + r.Deadline.Chinese() + "截止，尚未收到"
	}
}

// inboxNamed is " <address>" when the inbox address is known.
func (o *Outbox) inboxNamed() string {
	if a := safetext.Line(o.cfg.Inbox, 0); a != "" {
		return " " + a
	}
	return ""
}

func (o *Outbox) reminderBody(r *Reminder) string {
	var t text
	t.line(r.Institution + "：")
	t.blank()
	item := itemName(r.Period.Kind, r.Period)
	switch r.Stage {
	case StageBefore:
		t.line("您好！贵单位的" + item + "应于" + r.Deadline.Chinese() + "前报送，本平台尚未收到，请按时报送。")
	case StageDue:
		t.line("您好！贵单位的" + item + "今天（" + r.Deadline.Chinese() + "）截止报送，本平台尚未收到，请于今日内报送。")
	default:
		t.line("您好！贵单位的" + item + "已于" + r.Deadline.Chinese() + "截止报送，本平台至今未收到，请尽快补报。逾期报送将记入年度考核。")
	}
	t.blank()
	t.line("报送方式：")
	switch r.Period.Kind {
	case content.Monthly:
		t.line("   请从登记的报送邮箱，将填写好的《科技金融服务机构绩效评价考核表》（.xlsx）作为附件发送至报送邮箱" + o.inboxNamed() + "，邮件主题写明“" + item + "”。")
	case content.HalfYear:
		t.line("   请从登记的报送邮箱，将半年工作进展报告及印证资料作为附件发送至报送邮箱" + o.inboxNamed() + "，邮件主题写明“" + item + "”。")
	case content.Annual:
		t.line("   请从登记的报送邮箱，将年度工作总结及印证资料作为附件发送至报送邮箱" + o.inboxNamed() + "，邮件主题写明“" + item + "”。")
	}
	t.line("   收到后本平台会自动回复回执。")
	t.blank()
	t.line("如已报送，请忽略本提醒；如一直未收到回执，请与我们联系。")
	t.blank()
	o.contact(&t)
	t.blank()
	t.line("（本邮件由系统自动发送。）")
	return t.String()
}

func (o *Outbox) composeReminder(r *Reminder, key string, to []string) (string, string, error) {
	subject := r.Subject()
	h, err := o.header(subject, key, "reminder", to, nil, "auto-generated")
	if err != nil {
		return "", "", err
	}
	msg, err := render(h, o.reminderBody(r))
	return subject, msg, err
}

// PendingKey is the key of a pending submission in Plan's pending set:
// "<slug>/<period>", as in the branch name submit/<slug>/<period>.
func PendingKey(slug string, p content.Period) string { return slug + "/" + p.String() }

// Plan returns the reminders due on today for every institution on the
// roster: each monthly sheet, half-year report and annual summary the
// institution owes (Institution.Required), not approved on main and not
// waiting on a review branch (pending, keyed by PendingKey), whose deadline
// (Site.Deadline) is within site.yaml deadlines.remind_days ahead, today,
// or up to OverdueDays past. Each reminder is addressed to that
// institution's report_senders only. Reminders that cannot go out because
// the institution has no report_senders are returned in skipped (To nil).
// Both are sorted by institution, then deadline.
func Plan(repo *content.Repo, today content.Date, pending map[string]bool) (rs, skipped []*Reminder) {
	ahead := repo.Site.Deadlines.RemindDays
	if ahead <= 0 {
		ahead = 5
	}
	periods := candidatePeriods(today)
	for _, inst := range repo.Roster(today) {
		var to []string
		for _, s := range inst.ReportSenders {
			if e := strings.TrimSpace(s.Email); e != "" {
				to = append(to, e)
			}
		}
		for _, p := range periods {
			due := repo.Deadline(p).Date
			var stage Stage
			switch {
			case today == due:
				stage = StageDue
			case today.Before(due) && !today.Before(due.AddDays(-ahead)):
				stage = StageBefore
			case today.After(due) && !today.After(due.AddDays(OverdueDays)):
				stage = StageOverdue
			default:
				continue
			}
			st := repo.ReportState(inst, p, today, pending[PendingKey(inst.Slug, p)])
			if st != content.StateNotDue && st != content.StateMissing {
				continue
			}
			r := &Reminder{
				To: append([]string(nil), to...), Institution: inst.Name, Slug: inst.Slug,
				Period: p, Deadline: due, Stage: stage, State: st,
			}
			if len(to) == 0 {
				skipped = append(skipped, r)
				continue
			}
			rs = append(rs, r)
		}
	}
	sortReminders(rs)
	sortReminders(skipped)
	return rs, skipped
}

func sortReminders(rs []*Reminder) {
	sort.SliceStable(rs, func(i, j int) bool {
		if rs[i].Slug != rs[j].Slug {
			return rs[i].Slug < rs[j].Slug
		}
		if c := rs[i].Deadline.Compare(rs[j].Deadline); c != 0 {
			return c < 0
		}
		return rs[i].Period.Compare(rs[j].Period) < 0
	})
}

// Preview returns the subject and text body the reminder would be sent
// with (for kjjr remind --dry-run). It needs no state directory.
func Preview(cfg *Config, r *Reminder) (subject, body string) {
	o := &Outbox{}
	if cfg != nil {
		o.cfg = *cfg
	}
	return r.Subject(), o.reminderBody(r)
}

// candidatePeriods lists every period whose deadline can fall within a
// few months of today: the months from 14 months back to this one, the
// halves and years of last year, this year and next.
func candidatePeriods(today content.Date) []content.Period {
	var ps []content.Period
	m := content.MonthPeriod(today.Year, today.Month)
	for i := 0; i < 14; i++ {
		m = prevMonth(m)
	}
	for i := 0; i <= 14; i++ {
		ps = append(ps, m)
		m = m.Next()
	}
	for y := today.Year - 1; y <= today.Year+1; y++ {
		ps = append(ps,
			content.Period{Kind: content.HalfYear, Year: y, Half: 1},
			content.Period{Kind: content.HalfYear, Year: y, Half: 2},
			content.Period{Kind: content.Annual, Year: y})
	}
	return ps
}

func prevMonth(p content.Period) content.Period {
	if p.Month == 1 {
		return content.Period{Kind: content.Monthly, Year: p.Year - 1, Month: 12}
	}
	return content.Period{Kind: content.Monthly, Year: p.Year, Month: p.Month - 1}
}
