package site

import (
	"strconv"

	"kjjr/content"
)

// nextChange returns the first date after now on which the site built as
// of that date differs from the site built as of now, without any content
// change, and why. It is conservative: a date it returns may change
// nothing visible, but no date before it changes anything.
func nextChange(r *content.Repo, now content.Date) (content.Date, string) {
	var best content.Date
	var why string
	consider := func(d content.Date, reason string) {
		if d.IsZero() || !d.After(now) {
			return
		}
		if best.IsZero() || d.Before(best) {
			best, why = d, reason
		}
	}
	// A new month: the compliance tables gain a column, a new year's
	// figures start on the home page.
	consider(content.MonthPeriod(now.Year, now.Month).Next().Start(), "新的月份开始，报送情况表增加一列")
	// The monthly deadline of last month and this month passing.
	for _, p := range []content.Period{content.MonthPeriod(now.Year, now.Month).Next(), content.MonthPeriod(now.Year, now.Month)} {
		prev := content.MonthPeriod(p.Year, p.Start().AddDays(-1).Month)
		if p.Month == 1 {
			prev = content.Period{Kind: content.Monthly, Year: p.Year - 1, Month: 12}
		}
		consider(r.Deadline(prev).Date.AddDays(1), prev.Chinese()+"月报报送截止，未报送的月份显示为未报送")
	}
	for _, p := range r.Publicities {
		consider(p.Start, "公示开始："+p.Title)
		if !p.End.IsZero() {
			consider(p.End.AddDays(1), "公示期结束："+p.Title)
		}
	}
	for _, rd := range r.Rounds {
		for _, d := range []content.Date{rd.Application.From, rd.Application.To.AddDays(1), rd.Review.Date, rd.Decision.Date, rd.Announcement.Date, rd.Filing.Date} {
			if !d.IsZero() {
				consider(d, "遴选工作进入下一步："+roundTitle(rd))
			}
		}
	}
	for _, n := range r.Notices {
		consider(n.Date, "通知公告发布："+n.Title)
	}
	for _, res := range r.Results {
		if !res.Draft {
			consider(res.Effective(), "考核结果生效："+strconv.Itoa(res.Year)+"年度")
		}
	}
	for _, inst := range r.Institutions {
		for _, e := range inst.History {
			consider(e.Date, "机构状态变化："+inst.Name)
		}
	}
	if exp := r.Site.Policy.Expires(); !exp.IsZero() {
		consider(exp.AddDays(1), "《管理办法》有效期届满")
	}
	return best, why
}
