package main

import (
	"bytes"
	"flag"
	"fmt"

	"kjjr/application"
	"kjjr/internal/atomicfile"
	"kjjr/sheet"
)

// cmdTemplate writes a blank form: the monthly sheet, with --application
// the application form of a selection round, with --review ROUND the
// experts' scoring workbook of a round:
// kjjr template [--application | --review ROUND] [-o FILE].
func cmdTemplate(e *env, args []string) int {
	fs := flag.NewFlagSet("template", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	out := fs.String("o", "", "输出文件（- 表示写到标准输出；默认为表名.xlsx）")
	apply := fs.Bool("application", false, "生成遴选申报表（《"+application.Title+"》）")
	reviewRound := fs.String("review", "", "生成该遴选批次的专家评分表（而不是月报表）")
	dir := repoFlag(fs, ".", "--review：内容仓库目录")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "用法：kjjr template [-o 文件]\n      kjjr template --application [-o 文件]\n      kjjr template --review 遴选批次 [-o 文件]\n\n生成空白的《科技金融服务机构绩效评价考核表》（.xlsx），默认写入当前目录下的 "+sheet.Title+".xlsx；-o - 写到标准输出。\n--application 生成空白的《"+application.Title+"》，默认写入 "+application.Title+".xlsx。\n--review 生成专家评分表：每家申报单位一行，按第二条各项打分，默认写入 专家评分表-<遴选批次>.xlsx。")
		fs.PrintDefaults()
	}
	pos, code, ok := parseFlags(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 0 {
		fs.Usage()
		return 2
	}
	if *reviewRound != "" {
		if *apply {
			fmt.Fprintln(e.stderr, "kjjr template: --application 和 --review 只能选一个")
			return 2
		}
		if *out == "" {
			*out = "专家评分表-" + *reviewRound + ".xlsx"
		}
		return writeReviewWorkbook(e, *dir, *reviewRound, *out)
	}
	write, title := sheet.Template, sheet.Title
	if *apply {
		write, title = application.Template, application.Title
	}
	if *out == "" {
		*out = title + ".xlsx"
	}
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		fmt.Fprintf(e.stderr, "kjjr template: %v\n", err)
		return 1
	}
	if *out == "-" {
		if _, err := e.stdout.Write(buf.Bytes()); err != nil {
			fmt.Fprintf(e.stderr, "kjjr template: %v\n", err)
			return 1
		}
		return 0
	}
	// Written atomically: an interrupted run leaves no half file behind.
	if err := atomicfile.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		fmt.Fprintf(e.stderr, "kjjr template: 无法写入 %s：%v\n", *out, err)
		return 1
	}
	fmt.Fprintf(e.stderr, "已写入 %s（%d 字节）\n", *out, buf.Len())
	return 0
}
