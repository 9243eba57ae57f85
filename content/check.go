package content

import (
	"fmt"
	"net/mail"
	"path"
	"slices"
	"strings"
	"time"

	"kjjr/internal/safetext"
)

// Check validates the repo against the measures and against itself, as of
// today, and returns every problem: what Load found (r.Diags) and the rules
// below, sorted by file and line. Messages are Simplified Chinese and say
// what to fix; lines come from FieldLine. Check reads files again only for
// the lines of problems it found, so a clean repo costs no I/O.
//
// The rules, with the article each serves:
//   - institutions (第二条): required fields; USCC checksum (GB 32100-2015)
//     and duplicates; founded at least 3 years before the application
//     deadline of every round it applied in (第1项); no serious dishonesty or
//     blacklist (第1项); partners with banks and with law or accounting
//     firms (第3项); office county among site.yaml regions (第五条第4项);
//     report-sender addresses valid and not shared between institutions;
//   - rounds (第三条): the notice, applicants, publicity and announcement
//     resolve; selected institutions applied; the steps are in order;
//   - publicity (第三条第5项): the round and institutions resolve and were
//     selected by the round;
//   - results (第六条): graded institutions exist and were announced by the
//     end of that year; grades are 优秀, 合格 or 不合格; the year has ended;
//   - reports (第五条第3项): kind matches the period; the period has ended;
//     the institution was on the roster during the period; received_at is
//     RFC 3339; monthly sheets carry indicators whose financing rows sum to
//     financing_wan and jinchuanggu_financing_wan, with valid USCCs; a
//     服务企业名单 (enterprises) has valid USCCs and names, and no more
//     distinct enterprises (with the financing rows) than enterprises_served,
//     nor more 晋创谷 ones than jinchuanggu_enterprises;
//   - inspections (第五条第2项): date and findings present, deadlines in
//     order, an overdue rectification is a warning;
//   - the measures' own validity (第八条): a warning within
//     site.yaml policy.warn_days of expiry, an error once expired.
//
// Load itself already refuses what must never reach the public site, so
// that kjjr build refuses it too: a symbolic link, FIFO, device or socket
// anywhere in the tree, a record over MaxRecordSize, and a notice
// attachment in the repo whose type is not one of AttachmentTypes.
func (r *Repo) Check(today Date) Diagnostics {
	c := &checker{r: r, today: today}
	c.ds = append(c.ds, r.Diags...)
	c.site()
	c.calendarAhead()
	for _, n := range r.Notices {
		c.notice(n)
	}
	c.institutions()
	for _, rd := range r.Rounds {
		c.round(rd)
	}
	for _, p := range r.Publicities {
		c.publicity(p)
	}
	for _, res := range r.Results {
		c.result(res)
	}
	c.institutionFiles()
	c.ds.Sort()
	return c.ds
}

// institutionFiles checks every institution's reports and inspections.
func (c *checker) institutionFiles() {
	for _, inst := range c.r.Institutions {
		for _, rep := range inst.Reports {
			c.report(inst, rep)
		}
		for _, ins := range inst.Inspections {
			c.inspection(ins)
		}
	}
}

type checker struct {
	r     *Repo
	today Date
	ds    Diagnostics
}

// errf records an error on a field of file.
func (c *checker) errf(file, field, format string, args ...any) {
	c.add(Error, file, field, format, args...)
}

// warnf records a warning on a field of file.
func (c *checker) warnf(file, field, format string, args ...any) {
	c.add(Warning, file, field, format, args...)
}

func (c *checker) add(sev Severity, file, field, format string, args ...any) {
	d := Diagnostic{File: file, Severity: sev, Field: field, Message: fmt.Sprintf(format, args...), Line: 1}
	if field != "" {
		d.Line = c.r.FieldLine(file, field)
	}
	c.ds = append(c.ds, d)
}

// missing reports the required fields that are empty.
func (c *checker) missing(file string, fields ...any) {
	for i := 0; i+1 < len(fields); i += 2 {
		name := fields[i].(string)
		empty := false
		switch v := fields[i+1].(type) {
		case string:
			empty = strings.TrimSpace(v) == ""
		case Date:
			empty = v.IsZero()
		case []string:
			empty = len(v) == 0
		case int:
			empty = v == 0
		}
		if empty {
			c.errf(file, name, "缺少必填字段（不能为空）")
		}
	}
}

const siteFile = "site.yaml"

func (c *checker) site() {
	s := &c.r.Site
	if len(s.Regions) == 0 {
		c.errf(siteFile, "regions", "未列出晋中市的县（区、市）：机构办公地址要据此核对（第五条第4项）")
	}
	c.inboxLimits(&s.Inbox)
	c.opsLimits(&s.Ops)
	if s.Policy.Effective.IsZero() {
		c.errf(siteFile, "policy.effective", "缺少办法施行日期（第八条），例如 2025-03-18")
		return
	}
	if s.Policy.Notice != "" && c.r.Notice(s.Policy.Notice) == nil {
		c.errf(siteFile, "policy.notice", "找不到通知 notices/%s.md", s.Policy.Notice)
	}
	exp := s.Policy.Expires()
	switch left := int(exp.Time().Sub(c.today.Time()).Hours() / 24); {
	case c.today.After(exp):
		c.errf(siteFile, "policy.effective", "《管理办法》有效期%d年，已于%s到期（第八条）：请按新修订的办法更新 policy", s.Policy.Years, exp.Chinese())
	case left <= s.Policy.WarnDays:
		c.warnf(siteFile, "policy.effective", "《管理办法》将于%s到期（还有%d天，第八条）：请及时修订或延续", exp.Chinese(), left)
	}
}

// calendarAhead warns when a deadline of the next CalendarWarnDays lies in
// a year whose calendar/<year>.yaml is missing, so that it is computed on
// weekends alone (see Due): the reports due next, monthly, half-year and
// annual. (The State Council's notice for a year comes out in November or
// December of the year before.)
func (c *checker) calendarAhead() {
	if !c.r.Site.Deadlines.ShiftsRestDays() {
		return
	}
	month := Period{Kind: Monthly, Year: c.today.Year, Month: int(c.today.Month)}
	half := Period{Kind: HalfYear, Year: c.today.Year, Half: 1}
	if c.today.Month > 6 {
		half.Half = 2
	}
	prev := Period{Kind: Monthly, Year: month.Year, Month: month.Month - 1}
	if prev.Month == 0 {
		prev = Period{Kind: Monthly, Year: month.Year - 1, Month: 12}
	}
	warned := map[int]bool{}
	for _, p := range []Period{prev, month, half, {Kind: Annual, Year: c.today.Year}} {
		due := c.r.Deadline(p)
		if !due.Provisional || due.Date.Before(c.today) || due.Date.After(c.today.AddDays(CalendarWarnDays)) {
			continue
		}
		for y := due.Nominal.Year; y <= due.Date.Year; y++ {
			if c.r.Calendar.HasYear(y) || warned[y] {
				continue
			}
			warned[y] = true
			// The file does not exist: no line to point at.
			c.ds = append(c.ds, Diagnostic{File: fmt.Sprintf("calendar/%d.yaml", y), Severity: Warning,
				Message: fmt.Sprintf("缺少 %d 年的节假日安排：%s的报送截止日暂按周末计算为 %s（%s）。国务院办公厅公布%d年放假通知后，请添加 calendar/%d.yaml",
					y, p.Chinese(), due.Date, ProvisionalNote, y, y)})
		}
	}
}

// CalendarWarnDays is how far ahead kjjr check looks for deadlines that
// fall in a year without a calendar file.
const CalendarWarnDays = 45

// inboxLimits checks the inbox's limits: positive, and a quarantine that
// can hold at least one message of the largest size accepted.
func (c *checker) inboxLimits(in *InboxPolicy) {
	for _, l := range []struct {
		field string
		v     int
	}{
		{"inbox.max_attachment_mib", in.MaxAttachmentMiB},
		{"inbox.max_message_mib", in.MaxMessageMiB},
		{"inbox.max_attachments", in.MaxAttachments},
		{"inbox.max_report_age_months", in.MaxReportAgeMonths},
		{"inbox.quarantine_budget_mib", in.QuarantineBudgetMiB},
	} {
		if l.v < 0 {
			c.errf(siteFile, l.field, "不能为负数（%d）：请填正整数，或删去此项使用默认值", l.v)
		}
	}
	switch a, err := mail.ParseAddress(in.Address); {
	case strings.TrimSpace(in.Address) == "":
		c.warnf(siteFile, "inbox", "缺少报送邮箱 inbox.address：请填写机构报送月报的邮箱地址（如 baosong@example.gov.cn），报送指南、机构页面、提醒和回执都会写明它")
	case err != nil || a.Address != strings.TrimSpace(in.Address) || !safetext.Clean(in.Address):
		c.errf(siteFile, "inbox.address", "%q 不是有效的邮箱地址（只写地址本身，如 baosong@example.gov.cn）", in.Address)
	}
	if in.QuarantineBudgetMiB > 0 && in.MaxMessageMiB > 0 && in.QuarantineBudgetMiB < in.MaxMessageMiB {
		c.errf(siteFile, "inbox.quarantine_budget_mib", "隔离区容量 %d MiB 小于单封邮件上限 max_message_mib（%d MiB）：被退回的邮件存不下，请调大到至少 %d", in.QuarantineBudgetMiB, in.MaxMessageMiB, in.MaxMessageMiB)
	}
}

func (c *checker) notice(n *Notice) {
	c.missing(n.File, "kind", n.Kind, "title", n.Title, "date", n.Date)
	switch n.Kind {
	case "", NoticeSelection, NoticeAnnouncement, NoticePolicy, NoticeGeneral, NoticeInterpretation:
	default:
		c.errf(n.File, "kind", "类型 %q 无效，应为 遴选通知、公告、政策文件、政策解读 或 通知", n.Kind)
	}
	switch {
	case n.Kind == NoticeInterpretation && n.Interprets == "":
		c.errf(n.File, "interprets", "政策解读须写明所解读的政策文件（interprets: 通知的文件名，不含 .md）")
	case n.Interprets != "" && n.Kind != NoticeInterpretation:
		c.errf(n.File, "interprets", "只有政策解读（kind: 政策解读）才有 interprets")
	case n.Interprets != "":
		if p := c.r.Notice(n.Interprets); p == nil || p.Kind != NoticePolicy {
			c.errf(n.File, "interprets", "找不到所解读的政策文件 notices/%s.md（须为 kind: 政策文件 的通知）", n.Interprets)
		}
	}
	if n.Kind == NoticePolicy && !n.Date.After(c.today) {
		explained := false
		for _, o := range c.r.Notices {
			if o.Kind == NoticeInterpretation && o.Interprets == n.Slug {
				explained = true
			}
		}
		if !explained {
			c.warnf(n.File, "kind", "政策文件没有配套的政策解读：政府网站检查要求政策文件与解读同步发布、双向关联（新建 kind: 政策解读、interprets: %s 的通知）", n.Slug)
		}
	}
	if !n.Date.IsZero() && n.Date.After(c.today) {
		c.warnf(n.File, "date", "发布日期 %s 在今天之后", n.Date)
	}
}

func (c *checker) institutions() {
	byUSCC := map[string]*Institution{}
	byEmail := map[string]*Institution{}
	regions := map[string]bool{}
	for _, reg := range c.r.Site.Regions {
		regions[reg] = true
	}
	// Deadlines of the rounds each institution applied in (第二条第1项: 依法成立3年以上).
	deadlines := map[string][]*Round{}
	for _, rd := range c.r.Rounds {
		for _, s := range rd.Applicants {
			deadlines[s] = append(deadlines[s], rd)
		}
	}
	for _, inst := range c.r.Institutions {
		f := inst.File
		c.missing(f, "name", inst.Name, "uscc", inst.USCC, "legal_form", inst.LegalForm, "founded", inst.Founded,
			"office.address", inst.Office.Address, "office.county", inst.Office.County, "credit.checked_on", inst.Credit.CheckedOn)
		if inst.USCC != "" {
			if err := CheckUSCC(inst.USCC); err != nil {
				c.errf(f, "uscc", "%v", err)
			} else if o := byUSCC[inst.USCC]; o != nil {
				c.errf(f, "uscc", "统一社会信用代码与 %s 重复", o.File)
			} else {
				byUSCC[inst.USCC] = inst
			}
		}
		if !inst.Founded.IsZero() {
			for _, rd := range deadlines[inst.Slug] {
				if dl := rd.Application.To; !dl.IsZero() && inst.Founded.AddMonths(36).After(dl) {
					c.errf(f, "founded", "成立于%s，至“%s”申报截止日（%s）不满3年（第二条第1项）", inst.Founded.Chinese(), rd.Title, dl.Chinese())
				}
			}
		}
		if inst.Credit.SeriousDishonesty {
			c.errf(f, "credit.serious_dishonesty", "有严重失信行为记录，不符合遴选条件（第二条第1项）")
		}
		if inst.Credit.Blacklisted {
			c.errf(f, "credit.blacklisted", "列入相关社会领域信用“黑名单”，不符合遴选条件（第二条第1项）")
		}
		if len(inst.Partners.Banks) == 0 {
			c.errf(f, "partners", "没有合作银行（partners.banks）：第二条第3项要求与金融机构建立合作关系")
		}
		if len(inst.Partners.LawFirms) == 0 && len(inst.Partners.AccountingFirms) == 0 {
			c.errf(f, "partners", "没有合作的律师事务所或会计师事务所（partners.law_firms / accounting_firms，第二条第3项）")
		}
		if inst.Office.County != "" && len(regions) > 0 && !regions[inst.Office.County] {
			c.errf(f, "office.county", "%q 不是 site.yaml 中列出的晋中市县（区、市）：办公场所须在晋中市（第五条第4项）", inst.Office.County)
		} else if inst.Office.County != "" && inst.Office.Address != "" && !strings.Contains(inst.Office.Address, inst.Office.County) {
			c.warnf(f, "office.address", "地址中没有出现所在县（区、市）“%s”，请核对", inst.Office.County)
		}
		for i, s := range inst.ReportSenders {
			field := fmt.Sprintf("report_senders[%d].email", i)
			a, err := mail.ParseAddress(s.Email)
			if err != nil || a.Address != strings.TrimSpace(s.Email) {
				c.errf(f, field, "%q 不是有效的邮箱地址（只写地址本身，如 baosong@example.com）", s.Email)
				continue
			}
			key := strings.ToLower(a.Address)
			if o := byEmail[key]; o != nil && o != inst {
				c.errf(f, field, "报送邮箱 %s 已属于 %s：同一地址只能属于一家机构", s.Email, o.File)
			} else {
				byEmail[key] = inst
			}
		}
	}
}

func (c *checker) round(rd *Round) {
	f := rd.File
	c.missing(f, "title", rd.Title, "notice", rd.Notice, "application.from", rd.Application.From, "application.to", rd.Application.To)
	if rd.Notice != "" {
		if n := c.r.Notice(rd.Notice); n == nil {
			c.errf(f, "notice", "找不到遴选通知 notices/%s.md", rd.Notice)
		} else if n.Kind != NoticeSelection {
			c.warnf(f, "notice", "notices/%s.md 的类型是 %s，不是 遴选通知", rd.Notice, n.Kind)
		}
	}
	applied := map[string]bool{}
	for i, s := range rd.Applicants {
		field := fmt.Sprintf("applicants[%d]", i)
		if applied[s] {
			c.errf(f, field, "申报单位 %s 重复", s)
		}
		applied[s] = true
		if c.r.Institution(s) == nil {
			c.errf(f, field, "找不到机构 institutions/%s/index.md", s)
		}
	}
	seen := map[string]bool{}
	for i, s := range rd.Decision.Selected {
		field := fmt.Sprintf("decision.selected[%d]", i)
		if seen[s] {
			c.errf(f, field, "机构 %s 重复", s)
		}
		seen[s] = true
		if !applied[s] {
			c.errf(f, field, "%s 不在本轮申报单位（applicants）中", s)
		}
	}
	switch rd.Review.Form {
	case "", ReviewMeeting, ReviewMeetingVisit:
	default:
		c.errf(f, "review.form", "评审形式 %q 无效，应为 会议评审 或 会议评审+现场考察（第三条第3项）", rd.Review.Form)
	}
	var pub *Publicity
	if rd.Publicity != "" {
		if pub = c.r.Publicity(rd.Publicity); pub == nil {
			c.errf(f, "publicity", "找不到公示 publicity/%s.md", rd.Publicity)
		}
	}
	if a := rd.Announcement.Notice; a != "" {
		if n := c.r.Notice(a); n == nil {
			c.errf(f, "announcement.notice", "找不到公告 notices/%s.md", a)
		} else if n.Kind != NoticeAnnouncement {
			c.warnf(f, "announcement.notice", "notices/%s.md 的类型是 %s，不是 公告", a, n.Kind)
		}
	}
	if !rd.Announcement.Date.IsZero() && pub == nil && rd.Publicity == "" {
		c.errf(f, "publicity", "已公告但没有公示：第三条第5项要求先向社会公示")
	}
	// The steps of 第三条 in order.
	type step struct {
		field, name string
		d           Date
	}
	steps := []step{{"application.from", "申报开始", rd.Application.From}, {"application.to", "申报截止", rd.Application.To},
		{"review.date", "专家评审", rd.Review.Date}, {"decision.date", "党组会研究议定", rd.Decision.Date}}
	if pub != nil {
		steps = append(steps, step{"publicity", "公示开始", pub.Start})
		if !pub.End.IsZero() {
			steps = append(steps, step{"publicity", "公示结束", pub.End})
		}
	}
	steps = append(steps, step{"announcement.date", "公告", rd.Announcement.Date}, step{"filing.date", "备案", rd.Filing.Date})
	if n := c.r.Notice(rd.Notice); n != nil && !n.Date.IsZero() {
		steps = append([]step{{"notice", "遴选通知发布", n.Date}}, steps...)
	}
	var prev *step
	for i := range steps {
		s := &steps[i]
		if s.d.IsZero() {
			continue
		}
		strict := s.name == "公告" && prev != nil && prev.name == "公示结束"
		if prev != nil && (s.d.Before(prev.d) || strict && !s.d.After(prev.d)) {
			if strict {
				c.errf(f, s.field, "%s日期（%s）应在公示期结束（%s）之后", s.name, s.d, prev.d)
			} else {
				c.errf(f, s.field, "%s日期（%s）早于%s（%s）：第三条各步骤应依次进行", s.name, s.d, prev.name, prev.d)
			}
		}
		prev = s
	}
}

func (c *checker) publicity(p *Publicity) {
	f := p.File
	c.missing(f, "title", p.Title, "round", p.Round, "start", p.Start, "institutions", p.Institutions)
	if p.WorkingDays < 1 {
		c.errf(f, "working_days", "公示期应至少1个工作日（一般为5个工作日）")
	}
	var rd *Round
	if p.Round != "" {
		if rd = c.r.Round(p.Round); rd == nil {
			c.errf(f, "round", "找不到遴选轮次 rounds/%s.md", p.Round)
		} else if rd.Publicity != p.Slug {
			c.errf(f, "round", "rounds/%s.md 的 publicity 是 %q，不是本公示 %q", p.Round, rd.Publicity, p.Slug)
		}
	}
	listed := map[string]bool{}
	for i, s := range p.Institutions {
		field := fmt.Sprintf("institutions[%d]", i)
		if listed[s] {
			c.errf(f, field, "机构 %s 重复", s)
		}
		listed[s] = true
		if c.r.Institution(s) == nil {
			c.errf(f, field, "找不到机构 institutions/%s/index.md", s)
		} else if rd != nil && len(rd.Decision.Selected) > 0 && !slices.Contains(rd.Decision.Selected, s) {
			c.errf(f, field, "%s 不在 rounds/%s.md 党组会议定的名单（decision.selected）中", s, rd.Slug)
		}
	}
	for i, s := range p.Withdrawn {
		if !listed[s] {
			c.errf(f, fmt.Sprintf("withdrawn[%d]", i), "%s 不在公示名单中", s)
		}
	}
}

func (c *checker) result(res *Result) {
	f := res.File
	c.missing(f, "assessed_on", res.AssessedOn)
	if !res.Draft && !(Date{res.Year, time.December, 31}).Before(c.today) {
		c.errf(f, "year", "%d年尚未结束，不能有正式考核结果（草稿请写 draft: true）", res.Year)
	}
	seen := map[string]bool{}
	yearEnd := Date{res.Year, time.December, 31}
	for i, g := range res.Grades {
		field := fmt.Sprintf("grades[%d]", i)
		if seen[g.Institution] {
			c.errf(f, field+".institution", "机构 %s 重复", g.Institution)
		}
		seen[g.Institution] = true
		switch g.Grade {
		case GradeExcellent, GradePass, GradeFail:
		case "":
			if !res.Draft {
				c.errf(f, field+".grade", "缺少考核等次（优秀、合格 或 不合格，第六条第3项）")
			}
		default:
			c.errf(f, field+".grade", "等次 %q 无效，应为 优秀、合格 或 不合格（第六条第3项）", g.Grade)
		}
		inst := c.r.Institution(g.Institution)
		if inst == nil {
			c.errf(f, field+".institution", "找不到机构 institutions/%s/index.md", g.Institution)
			continue
		}
		ann := inst.AnnouncedOn()
		if ann.IsZero() || ann.After(yearEnd) {
			c.errf(f, field+".institution", "%s 在%d年底前未被公告为科技金融服务机构，不应参加该年度考核", g.Institution, res.Year)
		} else if rm, ev := inst.RemovedOn(); !rm.IsZero() && ev.Year < res.Year {
			c.errf(f, field+".institution", "%s 已因%d年度考核不合格移出，不应参加%d年度考核", g.Institution, ev.Year, res.Year)
		}
	}
}

func (c *checker) report(inst *Institution, rep *Report) {
	f := rep.File
	p := rep.Period
	if want := p.Kind.String(); rep.Kind != want {
		c.errf(f, "kind", "类型 %q 与报送期间 %s 不符，应为 %s", rep.Kind, p, want)
	}
	future := !p.ReportableOn(c.today)
	if future {
		c.errf(f, "period", "报送期间 %s 尚未结束（今天是%s）", p.Chinese(), c.today.Chinese())
	}
	if !inst.Rostered(p) {
		if rm, _ := inst.RemovedOn(); !rm.IsZero() && !p.Start().Before(rm) {
			c.errf(f, "period", "该机构已于%s移出名单，不应有%s的报告", rm.Chinese(), p.Chinese())
		} else {
			c.errf(f, "period", "%s时该机构尚未被公告为科技金融服务机构，不应有此报告", p.Chinese())
		}
	}
	if rep.ReceivedAt == "" {
		c.errf(f, "received_at", "缺少必填字段（不能为空）")
	} else if _, err := time.Parse(time.RFC3339, rep.ReceivedAt); err != nil {
		c.errf(f, "received_at", "时间 %q 无效，应写作 RFC 3339，如 2025-08-06T09:30:00+08:00", rep.ReceivedAt)
	} else if rd := rep.ReceivedDate(); rd.After(c.today) && !future {
		c.errf(f, "received_at", "收到时间 %s 在今天之后", rd)
	}
	if rep.Sender != "" && len(inst.ReportSenders) > 0 && !slices.ContainsFunc(inst.ReportSenders, func(s Sender) bool {
		return strings.EqualFold(strings.TrimSpace(s.Email), strings.TrimSpace(rep.Sender))
	}) {
		c.warnf(f, "sender", "%s 不在机构的报送邮箱（report_senders）中", rep.Sender)
	}
	switch rep.Kind {
	case "monthly":
		c.monthly(rep)
	case "half_year", "annual":
		if len(rep.Documents) == 0 && len(rep.Evidence) == 0 {
			c.errf(f, "", "缺少报告文件（documents）和印证资料（evidence）（第五条第3项、第六条第3项）")
		}
	}
}

func (c *checker) monthly(rep *Report) {
	f := rep.File
	ind := rep.Indicators
	if ind == nil {
		c.errf(f, "indicators", "缺少必填字段（绩效评价考核表的各项指标）")
		return
	}
	if ind.JinchuangguEnterprises > ind.EnterprisesServed {
		c.errf(f, "indicators.jinchuanggu_enterprises", "晋创谷注册企业（%d家）多于服务企业数量（%d家）", ind.JinchuangguEnterprises, ind.EnterprisesServed)
	}
	if ind.JinchuangguFinancingWan > ind.FinancingWan {
		c.errf(f, "indicators.jinchuanggu_financing_wan", "晋创谷企业融资金额（%s万元）大于融资总额（%s万元）", ind.JinchuangguFinancingWan, ind.FinancingWan)
	}
	var sum, jcg Wan
	for i, row := range rep.Financing {
		sum += row.AmountWan
		if row.Jinchuanggu {
			jcg += row.AmountWan
		}
		if err := CheckUSCC(row.USCC); err != nil {
			c.errf(f, fmt.Sprintf("financing[%d].uscc", i), "%v", err)
		}
		if row.AmountWan < 0 {
			c.errf(f, fmt.Sprintf("financing[%d].amount_wan", i), "融资金额不能为负数")
		}
	}
	for i, e := range rep.Enterprises {
		if err := CheckUSCC(e.USCC); err != nil {
			c.errf(f, fmt.Sprintf("enterprises[%d].uscc", i), "%v", err)
		}
		if strings.TrimSpace(e.Name) == "" {
			c.errf(f, fmt.Sprintf("enterprises[%d].name", i), "缺少必填字段（服务企业名单的企业名称）")
		}
	}
	if len(rep.Enterprises) > 0 {
		all, jcgN := 0, 0
		for _, k := range rep.ServedSet().Keys {
			all++
			if k.Jinchuanggu() {
				jcgN++
			}
		}
		if all > ind.EnterprisesServed {
			c.errf(f, "indicators.enterprises_served", "服务企业数量为%d家，但服务企业名单和融资明细中共有%d家不同的企业", ind.EnterprisesServed, all)
		}
		if jcgN > ind.JinchuangguEnterprises {
			c.errf(f, "indicators.jinchuanggu_enterprises", "晋创谷注册企业为%d家，但服务企业名单和融资明细中共有%d家晋创谷企业", ind.JinchuangguEnterprises, jcgN)
		}
	}
	if sum != ind.FinancingWan {
		c.errf(f, "indicators.financing_wan", "帮助企业融资金额为%s万元，但融资明细合计为%s万元", ind.FinancingWan, sum)
	}
	if jcg != ind.JinchuangguFinancingWan {
		c.errf(f, "indicators.jinchuanggu_financing_wan", "晋创谷企业融资金额为%s万元，但融资明细中晋创谷企业合计为%s万元", ind.JinchuangguFinancingWan, jcg)
	}
}

func (c *checker) inspection(ins *Inspection) {
	f := ins.File
	c.missing(f, "date", ins.Date)
	if len(ins.Findings) == 0 {
		c.errf(f, "findings", "缺少必填字段（检查发现的问题；没有问题写“未发现问题”）")
	}
	if !ins.Date.IsZero() && ins.Date.After(c.today) {
		c.errf(f, "date", "检查日期 %s 在今天之后", ins.Date)
	}
	if !ins.RectifyBy.IsZero() && ins.RectifyBy.Before(ins.Date) {
		c.errf(f, "rectify_by", "整改期限早于检查日期")
	}
	if !ins.RectifiedOn.IsZero() && ins.RectifiedOn.Before(ins.Date) {
		c.errf(f, "rectified_on", "整改完成日期早于检查日期")
	}
	if !ins.RectifyBy.IsZero() && ins.RectifiedOn.IsZero() && c.today.After(ins.RectifyBy) {
		c.warnf(f, "rectify_by", "整改期限%s已过，尚未记录整改完成日期（rectified_on）", ins.RectifyBy.Chinese())
	}
}

// AttachmentTypes are the file types (extensions, lower case) a notice
// attachment in the content repo may have: documents and raster images.
// Anything else (.svg, .html, .js…) could run script on the public site
// and is refused by Load, with a message, and never copied by the site.
var AttachmentTypes = []string{".pdf", ".ofd", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".et", ".jpg", ".jpeg", ".png"}

// MaxAttachmentSize is the largest notice attachment the site copies.
const MaxAttachmentSize = 100 << 20

// AttachmentAllowed reports whether a notice attachment named name has
// one of AttachmentTypes (case-insensitive).
func AttachmentAllowed(name string) bool {
	return slices.Contains(AttachmentTypes, strings.ToLower(path.Ext(name)))
}

// AttachmentFile is where a notice's attachment lives in the content
// repo, relative to the notice, under notices/; false when a.File is not
// such a path (a URL, an absolute path, a path out of notices/ or a
// record).
func AttachmentFile(n *Notice, a Attachment) (string, bool) {
	f := strings.TrimSpace(a.File)
	if f == "" || strings.Contains(f, ":") || strings.HasPrefix(f, "/") || strings.Contains(f, "\\") {
		return "", false
	}
	src := path.Clean(path.Join(path.Dir(n.File), f))
	if !strings.HasPrefix(src, "notices/") || strings.HasSuffix(src, ".md") {
		return "", false
	}
	return src, true
}

// attachmentDiags are the errors of a notice's attachments that live in
// the repo: a type not in AttachmentTypes.
func (r *Repo) attachmentDiags(n *Notice) Diagnostics {
	var ds Diagnostics
	for i, a := range n.Attachments {
		src, ok := AttachmentFile(n, a)
		if !ok || AttachmentAllowed(src) {
			continue
		}
		field := fmt.Sprintf("attachments[%d].file", i)
		ds = append(ds, Diagnostic{File: n.File, Line: r.line(n.File, field), Field: field,
			Message: fmt.Sprintf("附件 %s 的文件类型不能发布到网站：附件只能是 PDF、OFD、Word（doc、docx、wps）、Excel（xls、xlsx、et）或图片（jpg、png）。请另存为 PDF 后改用新文件名", path.Base(src))})
	}
	return ds
}
