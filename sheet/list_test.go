package sheet

import (
	"errors"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"kjjr/content"
)

// listReport is goodReport with a 服务企业名单 of five enterprises, one of
// them (甲) also in 融资明细: seven distinct enterprises of the 20 served,
// three of them 晋创谷 (甲, 丁, 戊) of the 5.
func listReport(t testing.TB) *content.Report {
	r := goodReport(t)
	r.Enterprises = []content.Enterprise{
		{Name: "晋中甲科技有限公司", USCC: uscc(t, "91140700MA0K00011"), Jinchuanggu: true, Service: "融资对接"},
		{Name: "晋中丁电子有限公司", USCC: uscc(t, "91140700MA0K00021"), Jinchuanggu: true, Service: "入企服务、政策宣讲"},
		{Name: "晋中戊生物科技有限公司", USCC: uscc(t, "91140700MA0K00022"), Jinchuanggu: true, Service: "项目路演"},
		{Name: "晋中己农业科技有限公司", USCC: uscc(t, "91140700MA0K00023"), Service: "政策宣讲"},
		{Name: "晋中庚软件有限公司", USCC: uscc(t, "91140700MA0K00024")},
	}
	return r
}

// listSheet is listReport filled into the template.
func listSheet(t testing.TB) *filled {
	t.Helper()
	r := listReport(t)
	f, lay, err := fill(exampleInst(), r)
	if err != nil {
		t.Fatal(err)
	}
	return &filled{f: f, lay: lay, row: tplFirstDataRow + len(r.Financing)}
}

func mutateList(fn func(t testing.TB, x *filled)) func(t testing.TB) []byte {
	return func(t testing.TB) []byte {
		x := listSheet(t)
		fn(t, x)
		return x.bytes(t)
	}
}

func init() {
	builders["good_list.xlsx"] = func(t testing.TB) []byte { return listSheet(t).bytes(t) }
	builders["quirk_list.xlsx"] = buildQuirkList
	// An older sheet: the template before 服务企业名单, two sheets.
	builders["quirk_old_two_sheets.xlsx"] = mutate(func(t testing.TB, x *filled) {
		if err := x.f.DeleteSheet(SheetList); err != nil {
			t.Fatal(err)
		}
	})
	builders["p_list_uscc.xlsx"] = mutateList(func(t testing.TB, x *filled) { x.put(t, SheetList, "C6", "91140700MA0K000210") })
	builders["p_list_gt_served.xlsx"] = mutateList(func(t testing.TB, x *filled) {
		x.set(t, keyServed, 6)
		x.set(t, keyJCGServed, 2)
	})
	builders["p_list_rows.xlsx"] = mutateList(func(t testing.TB, x *filled) {
		x.put(t, SheetList, "C7", uscc(t, "91140700MA0K00021")) // 丁 again
		x.put(t, SheetList, "B8", nil)
		x.put(t, SheetList, "D9", "不知道")
	})
}

// buildQuirkList is listReport as people fill the list by hand: the
// sheet renamed Sheet3 and put before 融资明细, the header further down
// with spaces and full-width brackets and a notes column, the example row
// left in place, blank rows, a lower-case full-width USCC with spaces,
// 是。 with a full stop, a note and a totals row at the bottom.
func buildQuirkList(t testing.TB) []byte {
	x := goodSheet(t)
	f := x.f
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.DeleteSheet(SheetList))
	_, err := f.NewSheet("Sheet3")
	must(err)
	must(f.MoveSheet("Sheet3", SheetFinancing))
	r := listReport(t)
	put := func(cell string, v any) { must(f.SetCellValue("Sheet3", cell, v)) }
	put("A1", "本月服务企业名单")
	put("A3", "填表人：张三")
	for i, h := range []string{"序 号", "企业名称", "统一社会信用代码", "是否晋创谷 注册企业", "服务内容", "备注（选填）"} {
		c, _ := excelize.CoordinatesToCellName(i+1, 5)
		put(c, h)
	}
	put("A6", "示例")
	put("B6", "示例：晋中某某科技有限公司")
	put("C6", "91140700MA0K000029")
	row := 7
	for i, e := range r.Enterprises {
		if i == 2 {
			row++ // a blank row
		}
		code := e.USCC
		if i == 1 {
			code = toFullWidth(strings.ToLower(code[:9])) + " " + strings.ToLower(code[9:14]) + "　" + code[14:]
		}
		jcg := "否"
		if e.Jinchuanggu {
			jcg = "是。"
		}
		put(cellName(1, row), i+1)
		put(cellName(2, row), " "+e.Name+" ")
		put(cellName(3, row), code)
		put(cellName(4, row), jcg)
		if e.Service != "" {
			put(cellName(5, row), e.Service)
		}
		if i == 0 {
			put(cellName(6, row), "已获贷款")
		}
		row++
	}
	put(cellName(1, row), "合计")
	put(cellName(2, row), "5家")
	put(cellName(1, row+2), "注：同一企业本月只填一行。")
	return x.bytes(t)
}

// TestList: sheets with a 服务企业名单 read to the report with its
// enterprises; an older sheet without it reads as before.
func TestList(t *testing.T) {
	for _, tc := range []struct {
		file string
		want func(t testing.TB) *content.Report
	}{
		{"good_list.xlsx", listReport},
		{"quirk_list.xlsx", listReport},
		{"quirk_old_two_sheets.xlsx", goodReport},
		{"libreoffice.xlsx", goodReport}, // saved by LibreOffice from a two-sheet template
	} {
		t.Run(tc.file, func(t *testing.T) {
			rep, err := Parse(readFixture(t, tc.file), testOpts())
			if err != nil {
				t.Fatal(err)
			}
			assertReport(t, tc.want(t), rep)
			if err := parseRecord(t, rep); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestListProblems: each list problem is reported with its cell.
func TestListProblems(t *testing.T) {
	for _, tc := range []struct {
		file string
		want []string
	}{
		{"p_list_uscc.xlsx", []string{"服务企业名单!C6: 统一社会信用代码校验位错误，应为 " + uscc(t, "91140700MA0K00021")[17:]}},
		{"p_list_gt_served.xlsx", []string{
			"绩效评价考核表!B9: “服务企业数量（家）”填的是 6，但“服务企业名单”和“融资明细”中共有 7 家不同的企业",
			"绩效评价考核表!B10: “其中：晋创谷注册企业（家）”填的是 2，但“服务企业名单”和“融资明细”中共有 3 家晋创谷注册企业",
		}},
		{"p_list_rows.xlsx", []string{
			"服务企业名单!C7: 统一社会信用代码 " + uscc(t, "91140700MA0K00021") + " 与 C6 重复",
			"服务企业名单!B8: “企业名称”未填写",
			"服务企业名单!D9: “是否晋创谷注册企业”只能填“是”或“否”，“不知道”不可识别",
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			_, err := Parse(readFixture(t, tc.file), testOpts())
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("want Problems, got %T %v", err, err)
			}
			assertProblems(t, ps, tc.want)
		})
	}
}

// TestTemplateList: the template's 服务企业名单 has the header of the
// table and the example row, which Parse skips.
func TestTemplateList(t *testing.T) {
	x := newFilled(t)
	for i := range listColumns {
		c := &listColumns[i]
		cell := x.lay.list[c.Key] + "3"
		if v, _ := x.f.GetCellValue(SheetList, cell); v != c.DisplayHeader() {
			t.Errorf("%s!%s = %q, want %q", SheetList, cell, v, c.DisplayHeader())
		}
	}
	if v, _ := x.f.GetCellValue(SheetList, "A4"); v != exampleMark {
		t.Errorf("example row A4 = %q, want %s", v, exampleMark)
	}
	r := goodReport(t)
	x = goodSheet(t)
	rep, err := Parse(x.bytes(t), testOpts())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Enterprises != nil {
		t.Errorf("the example row was read: %+v", rep.Enterprises)
	}
	assertReport(t, r, rep)
}

// TestListProblemsOrder: problems are listed sheet by sheet as the
// workbook has them, 融资明细 before 服务企业名单, then by row.
func TestListProblemsOrder(t *testing.T) {
	x := listSheet(t)
	x.put(t, SheetList, "C5", "91140700MA0K000110")
	x.put(t, SheetFinancing, "C6", "91140700MA0K000120")
	_, err := Parse(x.bytes(t), testOpts())
	var ps Problems
	if !errors.As(err, &ps) || len(ps) != 2 {
		t.Fatalf("want two problems, got %v", err)
	}
	if ps[0].Sheet != SheetFinancing || ps[1].Sheet != SheetList {
		t.Errorf("order:\n%s\nwant 融资明细 first", ps.Error())
	}
}

// TestFinancingNamedLikeList: a 融资明细 sheet renamed with 企业名单 in its
// name (融资企业名单) is still read as 融资明细, not as 服务企业名单.
func TestFinancingNamedLikeList(t *testing.T) {
	x := goodSheet(t)
	if err := x.f.DeleteSheet(SheetList); err != nil {
		t.Fatal(err)
	}
	if err := x.f.SetSheetName(SheetFinancing, "融资企业名单"); err != nil {
		t.Fatal(err)
	}
	rep, err := Parse(x.bytes(t), testOpts())
	if err != nil {
		t.Fatal(err)
	}
	assertReport(t, goodReport(t), rep)
}
