package selection_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"

	"kjjr/selection"
	"kjjr/sheet"
)

// FuzzParseScores: ParseScores never panics, and what it accepts is
// consistent: every row has all six scores within their maximum, a total
// that is their sum, and a key.
func FuzzParseScores(f *testing.F) {
	apps := []*selection.Applicant{}
	var blank bytes.Buffer
	if err := selection.Template(&blank, "2026-1", "遴选", apps); err != nil {
		f.Fatal(err)
	}
	f.Add(blank.Bytes())
	f.Add([]byte{})
	f.Add([]byte("PK\x03\x04garbage"))
	// A filled workbook, hand-made with excelize.
	x := excelize.NewFile()
	rows := [][]any{
		{"评审专家", "李专家"},
		{"遴选批次", "2026-1"},
		{},
		{"序号", "申报编号", "申报单位", "资质与信用（15分）", "服务能力（25分）", "合作机构", "常态化活动", "服务晋创谷", "团队与场所", "总分", "推荐意见"},
		{1, "91140702MA0K0000AY", "甲", 12, 20, 10, 15, 12, 8, 77, "推荐"},
		{2, "91140702MA0K0000B2", "乙", "１０分", 10, 10, 10, 10, 5, "", "不推荐"},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		_ = x.SetSheetRow("Sheet1", cell, &r)
	}
	var filled bytes.Buffer
	_, _ = x.WriteTo(&filled)
	if sc, err := selection.ParseScores(filled.Bytes()); err != nil || len(sc.Rows) != 2 || sc.Rows[1].Total != 55 {
		f.Fatalf("the filled seed does not parse: %v %+v", err, sc)
	}
	f.Add(filled.Bytes())
	for _, name := range []string{"good.xlsx", "libreoffice.xlsx", "bad.xlsx"} { // monthly sheets: no header row here
		if b, err := os.ReadFile(filepath.Join("..", "sheet", "testdata", name)); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := selection.ParseScores(data)
		if err != nil {
			var fe *sheet.FormatError
			var ps selection.Problems
			if !errors.As(err, &fe) && !errors.As(err, &ps) {
				t.Fatalf("error of another kind: %T %v", err, err)
			}
			return
		}
		if len(sc.Rows) == 0 {
			t.Fatal("accepted a workbook without a scored row")
		}
		for _, r := range sc.Rows {
			sum := 0.0
			for _, c := range selection.Criteria {
				v, ok := r.Points[c.Key]
				if !ok || v < 0 || v > c.Max {
					t.Fatalf("row %s: %s = %v (present %v)", r.Key, c.Key, v, ok)
				}
				sum += v
			}
			if r.Key == "" || r.Total-sum > 0.01 || sum-r.Total > 0.01 {
				t.Fatalf("row %+v: sum %v", r, sum)
			}
		}
	})
}
