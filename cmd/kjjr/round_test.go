package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/rogpeppe/go-internal/testscript"
	"github.com/xuri/excelize/v2"

	"kjjr/content"
	"kjjr/internal/testenv"
	"kjjr/selection"
)

// fillScores is the script command "fillscores FILE EXPERT KEY=s1,…,s6,推荐 …":
// it fills an expert workbook written by kjjr template --review as an
// expert would in Excel: the name into the cell right of 评审专家, and for
// each KEY the six scores and the recommendation into the row whose
// 申报编号 is KEY (EXPERT "-" leaves the name blank).
func fillScores(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: fillscores FILE EXPERT KEY=s1,...,s6,推荐 ...")
	}
	path := ts.MkAbs(args[0])
	f, err := excelize.OpenFile(path)
	ts.Check(err)
	defer f.Close()
	sh := f.GetSheetList()[0]
	rows, err := f.GetRows(sh)
	ts.Check(err)
	set := func(col, row int, v string) {
		cell, err := excelize.CoordinatesToCellName(col, row)
		ts.Check(err)
		ts.Check(f.SetCellValue(sh, cell, v))
	}
	find := func(label string) (int, int) {
		for i, r := range rows {
			for j, c := range r {
				if strings.HasPrefix(c, label) {
					return j + 1, i + 1
				}
			}
		}
		ts.Fatalf("no cell %q", label)
		return 0, 0
	}
	if args[1] != "-" {
		c, r := find("评审专家")
		set(c+1, r, args[1])
	}
	_, head := find("申报编号")
	recCol, _ := find("推荐意见")
	for _, a := range args[2:] {
		key, vals, ok := strings.Cut(a, "=")
		v := strings.Split(vals, ",")
		if !ok || len(v) != 7 {
			ts.Fatalf("bad scores %q", a)
		}
		row := 0
		for i := head; i < len(rows); i++ {
			if len(rows[i]) > 1 && rows[i][1] == key {
				row = i + 1
			}
		}
		if row == 0 {
			ts.Fatalf("no row for %s", key)
		}
		for j := 0; j < 6; j++ {
			set(4+j, row, v[j])
		}
		set(recCol, row, v[6])
	}
	out, err := os.Create(path)
	ts.Check(err)
	_, err = f.WriteTo(out)
	ts.Check(err)
	ts.Check(out.Close())
	fmt.Fprintf(ts.Stdout(), "filled %s\n", args[0])
}

// TestRoundObjections: kjjr round objections lists what the inbox
// recorded on the private ref, late ones marked, stored text escaped for
// the terminal (a hand-made record may hold anything).
func TestRoundObjections(t *testing.T) {
	testenv.NeedTool(t, "git")
	dir := t.TempDir()
	if out, err := exec.Command("git", "init", "-q", "-b", "main", dir).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v %s", err, out)
	}
	r, err := selection.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	inbox := object.Signature{Name: "kjjr inbox", Email: "kjjr@example.gov.cn"}
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, content.CST)
	for _, o := range []*selection.Objection{
		{ID: "00000000000000a1", Round: "2026-1", From: "zhangsan@example.com", FromName: "张三", Subject: "异议", Text: "第一行\n第二行",
			Attachments: []selection.AttachmentInfo{{Name: "证明.pdf", Size: 10}}, ReceivedAt: at},
		{ID: "00000000000000b2", Round: "2026-1", From: "lisi@example.com", Subject: "迟到", Text: "晚了", ReceivedAt: at.Add(72 * time.Hour), Late: true},
	} {
		if _, err := r.RecordObjection(o, inbox, at); err != nil {
			t.Fatal(err)
		}
	}
	r.Close()
	var out, errb bytes.Buffer
	if code := run([]string{"round", "objections", "2026-1", "--repo", dir}, strings.NewReader(""), &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"收到异议 2 件（其中公示期结束后收到 1 件）", "1. 2026-11-20 10:00  张三 <zhangsan@example.com>  《异议》",
		"   附件：证明.pdf", "   第一行\n   第二行", "2. 2026-11-23 10:00  lisi@example.com  《迟到》  【公示期结束后收到】"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
