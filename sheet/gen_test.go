package sheet

// The fixture generator. `go test ./sheet -run TestGenerate -update`
// rewrites testdata/*.xlsx from the builders below (with excelize), and,
// where LibreOffice is installed, the files that LibreOffice saves
// (libreoffice.xlsx, legacy.xls, ods.ods): they are real files from a real
// office suite, so CI only reads the committed copies. Without -update the
// test checks that every generated file is byte for byte what its builder
// makes, and that the LibreOffice files are there.

import (
	"archive/zip"
	"bytes"
	"flag"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

var update = flag.Bool("update", false, "rewrite testdata fixtures and golden files")

// builders make the generated fixtures, by file name.
var builders = map[string]func(t testing.TB) []byte{
	// Typical and quirky sheets that must read.
	"good.xlsx":                func(t testing.TB) []byte { return goodSheet(t).bytes(t) },
	"quirk_labels.xlsx":        func(t testing.TB) []byte { return buildQuirkLabels(t, nil) },
	"quirk_formulas.xlsx":      buildQuirkFormulas,
	"quirk_financing.xlsx":     buildQuirkFinancing,
	"quirk_table_on_main.xlsx": buildTableOnMain,
	"quirk_no_financing.xlsx":  buildNoFinancing,
	"lo_source.xlsx":           buildLOSource,
	"quirk_wps_sheets.xlsx":    buildWPSSheets,
	"quirk_hand_typed.xlsx": mutate(func(t testing.TB, x *filled) {
		x.set(t, keyFinancing, "1500.5万")
		x.set(t, keyPhone, "0354-5550123；13800000000")
		x.put(t, SheetFinancing, "G5", "300万")
		x.put(t, SheetFinancing, "H6", "2025年4月15号")
	}),

	// One problem each (see TestProblems).
	"p_not_number.xlsx":       mutate(func(t testing.TB, x *filled) { x.set(t, keyServed, "约20") }),
	"p_negative.xlsx":         mutate(func(t testing.TB, x *filled) { x.set(t, keyMatchmaking, -2) }),
	"p_sub_gt_total.xlsx":     mutate(func(t testing.TB, x *filled) { x.set(t, keyJCGServed, 30) }),
	"p_uscc_main.xlsx":        mutate(func(t testing.TB, x *filled) { x.set(t, keyUSCC, "91140700MA0K000010") }),
	"p_uscc_row.xlsx":         mutate(func(t testing.TB, x *filled) { x.put(t, SheetFinancing, "C6", "91140700MA0K000120") }),
	"p_sum.xlsx":              mutate(func(t testing.TB, x *filled) { x.set(t, keyFinancing, 1600.5) }),
	"p_jcg_sum.xlsx":          mutate(func(t testing.TB, x *filled) { x.put(t, SheetFinancing, "D6", "是") }),
	"p_jcg_gt_total.xlsx":     mutate(func(t testing.TB, x *filled) { x.set(t, keyJCGFinancing, 2000) }),
	"p_period_future.xlsx":    mutate(func(t testing.TB, x *filled) { x.set(t, keyPeriod, "2025年5月") }),
	"p_period_not_month.xlsx": mutate(func(t testing.TB, x *filled) { x.set(t, keyPeriod, "2025年第二季度") }),
	"p_period_month13.xlsx":   mutate(func(t testing.TB, x *filled) { x.set(t, keyPeriod, "2025-13") }),
	"p_period_old.xlsx":       mutate(func(t testing.TB, x *filled) { x.set(t, keyPeriod, "2023-01") }),
	"p_period_ambiguous.xlsx": mutate(func(t testing.TB, x *filled) { x.set(t, keyPeriod, 2025.1) }),
	"p_charged.xlsx":          mutate(func(t testing.TB, x *filled) { x.set(t, keyCharged, "不收") }),
	"p_blank.xlsx":            mutate(func(t testing.TB, x *filled) { x.set(t, keyServed, nil) }),
	"p_label_missing.xlsx":    mutate(func(t testing.TB, x *filled) { x.put(t, SheetMain, "A15", "宣讲") }),
	"p_row_amount.xlsx":       mutate(func(t testing.TB, x *filled) { x.put(t, SheetFinancing, "G6", nil) }),
	"p_row_fields.xlsx": mutate(func(t testing.TB, x *filled) {
		x.put(t, SheetFinancing, "B7", nil)
		x.put(t, SheetFinancing, "D7", "不是")
		x.put(t, SheetFinancing, "H7", "上个月")
	}),
	"p_totals.xlsx": mutate(func(t testing.TB, x *filled) {
		x.put(t, SheetFinancing, "A9", "合计")
		x.put(t, SheetFinancing, "G9", 1500)
	}),
	"p_yuan.xlsx": mutate(func(t testing.TB, x *filled) {
		x.put(t, SheetMain, "A21", "帮助企业融资金额（元）")
		x.set(t, keyFinancing, 15005000)
	}),
	"p_no_rows.xlsx": func(t testing.TB) []byte {
		return newFilled(t).fillAll(t).bytes(t)
	},
	"p_future_dates.xlsx": mutate(func(t testing.TB, x *filled) {
		x.set(t, keyFiledOn, "2025-06-01")
		x.put(t, SheetFinancing, "H5", "2025-07-01")
	}),
	"bad.xlsx": buildBad,
	// One workbook kept with a sheet per month (March copied to April).
	"p_two_months.xlsx": mutate(func(t testing.TB, x *filled) {
		must := func(err error) {
			if err != nil {
				t.Helper()
				t.Fatal(err)
			}
		}
		must(x.f.SetSheetName(SheetMain, "2025年4月"))
		idx, err := x.f.NewSheet("2025年3月")
		must(err)
		from, err := x.f.GetSheetIndex("2025年4月")
		must(err)
		must(x.f.CopySheet(from, idx))
		must(x.f.SetCellValue("2025年3月", x.lay.value[keyPeriod], "2025年3月"))
		must(x.f.MoveSheet("2025年3月", "2025年4月"))
	}),
	// Formulas that failed, as Excel caches them (t="e"): a sum over a
	// sheet of another workbook (#REF!) and a lookup that found nothing.
	"p_formula_error.xlsx": func(t testing.TB) []byte {
		b := goodSheet(t).bytes(t)
		b = replaceCell(t, b, "xl/worksheets/sheet1.xml", "B9", `<c r="B9" t="e"><f>SUM('[1]汇总'!C5:C9)</f><v>#REF!</v></c>`)
		return replaceCell(t, b, "xl/worksheets/sheet2.xml", "G6", `<c r="G6" t="e"><f>VLOOKUP(B6,台账!A:G,7,0)</f><v>#N/A</v></c>`)
	},
	// Last month's sheet kept in the workbook, hidden.
	"quirk_hidden_old_month.xlsx": mutate(func(t testing.TB, x *filled) {
		idx, err := x.f.NewSheet("2025年3月")
		if err != nil {
			t.Fatal(err)
		}
		from, err := x.f.GetSheetIndex(SheetMain)
		if err == nil {
			err = x.f.CopySheet(from, idx)
		}
		if err == nil {
			err = x.f.SetCellValue("2025年3月", x.lay.value[keyPeriod], "2025年3月")
		}
		if err == nil {
			err = x.f.SetSheetVisible("2025年3月", false)
		}
		if err != nil {
			t.Fatal(err)
		}
	}),
	// Real data typed over the example row of 融资明细, 示例 left in 序号.
	"p_example_typed_over.xlsx": mutate(func(t testing.TB, x *filled) {
		x.put(t, SheetFinancing, x.lay.col[colEnterprise]+"4", "晋中丁科技有限公司")
		x.put(t, SheetFinancing, x.lay.col[colUSCC]+"4", uscc(t, "91140700MA0K00014"))
		x.put(t, SheetFinancing, x.lay.col[colJCG]+"4", "否")
		x.put(t, SheetFinancing, x.lay.col[colAmount]+"4", 99.5)
		x.set(t, keyFinancing, 1600)
	}),
	"p_empty_financing_sheet.xlsx": mutate(func(t testing.TB, x *filled) {
		if err := x.f.DeleteSheet(SheetFinancing); err != nil {
			t.Fatal(err)
		}
		if _, err := x.f.NewSheet(SheetFinancing); err != nil {
			t.Fatal(err)
		}
	}),
	// Two label/value pairs on a row, the first value blank: the next
	// label is not read as its value.
	"p_pair_blank.xlsx": func(t testing.TB) []byte {
		return buildQuirkLabels(t, func(f *excelize.File) error { return f.SetCellValue("Sheet1", "E24", nil) })
	},

	// Not a monthly sheet at all.
	"encrypted.xlsx": buildEncrypted,
	"fake.et":        func(t testing.TB) []byte { return append(append([]byte{}, oleMagic...), make([]byte, 504)...) },
	"not_sheet.pdf": func(t testing.TB) []byte {
		return []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")
	},
	"truncated.xlsx": func(t testing.TB) []byte { b := goodSheet(t).bytes(t); return b[:len(b)/2] },
	"not_workbook.xlsx": func(t testing.TB) []byte {
		return zipOf(t, map[string]string{"word/document.xml": "<w:document/>", "[Content_Types].xml": "<Types/>"})
	},
}

// unrepeatable are the builders whose output differs on every run
// (encryption salts itself at random): TestGenerate checks only that their
// files are there.
var unrepeatable = map[string]bool{"encrypted.xlsx": true}

// LibreOffice conversions: output fixture -> (source fixture, filter).
var loConversions = map[string][2]string{
	"libreoffice.xlsx": {"lo_source.xlsx", "xlsx"},
	"legacy.xls":       {"lo_source.xlsx", "xls"},
	"ods.ods":          {"lo_source.xlsx", "ods"},
}

// mutate builds goodSheet and changes one thing.
func mutate(fn func(t testing.TB, x *filled)) func(t testing.TB) []byte {
	return func(t testing.TB) []byte {
		x := goodSheet(t)
		fn(t, x)
		return x.bytes(t)
	}
}

func TestGenerate(t *testing.T) {
	names := make([]string, 0, len(builders))
	for n := range builders {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p := filepath.Join("testdata", n)
		built := builders[n](t)
		if *update {
			if err := os.WriteFile(p, built, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(p)
		if err != nil {
			t.Errorf("fixture %s missing: run go test ./sheet -run TestGenerate -update", p)
			continue
		}
		if !unrepeatable[n] && !bytes.Equal(got, built) {
			t.Errorf("fixture %s differs from what its builder makes (%d bytes, built %d): run go test ./sheet -run TestGenerate -update and review the change", p, len(got), len(built))
		}
	}
	for out, conv := range loConversions {
		p := filepath.Join("testdata", out)
		if !*update {
			if _, err := os.Stat(p); err != nil {
				t.Errorf("fixture %s missing: run go test ./sheet -run TestGenerate -update on a machine with LibreOffice (soffice)", p)
			}
			continue
		}
		soffice, err := exec.LookPath("soffice")
		if err != nil {
			t.Logf("soffice not installed: keeping the committed %s", p)
			continue
		}
		dir := t.TempDir()
		src, _ := filepath.Abs(filepath.Join("testdata", conv[0]))
		cmd := exec.Command(soffice, "--headless", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
			"--convert-to", conv[1], "--outdir", dir, src)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("soffice: %v\n%s", err, b)
		}
		got := filepath.Join(dir, strings.TrimSuffix(conv[0], filepath.Ext(conv[0]))+"."+conv[1])
		b, err := os.ReadFile(got)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// scriptFixtures are the fixtures kjjr's testscripts read, copied to
// cmd/kjjr/testdata/sheets (a script copies them into its work directory
// with its fixture command).
var scriptFixtures = []string{"good.xlsx", "bad.xlsx", "quirk_wps_sheets.xlsx", "p_two_months.xlsx"}

// scriptSheets is where kjjr's testscripts keep their sheets.
const scriptSheets = "../cmd/kjjr/testdata/sheets"

// TestScriptFixtures keeps kjjr's copies equal to the fixtures (-update
// rewrites them).
func TestScriptFixtures(t *testing.T) {
	for _, n := range scriptFixtures {
		want := readFixture(t, n)
		p := filepath.Join(scriptSheets, n)
		if *update {
			if err := os.WriteFile(p, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(p)
		switch {
		case err != nil:
			t.Errorf("%v (run go test ./sheet -run TestScriptFixtures -update)", err)
		case !bytes.Equal(got, want):
			t.Errorf("%s is stale (run go test ./sheet -run TestScriptFixtures -update)", p)
		}
	}
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("%v (run go test ./sheet -run TestGenerate -update)", err)
	}
	return b
}

// buildQuirkLabels is a sheet typed by hand, not from the template: labels
// in column C with values further right, merged labels whose hidden cell
// repeats the label, trailing colons, half- and full-width brackets, no
// units, 其中 without a colon, blank rows, numbers as text with units and
// thousands separators, full-width digits, 无 and dashes, the period and
// filing date as Excel date cells, a lower-case USCC with spaces.
func buildQuirkLabels(t testing.TB, edit func(f *excelize.File) error) []byte {
	f := excelize.NewFile()
	defer f.Close()
	sh := "Sheet1" // not named 绩效评价考核表: the first sheet is read
	must := func(err error) {
		if err != nil {
			t.Helper()
			t.Fatal(err)
		}
	}
	set := func(cell string, v any) { must(f.SetCellValue(sh, cell, v)) }
	set("C1", "科技金融服务机构绩效评价考核表（2025年4月）")
	set("C3", "机构名称：")
	must(f.MergeCell(sh, "C3", "D3"))
	set("D3", "机构名称：") // the hidden half of the merged label repeats it
	set("E3", "  晋中示例科技金融服务有限公司 ")
	must(f.MergeCell(sh, "E3", "G3"))
	set("C4", "统一社会信用代码")
	set("E4", "91140700ma0k00001 6")
	set("C5", "报送月份:")
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 57}) // yyyy"年"m"月"
	must(err)
	set("E5", time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC))
	must(f.SetCellStyle(sh, "E5", "E5", dateStyle))
	// row 6, 7 blank
	set("C8", " 服务企业数量 (家) ：")
	set("E8", "20家")
	set("C9", "其中 晋创谷注册企业")
	set("E9", "５")
	set("C10", "融资需求调研企业（家）")
	set("D10", "１２ 家")
	set("C11", "银企对接活动")
	set("E11", "2场")
	set("C12", "项目路演活动（场）：")
	set("E12", "1")
	set("C13", "联合金融机构入企服务(次)")
	set("E13", 8)
	set("C14", "政策宣讲活动（场）")
	set("E14", "—")
	set("C15", "政策宣讲覆盖企业（家）")
	set("E15", "-")
	set("C16", "协助落实贷款贴息企业")
	set("E16", "无")
	set("C17", "协助落实科技保险企业（家）")
	set("E17", " 2 ")
	set("C19", "合作银行名称：")
	set("E19", "晋商银行晋中分行；\n中国银行晋中分行, 晋商银行晋中分行")
	set("C20", "帮助企业融资金额（万元）")
	set("E20", "1,500.50万元")
	set("C21", "其中:晋创谷企业融资金额（万元）:")
	must(f.SetCellFloat(sh, "E21", 300.00000000000006, -1, 64))
	set("C22", "是否向服务对象收取费用")
	set("E22", "否 ")
	set("C24", "填报人")
	set("E24", "张三")
	set("C24", "填报人")
	set("G24", "联系电话")
	set("H24", "0354-5550123")
	set("C25", "填报日期")
	set("E25", time.Date(2025, 5, 8, 0, 0, 0, 0, time.UTC))
	must(f.SetCellStyle(sh, "E25", "E25", dateStyle))
	addFinancingSheet(t, f, "融资明细", 3)
	if edit != nil {
		must(edit(f))
	}
	return fileBytes(t, f)
}

// addFinancingSheet writes a plain 融资明细 with goodSheet's three rows,
// header on row headerRow.
func addFinancingSheet(t testing.TB, f *excelize.File, name string, headerRow int) {
	if _, err := f.NewSheet(name); err != nil {
		t.Fatal(err)
	}
	head := []any{"序号", "企业名称", "统一社会信用代码", "是否晋创谷注册企业", "融资机构", "融资方式", "融资金额（万元）", "放款日期"}
	rows := [][]any{
		{1, "晋中甲科技有限公司", uscc(t, "91140700MA0K00011"), "是", "晋商银行晋中分行", "信用贷款", 300, "2025-04-03"},
		{2, "晋中乙智能装备有限公司", uscc(t, "91140700MA0K00012"), "否", "晋商银行晋中分行", "信用贷款", 1000, "2025-04-15"},
		{3, "晋中丙新材料有限公司", uscc(t, "91140700MA0K00013"), "否", "晋商银行晋中分行", "信用贷款", 200.5, "2025-04-28"},
	}
	cell, _ := excelize.CoordinatesToCellName(1, headerRow)
	if err := f.SetSheetRow(name, cell, &head); err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, headerRow+1+i)
		if err := f.SetSheetRow(name, cell, &r); err != nil {
			t.Fatal(err)
		}
	}
}

// buildQuirkFormulas fills the template with formulas that have no cached
// value (as excelize writes them): the parser computes them.
func buildQuirkFormulas(t testing.TB) []byte {
	x := goodSheet(t)
	x.set(t, keyServed, formula("15+5"))
	x.set(t, keyFinancing, formula("SUM(融资明细!G5:G7)"))
	x.set(t, keyJCGFinancing, formula(`SUMIF(融资明细!D5:D7,"是",融资明细!G5:G7)`))
	x.put(t, SheetFinancing, "G7", formula("100.25*2"))
	x.put(t, SheetFinancing, "A9", "合计")
	x.put(t, SheetFinancing, "G9", formula("SUM(G5:G8)"))
	return x.bytes(t)
}

// buildQuirkFinancing is a 融资明细 laid out differently: title rows, the
// header on row 4 with columns in another order and an extra 备注 column,
// the example row kept, 序号 gaps, blank rows, a row numbered but empty,
// amounts as text with separators, dates as text and as date cells, a
// full-width USCC, a 小计 and a 合计 row, a note below.
func buildQuirkFinancing(t testing.TB) []byte {
	x := newFilled(t).fillAll(t)
	f := x.f
	must := func(err error) {
		if err != nil {
			t.Helper()
			t.Fatal(err)
		}
	}
	must(f.DeleteSheet(SheetFinancing))
	_, err := f.NewSheet(SheetFinancing)
	must(err)
	sh := SheetFinancing
	rows := map[int][]any{
		1:  {"融资明细"},
		2:  {"填报单位：晋中示例科技金融服务有限公司"},
		4:  {"序号", "融资金额(万元)", "企业名称 ", "放款日期", "是否晋创谷注册企业", "统一社会信用代码", "融资方式", "融资机构", "备注"},
		5:  {"示例", 200, "示例：晋中某某科技有限公司", "2025-04-15", "是", "91140700MA0K000029", "信用贷款", "晋商银行晋中分行", "示例行不计入"},
		6:  {1, "300", "晋中甲科技有限公司", time.Date(2025, 4, 3, 0, 0, 0, 0, time.UTC), "是", uscc(t, "91140700MA0K00011"), "信用贷款", "晋商银行晋中分行", "首贷"},
		8:  {3, "1,000.00", "晋中乙智能装备有限公司", "2025年4月15日", "否", toFullWidth(uscc(t, "91140700MA0K00012")), "信用贷款", "晋商银行晋中分行"},
		9:  {"小计", 1300},
		10: {7, 200.5, "晋中丙新材料有限公司", "2025/4/28", "否", uscc(t, "91140700MA0K00013"), "信用贷款", "晋商银行晋中分行"},
		11: {8},
		12: {9, nil, nil, nil, nil, nil, nil, nil, "（空行，仅有序号）"},
		14: {"合计", "1500.5"},
		16: {"注：金额单位为万元。"},
	}
	for _, r := range slices.Sorted(maps.Keys(rows)) {
		vals := rows[r]
		cell, _ := excelize.CoordinatesToCellName(1, r)
		must(f.SetSheetRow(sh, cell, &vals))
	}
	ds, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	must(err)
	must(f.SetCellStyle(sh, "D6", "D6", ds))
	must(f.MergeCell(sh, "A1", "I1"))
	return x.bytes(t)
}

func toFullWidth(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '!' && r <= '~' {
			r += 0xFEE0
		}
		b.WriteRune(r)
	}
	return b.String()
}

// buildTableOnMain has no 融资明细 sheet: the table sits under the labels
// on the only sheet.
func buildTableOnMain(t testing.TB) []byte {
	x := newFilled(t).fillAll(t)
	if err := x.f.DeleteSheet(SheetFinancing); err != nil {
		t.Fatal(err)
	}
	sh := SheetMain
	head := []any{"序号", "企业名称", "统一社会信用代码", "是否晋创谷注册企业", "融资机构", "融资方式", "融资金额（万元）", "放款日期"}
	rows := [][]any{
		head,
		{1, "晋中甲科技有限公司", uscc(t, "91140700MA0K00011"), "是", "晋商银行晋中分行", "信用贷款", 300, "2025-04-03"},
		{2, "晋中乙智能装备有限公司", uscc(t, "91140700MA0K00012"), "否", "晋商银行晋中分行", "信用贷款", 1000, "2025-04-15"},
		{3, "晋中丙新材料有限公司", uscc(t, "91140700MA0K00013"), "否", "晋商银行晋中分行", "信用贷款", 200.5, "2025-04-28"},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, 30+i)
		if err := x.f.SetSheetRow(sh, cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	return x.bytes(t)
}

// buildNoFinancing is a month without financing: amounts 0, no rows, the
// example row left in place.
func buildNoFinancing(t testing.TB) []byte {
	x := newFilled(t).fillAll(t)
	x.set(t, keyFinancing, 0)
	x.set(t, keyJCGFinancing, "无")
	x.set(t, keyBanks, "无")
	return x.bytes(t)
}

// buildLOSource is what LibreOffice converts: goodSheet with formulas
// (LibreOffice computes and caches them), a merged value cell and a
// totals row.
func buildLOSource(t testing.TB) []byte {
	x := goodSheet(t)
	x.set(t, keyServed, formula("10+10"))
	x.set(t, keyFinancing, formula("SUM(融资明细!G5:G7)"))
	x.put(t, SheetFinancing, "A9", "合计")
	x.put(t, SheetFinancing, "G9", formula("SUM(G5:G8)"))
	return x.bytes(t)
}

// buildWPSSheets is the template as an institution saved it from WPS
// 表格 after reworking the workbook: a 填表说明 sheet put in front, the
// main sheet renamed 2025年4月, 融资明细 renamed Sheet2 (neither sheet
// holds its template name any more), WPS's document properties
// (Application, KSOProductBuildVer) and every text cell written as an
// inline string instead of a shared one.
func buildWPSSheets(t testing.TB) []byte {
	x := goodSheet(t)
	f := x.f
	must := func(err error) {
		if err != nil {
			t.Helper()
			t.Fatal(err)
		}
	}
	must(f.SetSheetName(SheetMain, "2025年4月"))
	must(f.SetSheetName(SheetFinancing, "Sheet2"))
	_, err := f.NewSheet("填表说明")
	must(err)
	must(f.SetCellValue("填表说明", "A1", "填表说明"))
	must(f.SetCellValue("填表说明", "A2", "1. 金额单位为万元，保留两位小数。"))
	must(f.SetCellValue("填表说明", "A3", "2. 每月10日前报送上月数据。"))
	must(f.MoveSheet("填表说明", "2025年4月"))
	must(f.SetAppProps(&excelize.AppProperties{Application: "WPS 表格", AppVersion: "12.1000"}))
	must(f.SetCustomProps(excelize.CustomProperty{Name: "KSOProductBuildVer", Value: "2052-12.1.0.17827"}))
	return inlineStrings(t, fileBytes(t, f))
}

// replaceCell replaces the XML element of one cell of a worksheet part
// with cellXML (as another writer would have written it).
func replaceCell(t testing.TB, data []byte, part, cell, cellXML string) []byte {
	t.Helper()
	done := false
	out := rezip(t, data, func(zw *zip.Writer, f *zip.File) bool {
		if f.Name != part {
			return false
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		re := regexp.MustCompile(`<c r="` + cell + `"(?:[^>]*/>|[^>]*>.*?</c>)`)
		s := string(b)
		loc := re.FindStringIndex(s)
		if loc == nil {
			t.Fatalf("%s: no cell %s", part, cell)
		}
		s = s[:loc[0]] + cellXML + s[loc[1]:]
		w, err := zw.Create(f.Name)
		if err == nil {
			_, err = io.WriteString(w, s)
		}
		if err != nil {
			t.Fatal(err)
		}
		done = true
		return true
	})
	if !done {
		t.Fatalf("no part %s", part)
	}
	return out
}

// inlineStrings rewrites every shared-string cell of the worksheets as an
// inline string (t="inlineStr"), as some writers (and WPS at times) do.
func inlineStrings(t testing.TB, data []byte) []byte {
	t.Helper()
	read := func(f *zip.File) string {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var shared []string
	for _, f := range zr.File {
		if f.Name == "xl/sharedStrings.xml" {
			for _, m := range regexp.MustCompile(`(?s)<si>(.*?)</si>`).FindAllStringSubmatch(read(f), -1) {
				shared = append(shared, m[1])
			}
		}
	}
	cell := regexp.MustCompile(`<c r="([A-Z]+[0-9]+)"([^>]*?) t="s"([^>]*)><v>([0-9]+)</v></c>`)
	n := 0
	out := rezip(t, data, func(zw *zip.Writer, f *zip.File) bool {
		if !strings.HasPrefix(f.Name, "xl/worksheets/sheet") {
			return false
		}
		s := cell.ReplaceAllStringFunc(read(f), func(c string) string {
			m := cell.FindStringSubmatch(c)
			i, err := strconv.Atoi(m[4])
			if err != nil || i >= len(shared) {
				t.Fatalf("shared string %s of %d", m[4], len(shared))
			}
			n++
			return `<c r="` + m[1] + `"` + m[2] + ` t="inlineStr"` + m[3] + `><is>` + shared[i] + `</is></c>`
		})
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, s); err != nil {
			t.Fatal(err)
		}
		return true
	})
	if n == 0 {
		t.Fatal("no shared-string cell rewritten")
	}
	return out
}

// buildBad has many problems at once: the golden test of kjjr sheet and
// TestAllProblemsTogether.
func buildBad(t testing.TB) []byte {
	x := goodSheet(t)
	x.set(t, keyServed, "约20")
	x.set(t, keyMatchmaking, -1)
	x.set(t, keyUSCC, "91140700MA0K000010")
	x.set(t, keyPeriod, "2025年5月")
	x.set(t, keyCharged, "收")
	x.set(t, keyPhone, nil)
	x.set(t, keyFinancing, 1400)
	x.put(t, SheetFinancing, "C6", "91140700MA0K000120")
	x.put(t, SheetFinancing, "G7", "约200")
	return x.bytes(t)
}

// buildEncrypted is goodSheet saved with a password (excelize writes
// ECMA-376 agile encryption: an OLE2 container with EncryptionInfo).
func buildEncrypted(t testing.TB) []byte {
	x := goodSheet(t)
	var b bytes.Buffer
	if err := x.f.Write(&b, excelize.Options{Password: "secret"}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func fileBytes(t testing.TB, f *excelize.File) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestTemplateRepeatable: the template is the same bytes every time it is
// made (so are the fixtures built on it, which TestGenerate compares).
func TestTemplateRepeatable(t *testing.T) {
	var first bytes.Buffer
	if err := Template(&first); err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		var b bytes.Buffer
		if err := Template(&b); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b.Bytes(), first.Bytes()) {
			t.Fatalf("template %d differs from the first", i+2)
		}
	}
}
