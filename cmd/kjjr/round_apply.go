package main

import (
	"flag"
	"fmt"
	"strings"

	"kjjr/content"
	"kjjr/internal/safetext"
	"kjjr/selection"
)

// cmdRoundApplications lists a round's applications with the pre-check of
// 第二条: kjjr round applications ROUND [--repo DIR] [-v].
func cmdRoundApplications(e *env, args []string) int {
	fs, dir, verbose := roundApplicationsFlags(e)
	fs.Usage = func() {
		fmt.Fprint(e.stderr, "用法：kjjr round applications ROUND [--repo DIR] [-v]\n\n列出遴选批次 ROUND（rounds/ROUND.md）收到的申报（分支 apply/ROUND/*），每个一行：申报编号、单位名称、收到时间、次数、资格初审结果。\n")
		fs.PrintDefaults()
	}
	pos, code, ok := parseFlags(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		fs.Usage()
		return 2
	}
	r, err := selection.Open(*dir)
	if err != nil {
		fmt.Fprintf(e.stderr, "kjjr round applications: %v\n", err)
		return 1
	}
	defer r.Close()
	rd, err := r.Round(pos[0])
	if err != nil {
		fmt.Fprintf(e.stderr, "kjjr round applications: %v\n", err)
		return 1
	}
	apps, err := r.Applicants(pos[0])
	if err != nil {
		fmt.Fprintf(e.stderr, "kjjr round applications: %v\n", err)
		return 1
	}
	l := func(s string) string { return safetext.Line(s, 60) }
	fmt.Fprintf(e.stdout, "%s（申报时间 %s 至 %s）：%d 份申报\n", l(rd.Title), rd.Application.From, rd.Application.To, len(apps))
	for _, a := range apps {
		name := "（未读到名称）"
		if a.Draft != nil && a.Draft.Name != "" {
			name = l(a.Draft.Name)
		}
		var status string
		switch failed := a.Failed(); {
		case a.Problem != "":
			status = "无法读取：" + l(a.Problem)
		case a.NoCheck != "":
			status = "未能初审：" + l(a.NoCheck)
		case len(failed) == 0:
			status = "初审通过"
		default:
			var t []string
			for _, f := range failed {
				t = append(t, f.Title)
			}
			status = fmt.Sprintf("初审 %d 项未通过：%s", len(failed), strings.Join(t, "、"))
		}
		extra := ""
		if a.Commits > 1 {
			extra = fmt.Sprintf("，重新申报 %d 次", a.Commits-1)
		}
		if a.Registered {
			extra += "，已登记机构 " + a.Slug
		}
		fmt.Fprintf(e.stdout, "%s  %s  %s%s  %s\n", a.Branch, name, a.Received.In(content.CST).Format("2006-01-02 15:04"), extra, status)
		if *verbose {
			fmt.Fprintf(e.stdout, "  发件人：%s\n", l(a.Sender))
			for _, f := range a.Checks {
				fmt.Fprintf(e.stdout, "  %s\n", safetext.Line(f.String(), 0))
			}
			if len(a.Attachments) > 0 {
				var names []string
				for _, n := range a.Attachments {
					names = append(names, l(n))
				}
				fmt.Fprintf(e.stdout, "  附件：%s\n", strings.Join(names, "、"))
			}
		}
	}
	return 0
}

// roundApplicationsFlags defines the flags of kjjr round applications.
func roundApplicationsFlags(e *env) (fs *flag.FlagSet, dir *string, verbose *bool) {
	fs = flag.NewFlagSet("round applications", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	dir = repoFlag(fs, ".", "内容仓库目录")
	verbose = fs.Bool("v", false, "列出每项初审结果和附件")
	return fs, dir, verbose
}
