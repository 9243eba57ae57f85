package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/xuri/excelize/v2"
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
