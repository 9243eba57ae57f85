package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"kjjr/content"
	"kjjr/internal/atomicfile"
	"kjjr/internal/textwidth"
)

func cmdAssess(e *env, args []string) int {
	fs := flag.NewFlagSet("assess", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	dir := repoFlag(fs, ".", "内容仓库目录（含工作区的 git 仓库，或普通目录）")
	force := fs.Bool("force", false, "覆盖已有的 results/YEAR.md")
	nowFlag := fs.String("now", "", "草稿的考核日期（YYYY-MM-DD），默认今天")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "用法：kjjr assess YEAR [--repo DIR] [--force]\n\n按第六条第2项汇总该年度已审核通过的报送，写出考核草稿 results/YEAR.md（供工作人员填写等次后提交）。")
		fs.PrintDefaults()
	}
	pos, code, ok := parseFlags(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintln(e.stderr, "kjjr assess: 请给出一个年份，例如 kjjr assess 2025")
		return 2
	}
	year, err := parseYear(pos[0])
	if err != nil {
		fmt.Fprintf(e.stderr, "kjjr assess: %v\n", err)
		return 2
	}
	now, ok := parseNow(e, "assess", *nowFlag)
	if !ok {
		return 2
	}
	today := nowOr(now)
	a, err := openApproved(*dir)
	if err != nil {
		fmt.Fprintf(e.stderr, "kjjr assess: %v\n", err)
		return 1
	}
	if a.review != nil && a.review.Bare {
		fmt.Fprintf(e.stderr, "kjjr assess: %s 是裸仓库，没有工作区可写草稿：请在它的克隆（git clone）中运行\n", *dir)
		return 1
	}
	rel := fmt.Sprintf("results/%d.md", year)
	target := filepath.Join(*dir, filepath.FromSlash(rel))
	if _, err := os.Stat(target); err == nil && !*force {
		fmt.Fprintf(e.stderr, "kjjr assess: %s 已存在，未改动：要重新生成请加 --force（会覆盖其中已填写的等次）\n", rel)
		return 1
	}
	a.warnLoad(e.stderr)
	res, missing, err := a.repo.AssessDraft(year, today)
	if errors.Is(err, content.ErrNoReports) {
		fmt.Fprintf(e.stderr, "kjjr assess: %d 年没有已审核通过的报送（main 上没有该年度的报告），未生成考核草稿\n", year)
		return 1
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "kjjr assess: %v\n", err)
		return 1
	}
	data, err := content.EncodeRecord(res, a.repo.AssessBody(res, missing, today))
	if err != nil {
		fmt.Fprintf(e.stderr, "kjjr assess: %v\n", err)
		return 1
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		fmt.Fprintf(e.stderr, "kjjr assess: 无法创建 results 目录：%v\n", err)
		return 1
	}
	if err := atomicfile.WriteFile(target, data, 0o644); err != nil {
		fmt.Fprintf(e.stderr, "kjjr assess: 无法写入 %s：%v\n", rel, err)
		return 1
	}
	writeAssessSummary(e.stdout, a.repo, res, missing)
	fmt.Fprintf(e.stdout, "\n已写出考核草稿 %s（draft: true）。请为每家机构填写 grade（%s / %s / %s），删除 draft: true，再提交：\n  git add %s && git commit -m \"%d 年度考核结果\"\n",
		rel, content.GradeExcellent, content.GradePass, content.GradeFail, rel, year)
	return 0
}

func writeAssessSummary(w io.Writer, repo *content.Repo, res *content.Result, missing []*content.Institution) {
	fmt.Fprintf(w, "%d 年度考核汇总（已审核通过的报送）\n\n", res.Year)
	heads := []string{"机构", "月报", "按时", "服务企业（家）", "（家次）", "晋创谷企业（家）", "（家次）", "有名单月份", "对接活动", "政策宣讲", "合作银行", "融资（万元）", "晋创谷融资", "半年", "年度总结"}
	rows := [][]string{heads}
	for _, g := range res.Grades {
		f := g.Figures
		name := g.Institution
		if inst := repo.Institution(g.Institution); inst != nil && inst.Name != "" {
			name = inst.Name
		}
		ann := "缺"
		if f.AnnualSummary {
			ann = "有"
		}
		rows = append(rows, []string{name, fmt.Sprint(f.Reports), fmt.Sprint(f.OnTime), fmt.Sprint(f.Enterprises), fmt.Sprint(f.EnterprisesServed),
			fmt.Sprint(f.JinchuangguDistinct), fmt.Sprint(f.JinchuangguEnterprises), fmt.Sprintf("%d/%d", f.ListedMonths, f.Reports),
			fmt.Sprint(f.MatchmakingEvents), fmt.Sprint(f.PolicySessions),
			fmt.Sprint(len(f.PartnerBanks)), f.FinancingWan.String(), f.JinchuangguFinancingWan.String(), fmt.Sprint(f.HalfYearReports), ann})
	}
	widths := make([]int, len(heads))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], textwidth.String(c))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		for i, c := range r {
			if i > 0 {
				b.WriteString("  ")
			}
			if i == 0 || i == len(r)-1 {
				b.WriteString(pad(c, widths[i]))
			} else {
				b.WriteString(strings.Repeat(" ", widths[i]-textwidth.String(c)) + c) // numbers right-aligned
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	fmt.Fprintln(w, "\n服务企业（家）为全年服务企业名单和融资明细中不同企业的家数（同一企业只计一次），（家次）为各月服务企业数量之和；没有名单的月份只计融资明细中的企业。")
	if len(missing) > 0 {
		fmt.Fprintf(w, "\n未报送年度工作总结：%d 家（已列入草稿正文）\n", len(missing))
	}
}
