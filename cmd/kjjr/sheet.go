package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"kjjr/content"
	"kjjr/content/jinzhong"
	"kjjr/sheet"
)

// cmdSheet parses one monthly sheet and prints the record the inbox would
// write: kjjr sheet FILE.xlsx [--institution SLUG] [--repo DIR] [--json] [--now DATE].
func cmdSheet(e *env, args []string) int {
	fset := flag.NewFlagSet("sheet", flag.ContinueOnError)
	fset.SetOutput(e.stderr)
	slug := fset.String("institution", "", "核对机构名称和统一社会信用代码是否属于该机构（机构代号，即 institutions/ 下的目录名）")
	repoDir := repoFlag(fset, "", "内容仓库目录（默认：内置示例数据）")
	asJSON := fset.Bool("json", false, "以 JSON 输出记录（代替 Markdown 前置元数据）")
	nowFlag := fset.String("now", "", "以此日期为今天，YYYY-MM-DD（默认今天，北京时间）")
	fset.Usage = func() {
		fmt.Fprintln(e.stderr, "用法：kjjr sheet 文件.xlsx [--institution 机构] [--repo 目录] [--json] [--now 日期]")
		fmt.Fprintln(e.stderr, "\n解析一份《科技金融服务机构绩效评价考核表》，输出将写入 reports/<月份>.md 的记录；")
		fmt.Fprintln(e.stderr, "有问题时逐条列出（工作表!单元格: 问题及改法）并以状态 1 退出。")
		fmt.Fprintln(e.stderr, "received_at 取当前时间（给了 --now 时取该日 00:00）。")
		fset.PrintDefaults()
	}
	// Flags may come before or after the file name.
	files, code, ok := parseFlags(fset, args)
	if !ok {
		return code
	}
	if len(files) != 1 {
		fset.Usage()
		return 2
	}
	file := files[0]

	received := time.Now().In(content.CST)
	opts := &sheet.Options{}
	if *nowFlag != "" {
		d, ok := parseNow(e, "sheet", *nowFlag)
		if !ok {
			return 2
		}
		opts.Now = d
		received = d.Time()
	}

	var fsys fs.FS = jinzhong.FS()
	if *repoDir != "" {
		if st, err := os.Stat(*repoDir); err != nil || !st.IsDir() {
			fmt.Fprintf(e.stderr, "kjjr sheet: --repo %s 不是目录\n", *repoDir)
			return 2
		}
		fsys = os.DirFS(*repoDir)
	}
	// The repo gives max_report_age_months and the institution; its own
	// diagnostics are kjjr check's business, not this command's.
	repo, _ := content.Load(fsys, nil)
	if repo != nil {
		opts.MaxReportAgeMonths = repo.Site.Inbox.MaxReportAgeMonths
	}
	if *slug != "" {
		var inst *content.Institution
		if repo != nil {
			inst = repo.Institution(*slug)
		}
		if inst == nil {
			fmt.Fprintf(e.stderr, "kjjr sheet: 找不到机构 %q（应为 institutions/<机构>/index.md 的目录名）\n", *slug)
			return 2
		}
		opts.Institution = inst
	}

	data, err := readLimited(file, sheet.MaxFileSize)
	if err != nil {
		fmt.Fprintf(e.stderr, "kjjr sheet: %v\n", err)
		return 1
	}
	rep, err := sheet.Parse(data, opts)
	if err != nil {
		var ps sheet.Problems
		var fe *sheet.FormatError
		switch {
		case errors.As(err, &ps):
			for _, p := range ps {
				fmt.Fprintln(e.stderr, p.String())
			}
			fmt.Fprintf(e.stderr, "共 %d 个问题，请修改后重新报送。\n", len(ps))
		case errors.As(err, &fe):
			fmt.Fprintf(e.stderr, "%s: %s\n", file, fe.Message)
		default:
			fmt.Fprintf(e.stderr, "kjjr sheet: %s: %v\n", file, err)
		}
		return 1
	}
	rep.ReceivedAt = received.Format(time.RFC3339)
	encode := func(v any) ([]byte, error) { return content.EncodeRecord(v, "") }
	if *asJSON {
		encode = content.EncodeRecordJSON
	}
	out, err := encode(rep)
	if err != nil {
		fmt.Fprintf(e.stderr, "kjjr sheet: %v\n", err)
		return 1
	}
	if _, err := e.stdout.Write(out); err != nil {
		fmt.Fprintf(e.stderr, "kjjr sheet: %v\n", err)
		return 1
	}
	return 0
}

// readLimited reads a file of at most max bytes.
func readLimited(name string, max int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("无法打开 %s：%w", name, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("无法读取 %s：%w", name, err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s 过大（超过 %d MiB），不像月报表", name, max>>20)
	}
	return data, nil
}
