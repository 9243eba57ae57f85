package content

// Site is site.yaml: the site's identity, the bureau, the policy's validity,
// deadlines and inbox policy. Fields left out take the defaults documented
// on each field (see Site.ApplyDefaults).
type Site struct {
	Title      string  `yaml:"title"`       // site title, e.g. 晋中市科技金融服务机构公共服务平台
	Bureau     string  `yaml:"bureau"`      // 主办单位, e.g. 晋中市科学技术局
	BaseURL    string  `yaml:"base_url"`    // canonical URL of the public site, may have a sub-path
	SampleData bool    `yaml:"sample_data"` // true: the site is marked 示例数据 everywhere
	Contact    Contact `yaml:"contact"`     // the bureau's public contact for the footer
	SiteCode   string  `yaml:"site_code"`   // 网站标识码 (government sites)
	ICP        string  `yaml:"icp"`         // ICP备案号
	PSB        string  `yaml:"psb"`         // 公安机关备案号
	// Regions lists the counties and districts of 晋中; an office address must
	// name one of them (第五条第4项: 在晋中市配备必要的办公场所).
	Regions   []string    `yaml:"regions"`
	Policy    Policy      `yaml:"policy"`
	Deadlines Deadlines   `yaml:"deadlines"`
	Gov       GovLimits   `yaml:"gov"`
	Inbox     InboxPolicy `yaml:"inbox"`
	// Ops are the limits of kjjr health and who is alerted.
	Ops OpsLimits `yaml:"ops"`
	// Complaints is how the public complains about an institution (shown on
	// each institution page next to the 第七条 statement).
	Complaints Contact `yaml:"complaints"`
}

// Contact is a public contact point.
type Contact struct {
	Department string `yaml:"department,omitempty"`
	Person     string `yaml:"person,omitempty"` // a public role or desk, not a filer
	Phone      string `yaml:"phone,omitempty"`
	Email      string `yaml:"email,omitempty"`
	Address    string `yaml:"address,omitempty"`
}

// Policy is the validity of the measures themselves (第八条).
type Policy struct {
	Notice    string `yaml:"notice"`    // slug of the notice holding the text of the measures
	Effective Date   `yaml:"effective"` // 2025-03-18
	Years     int    `yaml:"years"`     // validity in years; default 2
	WarnDays  int    `yaml:"warn_days"` // check warns this many days before expiry; default 90
}

// Expires returns the last day on which the measures are in force.
func (p Policy) Expires() Date {
	if p.Effective.IsZero() {
		return Date{}
	}
	y := p.Years
	if y == 0 {
		y = 2
	}
	return Date{p.Effective.Year + y, p.Effective.Month, p.Effective.Day}.AddDays(-1)
}

// GovLimits are the freshness limits that kjjr check --gov applies, from
// 《政府网站与政务新媒体检查指标》: a 动态/要闻 column must show a new item
// within NewsDays (default 14), a 通知公告/政策文件 column within
// NoticeMonths (default 6).
type GovLimits struct {
	NewsDays     int `yaml:"news_days"`
	NoticeMonths int `yaml:"notice_months"`
}

// OpsLimits are the operations settings (site.yaml ops) that kjjr health
// checks against; zero fields take the defaults the health package
// documents. Durations are written as Go durations: 30m, 1h, 90s.
type OpsLimits struct {
	// AlertTo are the staff addresses kjjr health --notify mails. Never an
	// institution's report sender (health refuses one).
	AlertTo []string `yaml:"alert_to"`
	// InboxMaxAge: no successful inbox pass within it is CRITICAL (30m).
	InboxMaxAge string `yaml:"inbox_max_age"`
	// InboxErrorPasses: the same error this many passes in a row is a
	// WARNING (3).
	InboxErrorPasses int `yaml:"inbox_error_passes"`
	// OutboxQueuedMaxAge: mail still queued after it is a WARNING (1h).
	OutboxQueuedMaxAge string `yaml:"outbox_queued_max_age"`
	// OutboxWindowDays: failed, expired or unconfirmed mail queued within
	// this many days counts (7); older ones were dealt with or are history.
	OutboxWindowDays int `yaml:"outbox_window_days"`
	// QuarantineReviewDays: a quarantined message older than this that
	// staff have not listed (kjjr review --quarantine) is a WARNING (7).
	QuarantineReviewDays int `yaml:"quarantine_review_days"`
	// DiskWarnPercent, DiskCritPercent: the file system of the git
	// directory fuller than these is WARNING (90) or CRITICAL (97).
	DiskWarnPercent int `yaml:"disk_warn_percent"`
	DiskCritPercent int `yaml:"disk_crit_percent"`
}

// Deadlines are the reporting deadlines (第五条第3项, 第六条第3项).
type Deadlines struct {
	// MonthlyDay: the monthly sheet of a month is due by this day of the
	// next month. Default 10.
	MonthlyDay int `yaml:"monthly_day"`
	// HalfYearDays: a half-year report is due this many days after the half
	// ends (H1 on 06-30, H2 on 12-31). Default 15.
	HalfYearDays int `yaml:"half_year_days"`
	// AnnualMonthDay: the annual summary is due by this day of its year,
	// written MM-DD. Default 12-31 (每年12月底前).
	AnnualMonthDay string `yaml:"annual"`
	// RemindDays: reminders go out this many days before a deadline. Default 5.
	RemindDays int `yaml:"remind_days"`
	// ShiftRestDays: a deadline on a statutory rest day moves to the next
	// working day (民法典第二百零三条; see Due). Default true; false keeps
	// the day as named.
	ShiftRestDays *bool `yaml:"shift_rest_days"`
}

// InboxPolicy is what the inbox accepts and how much disk its quarantine
// may use (site.yaml inbox). Zero fields take the defaults.
type InboxPolicy struct {
	RequireDKIM        bool   `yaml:"require_dkim"`          // every institution must pass DKIM
	MaxAttachmentMiB   int    `yaml:"max_attachment_mib"`    // default 25
	MaxMessageMiB      int    `yaml:"max_message_mib"`       // default 50
	MaxAttachments     int    `yaml:"max_attachments"`       // default 30
	MaxReportAgeMonths int    `yaml:"max_report_age_months"` // default 24
	ReceiptFrom        string `yaml:"receipt_from"`          // From address of receipts and reminders
	// Address is where institutions send their reports (报送邮箱): the
	// mailbox the inbox worker reads. The 报送指南 page, every
	// institution page, reminders and receipts name it. kjjr check
	// requires one plain address (baosong@example.gov.cn).
	Address string `yaml:"address"`
	// QuarantineBudgetMiB caps the disk that <gitdir>/kjjr/quarantine may
	// use; past it the oldest records of strangers expire first. Default 1024.
	QuarantineBudgetMiB int `yaml:"quarantine_budget_mib"`
}

// Notice kinds (第三条第1项 遴选通知, 第五条第1项 公告).
const (
	NoticeSelection    = "遴选通知"
	NoticeAnnouncement = "公告"
	NoticePolicy       = "政策文件"
	NoticeGeneral      = "通知"
	// NoticeInterpretation is a 政策解读: it names the 政策文件 it explains
	// in Interprets, and the site links the two both ways, as the
	// government-website indicators ask of every policy document.
	NoticeInterpretation = "政策解读"
)

// Notice is notices/<slug>.md: a selection notice, announcement, policy
// document or general notice. Its Markdown body is the notice text.
type Notice struct {
	Kind        string       `yaml:"kind"`
	Title       string       `yaml:"title"`
	Date        Date         `yaml:"date"`
	Number      string       `yaml:"number,omitempty"` // 文号, e.g. 市科发〔2025〕2号
	Issuer      string       `yaml:"issuer,omitempty"` // defaults to Site.Bureau
	Attachments []Attachment `yaml:"attachments,omitempty"`
	// Interprets: for a 政策解读, the slug of the 政策文件 it explains.
	Interprets string `yaml:"interprets,omitempty"`

	Meta `yaml:",inline"`
}

// Attachment is a file published with a notice.
type Attachment struct {
	Title string `yaml:"title"`
	File  string `yaml:"file"` // path relative to the notice, or a URL on the site
}

// Review forms (第三条第3项).
const (
	ReviewMeeting      = "会议评审"
	ReviewMeetingVisit = "会议评审+现场考察"
)

// Round is rounds/<slug>.md: one selection round through the six steps of
// 第三条: notice, applications, expert review, party-group decision,
// publicity, provincial filing; plus the announcement (第五条第1项).
type Round struct {
	Title        string       `yaml:"title"`
	Notice       string       `yaml:"notice"`       // slug of the 遴选通知 (step 1)
	Application  Window       `yaml:"application"`  // step 2: application window
	Applicants   []string     `yaml:"applicants"`   // institution slugs that applied
	Review       ExpertReview `yaml:"review"`       // step 3
	Decision     Decision     `yaml:"decision"`     // step 4
	Publicity    string       `yaml:"publicity"`    // step 5: slug of the publicity
	Announcement Announcement `yaml:"announcement"` // 第五条第1项
	Filing       Filing       `yaml:"filing"`       // step 6: 向省科技厅备案

	Meta `yaml:",inline"`
}

// Window is a date range, both ends inclusive.
type Window struct {
	From Date `yaml:"from"`
	To   Date `yaml:"to"`
}

// ExpertReview is 第三条第3项.
type ExpertReview struct {
	Date    Date   `yaml:"date"`
	Form    string `yaml:"form"` // 会议评审 or 会议评审+现场考察
	Experts int    `yaml:"experts,omitempty"`
}

// Decision is 第三条第4项: the party group's meeting.
type Decision struct {
	Date     Date     `yaml:"date"`
	Meeting  string   `yaml:"meeting,omitempty"` // e.g. 局党组会议
	Selected []string `yaml:"selected"`          // slugs put forward for publicity
}

// Announcement is the public announcement of the selected institutions.
type Announcement struct {
	Date   Date   `yaml:"date"`
	Notice string `yaml:"notice,omitempty"` // slug of the 公告
}

// Filing is 第三条第6项: filing with the provincial department.
type Filing struct {
	Date   Date   `yaml:"date"`
	Number string `yaml:"number,omitempty"`
}

// Publicity is publicity/<slug>.md: a 公示 of a round's selected
// institutions for WorkingDays working days (第三条第5项, 一般为5个工作日).
type Publicity struct {
	Title            string   `yaml:"title"`
	Round            string   `yaml:"round"`
	Start            Date     `yaml:"start"`
	WorkingDays      int      `yaml:"working_days"` // default 5
	Institutions     []string `yaml:"institutions"`
	ObjectionContact Contact  `yaml:"objection_contact"`
	Outcome          string   `yaml:"outcome,omitempty"`   // e.g. 公示期内未收到异议
	Withdrawn        []string `yaml:"withdrawn,omitempty"` // slugs not announced after objections

	// End is the last day of the publicity, computed from the calendar by Load.
	End Date `yaml:"-"`

	Meta `yaml:",inline"`
}

// Institution is institutions/<slug>/index.md (第一条, 第二条, 第五条第4项).
// Its Markdown body is the public introduction.
type Institution struct {
	Name              string   `yaml:"name"`
	ShortName         string   `yaml:"short_name,omitempty"`
	USCC              string   `yaml:"uscc"`       // 统一社会信用代码, GB 32100-2015
	LegalForm         string   `yaml:"legal_form"` // e.g. 有限责任公司, 事业单位
	Founded           Date     `yaml:"founded"`    // 成立日期; >= 3 years before the round's deadline
	Website           string   `yaml:"website,omitempty"`
	Credit            Credit   `yaml:"credit"`
	Capabilities      []string `yaml:"capabilities,omitempty"`
	Partners          Partners `yaml:"partners"`
	Services          []string `yaml:"services"` // 融资对接, 项目路演, 入企服务, 政策宣讲 …
	ServesJinchuanggu bool     `yaml:"serves_jinchuanggu"`
	Team              Team     `yaml:"team"`
	Office            Office   `yaml:"office"`
	Contact           Contact  `yaml:"contact"` // public contact

	// ReportSenders are the addresses allowed to email reports. Private.
	ReportSenders []Sender `yaml:"report_senders,omitempty"`
	// DKIMKeys pins DKIM public keys for the institution's mail. Private.
	DKIMKeys []DKIMKey `yaml:"dkim_keys,omitempty"`

	// Filled by Load.
	Reports     []*Report     `yaml:"-"` // sorted by kind, then period
	Inspections []*Inspection `yaml:"-"` // sorted by date
	History     []Event       `yaml:"-"` // derived status history, by date

	Meta `yaml:",inline"`
}

// Credit is the 第二条第1项 credit check.
type Credit struct {
	CheckedOn         Date   `yaml:"checked_on"`
	Source            string `yaml:"source"` // e.g. 信用中国
	SeriousDishonesty bool   `yaml:"serious_dishonesty"`
	Blacklisted       bool   `yaml:"blacklisted"`
}

// Partners are the 第二条第3项 cooperation partners.
type Partners struct {
	Banks           []string `yaml:"banks"`
	LawFirms        []string `yaml:"law_firms,omitempty"`
	AccountingFirms []string `yaml:"accounting_firms,omitempty"`
	Others          []string `yaml:"others,omitempty"`
}

// Team is the service team (第五条第4项).
type Team struct {
	Size        int    `yaml:"size"`
	Description string `yaml:"description,omitempty"`
}

// Office is the office in 晋中 (第五条第4项).
type Office struct {
	Address string `yaml:"address"`
	County  string `yaml:"county"` // one of Site.Regions
	Phone   string `yaml:"phone,omitempty"`
}

// Sender is an address allowed to send reports. Private.
type Sender struct {
	Name  string `yaml:"name,omitempty"`
	Email string `yaml:"email"`
	Phone string `yaml:"phone,omitempty"`
}

// DKIMKey pins a DKIM public key: selector and domain as in the DNS name
// <selector>._domainkey.<domain>, and the TXT record's value. Private.
type DKIMKey struct {
	Domain   string `yaml:"domain"`
	Selector string `yaml:"selector"`
	Record   string `yaml:"record"` // e.g. "v=DKIM1; k=rsa; p=MIIB..."
}

// Report is institutions/<slug>/reports/<period>.md as the inbox writes it:
// a monthly sheet (第四条第5项, 第五条第3项), a half-year progress report
// with evidence, or an annual summary (第六条第3项). The Markdown body is
// a private note (the mail's text); the site never renders it.
type Report struct {
	Kind       string `yaml:"kind"` // monthly, half_year or annual; must match Period
	Period     Period `yaml:"period"`
	ReceivedAt string `yaml:"received_at"` // RFC 3339 time the message arrived

	// Where it came from. Private.
	Sender       string `yaml:"sender,omitempty"`
	MessageID    string `yaml:"message_id,omitempty"`
	SourceSHA256 string `yaml:"source_sha256,omitempty"`
	Filer        string `yaml:"filer,omitempty"`
	Phone        string `yaml:"phone,omitempty"`
	FiledOn      Date   `yaml:"filed_on,omitempty"`

	// Monthly sheet content (public, aggregated on the site).
	Indicators   *Indicators `yaml:"indicators,omitempty"`
	PartnerBanks []string    `yaml:"partner_banks,omitempty"`
	ChargedFees  *bool       `yaml:"charged_fees,omitempty"` // 第七条: true is a finding
	// Financing are the 融资明细 rows. Private.
	Financing []Financing `yaml:"financing,omitempty"`

	// Files kept with the report under evidence/<period>/. Private.
	Documents []File    `yaml:"documents,omitempty"` // the report documents themselves
	Evidence  []File    `yaml:"evidence,omitempty"`
	Skipped   []Skipped `yaml:"skipped,omitempty"`
	Warnings  []string  `yaml:"warnings,omitempty"` // for staff review

	Meta `yaml:",inline"`
}

// Indicators are the figures of the monthly sheet (sheet 1, 绩效评价考核表;
// package sheet documents its labels).
type Indicators struct {
	EnterprisesServed       int `yaml:"enterprises_served"`
	JinchuangguEnterprises  int `yaml:"jinchuanggu_enterprises"`
	NeedsSurveyed           int `yaml:"needs_surveyed"`
	MatchmakingEvents       int `yaml:"matchmaking_events"`
	Roadshows               int `yaml:"roadshows"`
	OnsiteVisits            int `yaml:"onsite_visits"`
	PolicySessions          int `yaml:"policy_sessions"`
	PolicyEnterprises       int `yaml:"policy_enterprises"`
	LoanSubsidyEnterprises  int `yaml:"loan_subsidy_enterprises"`
	InsuranceEnterprises    int `yaml:"insurance_enterprises"`
	FinancingWan            Wan `yaml:"financing_wan"`
	JinchuangguFinancingWan Wan `yaml:"jinchuanggu_financing_wan"`
}

// Financing is one row of 融资明细. Private: enterprise names, USCCs and
// amounts per enterprise never reach the public site.
type Financing struct {
	Enterprise  string `yaml:"enterprise"`
	USCC        string `yaml:"uscc"`
	Jinchuanggu bool   `yaml:"jinchuanggu"`
	Lender      string `yaml:"lender"`
	Method      string `yaml:"method"`
	AmountWan   Wan    `yaml:"amount_wan"`
	Disbursed   Date   `yaml:"disbursed_on"`
}

// File is a file kept under evidence/<period>/, named
// <first 12 hex of sha256>-<sanitized name>. Private.
type File struct {
	Path   string `yaml:"path"` // relative to the institution directory
	Name   string `yaml:"name"` // the original file name as sent
	Size   int64  `yaml:"size"`
	SHA256 string `yaml:"sha256"`
	Type   string `yaml:"type,omitempty"` // media type
}

// Skipped is an attachment that was not kept, with the reason.
type Skipped struct {
	Name   string `yaml:"name"`
	Size   int64  `yaml:"size,omitempty"`
	Reason string `yaml:"reason"`
}

// Inspection is institutions/<slug>/inspections/<name>.md: a supervision
// check and its rectification (第五条第2项).
type Inspection struct {
	Date        Date     `yaml:"date"`
	Kind        string   `yaml:"kind,omitempty"` // e.g. 日常监督检查
	Findings    []string `yaml:"findings"`
	RectifyBy   Date     `yaml:"rectify_by,omitempty"`
	RectifiedOn Date     `yaml:"rectified_on,omitempty"`
	Outcome     string   `yaml:"outcome,omitempty"`

	Meta `yaml:",inline"`
}

// Grades of the annual assessment (第六条第3项).
const (
	GradeExcellent = "优秀"
	GradePass      = "合格"
	GradeFail      = "不合格"
)

// Result is results/<year>.md: the annual assessment (第六条).
type Result struct {
	Year       int  `yaml:"year"`
	AssessedOn Date `yaml:"assessed_on"`
	// Published is the date the result takes effect publicly; a 不合格
	// institution leaves the roster on this date. Defaults to AssessedOn.
	Published Date    `yaml:"published,omitempty"`
	Draft     bool    `yaml:"draft,omitempty"` // a draft by kjjr assess; not published
	Grades    []Grade `yaml:"grades"`

	Meta `yaml:",inline"`
}

// Effective returns the date the result takes effect.
func (r *Result) Effective() Date {
	if !r.Published.IsZero() {
		return r.Published
	}
	return r.AssessedOn
}

// Grade is one institution's grade in a Result.
type Grade struct {
	Institution string   `yaml:"institution"`
	Grade       string   `yaml:"grade"` // 优秀, 合格, 不合格; empty in a draft
	Notes       string   `yaml:"notes,omitempty"`
	Figures     *Figures `yaml:"figures,omitempty"`
}

// Figures are one institution's yearly totals along 第六条第2项, as
// `kjjr assess` computes them from approved monthly reports.
type Figures struct {
	Reports                 int      `yaml:"reports"` // approved monthly reports
	OnTime                  int      `yaml:"on_time"` // of which on time
	EnterprisesServed       int      `yaml:"enterprises_served"`
	JinchuangguEnterprises  int      `yaml:"jinchuanggu_enterprises"`
	MatchmakingEvents       int      `yaml:"matchmaking_events"`
	PolicySessions          int      `yaml:"policy_sessions"`
	PolicyEnterprises       int      `yaml:"policy_enterprises"`
	FinancingWan            Wan      `yaml:"financing_wan"`
	JinchuangguFinancingWan Wan      `yaml:"jinchuanggu_financing_wan"`
	PartnerBanks            []string `yaml:"partner_banks,omitempty"`
	HalfYearReports         int      `yaml:"half_year_reports"`
	AnnualSummary           bool     `yaml:"annual_summary"`
}

// Meta is what Load knows about every record beyond its front matter.
type Meta struct {
	Slug string `yaml:"-"` // file or directory name without extension
	File string `yaml:"-"` // path in the content repo, slash-separated
	Body string `yaml:"-"` // Markdown after the front matter
	// BodyLine is the 1-based line on which Body starts in File.
	BodyLine int `yaml:"-"`
}
