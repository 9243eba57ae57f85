package content_test

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"kjjr/content"
	"kjjr/content/jinzhong"
)

// defaultMapFS copies the default dataset into a MapFS that a test can edit.
func defaultMapFS(t *testing.T) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(jinzhong.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(jinzhong.FS(), p)
		m[p] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// edit is one change to the default dataset: in file, replace old by new
// (old "" means: write new as the whole file).
type edit struct{ file, old, new string }

const (
	kechuang = "institutions/kechuang-rongzi/index.md"
	pingyao  = "institutions/pingyao-huitong/index.md"
	round    = "rounds/2025-1.md"
	pub      = "publicity/2025-06-09-round-1.md"
	results  = "results/2025.md"
	rep      = "institutions/kechuang-rongzi/reports/2025-10.md"
)

// TestCheckRules breaks the (valid) default dataset one rule at a time and
// expects the rule's diagnostic, located, in Check's output.
func TestCheckRules(t *testing.T) {
	tests := []struct {
		name  string
		today string // default 2026-11-11 (before the policy warning)
		edits []edit
		want  string // substring of one diagnostic's String()
		warn  bool   // the diagnostic is a warning
	}{
		{name: "uscc checksum", edits: []edit{{kechuang, "uscc: 91140702MA0H4K2T95", "uscc: 91140702MA0H4K2T96"}},
			want: kechuang + ":4: uscc：统一社会信用代码校验位错误，应为 5"},
		{name: "uscc length", edits: []edit{{kechuang, "uscc: 91140702MA0H4K2T95", "uscc: 9114070"}},
			want: kechuang + ":4: uscc：统一社会信用代码应为18位"},
		{name: "uscc duplicate", edits: []edit{{pingyao, "uscc: 91140728MA0GW5P174", "uscc: 91140702MA0H4K2T95"}},
			want: ":4: uscc：统一社会信用代码与 "},
		{name: "founded less than 3 years", edits: []edit{{pingyao, `founded: "2017-04-18"`, `founded: "2022-05-17"`}},
			want: pingyao + ":6: founded：成立于2022年5月17日，至“2025年度科技金融服务机构遴选（第一批）”申报截止日（2025年5月16日）不满3年"},
		{name: "founded exactly 3 years is fine", edits: []edit{{pingyao, `founded: "2017-04-18"`, `founded: "2022-05-16"`}}},
		{name: "serious dishonesty", edits: []edit{{pingyao, "serious_dishonesty: false", "serious_dishonesty: true"}},
			want: pingyao + ":10: credit.serious_dishonesty：有严重失信行为记录"},
		{name: "blacklisted", edits: []edit{{pingyao, "blacklisted: false", "blacklisted: true"}},
			want: pingyao + ":11: credit.blacklisted：列入相关社会领域信用“黑名单”"},
		{name: "no bank", edits: []edit{{pingyao, "  banks:\n    - 晋商银行晋中分行\n    - 中国银行晋中分行\n", "  banks: []\n"}},
			want: pingyao + ":15: partners：没有合作银行"},
		{name: "no law or accounting firm", edits: []edit{{pingyao, "  accounting_firms:\n    - 平遥信达会计师事务所有限公司\n", ""}},
			want: pingyao + ":15: partners：没有合作的律师事务所或会计师事务所"},
		{name: "office outside Jinzhong", edits: []edit{{pingyao, "county: 平遥县", "county: 小店区"}},
			want: pingyao + ":30: office.county：\"小店区\" 不是 site.yaml 中列出的晋中市县（区、市）"},
		{name: "address without county", edits: []edit{{pingyao, "address: 山西省晋中市平遥县顺城路示例号", "address: 山西省晋中市顺城路示例号"}},
			want: pingyao + ":29: 警告：office.address：地址中没有出现所在县（区、市）“平遥县”", warn: true},
		{name: "required field missing", edits: []edit{{pingyao, "legal_form: 有限责任公司\n", ""}},
			want: pingyao + ":2: legal_form：缺少必填字段"},
		{name: "bad sender address", edits: []edit{{pingyao, "email: liujj@huitong-pingyao.example.com", "email: 刘建军 <liujj@huitong-pingyao.example.com>"}},
			want: "report_senders[0].email：\"刘建军 <liujj@huitong-pingyao.example.com>\" 不是有效的邮箱地址"},
		{name: "sender shared", edits: []edit{{pingyao, "email: liujj@huitong-pingyao.example.com", "email: baosong@kechuang-rongzi.example.cn"}},
			want: "report_senders[0].email：报送邮箱 baosong@kechuang-rongzi.example.cn 已属于"},
		{name: "round notice dangling", edits: []edit{{round, "notice: 2025-04-15-selection-round-1", "notice: 2025-04-01-nope"}},
			want: round + ":3: notice：找不到遴选通知 notices/2025-04-01-nope.md"},
		{name: "round notice wrong kind", edits: []edit{{round, "notice: 2025-04-15-selection-round-1", "notice: 2025-03-18-measures"}},
			want: round + ":3: 警告：notice：notices/2025-03-18-measures.md 的类型是 政策文件，不是 遴选通知", warn: true},
		{name: "round applicant dangling", edits: []edit{{round, "applicants:\n  - jiexiu-xinke\n", "applicants:\n  - jiexiu-xinke\n  - ghost\n"}},
			want: round + ":9: applicants[1]：找不到机构 institutions/ghost/index.md"},
		{name: "round applicant duplicate", edits: []edit{{round, "applicants:\n  - jiexiu-xinke\n", "applicants:\n  - jiexiu-xinke\n  - jiexiu-xinke\n"}},
			want: round + ":9: applicants[1]：申报单位 jiexiu-xinke 重复"},
		{name: "selected did not apply", edits: []edit{{round, "applicants:\n  - jiexiu-xinke\n", "applicants:\n"}},
			want: "decision.selected[0]：jiexiu-xinke 不在本轮申报单位（applicants）中"},
		{name: "round publicity dangling", edits: []edit{{round, "publicity: 2025-06-09-round-1", "publicity: nope"}},
			want: "publicity：找不到公示 publicity/nope.md"},
		{name: "round steps out of order", edits: []edit{{round, `  date: "2025-06-05"`, `  date: "2025-05-20"`}},
			want: "decision.date：党组会研究议定日期（2025-05-20）早于专家评审（2025-05-27）"},
		{name: "announcement during publicity", edits: []edit{{round, `  date: "2025-06-20"`, `  date: "2025-06-12"`}},
			want: "announcement.date：公告日期（2025-06-12）应在公示期结束（2025-06-13）之后"},
		{name: "review form", edits: []edit{{round, "form: 会议评审+现场考察", "form: 书面评审"}},
			want: "review.form：评审形式 \"书面评审\" 无效"},
		{name: "publicity round dangling", edits: []edit{{pub, "round: 2025-1", "round: 2024-9"}},
			want: pub + ":3: round：找不到遴选轮次 rounds/2024-9.md"},
		{name: "publicity institution dangling", edits: []edit{{pub, "  - taigu-nongke\n", "  - taigu-nongke\n  - ghost\n"}},
			want: "institutions[7]：找不到机构 institutions/ghost/index.md"},
		{name: "publicity lists unselected", edits: []edit{{round, "  selected:\n    - jiexiu-xinke\n", "  selected:\n"}},
			want: pub + ":7: institutions[0]：jiexiu-xinke 不在 rounds/2025-1.md 党组会议定的名单"},
		{name: "publicity withdrawn unlisted", edits: []edit{{pub, "outcome: 公示期内未收到异议", "outcome: 有异议\nwithdrawn: [ghost]"}},
			want: "withdrawn[0]：ghost 不在公示名单中"},
		{name: "publicity outside calendar", edits: []edit{{pub, `start: "2025-06-09"`, `start: "2027-06-09"`}},
			want: pub + ":4: start：日历中没有 2027 年的节假日安排：请按国务院办公厅当年的放假通知添加 calendar/2027.yaml"},
		{name: "result institution dangling", edits: []edit{{results, "institution: jiexiu-xinke", "institution: ghost"}},
			want: results + ":6: grades[0].institution：找不到机构 institutions/ghost/index.md"},
		{name: "result institution not announced that year", edits: []edit{{round, `  date: "2025-06-20"`, `  date: "2026-01-05"`}},
			want: "grades[0].institution：jiexiu-xinke 在2025年底前未被公告为科技金融服务机构"},
		{name: "result grade invalid", edits: []edit{{results, "grade: 不合格", "grade: 良好"}},
			want: results + ":7: grades[0].grade：等次 \"良好\" 无效"},
		{name: "result year not over", today: "2025-12-20", edits: nil,
			want: results + ":2: year：2025年尚未结束"},
		{name: "report period in the future", today: "2026-10-20", want: "period：报送期间 2026年10月 尚未结束（今天是2026年10月20日）"},
		{name: "report before announcement", edits: []edit{{round, `  date: "2025-06-20"`, `  date: "2025-08-01"`}},
			want: "reports/2025-07.md:3: period：2025年7月时该机构尚未被公告为科技金融服务机构，不应有此报告"},
		{name: "report after removal", edits: []edit{{"institutions/jiexiu-xinke/reports/2026-03.md", "", strings.NewReplacer(`period: "2025-12"`, `period: "2026-03"`,
			"2026-01-08T14:33:15+08:00", "2026-04-08T14:33:15+08:00").Replace(readDefault(t, "institutions/jiexiu-xinke/reports/2025-12.md"))}},
			want: "institutions/jiexiu-xinke/reports/2026-03.md:3: period：该机构已于2026年1月26日移出名单，不应有2026年3月的报告"},
		{name: "report kind mismatch", edits: []edit{{rep, "kind: monthly", "kind: half_year"}},
			want: rep + ":2: kind：类型 \"half_year\" 与报送期间 2025-10 不符，应为 monthly"},
		{name: "report received_at malformed", edits: []edit{{rep, `received_at: "2025-11-06T11:42:48+08:00"`, `received_at: "2025-11-06 11:42"`}},
			want: rep + ":4: received_at：时间 \"2025-11-06 11:42\" 无效"},
		{name: "report sender unknown", edits: []edit{{rep, "sender: lizq@kechuang-rongzi.example.cn", "sender: someone@example.org"}},
			want: rep + ":5: 警告：sender：someone@example.org 不在机构的报送邮箱", warn: true},
		{name: "financing sum", edits: []edit{{rep, "financing_wan: 5600.09", "financing_wan: 5600.00"}},
			want: rep + ":22: indicators.financing_wan：帮助企业融资金额为5600.00万元，但融资明细合计为5600.09万元"},
		{name: "jinchuanggu financing sum", edits: []edit{{rep, "jinchuanggu_financing_wan: 1420.09", "jinchuanggu_financing_wan: 1420.00"}},
			want: rep + ":23: indicators.jinchuanggu_financing_wan：晋创谷企业融资金额为1420.00万元，但融资明细中晋创谷企业合计为1420.09万元"},
		{name: "jinchuanggu enterprises exceed", edits: []edit{{rep, "jinchuanggu_enterprises: 1\n", "jinchuanggu_enterprises: 100\n"}},
			want: "indicators.jinchuanggu_enterprises：晋创谷注册企业（100家）多于服务企业数量（34家）"},
		{name: "financing row uscc", edits: []edit{{rep, "uscc: 91140702MA09KUM57E", "uscc: 91140702MA09KUM57F"}},
			want: rep + ":30: financing[0].uscc：统一社会信用代码校验位错误"},
		{name: "half-year report without files", edits: []edit{{"institutions/kechuang-rongzi/reports/2025-H2.md", "", "---\nkind: half_year\nperiod: \"2025-H2\"\nreceived_at: \"2026-01-13T13:03:03+08:00\"\n---\n"}},
			want: "2025-H2.md:1: 缺少报告文件（documents）和印证资料（evidence）"},
		{name: "inspection overdue", edits: []edit{{"institutions/pingyao-huitong/inspections/2025-11-18-routine.md", "rectified_on: \"2025-12-10\"\n", ""}},
			want: "2025-11-18-routine.md:7: 警告：rectify_by：整改期限2025年12月18日已过", warn: true},
		{name: "notice kind", edits: []edit{{"notices/2025-06-20-announcement-round-1.md", "kind: 公告", "kind: 新闻"}},
			want: "notices/2025-06-20-announcement-round-1.md:2: kind：类型 \"新闻\" 无效"},
		{name: "policy notice dangling", edits: []edit{{"site.yaml", "notice: 2025-03-18-measures", "notice: nope"}},
			want: "site.yaml:16: policy.notice：找不到通知 notices/nope.md"},
		{name: "inbox address not an address", edits: []edit{{"site.yaml", "address: baosong@example.gov.cn", "address: 报送邮箱 <baosong@example.gov.cn>"}},
			want: "site.yaml:34: inbox.address：\"报送邮箱 <baosong@example.gov.cn>\" 不是有效的邮箱地址"},
		{name: "inbox address missing", edits: []edit{{"site.yaml", "  address: baosong@example.gov.cn\n", ""}},
			want: "site.yaml:25: 警告：inbox：缺少报送邮箱 inbox.address", warn: true},
		{name: "quarantine budget negative", edits: []edit{{"site.yaml", "quarantine_budget_mib: 1024", "quarantine_budget_mib: -5"}},
			want: "site.yaml:31: inbox.quarantine_budget_mib：不能为负数（-5）"},
		{name: "quarantine budget below a message", edits: []edit{{"site.yaml", "quarantine_budget_mib: 1024", "quarantine_budget_mib: 20"}},
			want: "site.yaml:31: inbox.quarantine_budget_mib：隔离区容量 20 MiB 小于单封邮件上限 max_message_mib（50 MiB）"},
		{name: "ops duration", edits: []edit{{"site.yaml", "complaints:\n", "ops:\n  inbox_max_age: soon\ncomplaints:\n"}},
			want: "site.yaml:34: ops.inbox_max_age：\"soon\" 不是有效的时长"},
		{name: "ops disk thresholds", edits: []edit{{"site.yaml", "complaints:\n", "ops:\n  disk_warn_percent: 98\ncomplaints:\n"}},
			want: "site.yaml:34: ops.disk_warn_percent：磁盘警告线 98% 应低于严重线 97%"},
		{name: "ops alert to an institution", edits: []edit{{"site.yaml", "complaints:\n", "ops:\n  alert_to: [liujj@huitong-pingyao.example.com]\ncomplaints:\n"}},
			want: "site.yaml:34: ops.alert_to：liujj@huitong-pingyao.example.com 是机构"},
		{name: "ops alert to staff is fine", edits: []edit{{"site.yaml", "complaints:\n", "ops:\n  alert_to: [keji@example.gov.cn]\n  inbox_max_age: 45m\ncomplaints:\n"}}},
		{name: "policy expiry near", today: "2026-12-01", want: "site.yaml:17: 警告：policy.effective：《管理办法》将于2027年3月17日到期（还有106天，第八条）", warn: true},
		{name: "policy expired", today: "2027-03-18", want: "site.yaml:17: policy.effective：《管理办法》有效期2年，已于2027年3月17日到期（第八条）"},
		{name: "policy last day", today: "2027-03-17", want: "site.yaml:17: 警告：policy.effective：《管理办法》将于2027年3月17日到期（还有0天，第八条）", warn: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := defaultMapFS(t)
			for _, e := range tt.edits {
				if e.old == "" {
					m[e.file] = &fstest.MapFile{Data: []byte(e.new)}
					continue
				}
				f := m[e.file]
				if f == nil || !strings.Contains(string(f.Data), e.old) {
					t.Fatalf("%s does not contain %q: the default dataset changed, update the test", e.file, e.old)
				}
				f.Data = []byte(strings.Replace(string(f.Data), e.old, e.new, 1))
			}
			today := tt.today
			if today == "" {
				today = "2026-11-11"
			}
			repo, _ := content.Load(m, nil)
			ds := repo.Check(day(t, today))
			if tt.want == "" {
				if len(ds) > 0 {
					t.Errorf("want no diagnostics, got:\n%s", lines(ds))
				}
				return
			}
			for _, d := range ds {
				if strings.Contains(d.String(), tt.want) {
					if (d.Severity == content.Warning) != tt.warn {
						t.Errorf("%s: severity %v, want warning=%v", d, d.Severity, tt.warn)
					}
					return
				}
			}
			t.Errorf("no diagnostic contains %q; got:\n%s", tt.want, lines(ds))
		})
	}
}

func readDefault(t *testing.T, p string) string {
	t.Helper()
	data, err := fs.ReadFile(jinzhong.FS(), p)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestCheckAnnualSummaryInDecember: 第六条第3项 asks for the annual summary
// 每年12月底前, so a summary received in December of its own year is valid
// on the day it is merged, while one for a year whose December has not
// begun is not.
func TestCheckAnnualSummaryInDecember(t *testing.T) {
	const file = "institutions/kechuang-rongzi/reports/2026-annual.md"
	src := strings.NewReplacer(`period: "2025-annual"`, `period: "2026-annual"`,
		"2025-12-22T12:52:52+08:00", "2026-12-20T10:00:00+08:00").
		Replace(readDefault(t, "institutions/kechuang-rongzi/reports/2025-annual.md"))
	for _, tt := range []struct {
		today    string
		wantFlag bool
	}{
		{"2026-12-21", false},
		{"2026-11-20", true},
	} {
		m := defaultMapFS(t)
		m[file] = &fstest.MapFile{Data: []byte(src)}
		repo, err := content.Load(m, nil)
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		today, _ := content.ParseDate(tt.today)
		flagged := false
		for _, d := range repo.Check(today) {
			if d.File == file && d.Field == "period" {
				flagged = true
				t.Logf("%s: %s", tt.today, d)
			}
		}
		if flagged != tt.wantFlag {
			t.Errorf("Check(%s) flags the 2026 annual summary's period: %v; want %v", tt.today, flagged, tt.wantFlag)
		}
	}
}
