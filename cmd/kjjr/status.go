package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"kjjr/content"
	"kjjr/internal/gitdir"
	"kjjr/publish"
)

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
	dir := repoFlag(fs, ".", "内容仓库目录（git 仓库或普通目录）")
	year := fs.Int("year", 0, "年份（默认今年）")
	asJSON := fs.Bool("json", false, "输出 JSON")
	nowFlag := fs.String("now", "", "以此日期为今天（YYYY-MM-DD），默认今天")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "用法：kjjr status [--repo DIR] [--year 2026] [--json] [--now YYYY-MM-DD]\n\n各机构每月月报、半年报告和年度总结的报送情况。")
		fs.PrintDefaults()
	}
	pos, code, ok := parseFlags(fs, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(e.stderr, "kjjr status: 多余的参数 %q（年份请用 --year）\n", pos)
		return 2
	}
	now, ok := parseNow(e, "status", *nowFlag)
	if !ok {
		return 2
	}
	today := nowOr(now)
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
	pub, gitDir := lastPublish(*dir)
	if *asJSON {
		return writeStatusJSON(e, *year, today, lines, pub)
	}
	if len(lines) == 0 {
		fmt.Fprintf(e.stdout, "%d 年没有需要报送的机构（还没有机构公告入库，或都已移出）。\n", *year)
	} else {
		writeStatusText(e.stdout, *year, today, lines)
	}
	if pub != nil {
		fmt.Fprintln(e.stdout, "\n网站发布：")
		writePublishAttempt(e.stdout, pub, gitDir)
	}
	return 0
}

// lastPublish returns the record of the publishes through the git
// directory of dir (package publish), or nil when dir is not a git
// repository or nothing was published through it.
func lastPublish(dir string) (*publish.Status, string) {
	gitDir, _, err := gitdir.Find(dir)
	if err != nil {
		return nil, ""
	}
	st, err := publish.ReadStatus(gitDir)
	if err != nil {
		return nil, ""
	}
	return st, gitDir
}

func writeStatusText(w io.Writer, year int, today content.Date, lines []content.ComplianceLine) {
	fmt.Fprintf(w, "%d 年报送情况（截至 %s）\n\n", year, today)
	names := make([]string, len(lines))
	nw := textWidth("机构")
	for i, l := range lines {
		names[i] = l.Institution.Name
		if names[i] == "" {
			names[i] = l.Institution.Slug
		}
		nw = max(nw, textWidth(names[i]))
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
	if len(lines) > 0 {
		var prov []string
		for _, c := range lines[0].Cells {
			if c.Provisional {
				prov = append(prov, c.Period.Chinese()+" "+c.Due.String())
			}
		}
		if len(prov) > 0 {
			fmt.Fprintf(w, "截止日（%s）：%s。\n", content.ProvisionalNote, strings.Join(prov, "、"))
		}
	}
}

type statusJSON struct {
	Year         int          `json:"year"`
	Today        content.Date `json:"today"`
	Periods      []string     `json:"periods"`
	Institutions []statusInst `json:"institutions"`
	// Publish is the record of the publishes through the repository's
	// git directory (kjjr publish, the hooks), when there is one.
	Publish *publish.Status `json:"publish,omitempty"`
}

type statusInst struct {
	Slug  string         `json:"slug"`
	Name  string         `json:"name"`
	Cells []content.Cell `json:"cells"`
	Tally map[string]int `json:"tally"`
}

func writeStatusJSON(e *env, year int, today content.Date, lines []content.ComplianceLine, pub *publish.Status) int {
	out := statusJSON{Year: year, Today: today, Institutions: []statusInst{}, Publish: pub}
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
