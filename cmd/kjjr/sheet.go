package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"time"

	"go.yaml.in/yaml/v3"

	"kjjr/content"
	"kjjr/content/jinzhong"
	"kjjr/sheet"
)

// cmdSheet parses one monthly sheet and prints the record the inbox would
// write: kjjr sheet FILE.xlsx [--institution SLUG] [--repo DIR] [--json] [--now DATE].
func cmdSheet(e *env, args []string) int {
	fset := flag.NewFlagSet("sheet", flag.ContinueOnError)
	fset.SetOutput(e.stderr)
	slug := fset.String("institution", "", "check that 机构名称 and 统一社会信用代码 belong to this institution (slug)")
	repoDir := fset.String("repo", "", "content repo directory (default: the embedded default dataset)")
	asJSON := fset.Bool("json", false, "print the record as JSON instead of Markdown front matter")
	nowFlag := fset.String("now", "", "today's date, YYYY-MM-DD (default: today in China Standard Time)")
	fset.Usage = func() {
		fmt.Fprintln(e.stderr, "用法：kjjr sheet 文件.xlsx [--institution 机构] [--repo 目录] [--json] [--now 日期]")
		fmt.Fprintln(e.stderr, "\n解析一份《科技金融服务机构绩效评价考核表》，输出将写入 reports/<月份>.md 的记录；")
		fmt.Fprintln(e.stderr, "有问题时逐条列出（工作表!单元格: 问题及改法）并以状态 1 退出。")
		fmt.Fprintln(e.stderr, "received_at 取当前时间（给了 --now 时取该日 00:00）。")
		fset.PrintDefaults()
	}
	// Flags may come before or after the file name.
	var files []string
	rest := args
	for {
		if err := fset.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			return 2
		}
		if fset.NArg() == 0 {
			break
		}
		files = append(files, fset.Arg(0))
		rest = fset.Args()[1:]
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
	out, err := content.EncodeRecord(rep, "")
	if err != nil {
		fmt.Fprintf(e.stderr, "kjjr sheet: %v\n", err)
		return 1
	}
	if *asJSON {
		if out, err = frontMatterJSON(out); err != nil {
			fmt.Fprintf(e.stderr, "kjjr sheet: %v\n", err)
			return 1
		}
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

// frontMatterJSON turns a record's YAML front matter into indented JSON
// with the same keys in the same order.
func frontMatterJSON(record []byte) ([]byte, error) {
	front, _, _, err := content.SplitFrontMatter(record)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(front, &doc); err != nil {
		return nil, fmt.Errorf("re-read front matter: %w", err)
	}
	var b bytes.Buffer
	if len(doc.Content) > 0 {
		if err := writeJSON(&b, doc.Content[0]); err != nil {
			return nil, err
		}
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b.Bytes(), "", "  "); err != nil {
		return nil, fmt.Errorf("indent json: %w", err)
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

func writeJSON(b *bytes.Buffer, n *yaml.Node) error {
	switch n.Kind {
	case yaml.MappingNode:
		b.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(n.Content[i].Value)
			b.Write(k)
			b.WriteByte(':')
			if err := writeJSON(b, n.Content[i+1]); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case yaml.SequenceNode:
		b.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeJSON(b, c); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!int", "!!float":
			if _, err := strconv.ParseFloat(n.Value, 64); err == nil {
				b.WriteString(n.Value)
				return nil
			}
		case "!!bool":
			if v, err := strconv.ParseBool(n.Value); err == nil {
				b.WriteString(strconv.FormatBool(v))
				return nil
			}
		case "!!null":
			b.WriteString("null")
			return nil
		}
		s, _ := json.Marshal(n.Value)
		b.Write(s)
	case yaml.AliasNode:
		return writeJSON(b, n.Alias)
	default:
		return fmt.Errorf("unexpected YAML node kind %d", n.Kind)
	}
	return nil
}
