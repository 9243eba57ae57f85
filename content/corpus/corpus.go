// Package corpus writes synthetic content repos of any size in the real
// schema of package content, for benchmarks and load tests: a site.yaml,
// the holiday calendars, notices, selection rounds with their publicity,
// N institutions with 24 monthly reports each (2024-11 .. 2026-10), a
// half-year report each, a few inspections, and the 2024 and 2025
// assessment results. The output is deterministic: the same Options give
// the same bytes, on any machine, whatever the number of CPUs.
//
// A corpus passes content.Load without diagnostics and kjjr check without
// errors (as long as "today" is after 2026-11-10 and before the corpus
// policy's expiry in 2027), so a benchmark measures the real path.
//
// Typical use in a benchmark:
//
//	dir := b.TempDir()
//	if err := corpus.Write(dir, &corpus.Options{Institutions: 500, Seed: 1}); err != nil {
//		b.Fatal(err)
//	}
//	b.ResetTimer()
//	for b.Loop() {
//		repo, err := content.Load(os.DirFS(dir), nil)
//		...
//	}
//
// Or from the command line: kjjr gencorpus -institutions 5000 -seed 1 -out /tmp/corpus.
package corpus

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"kjjr/content"
	"kjjr/content/jinzhong"
)

// Options tune Write. A nil *Options is the same as a zero Options.
type Options struct {
	// Institutions is the number of institutions; 0 means 20.
	Institutions int
	// Seed seeds the pseudo-random figures (indicators, financing rows,
	// arrival times). Any value is valid, 0 included; the same seed and
	// size give byte-identical output.
	Seed uint64
	// PerRound is the number of institutions per selection round; 0 means
	// 100. Each round brings its own 遴选通知, 公示 and 公告.
	PerRound int
	// Evidence also writes the half-year reports' evidence files (tiny
	// placeholders, 3 per institution). False (the default) lists them in
	// the reports without writing them: Load never reads evidence.
	Evidence bool
	// Workers is the number of goroutines writing files; 0 means GOMAXPROCS.
	// It does not change the output.
	Workers int
}

// Layout facts a caller may rely on (for example to pick a report to edit).
const (
	// MonthlyReports is the number of monthly reports of an institution in
	// good standing, for FirstMonth .. LastMonth.
	MonthlyReports = 24
	// Domain is the mail domain under which institution I has the report
	// sender report@jgNNNNN.example.com (NNNNN = I, from 1, five digits).
	Domain = "example.com"
)

// FirstMonth and LastMonth are the first and last monthly periods reported.
var (
	FirstMonth = content.MonthPeriod(2024, time.November)
	LastMonth  = content.MonthPeriod(2026, time.October)
)

// Slug returns the slug of institution i (1-based): jg00001, jg00002, …
func Slug(i int) string { return fmt.Sprintf("jg%05d", i) }

// Write writes a corpus into dir, which is created if needed and must be
// empty (Write refuses to mix a corpus into existing files). On error the
// directory may hold part of the corpus. It is safe to call concurrently
// for different directories.
func Write(dir string, opts *Options) error {
	o := Options{}
	if opts != nil {
		o = *opts
	}
	if o.Institutions < 0 || o.PerRound < 0 {
		return errors.New("corpus: negative size")
	}
	if o.Institutions == 0 {
		o.Institutions = 20
	}
	if o.PerRound == 0 {
		o.PerRound = 100
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("corpus: %v", err)
	}
	if ents, err := os.ReadDir(dir); err != nil {
		return fmt.Errorf("corpus: %v", err)
	} else if len(ents) > 0 {
		return fmt.Errorf("corpus: %s is not empty", dir)
	}
	w := &writer{dir: dir, o: o}
	if err := w.top(); err != nil {
		return err
	}
	var wg sync.WaitGroup
	errs := make([]error, o.Workers)
	for k := 0; k < o.Workers; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 1 + k; i <= o.Institutions; i += o.Workers {
				if err := w.institution(i); err != nil {
					errs[k] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

type writer struct {
	dir string
	o   Options
}

func (w *writer) write(rel string, data []byte) error {
	p := filepath.Join(w.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("corpus: %v", err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		return fmt.Errorf("corpus: %v", err)
	}
	return nil
}

func (w *writer) record(rel string, v any, body string) error {
	data, err := content.EncodeRecord(v, body)
	if err != nil {
		return fmt.Errorf("corpus: %s: %v", rel, err)
	}
	return w.write(rel, data)
}

func date(s string) content.Date {
	d, err := content.ParseDate(s)
	if err != nil {
		panic(err) // constants only
	}
	return d
}

// The dates of every round (all rounds run in parallel in autumn 2024, so
// that every institution is announced before its first monthly period).
var (
	policyDate       = date("2024-09-01")
	noticeDate       = date("2024-09-02")
	applyFrom        = date("2024-09-03")
	applyTo          = date("2024-09-20")
	reviewDate       = date("2024-09-25")
	decisionDate     = date("2024-09-27")
	publicityStart   = date("2024-10-08")
	announcementDate = date("2024-10-18")
	filingDate       = date("2024-10-25")
	removedOn        = date("2026-01-26") // 2025 results published
)

const siteYAML = `# 合成测试数据（kjjr corpus 生成），机构、联系人与报表均为虚构。
title: 晋中市科技金融服务机构公共服务平台（合成测试数据）
bureau: 晋中市科学技术局
base_url: https://kjjr.example.gov.cn/
sample_data: true
contact:
  department: 晋中市科学技术局 科技金融科
  phone: 0354-555-0100
  email: kjjr@example.gov.cn
regions: [榆次区, 太谷区, 介休市, 灵石县, 平遥县, 祁县, 寿阳县, 昔阳县, 和顺县, 左权县, 榆社县, 晋中开发区, 晋中国家农高区]
policy:
  notice: 2024-09-01-measures
  effective: 2024-09-01
  years: 3
  warn_days: 90
deadlines:
  monthly_day: 10
  half_year_days: 15
  annual: "12-31"
  remind_days: 5
inbox:
  max_report_age_months: 24
  receipt_from: kjjr@example.gov.cn
complaints:
  department: 晋中市科学技术局 科技金融科（监督投诉）
  phone: 0354-555-0199
  email: jiandu@example.gov.cn
`

func (w *writer) rounds() int { return (w.o.Institutions + w.o.PerRound - 1) / w.o.PerRound }

// top writes everything but the institutions.
func (w *writer) top() error {
	if err := w.write("site.yaml", []byte(siteYAML)); err != nil {
		return err
	}
	if err := w.write("calendar/2024.yaml", []byte(calendar2024)); err != nil {
		return err
	}
	for _, y := range []string{"2025", "2026"} {
		data, err := fs.ReadFile(jinzhong.FS(), "calendar/"+y+".yaml")
		if err != nil {
			return fmt.Errorf("corpus: %v", err)
		}
		if err := w.write("calendar/"+y+".yaml", data); err != nil {
			return err
		}
	}
	if err := w.record("notices/2024-09-01-measures.md", &content.Notice{Kind: content.NoticePolicy,
		Title: "科技金融服务机构遴选及考核管理办法（合成测试数据）", Date: policyDate, Number: "市科发〔2024〕1号"},
		"本文件为合成测试数据，正文从略。\n"); err != nil {
		return err
	}
	// One general notice per 200 institutions.
	for k := 1; k <= (w.o.Institutions+199)/200; k++ {
		day := date("2025-01-06").AddDays(7 * (k % 90))
		if err := w.record(fmt.Sprintf("notices/%s-notice-%d.md", day, k), &content.Notice{Kind: content.NoticeGeneral,
			Title: fmt.Sprintf("关于做好科技金融服务工作的通知（第%d号，合成测试数据）", k), Date: day},
			"请各科技金融服务机构按时报送《科技金融服务机构绩效评价考核表》。\n"); err != nil {
			return err
		}
	}
	n := w.rounds()
	for k := 1; k <= n; k++ {
		var slugs []string
		for i := (k-1)*w.o.PerRound + 1; i <= k*w.o.PerRound && i <= w.o.Institutions; i++ {
			slugs = append(slugs, Slug(i))
		}
		sel := fmt.Sprintf("%s-selection-round-%d", noticeDate, k)
		ann := fmt.Sprintf("%s-announcement-round-%d", announcementDate, k)
		pub := fmt.Sprintf("%s-round-%d", publicityStart, k)
		round := fmt.Sprintf("2024-%d", k)
		if err := w.record("notices/"+sel+".md", &content.Notice{Kind: content.NoticeSelection,
			Title: fmt.Sprintf("关于开展2024年度科技金融服务机构遴选工作的通知（第%d批）", k), Date: noticeDate}, "合成测试数据。\n"); err != nil {
			return err
		}
		if err := w.record("notices/"+ann+".md", &content.Notice{Kind: content.NoticeAnnouncement,
			Title: fmt.Sprintf("关于公布2024年度科技金融服务机构名单的公告（第%d批）", k), Date: announcementDate}, "合成测试数据。\n"); err != nil {
			return err
		}
		if err := w.record("rounds/"+round+".md", &content.Round{
			Title: fmt.Sprintf("2024年度科技金融服务机构遴选（第%d批）", k), Notice: sel,
			Application: content.Window{From: applyFrom, To: applyTo}, Applicants: slugs,
			Review:       content.ExpertReview{Date: reviewDate, Form: content.ReviewMeeting, Experts: 5},
			Decision:     content.Decision{Date: decisionDate, Meeting: "局党组会议", Selected: slugs},
			Publicity:    pub,
			Announcement: content.Announcement{Date: announcementDate, Notice: ann},
			Filing:       content.Filing{Date: filingDate},
		}, "合成测试数据。\n"); err != nil {
			return err
		}
		if err := w.record("publicity/"+pub+".md", &content.Publicity{
			Title: fmt.Sprintf("关于2024年度拟确定科技金融服务机构名单的公示（第%d批）", k), Round: round,
			Start: publicityStart, WorkingDays: 5, Institutions: slugs,
			ObjectionContact: content.Contact{Department: "晋中市科学技术局 科技金融科", Phone: "0354-555-0100"},
			Outcome:          "公示期内未收到异议",
		}, "合成测试数据。\n"); err != nil {
			return err
		}
	}
	for _, year := range []int{2024, 2025} {
		res := &content.Result{Year: year, AssessedOn: date(fmt.Sprintf("%d-01-20", year+1))}
		if year == 2025 {
			res.Published = removedOn
		}
		for i := 1; i <= w.o.Institutions; i++ {
			g := content.GradePass
			switch {
			case year == 2025 && w.fails(i):
				g = content.GradeFail
			case w.rng(i, uint64(year)).IntN(20) == 0:
				g = content.GradeExcellent
			}
			res.Grades = append(res.Grades, content.Grade{Institution: Slug(i), Grade: g})
		}
		if err := w.record(fmt.Sprintf("results/%d.md", year), res, "合成测试数据。\n"); err != nil {
			return err
		}
	}
	return nil
}

// fails reports whether institution i is graded 不合格 for 2025 (about 2%).
func (w *writer) fails(i int) bool { return w.rng(i, 7).IntN(50) == 0 }

// rng returns the generator for institution i and purpose k: independent
// of the order in which institutions are written.
func (w *writer) rng(i int, k uint64) *rand.Rand {
	return rand.New(rand.NewPCG(w.o.Seed^0x6b6a6a72, uint64(i)<<8|k))
}

var (
	places  = []string{"晋中", "榆次", "太谷", "平遥", "介休", "祁县", "寿阳", "灵石", "昔阳", "左权"}
	cores   = []string{"智造", "新材", "华芯", "瑞康", "禾丰", "中科", "晋远", "恒信", "博瑞", "泰和", "鼎盛", "云帆", "绿源", "精工", "卓越", "启明", "天衡", "汇能", "德润", "光谷"}
	cores2  = []string{"融通", "汇金", "科信", "创投", "聚力", "惠企", "同创", "合众", "正元", "兴业", "宏图", "远航", "普惠", "睿达", "众联", "通达", "嘉禾", "恒泰", "安信", "立达"}
	trades  = []string{"科技金融服务有限公司", "企业服务有限公司", "投资咨询有限公司", "科技服务有限公司", "资本管理有限公司", "融资服务有限公司", "管理咨询有限公司", "科技发展有限公司"}
	firms   = []string{"科技有限公司", "新材料科技有限公司", "农业科技有限公司", "生物科技有限公司", "智能装备有限公司", "信息技术有限公司"}
	banks   = []string{"中国工商银行晋中分行", "中国建设银行晋中分行", "中国银行晋中分行", "中国农业银行晋中分行", "晋商银行晋中分行", "山西银行晋中分行", "山西榆次农村商业银行", "交通银行晋中分行", "兴业银行晋中分行", "中国邮政储蓄银行晋中市分行"}
	laws    = []string{"山西晋衡律师事务所", "山西融正律师事务所", "山西太谷明德律师事务所", "山西介林律师事务所"}
	accts   = []string{"山西中晋会计师事务所（普通合伙）", "晋中致远会计师事务所有限公司", "平遥信达会计师事务所有限公司"}
	methods = []string{"信用贷款", "知识产权质押贷款", "科技担保贷款", "股权融资", "科技保险贷款", "融资租赁"}
	regions = []struct{ name, code, street string }{
		{"榆次区", "140702", "迎宾街"}, {"太谷区", "140703", "中都路"}, {"介休市", "140781", "北关街"}, {"灵石县", "140729", "新建街"},
		{"平遥县", "140728", "顺城路"}, {"祁县", "140727", "东大街"}, {"寿阳县", "140725", "朝阳街"}, {"昔阳县", "140724", "新建路"},
		{"和顺县", "140723", "凤台街"}, {"左权县", "140722", "辽阳街"}, {"榆社县", "140721", "箕城路"}, {"晋中开发区", "140702", "汇通北路"},
		{"晋中国家农高区", "140703", "农科路"},
	}
)

// uscc returns a valid unified social credit code whose organisation-code
// body encodes n (unique for n < 31^5), with both check characters.
func uscc(head, division string, n int) string {
	const alpha = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	b := []byte("MA0")
	var tail [5]byte
	for i := 4; i >= 0; i-- {
		tail[i] = alpha[n%31]
		n /= 31
	}
	b = append(b, tail[:]...)
	// GB 11714-1997 check character of the 8-character body.
	wts := [8]int{3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, c := range b {
		v := int(c - '0')
		if c >= 'A' {
			v = int(c-'A') + 10
		}
		sum += v * wts[i]
	}
	var c9 byte
	switch c := 11 - sum%11; c {
	case 10:
		c9 = 'X'
	case 11:
		c9 = '0'
	default:
		c9 = byte('0' + c)
	}
	first17 := head + division + string(b) + string(c9)
	cc, _ := content.USCCCheckChar(first17)
	return first17 + string(cc)
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

func sha(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(h[:])
}
