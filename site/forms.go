package site

import (
	"bytes"
	"fmt"
	"strings"
	"sync"

	"kjjr/application"
	"kjjr/content"
	"kjjr/sheet"
)

// The forms institutions fill in are published with every build, made by
// the same code that reads them back, so that the form on the site and the
// parser never disagree.
const (
	// SheetPath is where the blank monthly sheet (sheet.Template, the
	// bytes `kjjr template` writes) is published, relative to the site
	// root. The URL is stable: notices, institution pages, the 报送指南
	// and mail may link to it.
	SheetPath = "downloads/kaohebiao.xlsx"
	// ApplicationPath is where the blank application form of a selection
	// round (application.Template, the bytes `kjjr template --application`
	// writes) is published. Every 遴选通知 that is a round's notice
	// offers it.
	ApplicationPath = "downloads/shenbaobiao.xlsx"
	// GuidePath is the 报送指南 page: where to send, what to attach, the
	// deadlines, what the receipt says and whom to call.
	GuidePath = "baosong/"
)

// blankSheet is the blank monthly sheet, made once per process (it
// depends on nothing but the code).
var blankSheet = sync.OnceValues(func() ([]byte, error) {
	var b bytes.Buffer
	if err := sheet.Template(&b); err != nil {
		return nil, fmt.Errorf("site: blank monthly sheet: %w", err)
	}
	return b.Bytes(), nil
})

// blankApplication is the blank application form, made once per process.
var blankApplication = sync.OnceValues(func() ([]byte, error) {
	var b bytes.Buffer
	if err := application.Template(&b); err != nil {
		return nil, fmt.Errorf("site: blank application form: %w", err)
	}
	return b.Bytes(), nil
})

// form is one form a build publishes: its site path, its title (an
// attachment without a file whose title names it links it) and its bytes.
type form struct {
	path, title string
	data        func() ([]byte, error)
}

// publishedForms are the forms a build publishes, the one list of them: an
// attachment of a notice that names one (file: /downloads/kaohebiao.xlsx)
// links to it.
var publishedForms = []form{
	{SheetPath, sheet.Title, blankSheet},
	{ApplicationPath, application.Title, blankApplication},
}

// formFor returns the site path of the published form an attachment
// stands for, or "": one whose file is a published site path, or one
// without a file in the repo whose title names a published form
// (《科技金融服务机构绩效评价考核表》, 《科技金融服务机构遴选申报表》).
func formFor(a content.Attachment) string {
	f := strings.TrimSpace(a.File)
	for _, fm := range publishedForms {
		if strings.HasPrefix(f, "/") && strings.TrimPrefix(f, "/") == fm.path {
			return fm.path
		}
		if f == "" && strings.Contains(a.Title, fm.title) {
			return fm.path
		}
	}
	return ""
}

// isRoundNotice reports whether n is the 遴选通知 of a round: its page
// offers the blank application form even when the notice does not list it.
func isRoundNotice(r *content.Repo, n *content.Notice) bool {
	if n.Kind != content.NoticeSelection {
		return false
	}
	for _, rd := range r.Rounds {
		if rd.Notice == n.Slug {
			return true
		}
	}
	return false
}

// guideView is what the 报送指南 page shows.
type guideView struct {
	Inbox      string // site.yaml inbox.address; "" when not set
	SheetTitle string
	SheetHref  string
	SheetSize  string
	MonthlyDay int
	H1, H2     string // the half-year reports' nominal deadlines, 7月15日 / 次年1月15日
	Annual     string // the annual summary's nominal deadline, 12月31日
	ShiftRest  bool
	// Next is the next monthly deadline as of the build's date.
	Next, NextDue                                   string
	MaxAttachmentMiB, MaxMessageMiB, MaxAttachments int
	RequireDKIM                                     bool
	Contact                                         content.Contact
}

// forms writes the blank monthly sheet and the 报送指南 page.
func (w *worker) forms() error {
	b := w.b
	for _, fm := range publishedForms {
		d, err := fm.data()
		if err != nil {
			return err
		}
		if err := b.out.emit(w.group, fm.path, d); err != nil {
			return err
		}
	}
	data, err := blankSheet()
	if err != nil {
		return err
	}
	s := &b.repo.Site
	in := s.Inbox
	g := guideView{
		Inbox: strings.TrimSpace(in.Address), SheetTitle: sheet.Title, SheetHref: "../" + SheetPath,
		SheetSize: fmt.Sprintf("%.1f KB", float64(len(data))/1024), MonthlyDay: s.Deadlines.MonthlyDay,
		ShiftRest: s.Deadlines.ShiftsRestDays(), RequireDKIM: in.RequireDKIM, Contact: s.Contact,
		MaxAttachmentMiB: orDefault(in.MaxAttachmentMiB, 25), MaxMessageMiB: orDefault(in.MaxMessageMiB, 50),
		MaxAttachments: orDefault(in.MaxAttachments, 30),
	}
	if g.MonthlyDay < 1 {
		g.MonthlyDay = 10
	}
	y := b.now.Year
	monthDay := func(d content.Date, next bool) string {
		s := fmt.Sprintf("%d月%d日", d.Month, d.Day)
		if next {
			s = "次年" + s
		}
		return s
	}
	h1 := b.repo.Deadline(content.Period{Kind: content.HalfYear, Year: y, Half: 1}).Nominal
	h2 := b.repo.Deadline(content.Period{Kind: content.HalfYear, Year: y, Half: 2}).Nominal
	an := b.repo.Deadline(content.Period{Kind: content.Annual, Year: y}).Nominal
	g.H1, g.H2, g.Annual = monthDay(h1, h1.Year > y), monthDay(h2, h2.Year > y), monthDay(an, an.Year > y)
	// The next monthly deadline not yet passed: last month's sheet until
	// its deadline, then this month's (nextChange knows both days).
	p := content.MonthPeriod(b.now.Year, b.now.Month)
	prev := content.MonthPeriod(p.Start().AddDays(-1).Year, p.Start().AddDays(-1).Month)
	for _, q := range []content.Period{prev, p} {
		if due := b.repo.Deadline(q); !due.Date.Before(b.now) {
			g.Next, g.NextDue = q.Chinese()+"月报", due.Chinese()
			break
		}
	}
	return w.page(w.group, GuidePath+"index.html", "guide", &page{
		Title: "报送指南", Crumbs: []crumb{{"报送指南", ""}}, Data: g,
		Desc: "科技金融服务机构报送月报、半年工作进展报告和年度工作总结的方式：报送邮箱、空白《" + sheet.Title + "》下载、截止日期、回执和联系方式。",
	})
}

func orDefault(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}
