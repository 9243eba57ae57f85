package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing/object"

	"kjjr/content"
	"kjjr/internal/atomicfile"
	"kjjr/internal/safetext"
	"kjjr/review"
	"kjjr/selection"
)

const roundUsage = `用法：
  kjjr round applications ROUND [-v]                          收到的申报及资格初审结果（kjjr round applications -h 查看参数）
  kjjr round scores ROUND [--add 评分表.xlsx [--expert 姓名]]   专家评分汇总；--add 存入一位专家交回的评分表
  kjjr round decide ROUND --select 编号[=代号],… [--date D] [--meeting 局党组会议] [--start D] [--days 5] [--objection-email 地址]
                                                         记录党组会议定，生成机构记录、公示和公示通知
  kjjr round announce ROUND [--date D] [--notice 公告代号]    记录公告（不加 --notice 则起草公告）
  kjjr round file ROUND [--date D] [--number 文号]            记录向省科技厅备案
  kjjr round objections ROUND                                 列出公示期间收到的异议（不公开）
  kjjr round experts ROUND [--add '姓名 <邮箱>']               评审专家名单；登记的专家可直接把评分表发到报送邮箱

专家姓名、评分和异议只保存在内容仓库的私有引用 refs/kjjr/rounds/ROUND 中，不进入 main，不在网站上公开。
decide、announce 和 file 修改 main：先通过 kjjr check 校验，再以操作人身份提交（--by 或仓库的 git config user.name / user.email）。

参数：
`

// cmdRound dispatches kjjr round <sub> ROUND.
func cmdRound(e *env, args []string) int {
	if len(args) > 0 && args[0] == "applications" {
		return cmdRoundApplications(e, args[1:]) // its own flags (round_apply.go)
	}
	fs := flag.NewFlagSet("round", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	dir := repoFlag(fs, ".", "内容仓库目录")
	by := fs.String("by", "", "操作人：'姓名 <邮箱>'（默认取仓库的 git config user.name / user.email）")
	nowFlag := fs.String("now", "", "以此时间为当前时间（RFC 3339，如 2026-04-20T16:00:00+08:00；试用和测试用）")
	add := fs.String("add", "", "scores：存入这份专家评分表（.xlsx）；experts：登记专家 '姓名 <邮箱>'")
	expert := fs.String("expert", "", "scores --add：专家姓名（评分表上未填写时必需）")
	sel := fs.String("select", "", "decide：党组会议定的申报单位，申报编号（统一社会信用代码）或代号，逗号分隔；编号=代号 为新机构指定代号")
	date := fs.String("date", "", "decide：党组会议日期；announce：公告日期；file：备案日期（YYYY-MM-DD，默认今天）")
	meeting := fs.String("meeting", "局党组会议", "decide：会议名称")
	start := fs.String("start", "", "decide：公示开始日期（默认会议后的第一个工作日）")
	days := fs.Int("days", 5, "decide：公示期（工作日）")
	objEmail := fs.String("objection-email", "", "decide：异议受理邮箱（默认 site.yaml 的 contact.email；不能与报送邮箱相同）")
	notice := fs.String("notice", "", "announce：已写好的公告 notices/<代号>.md 的代号")
	number := fs.String("number", "", "file：备案文号")
	fs.Usage = func() {
		fmt.Fprint(e.stderr, roundUsage)
		fs.PrintDefaults()
	}
	pos, code, ok := parseFlags(fs, args)
	if !ok {
		return code
	}
	if len(pos) > 0 && !slices.Contains([]string{"scores", "decide", "announce", "file", "objections", "experts"}, pos[0]) {
		fmt.Fprintf(e.stderr, "kjjr round: 未知的子命令 %q\n\n", pos[0])
		fs.Usage()
		return 2
	}
	if len(pos) != 2 {
		fs.Usage()
		return 2
	}
	sub, round := pos[0], pos[1]
	now := time.Now()
	if *nowFlag != "" {
		t, err := time.Parse(time.RFC3339, *nowFlag)
		if err != nil {
			fmt.Fprintf(e.stderr, "kjjr round: --now %q 应写作 RFC 3339 时间，例如 2026-04-20T16:00:00+08:00\n", *nowFlag)
			return 2
		}
		now = t
	}
	dates := map[string]content.Date{}
	for name, s := range map[string]string{"date": *date, "start": *start} {
		if s == "" {
			continue
		}
		d, err := content.ParseDate(s)
		if err != nil {
			fmt.Fprintf(e.stderr, "kjjr round: --%s %q 不是日期，应写作 YYYY-MM-DD\n", name, s)
			return 2
		}
		dates[name] = d
	}
	fail := func(err error) int {
		fmt.Fprintf(e.stderr, "kjjr round %s: %v\n", sub, err)
		return 1
	}
	r, err := selection.Open(*dir)
	if err != nil {
		return fail(err)
	}
	defer r.Close()
	signer := func() (object.Signature, error) {
		if *by != "" {
			return review.ParseApprover(*by)
		}
		rr, err := review.Open(*dir)
		if err != nil {
			return object.Signature{}, err
		}
		defer rr.Close()
		return rr.Approver()
	}
	switch sub {
	case "scores":
		if *add != "" {
			data, err := readInput(e, *add)
			if err != nil {
				return fail(err)
			}
			sig, err := signer()
			if err != nil {
				return fail(err)
			}
			wb, err := r.AddScores(round, data, *expert, sig, now)
			if err != nil {
				return fail(err)
			}
			fmt.Fprintf(e.stdout, "已存入 %s 的评分表（%d 家已评分", safetext.Terminal(wb.Expert), len(wb.Scores.Rows))
			if n := len(wb.Scores.Skipped); n > 0 {
				fmt.Fprintf(e.stdout, "，%d 家未评分", n)
			}
			fmt.Fprintf(e.stdout, "），保存在私有引用 %s\n\n", selection.PrivateRef(round))
		}
		return writeScores(e.stdout, e.stderr, r, round)
	case "decide":
		picks, err := selection.ParsePicks(*sel)
		if err != nil {
			return fail(err)
		}
		sig, err := signer()
		if err != nil {
			return fail(err)
		}
		d, err := r.Decide(&selection.DecideOptions{Round: round, Select: picks, Date: dates["date"], Meeting: *meeting, Start: dates["start"],
			WorkingDays: *days, ObjectionEmail: *objEmail, By: sig, Now: now})
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(e.stdout, "已记录党组会议定（%d 家）：%s\n", len(d.Institutions), strings.Join(d.Institutions, "、"))
		fmt.Fprintf(e.stdout, "公示：publicity/%s.md，%s 至 %s（%d 个工作日）\n", d.Publicity, d.Start, d.End, *days)
		fmt.Fprintf(e.stdout, "公示通知草稿：notices/%s.md（发布前请核对）\n", d.Notice)
		writeMainChange(e.stdout, d.MainChange)
		return 0
	case "announce":
		sig, err := signer()
		if err != nil {
			return fail(err)
		}
		mc, err := r.Announce(&selection.AnnounceOptions{Round: round, Date: dates["date"], Notice: *notice, By: sig, Now: now})
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(e.stdout, "已记录公告：rounds/%s.md\n", round)
		writeMainChange(e.stdout, mc)
		return 0
	case "file":
		sig, err := signer()
		if err != nil {
			return fail(err)
		}
		mc, err := r.File(&selection.FileOptions{Round: round, Date: dates["date"], Number: *number, By: sig, Now: now})
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(e.stdout, "已记录备案：rounds/%s.md\n", round)
		writeMainChange(e.stdout, mc)
		return 0
	case "objections":
		return writeObjections(e.stdout, e.stderr, r, round)
	case "experts":
		if *add != "" {
			ex, err := selection.ParseExpert(*add)
			if err != nil {
				return fail(err)
			}
			sig, err := signer()
			if err != nil {
				return fail(err)
			}
			if err := r.AddExpert(round, ex, sig, now); err != nil {
				return fail(err)
			}
		}
		list, err := r.Experts(round)
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(e.stdout, "遴选批次 %s 的评审专家（%d 位，不予公开）：\n", round, len(list))
		for _, x := range list {
			fmt.Fprintf(e.stdout, "  %s <%s>\n", safetext.Terminal(x.Name), safetext.Terminal(x.Email))
		}
		return 0
	}
	return 2
}

// readInput reads a file, or standard input for "-".
func readInput(e *env, name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(io.LimitReader(e.stdin, 64<<20))
	}
	return os.ReadFile(name)
}

func writeMainChange(w io.Writer, mc *selection.MainChange) {
	fmt.Fprintf(w, "main：%s → %s", mc.OldMain.String()[:12], mc.Commit.String()[:12])
	switch mc.Worktree {
	case "updated":
		fmt.Fprint(w, "（工作区已更新）")
	case "not_checked_out":
		fmt.Fprint(w, "（main 未检出，工作区未改动）")
	}
	fmt.Fprintln(w)
}

func points(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

func writeScores(w, errw io.Writer, r *selection.Repo, round string) int {
	ags, wbs, err := r.Aggregates(round)
	if err != nil {
		fmt.Fprintf(errw, "kjjr round scores: %v\n", err)
		return 1
	}
	fmt.Fprintf(w, "遴选批次 %s：%d 家申报单位，%d 位专家交回评分表（满分 %s）\n\n", round, len(ags), len(wbs), strconv.FormatFloat(selection.MaxTotal, 'f', -1, 64))
	rows := [][]string{{"申报编号", "申报单位", "专家数", "平均分", "最低–最高", "标准差", "推荐"}}
	for _, a := range ags {
		if a.Experts == 0 {
			rows = append(rows, []string{a.Key, a.Name, "0", "—", "—", "—", "—"})
			continue
		}
		rows = append(rows, []string{a.Key, a.Name, strconv.Itoa(a.Experts), points(a.Mean), points(a.Min) + "–" + points(a.Max), points(a.StdDev),
			fmt.Sprintf("%d/%d", a.Recommended, a.Experts)})
	}
	writeTable(w, rows)
	if len(wbs) > 0 {
		var names []string
		for _, wb := range wbs {
			names = append(names, wb.Expert)
		}
		fmt.Fprintf(w, "\n评审专家：%s（专家姓名和评分仅供内部使用，不予公开）\n", safetext.Terminal(strings.Join(names, "、")))
	}
	return 0
}

func writeObjections(w, errw io.Writer, r *selection.Repo, round string) int {
	obs, err := r.Objections(round)
	if err != nil {
		fmt.Fprintf(errw, "kjjr round objections: %v\n", err)
		return 1
	}
	late := 0
	for _, o := range obs {
		if o.Late {
			late++
		}
	}
	fmt.Fprintf(w, "遴选批次 %s：收到异议 %d 件（其中公示期结束后收到 %d 件）。异议人信息和异议内容不予公开。\n", round, len(obs), late)
	for i, o := range obs {
		t := func(s string) string { return safetext.Terminal(s) }
		who := o.From
		if o.FromName != "" {
			who = o.FromName + " <" + o.From + ">"
		}
		fmt.Fprintf(w, "\n%d. %s  %s  《%s》", i+1, cst(o.ReceivedAt), t(who), t(o.Subject))
		if o.Late {
			fmt.Fprint(w, "  【公示期结束后收到】")
		}
		fmt.Fprintln(w)
		if len(o.Attachments) > 0 {
			var names []string
			for _, a := range o.Attachments {
				names = append(names, a.Name)
			}
			fmt.Fprintf(w, "   附件：%s\n", t(strings.Join(names, "、")))
		}
		for _, line := range strings.Split(o.Text, "\n") {
			fmt.Fprintf(w, "   %s\n", t(line))
		}
	}
	return 0
}

// writeReviewWorkbook writes the expert workbook of a round: kjjr template
// --review ROUND [-o FILE].
func writeReviewWorkbook(e *env, dir, round, out string) int {
	r, err := selection.Open(dir)
	if err != nil {
		fmt.Fprintf(e.stderr, "kjjr template: %v\n", err)
		return 1
	}
	defer r.Close()
	apps, err := r.Applicants(round)
	if err != nil {
		fmt.Fprintf(e.stderr, "kjjr template: %v\n", err)
		return 1
	}
	if len(apps) == 0 {
		fmt.Fprintf(e.stderr, "kjjr template: 遴选批次 %s 还没有申报（没有 apply/%s/… 分支）\n", round, round)
		return 1
	}
	title := round
	if rd, err := r.RoundTitle(round); err == nil && rd != "" {
		title = rd
	}
	var buf bytes.Buffer
	if err := selection.Template(&buf, round, title, apps); err != nil {
		fmt.Fprintf(e.stderr, "kjjr template: %v\n", err)
		return 1
	}
	if out == "-" {
		if _, err := e.stdout.Write(buf.Bytes()); err != nil {
			fmt.Fprintf(e.stderr, "kjjr template: %v\n", err)
			return 1
		}
	} else if err := atomicfile.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		fmt.Fprintf(e.stderr, "kjjr template: 无法写入 %s：%v\n", out, err)
		return 1
	} else {
		fmt.Fprintf(e.stderr, "已写入 %s（%d 字节）\n", out, buf.Len())
	}
	fmt.Fprintf(e.stderr, "评分表列出本批次全部 %d 家申报单位（资格预审结果请另行核对；不参加评审的单位请在发给专家前删除该行）。\n", len(apps))
	for _, a := range apps {
		if a.Problem != "" {
			fmt.Fprintf(e.stderr, "注意：%s\n", safetext.Terminal(a.Problem))
		}
	}
	return 0
}
