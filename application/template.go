package application

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// Title is the title of the application form, also the default file name
// (with .xlsx) that kjjr template --application writes.
const Title = "科技金融服务机构遴选申报表"

// SheetName is the name of the form's sheet.
const SheetName = "申报表"

const note = "填表说明：1. 黄色底色的单元格为填写处；请勿修改左列标签。" +
	"2. 日期写作 2019-11-15 或 2019年11月15日；多个名称用顿号（、）分隔。" +
	"3. 填好后保存为 .xlsx 文件，连同营业执照（或法人证书）扫描件、“信用中国”信用报告，以及与银行、律师事务所或会计师事务所的合作协议、办公场所照片，作为附件在申报期内发送至遴选通知所列的报送邮箱，邮件主题写“申报”及单位名称。" +
	"4. “五、联系方式”不对外公开。"

// Template writes the blank application form (.xlsx) to w: one sheet
// 申报表 with a title, instructions, every label of the table in column A
// under its section heading, and input cells in column B (filled yellow,
// with input prompts, drop-downs for 法人类型, 所在县（区、市） and the 是/否
// questions, a date format for dates). Parse reads it back by its labels.
func Template(w io.Writer) error {
	f, _, err := newTemplate()
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("application: write template: %w", err)
	}
	return nil
}

// newTemplate builds the form and returns where it put each value cell
// (field key -> B7), for the tests that fill it.
func newTemplate() (*excelize.File, map[string]string, error) {
	f := excelize.NewFile()
	cells := map[string]string{}
	var errs []error
	try := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	const sh = SheetName
	try(f.SetSheetName("Sheet1", sh))
	border := []excelize.Border{
		{Type: "left", Color: "808080", Style: 1}, {Type: "right", Color: "808080", Style: 1},
		{Type: "top", Color: "808080", Style: 1}, {Type: "bottom", Color: "808080", Style: 1},
	}
	left := &excelize.Alignment{Horizontal: "left", Vertical: "center", WrapText: true}
	style := func(st *excelize.Style) int {
		id, err := f.NewStyle(st)
		try(err)
		return id
	}
	title := style(&excelize.Style{Font: &excelize.Font{Family: "宋体", Size: 16, Bold: true}, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}})
	noteSt := style(&excelize.Style{Font: &excelize.Font{Family: "宋体", Size: 10, Color: "404040"}, Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "top", WrapText: true}})
	section := style(&excelize.Style{Font: &excelize.Font{Family: "宋体", Size: 11, Bold: true}, Alignment: left, Border: border, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EDEDED"}}})
	label := style(&excelize.Style{Font: &excelize.Font{Family: "宋体", Size: 11}, Alignment: left, Border: border})
	text := "@"
	date := "yyyy-mm-dd"
	input := style(&excelize.Style{Font: &excelize.Font{Family: "宋体", Size: 11}, Alignment: left, Border: border, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFF2CC"}}, CustomNumFmt: &text})
	inputDate := style(&excelize.Style{Font: &excelize.Font{Family: "宋体", Size: 11}, Alignment: left, Border: border, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFF2CC"}}, CustomNumFmt: &date})
	try(f.SetColWidth(sh, "A", "A", 36))
	try(f.SetColWidth(sh, "B", "B", 56))
	try(f.SetCellStr(sh, "A1", Title))
	try(f.MergeCell(sh, "A1", "B1"))
	try(f.SetCellStyle(sh, "A1", "B1", title))
	try(f.SetRowHeight(sh, 1, 30))
	try(f.SetCellStr(sh, "A2", note))
	try(f.MergeCell(sh, "A2", "B2"))
	try(f.SetCellStyle(sh, "A2", "B2", noteSt))
	try(f.SetRowHeight(sh, 2, 110))
	row, sec := 3, ""
	for i := range fields {
		fd := &fields[i]
		if fd.Section != sec {
			sec = fd.Section
			a, b := fmt.Sprintf("A%d", row), fmt.Sprintf("B%d", row)
			try(f.SetCellStr(sh, a, sec))
			try(f.MergeCell(sh, a, b))
			try(f.SetCellStyle(sh, a, b, section))
			row++
		}
		a, b := fmt.Sprintf("A%d", row), fmt.Sprintf("B%d", row)
		try(f.SetCellStr(sh, a, fd.DisplayLabel()))
		try(f.SetCellStyle(sh, a, a, label))
		st := input
		if fd.Kind == kindDate {
			st = inputDate
		}
		try(f.SetCellStyle(sh, b, b, st))
		if fd.Kind == kindText || fd.Kind == kindList {
			try(f.SetRowHeight(sh, row, 32))
		} else {
			try(f.SetRowHeight(sh, row, 20))
		}
		try(validation(f, sh, b, fd))
		cells[fd.Key] = b
		row++
	}
	try(f.SetPageLayout(sh, &excelize.PageLayoutOptions{Size: intp(9), Orientation: strp("portrait"), FitToWidth: intp(1), FitToHeight: intp(0)}))
	try(f.SetSheetProps(sh, &excelize.SheetPropsOptions{FitToPage: boolp(true)}))
	try(f.SetSheetView(sh, 0, &excelize.ViewOptions{ShowGridLines: boolp(false)}))
	try(f.SetDocProps(&excelize.DocProperties{
		Title: Title, Subject: "晋中市科技金融服务机构遴选申报", Creator: "kjjr",
		Description: "晋中市科学技术局《科技金融服务机构遴选及考核管理办法（试行）》第三条第2项申报用表",
		Created:     "2025-03-18T00:00:00Z", Modified: "2025-03-18T00:00:00Z", Language: "zh-CN",
	}))
	if len(errs) > 0 {
		f.Close()
		return nil, nil, fmt.Errorf("application: build template: %w", errs[0])
	}
	return f, cells, nil
}

// validation sets the input prompt and, by kind, the drop-down or range
// of a value cell.
func validation(f *excelize.File, sh, cell string, fd *field) error {
	dv := excelize.NewDataValidation(true)
	dv.SetSqref(cell)
	t := []rune(fd.DisplayLabel())
	if len(t) > 32 {
		t = t[:32]
	}
	dv.SetInput(string(t), fd.Help)
	switch fd.Kind {
	case kindYesNo, kindChoice:
		if err := dv.SetDropList(fd.Choices); err != nil {
			return err
		}
		// A warning, not a stop: a hand-typed value is read tolerantly.
		dv.SetError(excelize.DataValidationErrorStyleWarning, string(t), "请从下拉列表中选择。")
	case kindCount:
		if err := dv.SetRange(0, 100000, excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween); err != nil {
			return err
		}
		dv.SetError(excelize.DataValidationErrorStyleWarning, string(t), "请填写整数。")
	}
	return f.AddDataValidation(sh, dv)
}

func intp(v int) *int       { return &v }
func strp(v string) *string { return &v }
func boolp(v bool) *bool    { return &v }
