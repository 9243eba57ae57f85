// Package gen generates the default dataset content/jinzhong: the
// selection round, its publicity and announcement, the sample institutions
// with their monthly, half-year and annual reports, an inspection and the
// 2025 assessment. It is deterministic: the same code gives the same bytes,
// so the committed files can be regenerated (go generate ./content/jinzhong)
// and a test checks that they are current.
//
// The text of the measures (notices/2025-03-18-measures.md), site.yaml and
// the holiday calendars are kept by hand and not generated.
package gen

import (
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"

	"kjjr/content"
)

// Dirs are the directories whose every file the generator owns.
var Dirs = []string{"rounds", "publicity", "institutions", "results"}

// Generated notices (the measures notice is kept by hand).
const (
	selectionNotice    = "2025-04-15-selection-round-1"
	announcementNotice = "2025-06-20-announcement-round-1"
	roundSlug          = "2025-1"
	publicitySlug      = "2025-06-09-round-1"
)

var (
	noticeDate       = d("2025-04-15")
	applyFrom        = d("2025-04-16")
	applyTo          = d("2025-05-16")
	reviewDate       = d("2025-05-27")
	decisionDate     = d("2025-06-05")
	publicityStart   = d("2025-06-09")
	announcementDate = d("2025-06-20")
	filingDate       = d("2025-06-27")
	assessedOn       = d("2026-01-20")
	resultPublished  = d("2026-01-26")
	firstMonth       = content.MonthPeriod(2025, time.July)
	lastMonth        = content.MonthPeriod(2026, time.October)
)

func d(s string) content.Date {
	v, err := content.ParseDate(s)
	if err != nil {
		panic(err) // constants only
	}
	return v
}

// Files returns every generated file, keyed by slash path in the content
// repo, with its bytes. base is the dataset's hand-kept part; only its
// calendar/<year>.yaml files are read (2025 and 2026 must be there).
func Files(base fs.FS) (map[string][]byte, error) {
	cal, err := calendar(base)
	if err != nil {
		return nil, err
	}
	g := &gen{cal: cal, files: map[string][]byte{}}
	g.site.ApplyDefaults() // the deadlines of site.yaml are the defaults
	if err := g.run(); err != nil {
		return nil, err
	}
	return g.files, nil
}

func calendar(base fs.FS) (*content.Calendar, error) {
	cal, ds := content.ReadCalendar(base)
	if ds.HasErrors() {
		return nil, fmt.Errorf("gen: %v", ds)
	}
	for _, y := range []int{2025, 2026} {
		if !cal.HasYear(y) {
			return nil, fmt.Errorf("gen: calendar/%d.yaml missing", y)
		}
	}
	return cal, nil
}

type gen struct {
	cal   *content.Calendar
	site  content.Site // for deadlines
	files map[string][]byte
	err   error
}

func (g *gen) put(path string, v any, body string) {
	b, err := content.EncodeRecord(v, body)
	if err != nil && g.err == nil {
		g.err = fmt.Errorf("gen: %s: %v", path, err)
	}
	g.files[path] = b
}

// mustWork records an error when day is not a working day: every step of
// the round happens on one.
func (g *gen) mustWork(what string, day content.Date) {
	ok, err := g.cal.IsWorkday(day)
	if (err != nil || !ok) && g.err == nil {
		g.err = fmt.Errorf("gen: %s %s is not a working day", what, day)
	}
}

func (g *gen) run() error {
	for _, s := range []struct {
		what string
		day  content.Date
	}{{"notice", noticeDate}, {"application from", applyFrom}, {"application to", applyTo}, {"review", reviewDate},
		{"decision", decisionDate}, {"publicity", publicityStart}, {"announcement", announcementDate},
		{"filing", filingDate}, {"assessment", assessedOn}, {"result", resultPublished}} {
		g.mustWork(s.what, s.day)
	}
	pubEnd, err := g.cal.AddWorkdays(publicityStart, 5)
	if err != nil {
		return err
	}
	if !pubEnd.Before(announcementDate) {
		return fmt.Errorf("gen: publicity ends %s, after the announcement", pubEnd)
	}
	insts := institutions()
	var slugs []string
	for _, in := range insts {
		slugs = append(slugs, in.slug)
		if in.rec.Founded.AddMonths(36).After(applyTo) {
			return fmt.Errorf("gen: %s founded less than 3 years before %s", in.slug, applyTo)
		}
	}
	sort.Strings(slugs)
	g.notices(insts, pubEnd)
	g.round(slugs)
	g.publicity(slugs)
	var grades []content.Grade
	for _, in := range insts {
		g.institution(in)
		grades = append(grades, content.Grade{Institution: in.slug, Grade: in.grade, Notes: in.gradeNote, Figures: in.figures2025})
	}
	sort.Slice(grades, func(i, j int) bool { return grades[i].Institution < grades[j].Institution })
	g.put("results/2025.md", &content.Result{Year: 2025, AssessedOn: assessedOn, Published: resultPublished, Grades: grades}, resultBody(insts))
	return g.err
}

func (g *gen) notices(insts []*inst, pubEnd content.Date) {
	g.put("notices/"+selectionNotice+".md", &content.Notice{
		Kind:   content.NoticeSelection,
		Title:  "晋中市科技局关于开展2025年度科技金融服务机构遴选工作的通知",
		Date:   noticeDate,
		Number: "市科发〔2025〕5号",
		Issuer: "晋中市科学技术局",
		Attachments: []content.Attachment{
			{Title: "科技金融服务机构申报书（示例）", File: "/downloads/shenbaoshu.docx"},
			{Title: "科技金融服务机构绩效评价考核表", File: "/downloads/kaohebiao.xlsx"},
		},
	}, selectionBody)
	var list strings.Builder
	for i, in := range insts {
		fmt.Fprintf(&list, "%d. %s\n", i+1, in.rec.Name)
	}
	g.put("notices/"+announcementNotice+".md", &content.Notice{
		Kind:   content.NoticeAnnouncement,
		Title:  "晋中市科技局关于公布2025年度科技金融服务机构名单的公告",
		Date:   announcementDate,
		Number: "市科公告〔2025〕3号",
		Issuer: "晋中市科学技术局",
	}, fmt.Sprintf(`根据《科技金融服务机构遴选及考核管理办法（试行）》（市科发〔2025〕2号），经单位申请、专家评审、局党组会研究议定，并经%s至%s公示无异议，现将2025年度晋中市科技金融服务机构名单予以公告（排名不分先后）：

%s
请各县（区、市）、晋中开发区、晋中国家农高区和市属金融机构、科技型企业积极支持、予以配合（第五条第1项）。各科技金融服务机构应按月报送《科技金融服务机构绩效评价考核表》，每半年报送工作进展及相关印证资料。

科技金融服务机构不得以晋中市科技行政管理部门名义开展任何营利性活动，不得以开展的科技金融服务事项收取服务对象费用（第七条）。

（本公告为示例数据。）
`, publicityStart.Chinese(), pubEnd.Chinese(), list.String()))
}

const selectionBody = `各县（区、市）科技（发科）局、晋中开发区科技服务中心、晋中国家农高区农业科创部，各有关单位：

根据《科技金融服务机构遴选及考核管理办法（试行）》（市科发〔2025〕2号），现开展2025年度科技金融服务机构遴选工作。有关事项通知如下：

## 一、申报条件

1. 依法成立3年以上并具有独立法人资格的企事业单位，具有良好的科研诚信和社会信用，无严重失信行为记录和相关社会领域信用“黑名单”记录；
2. 具有一定的科技创新服务能力和条件，在行业内信誉良好且具有较强的专业实力；
3. 熟悉科技金融工作，与金融机构、律师事务所和会计师事务所等建立良好的合作关系；
4. 能够定期开展融资对接、项目路演及联合金融机构入企服务等科技金融服务活动；
5. 能够为“晋创谷·晋中”创新驱动平台的初创期科技企业提供科技金融服务；
6. 在晋中市配备必要的办公场所与设备设施。

## 二、申报材料

1. 科技金融服务机构申报书；
2. 营业执照或事业单位法人证书复印件；
3. 信用中国（山西）信用报告；
4. 与银行、律师事务所、会计师事务所的合作协议；
5. 服务团队及办公场所情况说明。

## 三、时间安排

申报时间为2025年4月16日至5月16日。申报单位将纸质材料一式三份报送市科技局科技金融科，电子版发送至 kjjr@example.gov.cn。市科技局将组织专家进行会议评审并结合现场考察，经局党组会研究议定后向社会公示。

联系电话：0354-555-0100

（本通知为示例数据。）
`

func (g *gen) round(slugs []string) {
	g.put("rounds/"+roundSlug+".md", &content.Round{
		Title:        "2025年度科技金融服务机构遴选（第一批）",
		Notice:       selectionNotice,
		Application:  content.Window{From: applyFrom, To: applyTo},
		Applicants:   slugs,
		Review:       content.ExpertReview{Date: reviewDate, Form: content.ReviewMeetingVisit, Experts: 5},
		Decision:     content.Decision{Date: decisionDate, Meeting: "局党组会议", Selected: slugs},
		Publicity:    publicitySlug,
		Announcement: content.Announcement{Date: announcementDate, Notice: announcementNotice},
		Filing:       content.Filing{Date: filingDate, Number: "晋中科函〔2025〕18号"},
	}, `2025年4月15日市科技局发布遴选通知，截至5月16日共收到7家单位的申请。5月27日市科技局组织5位专家进行会议评审，并对申报单位的办公场所进行了现场考察。6月5日局党组会议研究议定7家单位为拟确定的科技金融服务机构，6月9日起向社会公示5个工作日，公示期内未收到异议。6月20日发布公告，6月27日向省科技厅备案。

（示例数据。）
`)
}

func (g *gen) publicity(slugs []string) {
	g.put("publicity/"+publicitySlug+".md", &content.Publicity{
		Title:        "关于2025年度拟确定科技金融服务机构名单的公示",
		Round:        roundSlug,
		Start:        publicityStart,
		WorkingDays:  5,
		Institutions: slugs,
		ObjectionContact: content.Contact{
			Department: "晋中市科学技术局 科技金融科",
			Phone:      "0354-555-0100",
			Email:      "kjjr@example.gov.cn",
			Address:    "山西省晋中市榆次区示例路1号",
		},
		Outcome: "公示期内未收到异议",
	}, `根据《科技金融服务机构遴选及考核管理办法（试行）》第三条，经单位申请、专家评审和局党组会研究议定，拟确定以下单位为晋中市科技金融服务机构，现予以公示。

公示期间，任何单位和个人对公示名单有异议的，请以书面形式实名向市科技局科技金融科反映，并提供必要的证明材料。

（示例数据。）
`)
}

func resultBody(insts []*inst) string {
	return `根据《科技金融服务机构遴选及考核管理办法（试行）》第六条，市科技局对2025年度科技金融服务机构的服务工作情况进行了考核评估。考核重点包括年度服务企业数量、银企对接和政策宣讲服务、合作银行、帮助企业融资金额及晋创谷注册科技企业融资服务等内容。

考核结果为不合格的机构，自本结果发布之日起不再作为晋中市科技行政管理部门确定的科技金融服务机构（第六条第3项）。

（示例数据。）
`
}
