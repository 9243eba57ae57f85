package sheet

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// Title is the title of the monthly sheet, also the default file name
// (with .xlsx) that kjjr template writes.
const Title = "科技金融服务机构绩效评价考核表"

// financingInputRows is how many empty input rows the template's 融资明细
// and 服务企业名单 offer below the example row (more can be inserted).
const financingInputRows = 50

// Template layout: where the template puts things. Parse does not rely on
// any of it (it is label-driven); the tests use it to fill the template.
const (
	tplHeaderRow    = 3 // 融资明细 and 服务企业名单 header row
	tplExampleRow   = 4 // their example row
	tplFirstDataRow = 5 // their first input row
)

// layout records where the template put each value cell.
type layout struct {
	value map[string]string // field key -> value cell on sheet 1 (B7)
	col   map[string]string // column key -> column letter on 融资明细
	list  map[string]string // column key -> column letter on 服务企业名单
}

// Template writes the blank monthly sheet workbook (.xlsx) to w: sheet
// 绩效评价考核表 with every label of the table, units, instructions, input
// cells filled yellow, number formats, data validation and input prompts,
// and sheets 融资明细 and 服务企业名单, each with its header, an example row
// marked 示例 and empty input rows. Every sheet is set up to print on A4.
func Template(w io.Writer) error {
	f, _, err := newTemplate()
	if err != nil {
		return err
	}
	return writeBook(w, f, "template")
}

// styles used by the template.
type styles struct {
	title, note, head, section, label, example int
	input                                      map[kind]int
}

func newStyles(f *excelize.File) (*styles, error) {
	border := []excelize.Border{
		{Type: "left", Color: "808080", Style: 1}, {Type: "right", Color: "808080", Style: 1},
		{Type: "top", Color: "808080", Style: 1}, {Type: "bottom", Color: "808080", Style: 1},
	}
	font := func(size float64, bold bool) *excelize.Font {
		return &excelize.Font{Family: "宋体", Size: size, Bold: bold}
	}
	fill := func(color string) excelize.Fill {
		return excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{color}}
	}
	center := &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}
	left := &excelize.Alignment{Horizontal: "left", Vertical: "center", WrapText: true}
	s := &styles{input: map[kind]int{}}
	var err error
	mk := func(dst *int, st *excelize.Style) {
		if err != nil {
			return
		}
		*dst, err = f.NewStyle(st)
	}
	mk(&s.title, &excelize.Style{Font: font(16, true), Alignment: center})
	mk(&s.note, &excelize.Style{Font: &excelize.Font{Family: "宋体", Size: 10, Color: "404040"}, Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "top", WrapText: true}})
	mk(&s.head, &excelize.Style{Font: font(11, true), Alignment: center, Border: border, Fill: fill("D9D9D9")})
	mk(&s.section, &excelize.Style{Font: font(11, true), Alignment: left, Border: border, Fill: fill("EDEDED")})
	mk(&s.label, &excelize.Style{Font: font(11, false), Alignment: left, Border: border})
	mk(&s.example, &excelize.Style{Font: &excelize.Font{Family: "宋体", Size: 10, Italic: true, Color: "808080"}, Alignment: center, Border: border, Fill: fill("F2F2F2")})
	formats := map[kind]string{
		kindText: "@", kindUSCC: "@", kindPeriod: "@", kindPhone: "@", kindList: "@", kindYesNo: "@",
		kindInt: "0", kindWan: "#,##0.00", kindDate: "yyyy-mm-dd",
	}
	// In kind order: the same styles get the same ids, so the template
	// (and a filled sheet) is the same file on every run.
	for k := kindText; k <= kindPhone; k++ {
		nf := formats[k]
		var id int
		mk(&id, &excelize.Style{Font: font(11, false), Alignment: left, Border: border, Fill: fill("FFF2CC"), CustomNumFmt: &nf})
		s.input[k] = id
	}
	return s, err
}

// newTemplate builds the template workbook and returns where it put things.
func newTemplate() (*excelize.File, *layout, error) {
	f := excelize.NewFile()
	lay := &layout{value: map[string]string{}, col: map[string]string{}, list: map[string]string{}}
	fail := func(err error) (*excelize.File, *layout, error) {
		f.Close()
		return nil, nil, fmt.Errorf("sheet: build template: %w", err)
	}
	if err := f.SetSheetName("Sheet1", SheetMain); err != nil {
		return fail(err)
	}
	if _, err := f.NewSheet(SheetFinancing); err != nil {
		return fail(err)
	}
	if _, err := f.NewSheet(SheetList); err != nil {
		return fail(err)
	}
	st, err := newStyles(f)
	if err != nil {
		return fail(err)
	}
	if err := writeMain(f, st, lay); err != nil {
		return fail(err)
	}
	if err := writeTable(f, st, SheetFinancing, financingNote, 48, columns, lay.col); err != nil {
		return fail(err)
	}
	if err := writeTable(f, st, SheetList, listNote, 60, listColumns, lay.list); err != nil {
		return fail(err)
	}
	if err := f.SetDocProps(&excelize.DocProperties{
		Title: Title, Subject: "晋中市科技金融服务机构月度报送", Creator: "kjjr",
		Description: "晋中市科学技术局《科技金融服务机构遴选及考核管理办法（试行）》第五条第3项月度报送用表",
		Created:     "2025-03-18T00:00:00Z", Modified: "2025-03-18T00:00:00Z", Language: "zh-CN",
	}); err != nil {
		return fail(err)
	}
	f.SetActiveSheet(0)
	return f, lay, nil
}

const mainNote = "填表说明：1. 黄色底色的单元格为填写处；请勿修改左列标签、工作表名称和表头。" +
	"2. 数字只填阿拉伯数字，本月没有的填 0；金额以万元为单位，最多两位小数。" +
	"3. “报送月份”只能填已结束的月份，如 2025年4月 或 2025-04。" +
	"4. “帮助企业融资金额”须等于“融资明细”表中各笔融资金额之和，其中晋创谷企业的金额须等于晋创谷企业融资金额。" +
	"5. 填好后保存为 .xlsx 文件，作为邮件附件发送至市科技局指定邮箱；填报人和联系电话不对外公开。"

func writeMain(f *excelize.File, st *styles, lay *layout) error {
	const sh = SheetMain
	var errs []error
	try := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	try(f.SetColWidth(sh, "A", "A", 36))
	try(f.SetColWidth(sh, "B", "B", 44))
	try(f.SetCellStr(sh, "A1", Title))
	try(f.MergeCell(sh, "A1", "B1"))
	try(f.SetCellStyle(sh, "A1", "B1", st.title))
	try(f.SetRowHeight(sh, 1, 30))
	try(f.SetCellStr(sh, "A2", mainNote))
	try(f.MergeCell(sh, "A2", "B2"))
	try(f.SetCellStyle(sh, "A2", "B2", st.note))
	try(f.SetRowHeight(sh, 2, 96))
	try(f.SetCellStr(sh, "A3", "项目"))
	try(f.SetCellStr(sh, "B3", "填报内容"))
	try(f.SetCellStyle(sh, "A3", "B3", st.head))
	row := 4
	section := ""
	for i := range fields {
		fd := &fields[i]
		if fd.Section != section {
			section = fd.Section
			a, b := fmt.Sprintf("A%d", row), fmt.Sprintf("B%d", row)
			try(f.SetCellStr(sh, a, section))
			try(f.MergeCell(sh, a, b))
			try(f.SetCellStyle(sh, a, b, st.section))
			row++
		}
		a, b := fmt.Sprintf("A%d", row), fmt.Sprintf("B%d", row)
		try(f.SetCellStr(sh, a, fd.DisplayLabel()))
		try(f.SetCellStyle(sh, a, a, st.label))
		try(f.SetCellStyle(sh, b, b, st.input[fd.Kind]))
		try(f.SetRowHeight(sh, row, 20))
		try(addValidation(f, sh, b, fd.Kind, fd.DisplayLabel(), fd.Help))
		lay.value[fd.Key] = b
		row++
	}
	try(f.SetPageLayout(sh, &excelize.PageLayoutOptions{Size: intp(9), Orientation: strp("portrait"), FitToWidth: intp(1), FitToHeight: intp(1)}))
	try(f.SetSheetProps(sh, &excelize.SheetPropsOptions{FitToPage: boolp(true)}))
	try(f.SetPageMargins(sh, &excelize.PageLayoutMarginsOptions{Top: fp(0.75), Bottom: fp(0.75), Left: fp(0.6), Right: fp(0.6), Horizontally: boolp(true)}))
	try(f.SetHeaderFooter(sh, &excelize.HeaderFooterOptions{OddFooter: "&C第 &P 页，共 &N 页"}))
	try(f.SetSheetView(sh, 0, &excelize.ViewOptions{ShowGridLines: boolp(false)}))
	return joinErr(errs)
}

const financingNote = "说明：每笔融资填一行，各行融资金额之和须等于“绩效评价考核表”中的帮助企业融资金额。" +
	"灰色的“示例”行仅作示范，不计入；可以保留，也可以删除。可在最后加一行“合计”（会被核对，不重复计入）。" +
	"统一社会信用代码须为18位且校验正确；是否晋创谷注册企业填“是”或“否”；金额以万元为单位。"

const listNote = "说明：（选填，建议填写）本月服务的每家企业填一行，同一企业本月只填一行；“融资明细”中的企业也算作服务企业，可不重复填写。" +
	"填写本表时，“绩效评价考核表”中的服务企业数量不能少于本表与“融资明细”中的企业数（合计），晋创谷注册企业数也一样。" +
	"年度考核按名单统计服务企业家数（同一企业全年只计一家）。灰色的“示例”行仅作示范，不计入。企业名称和统一社会信用代码不对外公开。"

// writeTable writes a sheet of one row per item (融资明细, 服务企业名单):
// its title, note (in a row noteHeight high), the header of cols, the
// example row and empty input rows; it records the column letters in
// colOf.
func writeTable(f *excelize.File, st *styles, sh, note string, noteHeight float64, cols []column, colOf map[string]string) error {
	var errs []error
	try := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	last, _ := excelize.ColumnNumberToName(len(cols))
	try(f.SetCellStr(sh, "A1", sh))
	try(f.MergeCell(sh, "A1", last+"1"))
	try(f.SetCellStyle(sh, "A1", last+"1", st.title))
	try(f.SetRowHeight(sh, 1, 28))
	try(f.SetCellStr(sh, "A2", note))
	try(f.MergeCell(sh, "A2", last+"2"))
	try(f.SetCellStyle(sh, "A2", last+"2", st.note))
	try(f.SetRowHeight(sh, 2, noteHeight))
	lastInput := tplFirstDataRow + financingInputRows - 1
	for i := range cols {
		c := &cols[i]
		col, _ := excelize.ColumnNumberToName(i + 1)
		colOf[c.Key] = col
		try(f.SetColWidth(sh, col, col, c.Width))
		h := fmt.Sprintf("%s%d", col, tplHeaderRow)
		try(f.SetCellStr(sh, h, c.DisplayHeader()))
		ex := fmt.Sprintf("%s%d", col, tplExampleRow)
		switch c.Kind {
		case kindWan:
			try(f.SetCellInt(sh, ex, 200))
		case kindDate:
			try(f.SetCellStr(sh, ex, c.Example))
		default:
			if c.Example != "" {
				try(f.SetCellStr(sh, ex, c.Example))
			}
		}
		from, to := fmt.Sprintf("%s%d", col, tplFirstDataRow), fmt.Sprintf("%s%d", col, lastInput)
		try(f.SetCellStyle(sh, from, to, st.input[c.Kind]))
		if c.Key != colSeq && c.Key != colNote {
			try(addValidation(f, sh, from+":"+to, c.Kind, c.DisplayHeader(), c.Help))
		}
	}
	try(f.SetCellStyle(sh, "A"+fmt.Sprint(tplHeaderRow), last+fmt.Sprint(tplHeaderRow), st.head))
	try(f.SetCellStyle(sh, "A"+fmt.Sprint(tplExampleRow), last+fmt.Sprint(tplExampleRow), st.example))
	try(f.SetRowHeight(sh, tplHeaderRow, 32))
	try(f.SetPanes(sh, &excelize.Panes{Freeze: true, YSplit: tplHeaderRow, TopLeftCell: fmt.Sprintf("A%d", tplHeaderRow+1), ActivePane: "bottomLeft"}))
	try(f.SetPageLayout(sh, &excelize.PageLayoutOptions{Size: intp(9), Orientation: strp("landscape"), FitToWidth: intp(1), FitToHeight: intp(0)}))
	try(f.SetSheetProps(sh, &excelize.SheetPropsOptions{FitToPage: boolp(true)}))
	try(f.SetPageMargins(sh, &excelize.PageLayoutMarginsOptions{Top: fp(0.6), Bottom: fp(0.6), Left: fp(0.4), Right: fp(0.4), Horizontally: boolp(true)}))
	try(f.SetHeaderFooter(sh, &excelize.HeaderFooterOptions{OddFooter: "&C第 &P 页，共 &N 页"}))
	try(f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: fmt.Sprintf("'%s'!$%d:$%d", sh, tplHeaderRow, tplHeaderRow), Scope: sh}))
	return joinErr(errs)
}

// addValidation sets the input prompt and, by kind, the allowed values of
// the input cells sqref.
func addValidation(f *excelize.File, sheet, sqref string, k kind, title, help string) error {
	dv := excelize.NewDataValidation(true)
	dv.SetSqref(sqref)
	if len([]rune(title)) > 32 {
		title = string([]rune(title)[:32])
	}
	if help != "" {
		dv.SetInput(title, help)
	}
	switch k {
	case kindYesNo:
		if err := dv.SetDropList([]string{"是", "否"}); err != nil {
			return err
		}
		dv.SetError(excelize.DataValidationErrorStyleStop, title, "请从下拉列表中选择“是”或“否”。")
	case kindInt:
		if err := dv.SetRange(0, 100000000, excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween); err != nil {
			return err
		}
		dv.SetError(excelize.DataValidationErrorStyleStop, title, "请填写不小于 0 的整数（阿拉伯数字），本月没有的填 0。")
	case kindWan:
		if err := dv.SetRange(0, 100000000, excelize.DataValidationTypeDecimal, excelize.DataValidationOperatorBetween); err != nil {
			return err
		}
		dv.SetError(excelize.DataValidationErrorStyleStop, title, "请填写不小于 0 的金额（万元），最多两位小数。")
	case kindDate:
		if err := dv.SetRange("DATE(2020,1,1)", "DATE(2099,12,31)", excelize.DataValidationTypeDate, excelize.DataValidationOperatorBetween); err != nil {
			return err
		}
		dv.SetError(excelize.DataValidationErrorStyleWarning, title, "请填写日期，如 2025-05-08。")
	case kindUSCC:
		if err := dv.SetRange(18, 18, excelize.DataValidationTypeTextLength, excelize.DataValidationOperatorEqual); err != nil {
			return err
		}
		dv.SetError(excelize.DataValidationErrorStyleWarning, title, "统一社会信用代码应为18位。")
	default:
		if help == "" {
			return nil
		}
	}
	return f.AddDataValidation(sheet, dv)
}

func joinErr(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	return errs[0]
}

func intp(v int) *int       { return &v }
func strp(v string) *string { return &v }
func boolp(v bool) *bool    { return &v }
func fp(v float64) *float64 { return &v }
