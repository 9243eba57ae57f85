package review

import (
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/object"

	"kjjr/content"
	"kjjr/sheet"
)

// Figure is one figure of a monthly sheet, named for people.
type Figure struct {
	Key   string // front-matter key
	Label string // the sheet's label
	Get   func(in *content.Indicators) int64
	Wan   bool // an amount in 万元 (hundredths); else a count
}

// Figures are the monthly sheet's figures in sheet order
// (content.IndicatorFields, labelled with their units).
var Figures = func() []Figure {
	fs := make([]Figure, len(content.IndicatorFields))
	for i, f := range content.IndicatorFields {
		fs[i] = Figure{Key: f.Key, Label: f.LabelWithUnit(), Get: f.Get, Wan: f.Money}
	}
	return fs
}()

// Format writes a value of the figure for people.
func (f Figure) Format(v int64) string {
	if f.Wan {
		return content.Wan(v).String()
	}
	return fmt.Sprint(v)
}

// Unusual figures. A monthly figure is flagged when the institution has at
// least MinHistory approved monthly sheets in the twelve months before the
// period and, with m the median of the figure over those sheets:
//   - the figure is more than SpikeFactor times m (m > 0), or
//   - the figure is less than m / DropFactor (a big drop; m >= MinDropBase,
//     so that 1 → 0 is not news), or
//   - m is 0 and the figure is at least MinDropBase*SpikeFactor.
//
// Only the headline figures are compared: enterprises served, 晋创谷
// enterprises, matchmaking events, policy sessions and financing amounts.
const (
	MinHistory  = 3
	SpikeFactor = 3
	DropFactor  = 3
	MinDropBase = 3 // counts; for 万元 amounts the base is 100 万元
)

var headline = map[string]bool{
	"enterprises_served": true, "jinchuanggu_enterprises": true, "matchmaking_events": true,
	"policy_sessions": true, "financing_wan": true, "jinchuanggu_financing_wan": true,
}

// warnings returns the reviewer's warnings for s, in Chinese.
func warnings(s *Submission, inst *content.Institution) []string {
	var w []string
	if s.Late {
		w = append(w, fmt.Sprintf("逾期：应于 %s 前报送", s.Due))
	}
	if len(s.Diags.Errors()) > 0 {
		w = append(w, "报告文件有错误，无法通过校验")
	}
	if !s.Known {
		w = append(w, fmt.Sprintf("main 上没有机构 %s 的记录", s.Slug))
	}
	if s.Resubmission() {
		w = append(w, fmt.Sprintf("重新报送（共 %d 次提交）", len(s.Commits)))
	} else if s.PreviousFrom == "main" {
		w = append(w, "替换已审核通过的报告")
	}
	rep := s.Report
	if rep == nil {
		return w
	}
	inboxSaid := strings.Join(rep.Warnings, "\n")
	if rep.ChargedFees != nil && *rep.ChargedFees && !strings.Contains(inboxSaid, "收取费用") {
		w = append(w, "是否收费：是（第七条，需核实）")
	}
	if rep.Indicators != nil && inst != nil && s.Period.Kind == content.Monthly {
		w = append(w, unusual(rep, s.Period, inst)...)
	}
	if dk := s.Trailers["DKIM"]; dk != "" && !strings.HasPrefix(dk, "pass") && !strings.HasPrefix(dk, "none") {
		w = append(w, "DKIM："+dk)
	}
	for _, x := range rep.Warnings {
		// Unsigned mail is the common case; show lists the DKIM verdict anyway.
		if x == "DKIM：none" || strings.HasPrefix(x, "DKIM：none ") || strings.HasPrefix(x, "DKIM：none（") {
			continue
		}
		w = append(w, x)
	}
	return w
}

// officeExts are the file types whose active content (macros, DDE,
// external links, OLE objects, data connections) is checked.
var officeExts = map[string]bool{
	"xls": true, "xlsx": true, "xlsm": true, "et": true,
	"doc": true, "docx": true, "docm": true, "wps": true,
	"ppt": true, "pptx": true, "pptm": true,
}

// activeWarnings checks the Office files that the report lists, as the
// branch's tree t holds them, for active content (sheet.ActiveContent:
// the zip parts and formula texts are inspected, nothing is evaluated) and
// returns a warning per file that has some. The inbox records the same
// warning in the report; this finds it on any branch, however written.
func activeWarnings(t *object.Tree, s *Submission) []string {
	if s.Report == nil || t == nil {
		return nil
	}
	var out []string
	files := append(append([]content.File{}, s.Report.Documents...), s.Report.Evidence...)
	for _, f := range files {
		if !officeExts[strings.ToLower(strings.TrimPrefix(path.Ext(f.Path), "."))] {
			continue
		}
		file, err := t.File("institutions/" + s.Slug + "/" + f.Path)
		if err != nil || file.Size > sheet.MaxFileSize {
			continue
		}
		rc, err := file.Reader()
		if err != nil {
			continue
		}
		data, err := io.ReadAll(io.LimitReader(rc, sheet.MaxFileSize+1))
		rc.Close()
		if err != nil {
			continue
		}
		name := f.Name
		if name == "" {
			name = path.Base(f.Path)
		}
		if w := sheet.ActiveWarning(name, sheet.ActiveContent(data)); w != "" {
			out = append(out, w)
		}
	}
	return out
}

// addNew appends the warnings of more that w does not hold yet.
func addNew(w []string, more ...string) []string {
	for _, m := range more {
		dup := false
		for _, x := range w {
			dup = dup || x == m
		}
		if !dup {
			w = append(w, m)
		}
	}
	return w
}

func unusual(rep *content.Report, p content.Period, inst *content.Institution) []string {
	from := p
	for i := 0; i < 12; i++ {
		from = prevMonth(from)
	}
	var hist []*content.Indicators
	for _, r := range inst.Reports {
		if r.Period.Kind == content.Monthly && r.Indicators != nil && r.Period.Compare(from) >= 0 && r.Period.Compare(p) < 0 {
			hist = append(hist, r.Indicators)
		}
	}
	if len(hist) < MinHistory {
		return nil
	}
	var out []string
	for _, f := range Figures {
		if !headline[f.Key] {
			continue
		}
		vals := make([]int64, len(hist))
		for i, h := range hist {
			vals[i] = f.Get(h)
		}
		m := median(vals)
		v := f.Get(rep.Indicators)
		base := int64(MinDropBase)
		if f.Wan {
			base = 100 * 100 // 100 万元 in hundredths
		}
		label := strings.SplitN(f.Label, "（", 2)[0]
		switch {
		case m > 0 && v > SpikeFactor*m:
			out = append(out, fmt.Sprintf("%s %s，超过以往中位数 %s 的 %d 倍", label, f.Format(v), f.Format(m), SpikeFactor))
		case m >= base && v*DropFactor < m:
			out = append(out, fmt.Sprintf("%s %s，不足以往中位数 %s 的三分之一", label, f.Format(v), f.Format(m)))
		case m == 0 && v >= base*SpikeFactor:
			out = append(out, fmt.Sprintf("%s %s，以往中位数为 0", label, f.Format(v)))
		}
	}
	return out
}

func prevMonth(p content.Period) content.Period {
	if p.Month == 1 {
		return content.Period{Kind: content.Monthly, Year: p.Year - 1, Month: 12}
	}
	return content.Period{Kind: content.Monthly, Year: p.Year, Month: p.Month - 1}
}

// median returns the median (lower middle of an even count averaged up).
func median(v []int64) int64 {
	s := append([]int64(nil), v...)
	sort.Slice(s, func(a, b int) bool { return s[a] < s[b] })
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2] + 1) / 2
}

// Change is one figure that differs between two versions of a report.
type Change struct {
	Label    string
	Old, New string
}

// Diff returns what changed from old to new, figure by figure (the sheet's
// figures, partner banks, 是否收费, financing rows and files).
func Diff(old, new *content.Report) []Change {
	var out []Change
	oi, ni := old.Indicators, new.Indicators
	if oi == nil {
		oi = &content.Indicators{}
	}
	if ni == nil {
		ni = &content.Indicators{}
	}
	for _, f := range Figures {
		if a, b := f.Get(oi), f.Get(ni); a != b {
			out = append(out, Change{f.Label, f.Format(a), f.Format(b)})
		}
	}
	if a, b := strings.Join(old.PartnerBanks, "、"), strings.Join(new.PartnerBanks, "、"); a != b {
		out = append(out, Change{"合作银行名称", a, b})
	}
	if a, b := yesNo(old.ChargedFees), yesNo(new.ChargedFees); a != b {
		out = append(out, Change{"是否向服务对象收取费用", a, b})
	}
	if a, b := len(old.Financing), len(new.Financing); a != b {
		out = append(out, Change{"融资明细（行数）", fmt.Sprint(a), fmt.Sprint(b)})
	}
	if a, b := len(old.Enterprises), len(new.Enterprises); a != b {
		out = append(out, Change{"服务企业名单（家数）", fmt.Sprint(a), fmt.Sprint(b)})
	}
	if a, b := fileNames(old), fileNames(new); a != b {
		out = append(out, Change{"附件", a, b})
	}
	if a, b := old.FiledOn.String(), new.FiledOn.String(); a != b {
		out = append(out, Change{"填报日期", a, b})
	}
	return out
}

func yesNo(b *bool) string {
	switch {
	case b == nil:
		return "未填写"
	case *b:
		return "是"
	}
	return "否"
}

func fileNames(r *content.Report) string {
	var n []string
	for _, f := range r.Documents {
		n = append(n, f.Name)
	}
	for _, f := range r.Evidence {
		n = append(n, f.Name)
	}
	return strings.Join(n, "、")
}
