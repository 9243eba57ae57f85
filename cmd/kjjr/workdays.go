package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"strconv"

	"kjjr/content"
	"kjjr/content/jinzhong"
)

// cmdWorkdays prints the last day of a period of N working days that
// starts on DATE (the start counts when it is a working day), from the
// holiday calendar of the embedded dataset or of --repo DIR: the end of
// a 公示 (第三条第5项, 一般为5个工作日).
func cmdWorkdays(e *env, args []string) int {
	fset := flag.NewFlagSet("workdays", flag.ContinueOnError)
	fset.SetOutput(e.stderr)
	dir := repoFlag(fset, "", "取该内容仓库的 calendar/（默认：内置日历）")
	fset.Usage = func() {
		fmt.Fprintln(e.stderr, "用法：kjjr workdays [--repo DIR] YYYY-MM-DD N\n\n输出从该日起 N 个工作日的最后一天（起始日是工作日时计入），例如公示期截止日。\n节假日和调休上班日取自 calendar/<年份>.yaml。\n\n参数：")
		fset.PrintDefaults()
	}
	pos, code, ok := parseFlags(fset, args)
	if !ok {
		return code
	}
	if len(pos) != 2 {
		fset.Usage()
		return 2
	}
	start, err := content.ParseDate(pos[0])
	if err != nil {
		fmt.Fprintf(e.stderr, "kjjr workdays: 日期 %q 无效，应写作 YYYY-MM-DD\n", pos[0])
		return 2
	}
	n, err := strconv.Atoi(pos[1])
	if err != nil || n < 1 {
		fmt.Fprintf(e.stderr, "kjjr workdays: 工作日天数 %q 无效，应为正整数\n", pos[1])
		return 2
	}
	var fsys fs.FS = jinzhong.FS()
	if *dir != "" {
		fsys = content.DirFS(*dir)
	}
	cal, ds := content.ReadCalendar(fsys)
	if ds.HasErrors() {
		fmt.Fprintf(e.stderr, "kjjr workdays: %v\n", ds.Errors())
		return 1
	}
	if len(cal.Years()) == 0 {
		fmt.Fprintln(e.stderr, "kjjr workdays: 没有找到 calendar/<年份>.yaml：请按国务院办公厅的放假通知添加")
		return 1
	}
	end, err := cal.AddWorkdays(start, n)
	if err != nil {
		var re *content.CalendarRangeError
		if errors.As(err, &re) && *dir == "" {
			fmt.Fprintf(e.stderr, "kjjr workdays: %v（内置日历只有 %v 年；可用 --repo 指定含该年日历的内容仓库）\n", err, cal.Years())
		} else {
			fmt.Fprintf(e.stderr, "kjjr workdays: %v\n", err)
		}
		return 1
	}
	fmt.Fprintln(e.stdout, end)
	return 0
}
