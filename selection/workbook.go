package selection

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"

	"kjjr/internal/safetext"
	"kjjr/sheet"
)

// Criterion is one scored criterion of the expert workbook: one of the
// conditions of 第二条, with the most points an expert may give.
type Criterion struct {
	Key   string // stable identifier (JSON, tests)
	Label string // the column header, without its unit
	Max   float64
	Help  string // what the expert weighs, in the template's input prompt
}

// Criteria is the label table of the scoring workbook: the six conditions
// of 第二条, 100 points in all. Template writes the columns from it and
// ParseScores reads them by these labels, so a label is never written one
// way and read another.
var Criteria = []Criterion{
	{"credit", "资质与信用", 15, "依法成立3年以上、独立法人、无严重失信和黑名单记录（第二条第1项）"},
	{"capability", "服务能力", 25, "融资对接、政策咨询、项目路演等专业服务能力（第二条第2项）"},
	{"partners", "合作机构", 15, "与银行等金融机构、律师事务所、会计师事务所的合作（第二条第3项）"},
	{"activities", "常态化活动", 20, "常态化开展银企对接、路演、政策宣讲等活动（第二条第4项）"},
	{"jinchuanggu", "服务晋创谷", 15, "服务晋创谷入驻企业的基础与计划（第二条第5项）"},
	{"team", "团队与场所", 10, "专业服务团队和在晋中的固定办公场所（第二条第6项）"},
}

// MaxTotal is the most points of a whole row (the sum of Criteria's Max).
var MaxTotal = func() float64 {
	t := 0.0
	for _, c := range Criteria {
		t += c.Max
	}
	return t
}()

// The two values of the 推荐意见 column.
const (
	Recommend    = "推荐"
	NotRecommend = "不推荐"
)

// The fixed labels of the workbook.
const (
	labelExpert   = "评审专家"
	labelRound    = "遴选批次"
	headNo        = "序号"
	headKey       = "申报编号"
	headName      = "申报单位"
	headTotal     = "总分"
	headRecommend = "推荐意见"
	headNote      = "备注"
	workbookSheet = "专家评分表"
)

// Template layout (ParseScores does not rely on it: it reads by labels).
const (
	tplExpertRow = 3
	tplRoundRow  = 4
	tplHeaderRow = 7
	tplFirstRow  = 8
)

// MaxScoreRows is the most rows ParseScores reads of a sheet; a round has
// a few dozen applicants.
const MaxScoreRows = 2000

// Template writes the expert scoring workbook of round (title: the
// round's title) to w: the expert's name cell, the round, and one row per
// applicant (number, key, name) with an input cell per criterion (a
// decimal between 0 and its maximum), the total (a SUM formula with its
// value cached as 0 until filled) and the recommendation (推荐 or 不推荐).
func Template(w io.Writer, round, title string, applicants []*Applicant) error {
	f := excelize.NewFile()
	defer f.Close()
	sh := workbookSheet
	if err := f.SetSheetName("Sheet1", sh); err != nil {
		return fmt.Errorf("selection: template: %w", err)
	}
	border := []excelize.Border{{Type: "left", Color: "808080", Style: 1}, {Type: "right", Color: "808080", Style: 1},
		{Type: "top", Color: "808080", Style: 1}, {Type: "bottom", Color: "808080", Style: 1}}
	center := &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}
	var err error
	style := func(st *excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = f.NewStyle(st)
		return id
	}
	sTitle := style(&excelize.Style{Font: &excelize.Font{Family: "宋体", Size: 16, Bold: true}, Alignment: center})
	sNote := style(&excelize.Style{Font: &excelize.Font{Family: "宋体", Size: 10, Color: "404040"}, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	sHead := style(&excelize.Style{Font: &excelize.Font{Family: "宋体", Size: 11, Bold: true}, Alignment: center, Border: border,
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9D9D9"}}})
	sCell := style(&excelize.Style{Font: &excelize.Font{Family: "宋体", Size: 11}, Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}, Border: border})
	sInput := style(&excelize.Style{Font: &excelize.Font{Family: "宋体", Size: 11}, Alignment: center, Border: border,
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFF2CC"}}, NumFmt: 2})
	sText := style(&excelize.Style{Font: &excelize.Font{Family: "宋体", Size: 11}, Alignment: center, Border: border,
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFF2CC"}}})
	sTotal := style(&excelize.Style{Font: &excelize.Font{Family: "宋体", Size: 11, Bold: true}, Alignment: center, Border: border, NumFmt: 2})
	if err != nil {
		return fmt.Errorf("selection: template styles: %w", err)
	}
	cols := 3 + len(Criteria) + 3
	last, _ := excelize.ColumnNumberToName(cols)
	set := func(cell string, v any, st int) {
		if err == nil {
			err = f.SetCellValue(sh, cell, v)
		}
		if err == nil && st != 0 {
			err = f.SetCellStyle(sh, cell, cell, st)
		}
	}
	heading := safetext.Line(title, 100)
	if heading == "" {
		heading = round
	}
	set("A1", heading+" 专家评分表", sTitle)
	_ = f.MergeCell(sh, "A1", last+"1")
	_ = f.SetRowHeight(sh, 1, 30)
	set(fmt.Sprintf("A%d", tplExpertRow), labelExpert, sHead)
	set(fmt.Sprintf("B%d", tplExpertRow), "", sText)
	_ = f.MergeCell(sh, fmt.Sprintf("B%d", tplExpertRow), fmt.Sprintf("C%d", tplExpertRow))
	set(fmt.Sprintf("A%d", tplRoundRow), labelRound, sHead)
	set(fmt.Sprintf("B%d", tplRoundRow), round, sCell)
	_ = f.MergeCell(sh, fmt.Sprintf("B%d", tplRoundRow), fmt.Sprintf("C%d", tplRoundRow))
	var crit []string
	for _, c := range Criteria {
		crit = append(crit, fmt.Sprintf("%s %s分", c.Label, fmtPoints(c.Max)))
	}
	note := fmt.Sprintf("说明：请在“%s”处填写您的姓名；对每家申报单位按第二条各项条件打分（%s，满分%s分），"+
		"总分自动计算；“%s”一栏填写 %s 或 %s。评分表及评审意见仅供市科技局内部使用，不予公开。"+
		"填好后请保存为 .xlsx，发回市科技局或交工作人员。",
		labelExpert, strings.Join(crit, "、"), fmtPoints(MaxTotal), headRecommend, Recommend, NotRecommend)
	set("A5", note, sNote)
	_ = f.MergeCell(sh, "A5", last+"5")
	_ = f.SetRowHeight(sh, 5, 48)

	heads := []string{headNo, headKey, headName}
	for _, c := range Criteria {
		heads = append(heads, fmt.Sprintf("%s（%s分）", c.Label, fmtPoints(c.Max)))
	}
	heads = append(heads, fmt.Sprintf("%s（%s分）", headTotal, fmtPoints(MaxTotal)), headRecommend, headNote)
	for i, h := range heads {
		cell, _ := excelize.CoordinatesToCellName(i+1, tplHeaderRow)
		set(cell, h, sHead)
	}
	_ = f.SetRowHeight(sh, tplHeaderRow, 36)
	widths := map[int]float64{1: 6, 2: 22, 3: 30}
	for i := 1; i <= cols; i++ {
		col, _ := excelize.ColumnNumberToName(i)
		wd, ok := widths[i]
		if !ok {
			wd = 12
		}
		_ = f.SetColWidth(sh, col, col, wd)
	}
	firstCrit, _ := excelize.ColumnNumberToName(4)
	lastCrit, _ := excelize.ColumnNumberToName(3 + len(Criteria))
	for i, a := range applicants {
		row := tplFirstRow + i
		c := func(col int) string { s, _ := excelize.CoordinatesToCellName(col, row); return s }
		set(c(1), i+1, sCell)
		set(c(2), a.Key(), sCell)
		set(c(3), a.Name(), sCell)
		for j, cr := range Criteria {
			set(c(4+j), "", sInput)
			if err == nil {
				dv := excelize.NewDataValidation(true)
				dv.Sqref = c(4 + j)
				_ = dv.SetRange(0, cr.Max, excelize.DataValidationTypeDecimal, excelize.DataValidationOperatorBetween)
				dv.SetError(excelize.DataValidationErrorStyleStop, "分值超出范围", fmt.Sprintf("%s 应在 0 到 %s 分之间", cr.Label, fmtPoints(cr.Max)))
				dv.SetInput(cr.Label, safetext.Line(cr.Help, 250))
				err = f.AddDataValidation(sh, dv)
			}
		}
		total := c(4 + len(Criteria))
		if err == nil {
			err = f.SetCellFormula(sh, total, fmt.Sprintf("SUM(%s%d:%s%d)", firstCrit, row, lastCrit, row))
		}
		if err == nil {
			err = f.SetCellStyle(sh, total, total, sTotal)
		}
		rec := c(5 + len(Criteria))
		set(rec, "", sText)
		if err == nil {
			dv := excelize.NewDataValidation(true)
			dv.Sqref = rec
			_ = dv.SetDropList([]string{Recommend, NotRecommend})
			err = f.AddDataValidation(sh, dv)
		}
		set(c(6+len(Criteria)), "", sCell)
	}
	if err != nil {
		return fmt.Errorf("selection: template: %w", err)
	}
	_ = f.SetPanes(sh, &excelize.Panes{Freeze: true, XSplit: 3, YSplit: tplHeaderRow, TopLeftCell: fmt.Sprintf("D%d", tplFirstRow), ActivePane: "bottomRight"})
	landscape := "landscape"
	paper := 9 // A4
	_ = f.SetPageLayout(sh, &excelize.PageLayoutOptions{Orientation: &landscape, Size: &paper})
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("selection: write template: %w", err)
	}
	return nil
}

func fmtPoints(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// Score is one applicant's row of a returned workbook.
type Score struct {
	Key       string             // 申报编号 (the applicant key)
	Name      string             // 申报单位 as the workbook has it
	Points    map[string]float64 // by Criterion.Key
	Total     float64            // the sum of Points
	Recommend bool               // 推荐
	Note      string             // 备注
}

// Scores is what ParseScores read from one returned workbook.
type Scores struct {
	Expert string // the 评审专家 cell, cleaned; "" when blank
	Round  string // the 遴选批次 cell, cleaned
	Rows   []Score
	// Skipped lists applicants (by key) whose row was left blank.
	Skipped []string
}

// Problems is every problem ParseScores found in a readable workbook, each
// a Chinese sentence naming the cell.
type Problems []string

func (p Problems) Error() string { return "评分表有误：\n  " + strings.Join(p, "\n  ") }

// ParseScores reads a returned expert workbook by its labels: the sheet
// with the header row (序号 or 申报编号, 申报单位, the six criteria, 推荐意见
// among the first 50 rows; columns in any order, headers matched after
// NFKC, white space removal and a trailing bracket or colon removed), the
// 评审专家 and 遴选批次 values (the first non-empty cell to the right of
// the label), and one row per applicant: blank rows and rows without a
// 申报编号 are skipped, a row with no score at all is listed in Skipped, a
// row with some scores must have all of them, each a number from 0 to the
// criterion's maximum (text such as "12分" and full-width digits read), and
// a recommendation of 推荐 or 不推荐. A total the expert typed (not a formula
// left uncomputed) must equal the sum within 0.05. The file passes
// sheet.Guard first. Errors are a *sheet.FormatError (not a readable
// workbook) or Problems. ParseScores never panics on input.
func ParseScores(data []byte) (sc *Scores, err error) {
	if err := sheet.Guard(data); err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			sc, err = nil, &sheet.FormatError{Message: "无法读取该表格（文件结构异常）：请在 Excel 或 WPS 中打开后另存为 .xlsx", Err: fmt.Errorf("panic: %v\n%s", r, debug.Stack())}
		}
	}()
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: sheet.MaxTotalSize, UnzipXMLSizeLimit: 4 << 20})
	if err != nil {
		return nil, &sheet.FormatError{Message: "文件已损坏，无法作为 .xlsx 表格打开：请在 Excel 或 WPS 中打开确认后另存为 .xlsx", Err: err}
	}
	defer f.Close()
	for i, name := range f.GetSheetList() {
		if i >= 5 {
			break
		}
		rows, err := readRows(f, name)
		if err != nil {
			return nil, err
		}
		if hr, cols := findHeader(rows); hr >= 0 {
			return parseRows(rows, hr, cols)
		}
	}
	return nil, Problems{fmt.Sprintf("找不到评分表的表头行（%s、%s、%s 等）：请使用 kjjr template --review 生成的评分表填写", headKey, headName, Criteria[0].Label)}
}

// readRows reads the text of a sheet (formulas as their cached values),
// at most MaxScoreRows rows and 64 columns.
func readRows(f *excelize.File, sheetName string) ([][]string, error) {
	it, err := f.Rows(sheetName)
	if err != nil {
		return nil, &sheet.FormatError{Message: fmt.Sprintf("工作表“%s”无法读取：请另存为 .xlsx 后重试", safetext.Line(sheetName, 40)), Err: err}
	}
	defer it.Close()
	var rows [][]string
	size := 0
	for it.Next() {
		if len(rows) >= MaxScoreRows {
			return nil, &sheet.FormatError{Message: fmt.Sprintf("工作表“%s”超过 %d 行，不像评分表：请删除多余的行后重试", safetext.Line(sheetName, 40), MaxScoreRows)}
		}
		cols, err := it.Columns()
		if err != nil {
			return nil, &sheet.FormatError{Message: fmt.Sprintf("工作表“%s”无法读取：请另存为 .xlsx 后重试", safetext.Line(sheetName, 40)), Err: err}
		}
		if len(cols) > 64 {
			cols = cols[:64]
		}
		for _, c := range cols {
			size += len(c)
		}
		if size > 8<<20 {
			return nil, &sheet.FormatError{Message: "表格中的文字过多，不像评分表"}
		}
		rows = append(rows, cols)
	}
	if err := it.Error(); err != nil {
		return nil, &sheet.FormatError{Message: "文件已损坏，无法读取：请另存为 .xlsx 后重试", Err: err}
	}
	return rows, nil
}

// column keys of the header row besides the criteria.
const (
	colKey       = "_key"
	colName      = "_name"
	colTotal     = "_total"
	colRecommend = "_recommend"
	colNote      = "_note"
)

var headerKeys = func() map[string]string {
	m := map[string]string{sheet.NormLabel(headKey): colKey, "统一社会信用代码": colKey, sheet.NormLabel(headName): colName,
		sheet.NormLabel(headTotal): colTotal, "合计": colTotal, sheet.NormLabel(headRecommend): colRecommend, "是否推荐": colRecommend,
		sheet.NormLabel(headNote): colNote}
	for _, c := range Criteria {
		m[sheet.NormLabel(c.Label)] = c.Key
	}
	return m
}()

// findHeader returns the header row (index) among the first 50 rows and
// its column of each key, or -1: the row must name the key column and
// every criterion.
func findHeader(rows [][]string) (int, map[string]int) {
	for i, row := range rows {
		if i >= 50 {
			break
		}
		cols := map[string]int{}
		for j, cell := range row {
			if k, ok := headerKeys[sheet.NormLabel(cell)]; ok {
				if _, dup := cols[k]; !dup {
					cols[k] = j
				}
			}
		}
		n := 0
		for _, c := range Criteria {
			if _, ok := cols[c.Key]; ok {
				n++
			}
		}
		if _, ok := cols[colKey]; ok && n >= 3 {
			return i, cols
		}
	}
	return -1, nil
}

// labelValue returns the first non-empty cell right of a cell labelled
// label, above the header row.
func labelValue(rows [][]string, hr int, label string) string {
	for i := 0; i < hr && i < len(rows); i++ {
		for j, cell := range rows[i] {
			if sheet.NormLabel(cell) != label {
				continue
			}
			for _, v := range rows[i][j+1:] {
				if v := safetext.Line(v, 100); v != "" {
					return v
				}
			}
			return ""
		}
	}
	return ""
}

func cellName(col, row int) string {
	s, err := excelize.CoordinatesToCellName(col+1, row+1)
	if err != nil {
		return fmt.Sprintf("第%d行", row+1)
	}
	return s
}

func parseRows(rows [][]string, hr int, cols map[string]int) (*Scores, error) {
	sc := &Scores{Expert: labelValue(rows, hr, labelExpert), Round: labelValue(rows, hr, labelRound)}
	var probs Problems
	for _, c := range Criteria {
		if _, ok := cols[c.Key]; !ok {
			probs = append(probs, fmt.Sprintf("表头缺少“%s”一栏：请使用 kjjr template --review 生成的评分表", c.Label))
		}
	}
	if _, ok := cols[colRecommend]; !ok {
		probs = append(probs, fmt.Sprintf("表头缺少“%s”一栏：请使用 kjjr template --review 生成的评分表", headRecommend))
	}
	if len(probs) > 0 {
		return nil, probs
	}
	get := func(row []string, k string) string {
		j, ok := cols[k]
		if !ok || j >= len(row) {
			return ""
		}
		return row[j]
	}
	seen := map[string]int{}
	for i := hr + 1; i < len(rows); i++ {
		row := rows[i]
		key := strings.ToUpper(safetext.Line(get(row, colKey), 40))
		if key == "" {
			continue
		}
		if strings.HasPrefix(key, "X-") {
			key = strings.ToLower(key)
		}
		s := Score{Key: key, Name: safetext.Line(get(row, colName), 100), Points: map[string]float64{}, Note: safetext.Line(get(row, colNote), 500)}
		if prev, dup := seen[key]; dup {
			probs = append(probs, fmt.Sprintf("%s：申报编号 %s 与第 %d 行重复", cellName(cols[colKey], i), key, prev+1))
			continue
		}
		seen[key] = i
		filled := 0
		for _, c := range Criteria {
			if strings.TrimSpace(get(row, c.Key)) != "" {
				filled++
			}
		}
		rec := sheet.NormLabel(get(row, colRecommend))
		if filled == 0 && rec == "" {
			sc.Skipped = append(sc.Skipped, key)
			continue
		}
		var rowProbs Problems
		for _, c := range Criteria {
			cell := cellName(cols[c.Key], i)
			v, ok := number(get(row, c.Key))
			switch {
			case strings.TrimSpace(get(row, c.Key)) == "":
				rowProbs = append(rowProbs, fmt.Sprintf("%s：%s 的“%s”未填写", cell, s.Name, c.Label))
			case !ok:
				rowProbs = append(rowProbs, fmt.Sprintf("%s：“%s”不是分数，请填写 0 到 %s 之间的数字", cell, safetext.Line(get(row, c.Key), 20), fmtPoints(c.Max)))
			case v < 0 || v > c.Max:
				rowProbs = append(rowProbs, fmt.Sprintf("%s：%s 的“%s”为 %s 分，应在 0 到 %s 分之间", cell, s.Name, c.Label, fmtPoints(v), fmtPoints(c.Max)))
			default:
				s.Points[c.Key] = v
				s.Total += v
			}
		}
		s.Total = math.Round(s.Total*100) / 100
		switch rec {
		case Recommend, "是", "同意":
			s.Recommend = true
		case NotRecommend, "否", "不同意":
		case "":
			rowProbs = append(rowProbs, fmt.Sprintf("%s：%s 的“%s”未填写，请填写 %s 或 %s", cellName(cols[colRecommend], i), s.Name, headRecommend, Recommend, NotRecommend))
		default:
			rowProbs = append(rowProbs, fmt.Sprintf("%s：“%s”应为 %s 或 %s", cellName(cols[colRecommend], i), safetext.Line(get(row, colRecommend), 20), Recommend, NotRecommend))
		}
		if len(rowProbs) == 0 {
			if t, ok := number(get(row, colTotal)); ok && strings.TrimSpace(get(row, colTotal)) != "" && math.Abs(t-s.Total) > 0.05 {
				rowProbs = append(rowProbs, fmt.Sprintf("%s：总分 %s 与各项之和 %s 不符，请核对", cellName(cols[colTotal], i), fmtPoints(t), fmtPoints(s.Total)))
			}
		}
		probs = append(probs, rowProbs...)
		if len(rowProbs) == 0 {
			sc.Rows = append(sc.Rows, s)
		}
		if len(probs) > 50 {
			probs = append(probs, "……问题过多，其余未列出")
			break
		}
	}
	if len(probs) > 0 {
		return nil, probs
	}
	if len(sc.Rows) == 0 {
		return nil, Problems{"评分表中没有任何已打分的申报单位：请填写后再提交"}
	}
	return sc, nil
}

// number reads a score: digits (full-width too, after NFKC), an optional
// decimal point, an optional 分 after it.
func number(s string) (float64, bool) {
	s = strings.TrimSpace(norm.NFKC.String(s))
	s = strings.TrimSpace(strings.TrimSuffix(s, "分"))
	if s == "" || len(s) > 20 {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}
