package health

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"kjjr/content"
	"kjjr/inbox"
	"kjjr/outbox"
)

// Status is a monitoring-plugin status; its value is the exit code.
type Status int

// Statuses, as Nagios, Icinga and Zabbix plugins exit.
const (
	OK       Status = 0
	Warning  Status = 1
	Critical Status = 2
	Unknown  Status = 3
)

// String is the plugin word: OK, WARNING, CRITICAL, UNKNOWN.
func (s Status) String() string {
	switch s {
	case OK:
		return "OK"
	case Warning:
		return "WARNING"
	case Critical:
		return "CRITICAL"
	}
	return "UNKNOWN"
}

// Chinese is the status for staff.
func (s Status) Chinese() string {
	switch s {
	case OK:
		return "正常"
	case Warning:
		return "警告"
	case Critical:
		return "严重"
	}
	return "未知"
}

// MarshalText writes the plugin word.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// rank orders statuses for the overall one: CRITICAL > WARNING > UNKNOWN > OK.
func (s Status) rank() int {
	return [...]int{0, 2, 3, 1}[s]
}

// Worse returns the worse of s and t.
func Worse(s, t Status) Status {
	if t.rank() > s.rank() {
		return t
	}
	return s
}

// Result is one check's outcome.
type Result struct {
	Check   string    `json:"check"`  // inbox, outbox, remind, publish, calendar, policy, quarantine, disk
	Name    string    `json:"name"`   // the check in Chinese: 收信, 发信, ...
	Status  Status    `json:"status"` // OK, WARNING, CRITICAL, UNKNOWN
	Summary string    `json:"summary"`
	Code    string    `json:"code,omitempty"` // the condition, e.g. the error's cause: one alert per check and code
	Since   time.Time `json:"since,omitzero"` // when the condition began, when known
}

// Line is the result as one line for staff.
func (r Result) Line() string {
	return fmt.Sprintf("[%s] %s：%s", r.Status.Chinese(), r.Name, r.Summary)
}

// Report is every check's result.
type Report struct {
	Status  Status    `json:"status"`
	At      time.Time `json:"at"`
	Results []Result  `json:"checks"`
}

// Limits are the thresholds of the checks (site.yaml ops with defaults).
type Limits struct {
	InboxMaxAge         time.Duration // 30m
	InboxErrorPasses    int           // 3
	OutboxQueuedMaxAge  time.Duration // 1h
	OutboxWindow        time.Duration // 7 days
	QuarantineReviewAge time.Duration // 7 days
	QuarantineBudget    int64         // bytes: inbox.quarantine_budget_mib (1024 MiB)
	DiskWarn, DiskCrit  float64       // percent: 90, 97
	RemindMaxAge        time.Duration // 36h
}

// LimitsFrom applies the defaults to site.yaml's ops and inbox settings.
// A duration that does not parse is an error naming the field.
func LimitsFrom(s *content.Site) (Limits, error) {
	o := s.Ops
	l := Limits{InboxMaxAge: 30 * time.Minute, InboxErrorPasses: 3, OutboxQueuedMaxAge: time.Hour,
		OutboxWindow: 7 * 24 * time.Hour, QuarantineReviewAge: 7 * 24 * time.Hour,
		QuarantineBudget: 1024 << 20, DiskWarn: 90, DiskCrit: 97, RemindMaxAge: 36 * time.Hour}
	for _, d := range []struct {
		field string
		v     string
		to    *time.Duration
	}{{"ops.inbox_max_age", o.InboxMaxAge, &l.InboxMaxAge}, {"ops.outbox_queued_max_age", o.OutboxQueuedMaxAge, &l.OutboxQueuedMaxAge}} {
		if d.v == "" {
			continue
		}
		v, err := time.ParseDuration(d.v)
		if err != nil || v <= 0 {
			return l, fmt.Errorf("site.yaml %s：%q 不是有效的时长，应写作 30m、1h 这样的形式", d.field, d.v)
		}
		*d.to = v
	}
	if o.InboxErrorPasses > 0 {
		l.InboxErrorPasses = o.InboxErrorPasses
	}
	if o.OutboxWindowDays > 0 {
		l.OutboxWindow = time.Duration(o.OutboxWindowDays) * 24 * time.Hour
	}
	if o.QuarantineReviewDays > 0 {
		l.QuarantineReviewAge = time.Duration(o.QuarantineReviewDays) * 24 * time.Hour
	}
	if s.Inbox.QuarantineBudgetMiB > 0 {
		l.QuarantineBudget = int64(s.Inbox.QuarantineBudgetMiB) << 20
	}
	if o.DiskWarnPercent > 0 {
		l.DiskWarn = float64(o.DiskWarnPercent)
	}
	if o.DiskCritPercent > 0 {
		l.DiskCrit = float64(o.DiskCritPercent)
	}
	return l, nil
}

// Input is what Check looks at. Check fills what is left zero from
// GitDir and the machine (Gather).
type Input struct {
	GitDir string
	Site   *content.Site // with defaults applied (content.Load does)
	Cal    *content.Calendar
	Now    time.Time
	Limits Limits

	Record          *File
	Outbox          []outbox.Entry
	Quarantine      []inbox.QuarantineRecord
	QuarantineBytes int64
	Disk            *DiskUsage // nil: measure GitDir's file system
	// Errors met while gathering, by check: that check is UNKNOWN.
	Errors map[string]error
}

// Gather reads the record, the outbox, the quarantine and the disk of
// in.GitDir into in.
func Gather(in *Input) {
	in.Errors = map[string]error{}
	var err error
	if in.Record, err = Read(in.GitDir); err != nil {
		in.Errors[JobInbox] = err
		in.Record = &File{Jobs: map[string]*Job{}}
	}
	// No outbox yet is an empty one (Open would create it: a check writes nothing).
	if obDir := filepath.Join(in.GitDir, "kjjr", "outbox"); dirExists(obDir) {
		if ob, err := outbox.Open(obDir, nil); err != nil {
			in.Errors["outbox"] = err
		} else if in.Outbox, err = ob.List(); err != nil {
			in.Errors["outbox"] = err
		}
	}
	if in.Quarantine, err = inbox.ListQuarantine(in.GitDir); err != nil {
		in.Errors["quarantine"] = err
	} else if in.QuarantineBytes, err = inbox.QuarantineUsage(in.GitDir); err != nil {
		in.Errors["quarantine"] = err
	}
	if in.Disk == nil {
		d, err := Disk(in.GitDir)
		if err != nil {
			in.Errors["disk"] = err
		} else {
			in.Disk = &d
		}
	}
}

func dirExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// Check runs every check on in (Gather first) and returns the report.
func Check(in *Input) Report {
	rep := Report{At: in.Now}
	add := func(r Result) {
		if err := in.Errors[r.Check]; err != nil {
			r.Status, r.Summary, r.Code = Unknown, "无法读取："+err.Error(), "unreadable"
		}
		rep.Results = append(rep.Results, r)
		rep.Status = Worse(rep.Status, r.Status)
	}
	rec := in.Record
	if rec == nil {
		rec = &File{Jobs: map[string]*Job{}}
	}
	today := content.DateOf(in.Now)
	add(CheckInbox(rec.Jobs[JobInbox], in.Limits, in.Now))
	add(CheckOutbox(in.Outbox, in.Limits, in.Now))
	if j := rec.Jobs[JobRemind]; j != nil {
		add(CheckRemind(j, in.Limits, in.Now))
	}
	if j := rec.Jobs[JobPublish]; j != nil {
		add(CheckPublish(j, in.Now))
	}
	add(CheckCalendar(in.Site, in.Cal, today))
	add(CheckPolicy(in.Site, today))
	add(CheckQuarantine(in.Quarantine, in.QuarantineBytes, rec.QuarantineReviewed, in.Limits, in.Now))
	var d DiskUsage
	if in.Disk != nil {
		d = *in.Disk
	}
	add(CheckDisk(d, in.Limits))
	return rep
}

// ago says how long ago t was, in Chinese.
func ago(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "刚才"
	case d < time.Hour:
		return fmt.Sprintf("%d 分钟前", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d 小时前", int(d.Hours()))
	}
	return fmt.Sprintf("%d 天前", int(d.Hours()/24))
}

// clock is t in Beijing time.
func clock(t time.Time) string { return t.In(content.CST).Format("2006-01-02 15:04") }

// CheckInbox judges the inbox worker's record.
func CheckInbox(j *Job, l Limits, now time.Time) Result {
	r := Result{Check: "inbox", Name: "收信"}
	if j == nil {
		r.Status, r.Code = Unknown, "no_record"
		r.Summary = "没有收信记录：kjjr inbox 尚未运行，或 --repo 指向的不是它处理的仓库"
		return r
	}
	failing := j.Failing()
	var why string
	if failing {
		why = fmt.Sprintf("最近错误：%s（连续 %d 次，自 %s 起）", CauseText(j.Error.Cause), j.Error.Passes, clock(j.Error.Since))
	}
	if j.LastSuccess.IsZero() || now.Sub(j.LastSuccess) > l.InboxMaxAge {
		r.Status = Critical
		r.Code = "stalled"
		if j.LastSuccess.IsZero() {
			r.Summary = "从未成功收信"
		} else {
			r.Summary = fmt.Sprintf("超过 %s没有成功收信（上次成功：%s）", duration(l.InboxMaxAge), clock(j.LastSuccess))
			r.Since = j.LastSuccess
		}
		if failing {
			r.Code = j.Error.Cause
			r.Summary += "；" + why
			if r.Since.IsZero() {
				r.Since = j.Error.Since
			}
		} else if now.Sub(j.End) > l.InboxMaxAge {
			r.Summary += fmt.Sprintf("；最后一次运行在 %s，kjjr inbox 可能已停止", clock(j.End))
		}
		return r
	}
	if failing && j.Error.Passes >= l.InboxErrorPasses {
		r.Status, r.Code, r.Since = Warning, j.Error.Cause, j.Error.Since
		r.Summary = fmt.Sprintf("连续 %d 次出错：%s（自 %s 起）", j.Error.Passes, CauseText(j.Error.Cause), clock(j.Error.Since))
		return r
	}
	c := j.Counts
	r.Summary = fmt.Sprintf("正常，上次成功收信 %s（收取 %d 封：入库 %d，隔离 %d，退回 %d）",
		ago(now, j.LastSuccess), c["fetched"], c["accepted"], c["quarantined"], c["rejected"])
	if failing {
		r.Summary += "；" + why
	}
	return r
}

// duration writes d as 30 分钟 or 2 小时.
func duration(d time.Duration) string {
	if d >= time.Hour && d%time.Hour == 0 {
		return fmt.Sprintf("%d 小时", int(d.Hours()))
	}
	if d >= time.Minute && d%time.Minute == 0 {
		return fmt.Sprintf("%d 分钟", int(d.Minutes()))
	}
	return d.String()
}

// CheckOutbox judges the outbox's mail queued within the window.
func CheckOutbox(es []outbox.Entry, l Limits, now time.Time) Result {
	r := Result{Check: "outbox", Name: "发信"}
	var failed, unconfirmed, late []outbox.Entry
	queued := 0
	for _, e := range es {
		if now.Sub(e.Queued) > l.OutboxWindow && e.State != outbox.StateQueued {
			continue
		}
		switch e.State {
		case outbox.StateFailed, outbox.StateExpired:
			failed = append(failed, e)
		case outbox.StateUnconfirmed:
			unconfirmed = append(unconfirmed, e)
		case outbox.StateQueued, outbox.StateSending:
			queued++
			if now.Sub(e.Queued) > l.OutboxQueuedMaxAge {
				late = append(late, e)
			}
		}
	}
	var parts []string
	if len(failed) > 0 {
		r.Status, r.Code = Critical, "failed"
		last := failed[len(failed)-1]
		r.Since = failed[0].Queued
		parts = append(parts, fmt.Sprintf("%d 封邮件发送失败或过期未发（最近一封：%s：%s）", len(failed), last.Subject, orDash(last.LastError)))
	}
	if len(unconfirmed) > 0 {
		r.Status = Worse(r.Status, Warning)
		if r.Code == "" {
			r.Code = "unconfirmed"
		}
		parts = append(parts, fmt.Sprintf("%d 封邮件不能确认是否送达（发送中断）", len(unconfirmed)))
	}
	if len(late) > 0 {
		r.Status = Worse(r.Status, Warning)
		if r.Code == "" {
			r.Code, r.Since = "queued", late[0].Queued
		}
		parts = append(parts, fmt.Sprintf("%d 封邮件排队超过 %s（最早 %s 排队：%s）", len(late), duration(l.OutboxQueuedMaxAge), clock(late[0].Queued), orDash(late[0].LastError)))
	}
	if len(parts) == 0 {
		r.Summary = fmt.Sprintf("正常，排队 %d 封", queued)
		return r
	}
	r.Summary = strings.Join(parts, "；")
	return r
}

func orDash(s string) string {
	if s == "" {
		return "尚未尝试发送"
	}
	return s
}

// CheckRemind judges kjjr remind's last run.
func CheckRemind(j *Job, l Limits, now time.Time) Result {
	r := Result{Check: "remind", Name: "催报提醒"}
	switch {
	case j.Failing():
		r.Status, r.Code, r.Since = Warning, j.Error.Cause, j.Error.Since
		r.Summary = fmt.Sprintf("上次运行出错：%s（%s）", CauseText(j.Error.Cause), clock(j.Error.At))
	case now.Sub(j.End) > l.RemindMaxAge:
		r.Status, r.Code, r.Since = Warning, "stalled", j.End
		r.Summary = fmt.Sprintf("超过 %s没有运行（上次：%s）：定时任务可能已停止", duration(l.RemindMaxAge), clock(j.End))
	default:
		r.Summary = "正常，上次运行 " + ago(now, j.End)
	}
	return r
}

// CheckPublish judges the publishing timer's last run: failed is
// CRITICAL; a site older than its next change (a date passed on which it
// should have changed by itself, with no publish since) is WARNING.
func CheckPublish(j *Job, now time.Time) Result {
	r := Result{Check: "publish", Name: "网站发布"}
	if j.Failing() {
		r.Status, r.Code, r.Since = Critical, j.Error.Cause, j.Error.Since
		r.Summary = fmt.Sprintf("上次发布失败：%s（%s）", CauseText(j.Error.Cause), blank(j.Error.Message, nil))
		return r
	}
	if !j.NextChange.IsZero() && now.After(j.NextChange) && j.LastSuccess.Before(j.NextChange) {
		r.Status, r.Code, r.Since = Warning, "stale", j.NextChange
		r.Summary = fmt.Sprintf("网站应于 %s 更新，此后没有重新发布（上次发布：%s）：发布定时任务可能已停止", clock(j.NextChange), clock(j.End))
		return r
	}
	r.Summary = "正常，上次发布 " + clock(j.End)
	return r
}

// CheckCalendar judges whether the holiday calendars that deadlines need
// exist.
func CheckCalendar(s *content.Site, cal *content.Calendar, today content.Date) Result {
	r := Result{Check: "calendar", Name: "节假日安排"}
	if s.Deadlines.ShiftsRestDays() {
		for _, p := range duePeriods(today) {
			due := content.Deadline(s, cal, p)
			if !due.Provisional || due.Date.Before(today) || !p.End().Before(today) {
				continue
			}
			for y := due.Nominal.Year; y <= due.Date.Year; y++ {
				if !cal.HasYear(y) {
					r.Status, r.Code = Critical, fmt.Sprintf("missing_%d", y)
					r.Summary = fmt.Sprintf("缺少 calendar/%d.yaml：机构正在报送的%s截止日暂按周末计算为 %s，可能与节假日调休不符。请按国务院办公厅放假通知添加 calendar/%d.yaml", y, p.Chinese(), due.Date, y)
					return r
				}
			}
		}
	}
	next := today.Year + 1
	if today.Month >= 11 && !cal.HasYear(next) {
		r.Status, r.Code = Warning, fmt.Sprintf("missing_%d", next)
		r.Summary = fmt.Sprintf("缺少 calendar/%d.yaml：%d 年 1 月起的报送截止日要用到，国务院办公厅公布放假通知后请及时添加", next, next)
		return r
	}
	if !cal.HasYear(today.Year) {
		r.Status, r.Code = Warning, fmt.Sprintf("missing_%d", today.Year)
		r.Summary = fmt.Sprintf("缺少 calendar/%d.yaml：今年的报送截止日暂按周末计算", today.Year)
		return r
	}
	r.Summary = "正常"
	return r
}

// duePeriods are the periods whose deadlines may lie ahead of today.
func duePeriods(today content.Date) []content.Period {
	var ps []content.Period
	y, m := today.Year, int(today.Month)
	for i := -3; i <= 0; i++ {
		mm, yy := m+i, y
		for mm < 1 {
			mm += 12
			yy--
		}
		ps = append(ps, content.Period{Kind: content.Monthly, Year: yy, Month: mm})
	}
	for _, yy := range []int{y - 1, y} {
		ps = append(ps, content.Period{Kind: content.HalfYear, Year: yy, Half: 1},
			content.Period{Kind: content.HalfYear, Year: yy, Half: 2},
			content.Period{Kind: content.Annual, Year: yy})
	}
	return ps
}

// CheckPolicy judges the measures' validity (第八条), as kjjr check does.
func CheckPolicy(s *content.Site, today content.Date) Result {
	r := Result{Check: "policy", Name: "管理办法有效期"}
	if s.Policy.Effective.IsZero() {
		r.Status, r.Code = Warning, "no_effective"
		r.Summary = "site.yaml 未填写 policy.effective（办法施行日期），无法判断有效期"
		return r
	}
	exp := s.Policy.Expires()
	left := int(exp.Time().Sub(today.Time()).Hours() / 24)
	switch {
	case today.After(exp):
		r.Status, r.Code = Critical, "expired"
		r.Since = exp.AddDays(1).Time()
		r.Summary = fmt.Sprintf("《管理办法》已于%s到期（第八条）：请按新修订的办法更新 site.yaml 的 policy", exp.Chinese())
	case left <= s.Policy.WarnDays:
		r.Status, r.Code = Warning, "expiring"
		r.Summary = fmt.Sprintf("《管理办法》将于%s到期（还有 %d 天，第八条）：请及时修订或延续", exp.Chinese(), left)
	default:
		r.Summary = fmt.Sprintf("有效期至%s", exp.Chinese())
	}
	return r
}

// CheckQuarantine judges the quarantine's size and whether staff look at it.
func CheckQuarantine(recs []inbox.QuarantineRecord, used int64, reviewed time.Time, l Limits, now time.Time) Result {
	r := Result{Check: "quarantine", Name: "隔离区"}
	var parts []string
	if used > l.QuarantineBudget {
		r.Status, r.Code = Warning, "over_budget"
		parts = append(parts, fmt.Sprintf("占用 %s，超过预算 %s（site.yaml inbox.quarantine_budget_mib）", mib(used), mib(l.QuarantineBudget)))
	}
	old := 0
	var oldest time.Time
	for _, q := range recs {
		if q.Released != "" || now.Sub(q.ReceivedAt) <= l.QuarantineReviewAge || !q.ReceivedAt.After(reviewed) {
			continue
		}
		if old == 0 {
			oldest = q.ReceivedAt
		}
		old++
	}
	if old > 0 {
		r.Status = Warning
		if r.Code == "" {
			r.Code, r.Since = "unreviewed", oldest
		}
		parts = append(parts, fmt.Sprintf("%d 封邮件隔离超过 %d 天无人查看（最早 %s）：请运行 kjjr review --quarantine 查看，确属机构报送的用 kjjr review release 放行",
			old, int(l.QuarantineReviewAge.Hours()/24), clock(oldest)))
	}
	if len(parts) == 0 {
		r.Summary = fmt.Sprintf("正常，%d 封，占用 %s", len(recs), mib(used))
		return r
	}
	r.Summary = strings.Join(parts, "；")
	return r
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// DiskUsage is a file system's size and free space, in bytes.
type DiskUsage struct {
	Path        string
	Total, Free uint64 // Free: available to unprivileged users
}

// Percent is how full the file system is, as df counts it.
func (d DiskUsage) Percent() float64 {
	if d.Total == 0 {
		return 0
	}
	return 100 * float64(d.Total-d.Free) / float64(d.Total)
}

// CheckDisk judges the file system of the git directory.
func CheckDisk(d DiskUsage, l Limits) Result {
	r := Result{Check: "disk", Name: "磁盘"}
	p := d.Percent()
	if d.Total == 0 {
		r.Status, r.Code, r.Summary = Unknown, "unmeasured", "无法测得磁盘用量"
		return r
	}
	desc := fmt.Sprintf("%s 所在磁盘已用 %.0f%%，剩余 %s", d.Path, p, mib(int64(d.Free)))
	switch {
	case p > l.DiskCrit:
		r.Status, r.Code = Critical, "full"
		r.Summary = desc + "：即将写满，报表无法入库、回执无法发出，请立即清理或扩容"
	case p > l.DiskWarn:
		r.Status, r.Code = Warning, "filling"
		r.Summary = desc + "：请清理或扩容"
	default:
		r.Summary = "正常，" + desc
	}
	return r
}

// Text is the report for a terminal or a monitoring plugin: a first line
// with the plugin status word (what Nagios and Zabbix show), then one
// line per check in Chinese.
func (rep Report) Text() string {
	var b strings.Builder
	var bad []string
	for _, r := range rep.Results {
		if r.Status != OK {
			bad = append(bad, r.Name+r.Status.Chinese())
		}
	}
	head := "全部正常"
	if len(bad) > 0 {
		head = strings.Join(bad, "，")
	}
	fmt.Fprintf(&b, "KJJR %s - %s\n", rep.Status, head)
	for _, r := range rep.Results {
		b.WriteString(r.Line() + "\n")
	}
	return b.String()
}
