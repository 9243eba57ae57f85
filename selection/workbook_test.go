package selection_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"kjjr/selection"
	"kjjr/sheet"
)

// filled returns the template of the applicants with rows filled: each
// row of vals is the six scores (as cell text, "" for blank) and the
// recommendation; expert goes into the 评审专家 cell.
func filled(t testing.TB, r *selection.Repo, expert string, vals map[string][]string, edit func(f *excelize.File)) []byte {
	t.Helper()
	apps, err := r.Applicants(round)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := selection.Template(&buf, round, "2026年度科技金融服务机构遴选（第一批）", apps); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sh := f.GetSheetList()[0]
	if expert != "" {
		must(t, f.SetCellValue(sh, "B3", expert))
	}
	for row := 8; row < 8+len(apps); row++ {
		key, _ := f.GetCellValue(sh, fmt.Sprintf("B%d", row))
		v, ok := vals[key]
		if !ok {
			continue
		}
		for i, s := range v {
			cell, _ := excelize.CoordinatesToCellName(4+i+boolInt(i == 6), row) // the recommendation is right of 总分
			if s == "" {
				continue
			}
			must(t, f.SetCellValue(sh, cell, s))
		}
	}
	if edit != nil {
		edit(f)
	}
	var out bytes.Buffer
	if _, err := f.WriteTo(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestTemplateLayout(t *testing.T) {
	dir := newRepo(t)
	keys := threeApplicants(t, dir)
	r := open(t, dir)
	apps, err := r.Applicants(round)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	must(t, selection.Template(&buf, round, "2026年度遴选", apps))
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sh := f.GetSheetList()[0]
	rows, _ := f.GetRows(sh)
	want := []string{"序号", "申报编号", "申报单位", "资质与信用（15分）", "服务能力（25分）", "合作机构（15分）", "常态化活动（20分）", "服务晋创谷（15分）", "团队与场所（10分）", "总分（100分）", "推荐意见", "备注"}
	if got := rows[6]; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("header row:\n got %q\nwant %q", got, want)
	}
	for i, k := range keys {
		if got := rows[7+i][1]; got != k {
			t.Errorf("row %d key = %q, want %q", 8+i, got, k)
		}
		formula, _ := f.GetCellFormula(sh, fmt.Sprintf("J%d", 8+i))
		if formula != fmt.Sprintf("SUM(D%d:I%d)", 8+i, 8+i) {
			t.Errorf("row %d total formula = %q", 8+i, formula)
		}
	}
	if rows[7][2] != "榆次甲科技服务有限公司" {
		t.Errorf("name = %q", rows[7][2])
	}
	if selection.MaxTotal != 100 {
		t.Errorf("MaxTotal = %v, want 100", selection.MaxTotal)
	}
}

func TestParseScores(t *testing.T) {
	dir := newRepo(t)
	keys := threeApplicants(t, dir)
	r := open(t, dir)
	full := []string{"12", "20.5", "10", "15", "12", "8", "推荐"}
	tests := []struct {
		name    string
		expert  string
		vals    map[string][]string
		edit    func(*excelize.File)
		total   float64 // of keys[0]
		skipped int
		wantErr string
	}{
		{name: "clean", expert: "李专家", vals: map[string][]string{keys[0]: full, keys[1]: {"10", "10", "10", "10", "10", "5", "不推荐"}}, total: 77.5, skipped: 1},
		{name: "full-width digits and 分", vals: map[string][]string{keys[0]: {"１２", "20.5分", "10", "15", "12", "8", " 推荐 "}}, total: 77.5, skipped: 2},
		{name: "over the maximum", vals: map[string][]string{keys[0]: {"16", "20", "10", "15", "12", "8", "推荐"}}, wantErr: "D8：榆次甲科技服务有限公司 的“资质与信用”为 16 分，应在 0 到 15 分之间"},
		{name: "negative", vals: map[string][]string{keys[0]: {"-1", "20", "10", "15", "12", "8", "推荐"}}, wantErr: "应在 0 到 15 分之间"},
		{name: "not a number", vals: map[string][]string{keys[0]: {"良好", "20", "10", "15", "12", "8", "推荐"}}, wantErr: "“良好”不是分数"},
		{name: "partly blank", vals: map[string][]string{keys[0]: {"12", "", "10", "15", "12", "8", "推荐"}}, wantErr: "E8：榆次甲科技服务有限公司 的“服务能力”未填写"},
		{name: "no recommendation", vals: map[string][]string{keys[0]: {"12", "20", "10", "15", "12", "8", ""}}, wantErr: "K8：榆次甲科技服务有限公司 的“推荐意见”未填写"},
		{name: "bad recommendation", vals: map[string][]string{keys[0]: {"12", "20", "10", "15", "12", "8", "待定"}}, wantErr: "“待定”应为 推荐 或 不推荐"},
		{name: "typed total differs", vals: map[string][]string{keys[0]: full}, edit: func(f *excelize.File) {
			_ = f.SetCellFormula("专家评分表", "J8", "")
			_ = f.SetCellValue("专家评分表", "J8", 80)
		}, wantErr: "J8：总分 80 与各项之和 77.5 不符"},
		{name: "nothing scored", vals: nil, wantErr: "没有任何已打分的申报单位"},
		{name: "columns moved, a sheet in front, header renamed", vals: map[string][]string{keys[0]: full}, edit: func(f *excelize.File) {
			_, _ = f.NewSheet("说明")
			_ = f.MoveSheet("说明", "专家评分表")
			_ = f.InsertCols("专家评分表", "A", 2)
			_ = f.SetCellValue("专家评分表", "F7", "资质")
		}, wantErr: "表头缺少“资质与信用”一栏"},
		{name: "columns moved right", vals: map[string][]string{keys[0]: full}, edit: func(f *excelize.File) {
			_ = f.InsertCols("专家评分表", "A", 2)
			_ = f.SetCellValue("专家评分表", "F7", " 资质与信用 (满分15分)： ")
		}, total: 77.5, skipped: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := filled(t, r, tc.expert, tc.vals, tc.edit)
			sc, err := selection.ParseScores(data)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if sc.Expert != tc.expert || sc.Round != round {
				t.Errorf("expert, round = %q, %q", sc.Expert, sc.Round)
			}
			if sc.Rows[0].Key != keys[0] || sc.Rows[0].Total != tc.total || sc.Rows[0].Recommend != true {
				t.Errorf("row 0 = %+v, want total %v recommended", sc.Rows[0], tc.total)
			}
			if len(sc.Skipped) != tc.skipped {
				t.Errorf("skipped = %v, want %d", sc.Skipped, tc.skipped)
			}
		})
	}
}

func TestParseScoresNotAWorkbook(t *testing.T) {
	for _, data := range [][]byte{nil, []byte("hello"), {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0}} {
		_, err := selection.ParseScores(data)
		var fe *sheet.FormatError
		if !errors.As(err, &fe) {
			t.Errorf("ParseScores(%q) = %v, want a FormatError", data, err)
		}
	}
}
