package main

import (
	"flag"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"kjjr/content"
	"kjjr/content/jinzhong"
	"kjjr/govcheck"
)

// cmdCheck validates a content repo (default: the embedded dataset) and
// prints every problem as file:line: message. Exit 1 on errors, 0 when
// there are only warnings or none.
func cmdCheck(e *env, args []string) int {
	fset := flag.NewFlagSet("check", flag.ContinueOnError)
	fset.SetOutput(e.stderr)
	nowFlag := fset.String("now", "", "以此日期（YYYY-MM-DD）为今天，便于复现输出")
	repoDir := repoFlag(fset, "", "要校验的内容仓库目录（也可直接写作参数 DIR；默认：内置示例数据）")
	gov := fset.String("gov", "", "按政府网站检查指标检查 kjjr build 生成的网站目录 OUT（内容仓库的 site.yaml 提供网址和更新期限）")
	fset.Usage = func() {
		fmt.Fprintln(e.stderr, "用法：kjjr check [--now YYYY-MM-DD] [--repo DIR | DIR]\n      kjjr check --gov OUT [--now YYYY-MM-DD] [--repo DIR | DIR]\n\n按《管理办法》校验内容仓库 DIR（省略时校验内置示例数据），逐条输出 文件:行: 问题。\n有错误时退出码为 1，只有警告时为 0。\n\n--gov：以检查人员的视角检查已生成的网站（链接、栏目更新、政策解读、网站标识、个人信息），\n按指标分组输出；有单项否决项时退出码为 1。\n\n参数：")
		fset.PrintDefaults()
	}
	pos, code, ok := parseFlags(fset, args)
	if !ok {
		return code
	}
	if len(pos) > 1 || len(pos) == 1 && *repoDir != "" {
		fset.Usage()
		return 2
	}
	today := content.Today()
	if *nowFlag != "" {
		d, err := content.ParseDate(*nowFlag)
		if err != nil {
			fmt.Fprintf(e.stderr, "kjjr check: --now %q 无效，应写作 YYYY-MM-DD\n", *nowFlag)
			return 2
		}
		today = d
	}
	dir := *repoDir
	if len(pos) == 1 {
		dir = pos[0]
	}
	var fsys fs.FS = jinzhong.FS()
	prefix := ""
	if dir != "" {
		st, err := os.Stat(dir)
		if err != nil || !st.IsDir() {
			fmt.Fprintf(e.stderr, "kjjr check: %s 不是目录\n", dir)
			return 2
		}
		if _, err := os.Stat(filepath.Join(dir, "site.yaml")); err != nil {
			fmt.Fprintf(e.stderr, "kjjr check: %s 中没有 site.yaml，不是 kjjr 内容仓库（可用 kjjr init DIR 新建）\n", dir)
			return 1
		}
		fsys = content.DirFS(dir)
		if filepath.Clean(dir) != "." {
			prefix = filepath.ToSlash(filepath.Clean(dir)) + "/"
		}
	}
	repo, _ := content.Load(fsys, nil)
	if *gov != "" {
		return govCheck(e, *gov, repo, today)
	}
	ds := repo.Check(today)
	errs, warns := 0, 0
	for _, d := range ds {
		d.File = prefix + d.File
		fmt.Fprintln(e.stdout, d.String())
		if d.Severity == content.Error {
			errs++
		} else {
			warns++
		}
	}
	reports := 0
	for _, inst := range repo.Institutions {
		reports += len(inst.Reports)
	}
	fmt.Fprintf(e.stderr, "检查了 %d 家机构、%d 份报告：%d 个错误，%d 个警告\n", len(repo.Institutions), reports, errs, warns)
	if errs > 0 {
		return 1
	}
	return 0
}

// govCheck runs the inspector's check (package govcheck) on a built site.
func govCheck(e *env, out string, repo *content.Repo, today content.Date) int {
	s := &repo.Site
	basePath := "/"
	if u, err := url.Parse(s.BaseURL); err == nil && u.Path != "" {
		basePath = strings.TrimSuffix(u.Path, "/") + "/"
	}
	base := s.BaseURL
	if base != "" && !strings.HasSuffix(base, "/") {
		base += "/"
	}
	rep, err := govcheck.Check(govcheck.Options{Dir: out, Now: today, BaseURL: base, BasePath: basePath,
		Limits: govcheck.Limits{NewsDays: s.Gov.NewsDays, NoticeMonths: s.Gov.NoticeMonths}})
	if err != nil {
		fmt.Fprintf(e.stderr, "kjjr check --gov: %v\n", err)
		return 2
	}
	rep.Write(e.stdout)
	if len(rep.Vetoes()) > 0 {
		return 1
	}
	return 0
}
