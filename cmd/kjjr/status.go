package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"kjjr/content"
	"kjjr/internal/textwidth"
	"kjjr/review"
)

// approved is a content repo opened for the staff commands: the approved
// content (main's tree in a git repo, the files of a plain directory) and,
// in a git repo, the review side.
type approved struct {
	dir    string
	review *review.Repo // nil for a plain directory
	repo   *content.Repo
	errs   content.Diagnostics
}

// openApproved opens dir for status and assess. It prints nothing; a
// refusal comes back as an error whose text is for staff.
func openApproved(dir string) (*approved, error) { return open(dir, false) }

// openStatus is openApproved for the matrix only: in a git repo it reads
// names and report dates through review.LoadStatus's cache.
func openStatus(dir string, year int) (*approved, error) { return open(dir, true, year) }

func open(dir string, light bool, years ...int) (*approved, error) {
	if dir == "" {
		dir = "."
	}
	a := &approved{dir: dir}
	rv, err := review.Open(dir)
	switch review.CodeOf(err) {
	case "":
		if err != nil {
			return nil, err
		}
		a.review = rv
		if light {
			repo, ds, err := rv.LoadStatus(years...)
			if err != nil {
				return nil, err
			}
			a.repo, a.errs = repo, ds
			return a, nil
		}
		repo, lerr := rv.LoadMain()
		a.repo = repo
		a.errs = diagsOf(lerr)
		return a, nil
	case review.CodeNotGit:
		// A plain directory: what is there counts as approved.
		if _, serr := os.Stat(filepath.Join(dir, "site.yaml")); serr != nil {
			return nil, fmt.Errorf("%s 不是 kjjr 内容仓库（没有 site.yaml）：请用 --repo 指向内容仓库，或用 kjjr init DIR 新建一个", dir)
		}
		repo, lerr := content.Load(os.DirFS(dir), nil)
		a.repo = repo
		a.errs = diagsOf(lerr)
		return a, nil
	}
	return nil, err
}

func diagsOf(err error) content.Diagnostics {
	var ds content.Diagnostics
	if errors.As(err, &ds) {
		return ds.Errors()
	}
	if err != nil {
		return content.Diagnostics{{File: ".", Message: err.Error()}}
	}
	return nil
}

// warnLoad tells staff that main does not load cleanly.
func (a *approved) warnLoad(w io.Writer) {
	if len(a.errs) == 0 {
		return
	}
	fmt.Fprintf(w, "警告：内容仓库有 %d 处错误（运行 kjjr check 查看并修正），以下结果不含出错的文件：\n", len(a.errs))
	for i, d := range a.errs {
		if i == 5 {
			fmt.Fprintf(w, "  ……\n")
			break
		}
		fmt.Fprintf(w, "  %s\n", d)
	}
}

// parseFlags parses flags that may come before, between or after the
// positional arguments, and returns the positional ones.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func parseToday(s string) (content.Date, error) {
	if s == "" {
		return content.Today(), nil
	}
	d, err := content.ParseDate(s)
	if err != nil {
		return content.Date{}, fmt.Errorf("--now %q 不是日期：应写作 YYYY-MM-DD", s)
	}
	return d, nil
}

// pad right-pads s with spaces to w columns.
func pad(s string, w int) string {
	if d := w - textwidth.String(s); d > 0 {
		return s + strings.Repeat(" ", d)
	}
	return s
}

// stateMark is a state's mark in the text matrix; every mark takes at most two columns.
var stateMark = map[content.ReportState]string{
	content.StateOnTime:      "✓",
	content.StateLate:        "迟",
	content.StatePending:     "审",
	content.StateMissing:     "✗",
	content.StateNotDue:      "·",
	content.StateNotRequired: "-",
}

const statusLegend = "✓ 按时报送  迟 逾期报送  审 待审核  ✗ 未报送  · 未到期  - 无需报送"

func cmdStatus(e *env, args []string) int {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	dir := fs.String("repo", ".", "内容仓库目录（git 仓库或普通目录）")
	year := fs.Int("year", 0, "年份（默认今年）")
	asJSON := fs.Bool("json", false, "输出 JSON")
	nowFlag := fs.String("now", "", "以此日期为今天（YYYY-MM-DD），默认今天")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "用法：kjjr status [--repo DIR] [--year 2026] [--json] [--now YYYY-MM-DD]\n\n各机构每月月报、半年报告和年度总结的报送情况。")
		fs.PrintDefaults()
	}
	pos, err := parseFlags(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if len(pos) > 0 {
		fmt.Fprintf(e.stderr, "kjjr status: 多余的参数 %q（年份请用 --year）\n", pos)
		return 2
	}
	today, err := parseToday(*nowFlag)
	if err != nil {
		fmt.Fprintf(e.stderr, "kjjr status: %v\n", err)
		return 2
	}
	if *year == 0 {
		*year = today.Year
	}
	if *year < 2000 || *year > 2100 {
		fmt.Fprintf(e.stderr, "kjjr status: --year %d 不是有效年份\n", *year)
		return 2
	}
	a, err := openStatus(*dir, *year)
	if err != nil {
		fmt.Fprintf(e.stderr, "kjjr status: %v\n", err)
		return 1
	}
	var pending func(string, content.Period) bool
	if a.review != nil {
		if pending, err = a.review.Pending(); err != nil {
			fmt.Fprintf(e.stderr, "kjjr status: %v\n", err)
			return 1
		}
	}
	lines := a.repo.Compliance(*year, today, pending)
	a.warnLoad(e.stderr)
	if *asJSON {
		return writeStatusJSON(e, *year, today, lines)
	}
	if len(lines) == 0 {
		fmt.Fprintf(e.stdout, "%d 年没有需要报送的机构（还没有机构公告入库，或都已移出）。\n", *year)
		return 0
	}
	writeStatusText(e.stdout, *year, today, lines)
	return 0
}

func writeStatusText(w io.Writer, year int, today content.Date, lines []content.ComplianceLine) {
	fmt.Fprintf(w, "%d 年报送情况（截至 %s）\n\n", year, today)
	names := make([]string, len(lines))
	nw := textwidth.String("机构")
	for i, l := range lines {
		names[i] = l.Institution.Name
		if names[i] == "" {
			names[i] = l.Institution.Slug
		}
		nw = max(nw, textwidth.String(names[i]))
	}
	heads := []string{"01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "H1", "H2", "年"}
	var b strings.Builder
	b.WriteString(pad("机构", nw))
	for _, h := range heads {
		b.WriteString(" " + pad(h, 2))
	}
	b.WriteString("  未报送\n")
	tot := map[content.ReportState]int{}
	for i, l := range lines {
		b.WriteString(pad(names[i], nw))
		for _, c := range l.Cells {
			b.WriteString(" " + pad(stateMark[c.State], 2))
			tot[c.State]++
		}
		t := content.Tally(l.Cells)
		fmt.Fprintf(&b, "  %d\n", t[content.StateMissing])
	}
	io.WriteString(w, strings.TrimRight(strings.ReplaceAll(b.String(), " \n", "\n"), " "))
	fmt.Fprintf(w, "\n%s\n", statusLegend)
	fmt.Fprintf(w, "合计：%d 家机构；按时 %d，逾期 %d，待审核 %d，未报送 %d，未到期 %d。\n",
		len(lines), tot[content.StateOnTime], tot[content.StateLate], tot[content.StatePending], tot[content.StateMissing], tot[content.StateNotDue])
}

type statusJSON struct {
	Year         int          `json:"year"`
	Today        content.Date `json:"today"`
	Periods      []string     `json:"periods"`
	Institutions []statusInst `json:"institutions"`
}

type statusInst struct {
	Slug  string         `json:"slug"`
	Name  string         `json:"name"`
	Cells []content.Cell `json:"cells"`
	Tally map[string]int `json:"tally"`
}

func writeStatusJSON(e *env, year int, today content.Date, lines []content.ComplianceLine) int {
	out := statusJSON{Year: year, Today: today, Institutions: []statusInst{}}
	for _, p := range content.CompliancePeriods(year) {
		out.Periods = append(out.Periods, p.String())
	}
	for _, l := range lines {
		t := map[string]int{}
		for k, v := range content.Tally(l.Cells) {
			t[string(k)] = v
		}
		out.Institutions = append(out.Institutions, statusInst{Slug: l.Institution.Slug, Name: l.Institution.Name, Cells: l.Cells, Tally: t})
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		fmt.Fprintf(e.stderr, "kjjr status: %v\n", err)
		return 1
	}
	return 0
}

// parseYear reads a YEAR argument.
func parseYear(s string) (int, error) {
	y, err := strconv.Atoi(s)
	if err != nil || y < 2000 || y > 2100 {
		return 0, fmt.Errorf("%q 不是年份：应写作 4 位数字，例如 2025", s)
	}
	return y, nil
}
