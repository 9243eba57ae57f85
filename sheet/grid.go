package sheet

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/xuri/efp"
	"github.com/xuri/excelize/v2"

	"kjjr/internal/safetext"
)

// maxCellBytes bounds the text Parse keeps of one sheet (non-empty cells),
// maxCells the cell positions it keeps (a row is kept up to its last
// non-empty cell).
const (
	maxCellBytes = 16 << 20
	maxCells     = 200000
)

// MaxColumns is the rightmost column (by number) a sheet that Parse reads
// may use. A monthly sheet uses about ten.
const MaxColumns = 256

// grid is the non-empty content of one worksheet, read by streaming.
type grid struct {
	name  string
	rows  []gridRow // in row order; rows without any non-empty cell left out
	wb    *workbook
	merge []rect // merged ranges; loaded on first use
	mok   bool
	// The used area: the largest row and column with content.
	maxRow, maxCol int
}

// gridRow is one row: cells[i] is column i+1 (raw values: numbers as
// stored, dates as serial numbers, text as text). A formula cell without a
// cached value is "" (see value).
type gridRow struct {
	n     int
	cells []string
}

// rect is a merged range, 1-based and inclusive.
type rect struct{ c1, r1, c2, r2 int }

func (r rect) has(col, row int) bool { return col >= r.c1 && col <= r.c2 && row >= r.r1 && row <= r.r2 }

// workbook is an open workbook and what Parse learned of it.
type workbook struct {
	f        *excelize.File
	date1904 bool
	grids    map[string]*grid // the sheets read, by name
}

// readGrid streams a sheet with excelize's row iterator, keeping only
// non-empty cells. More than MaxRows rows (or more than maxCellBytes of
// text) is a FormatError: the iterator stops there, so a workbook with
// 100,000 rows costs bounded time and memory.
func (wb *workbook) readGrid(sheet string) (*grid, error) {
	rows, err := wb.f.Rows(sheet)
	if err != nil {
		return nil, fmt.Errorf("read sheet %q: %w", sheet, err)
	}
	defer rows.Close()
	g := &grid{name: sheet, wb: wb}
	n, size, cells := 0, 0, 0
	for rows.Next() {
		n++
		if n > MaxRows {
			return nil, formatErr(fmt.Sprintf("工作表“%s”超过 %d 行，月报表不应有这么多行：请删除多余的行（包括只有格式的空行）后重新发送", sheet, MaxRows), nil)
		}
		cols, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, fmt.Errorf("read sheet %q row %d: %w", sheet, n, err)
		}
		if len(cols) > MaxColumns {
			col, _ := excelize.ColumnNumberToName(len(cols))
			return nil, formatErr(fmt.Sprintf("工作表“%s”第 %d 行在第 %s 列还有内容，超过上限 %d 列，不像月报表：请删除右侧多余的内容后重新发送", sheet, n, col, MaxColumns), nil)
		}
		cells += len(cols)
		if cells > maxCells {
			return nil, formatErr(fmt.Sprintf("工作表“%s”内容过多（超过 %d 个单元格），不像月报表：请删除无关内容后重新发送", sheet, maxCells), nil)
		}
		keep := false
		for i, c := range cols {
			// Cell text is data: no control, bidi or zero-width
			// characters (package safetext); line breaks stay.
			if c != "" && !safetext.Clean(c) {
				cols[i] = safetext.Block(c, 0)
				c = cols[i]
			}
			if c != "" {
				keep = true
				size += len(c)
			}
		}
		// A row of formula cells without cached values is kept too: its
		// values are computed on demand.
		if !keep && len(cols) > 0 {
			keep = true
		}
		if size > maxCellBytes {
			return nil, formatErr(fmt.Sprintf("工作表“%s”内容过多（超过 %d MiB 文字），不像月报表：请删除无关内容后重新发送", sheet, maxCellBytes>>20), nil)
		}
		if keep {
			g.rows = append(g.rows, gridRow{n: n, cells: cols})
			g.maxRow, g.maxCol = n, max(g.maxCol, len(cols))
		}
	}
	if err := rows.Error(); err != nil {
		if err == excelize.ErrMaxRows {
			return nil, formatErr(fmt.Sprintf("工作表“%s”的行号超出范围，文件可能已损坏：请另存为 .xlsx 后重新发送", sheet), err)
		}
		return nil, fmt.Errorf("read sheet %q: %w", sheet, err)
	}
	if wb.grids == nil {
		wb.grids = map[string]*grid{}
	}
	wb.grids[sheet] = g
	return g, nil
}

// merges returns the merged ranges of the sheet (loaded once).
func (g *grid) merges() []rect {
	if g.mok {
		return g.merge
	}
	g.mok = true
	mcs, err := g.wb.f.GetMergeCells(g.name, true)
	if err != nil {
		return nil
	}
	for _, mc := range mcs {
		c1, r1, err1 := excelize.CellNameToCoordinates(mc.GetStartAxis())
		c2, r2, err2 := excelize.CellNameToCoordinates(mc.GetEndAxis())
		if err1 == nil && err2 == nil {
			g.merge = append(g.merge, rect{c1, r1, c2, r2})
		}
	}
	return g.merge
}

// mergeAt returns the merged range holding the cell, if any.
func (g *grid) mergeAt(col, row int) (rect, bool) {
	for _, m := range g.merges() {
		if m.has(col, row) {
			return m, true
		}
	}
	return rect{}, false
}

// cellName returns the A1 name of a cell.
func cellName(col, row int) string {
	s, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		return fmt.Sprintf("R%dC%d", row, col)
	}
	return s
}

// value returns the value of the cell at col (1-based) of row r: its raw
// text, or, for a formula cell without a cached value, the computed value.
// problem reports a formula that failed (an error value such as #REF!
// cached) or could not be computed, with why.
func (g *grid) value(r *gridRow, col int) (v string, problem string) {
	if col < 1 || col > len(r.cells) {
		return "", ""
	}
	if v := r.cells[col-1]; v != "" {
		if excelErrors[v] {
			return "", "公式计算出错（" + v + "）：请在 Excel 或 WPS 中改正公式（常见原因是公式引用的工作表、单元格或文件已删除），或直接填写数字后重新发送"
		}
		return v, ""
	}
	return g.formula(col, r.n)
}

// excelErrors are the values Excel and WPS cache for a formula that
// failed (a cell of type e).
var excelErrors = map[string]bool{
	"#NULL!": true, "#DIV/0!": true, "#VALUE!": true, "#REF!": true, "#NAME?": true,
	"#NUM!": true, "#N/A": true, "#GETTING_DATA": true, "#SPILL!": true, "#CALC!": true,
}

// maxFormulaLen bounds the formula text Parse computes.
const maxFormulaLen = 1000

// maxFormulaCells bounds the cells a formula may depend on, directly or
// through other formulas, for Parse to compute it.
const maxFormulaCells = 20000

const redoFormula = "公式没有保存计算结果，且无法在此计算：请在 Excel 或 WPS 中打开本表、确认数字正确后保存，再重新发送（或直接填数字）"

// formula computes a formula cell that has no cached value (Excel, WPS
// and LibreOffice always save one; some generators do not). It returns
// "" for a cell without a formula. Before computing, it walks what the
// formula depends on: a circular reference, a reference to a sheet Parse
// did not read, or more than maxFormulaCells cells is a problem, not a
// number (excelize would compute a circular formula to some value).
func (g *grid) formula(col, row int) (string, string) {
	cell := cellName(col, row)
	fm, err := g.wb.f.GetCellFormula(g.name, cell)
	if err != nil || fm == "" {
		return "", ""
	}
	if len(fm) > maxFormulaLen {
		return "", redoFormula
	}
	w := &walk{wb: g.wb, state: map[string]int8{}}
	if msg := w.visit(g.name, col, row); msg != "" {
		return "", msg
	}
	v, err := g.wb.f.CalcCellValue(g.name, cell, excelize.Options{RawCellValue: true})
	if err != nil || strings.HasPrefix(v, "#") {
		return "", redoFormula
	}
	return v, ""
}

// calcFuncs are the functions Parse computes in a formula without a cached
// value: what a monthly sheet needs (sums, counts, rounding, conditions).
// Others (REPT, INDIRECT, OFFSET, text builders…) could make excelize
// allocate without bound on a hostile file; such a formula is a problem
// asking for the file to be saved by an office suite, which caches values.
var calcFuncs = map[string]bool{
	"SUM": true, "SUMIF": true, "SUMIFS": true, "SUMPRODUCT": true,
	"COUNT": true, "COUNTA": true, "COUNTIF": true, "COUNTIFS": true, "COUNTBLANK": true,
	"AVERAGE": true, "MIN": true, "MAX": true, "ABS": true, "INT": true,
	"ROUND": true, "ROUNDUP": true, "ROUNDDOWN": true, "VALUE": true, "N": true,
	"IF": true, "IFERROR": true, "AND": true, "OR": true, "NOT": true, "TRIM": true,
	"ARRAY": true, "ARRAYROW": true, // array constants {1,2;3,4}, bounded by the formula's length
}

// walk is a depth-first walk over formula dependencies.
type walk struct {
	wb    *workbook
	state map[string]int8 // 1 on the current path, 2 done
	cells int
}

func (w *walk) visit(sheet string, col, row int) string {
	key := sheet + "!" + cellName(col, row)
	switch w.state[key] {
	case 1:
		return "公式存在循环引用（" + key + "），无法计算：请在 Excel 或 WPS 中改正公式后保存，再重新发送（或直接填数字）"
	case 2:
		return ""
	}
	w.cells++
	if w.cells > maxFormulaCells {
		return redoFormula
	}
	g := w.wb.grids[sheet]
	if g == nil {
		return "公式引用了工作表“" + sheet + "”，无法在此计算：请在 Excel 或 WPS 中打开本表后保存，再重新发送（或直接填数字）"
	}
	fm, err := w.wb.f.GetCellFormula(sheet, cellName(col, row))
	if err != nil || fm == "" {
		w.state[key] = 2
		return ""
	}
	if len(fm) > maxFormulaLen {
		return redoFormula
	}
	w.state[key] = 1
	ps := efp.ExcelParser()
	for _, tok := range ps.Parse(fm) {
		if tok.TType == efp.TokenTypeFunction && tok.TSubType == efp.TokenSubTypeStart {
			name := strings.ToUpper(strings.TrimPrefix(strings.TrimPrefix(tok.TValue, "_xlfn."), "_xlws."))
			if !calcFuncs[name] {
				return "公式使用了函数 " + name + "，且没有保存计算结果，无法在此计算：请在 Excel 或 WPS 中打开本表后保存，再重新发送（或直接填数字）"
			}
			continue
		}
		if tok.TType != efp.TokenTypeOperand || tok.TSubType != efp.TokenSubTypeRange {
			continue
		}
		refSheet, c1, r1, c2, r2, ok := parseRef(tok.TValue, sheet)
		if !ok {
			// A defined name: its formula is not walked, so not computed.
			return "公式引用了名称 " + tok.TValue + "，且没有保存计算结果，无法在此计算：请在 Excel 或 WPS 中打开本表后保存，再重新发送（或直接填数字）"
		}
		rg := w.wb.grids[refSheet]
		if rg == nil {
			return w.visit(refSheet, c1, r1) // reports the sheet
		}
		// Clamp to the used area: cells beyond it are empty.
		c2, r2 = min(c2, rg.maxCol), min(r2, rg.maxRow)
		for r := r1; r <= r2; r++ {
			for c := c1; c <= c2; c++ {
				if msg := w.visit(refSheet, c, r); msg != "" {
					return msg
				}
			}
		}
	}
	w.state[key] = 2
	return ""
}

// parseRef reads a reference operand: B10, $A$1, G5:G7, C:C, 1:1,
// 融资明细!G5:G7, 'Sheet 1'!A1. Whole columns and rows extend to the limits
// of a worksheet (the caller clamps them).
func parseRef(ref, sheet string) (string, int, int, int, int, bool) {
	if i := strings.LastIndex(ref, "!"); i >= 0 {
		sheet = strings.ReplaceAll(strings.Trim(ref[:i], "'"), "''", "'")
		ref = ref[i+1:]
	}
	ref = strings.ReplaceAll(ref, "$", "")
	a, b, isRange := strings.Cut(ref, ":")
	if !isRange {
		// A single cell needs both a column and a row; X or 12 alone is a
		// defined name.
		if i := strings.IndexAny(a, "0123456789"); i <= 0 || strings.Trim(a[i:], "0123456789") != "" {
			return "", 0, 0, 0, 0, false
		}
		b = a
	}
	c1, r1, ok1 := refEnd(a, 1, 1)
	c2, r2, ok2 := refEnd(b, excelize.MaxColumns, excelize.TotalRows)
	if !ok1 || !ok2 {
		return "", 0, 0, 0, 0, false
	}
	if c1 > c2 {
		c1, c2 = c2, c1
	}
	if r1 > r2 {
		r1, r2 = r2, r1
	}
	return sheet, c1, r1, c2, r2, true
}

// refEnd reads one end of a reference: A1, A (a whole column) or 1 (a
// whole row); a missing part takes the given default.
func refEnd(s string, defCol, defRow int) (int, int, bool) {
	i := 0
	for i < len(s) && (s[i] >= 'A' && s[i] <= 'Z' || s[i] >= 'a' && s[i] <= 'z') {
		i++
	}
	letters, digits := s[:i], s[i:]
	if letters == "" && digits == "" || len(letters) > 3 {
		return 0, 0, false
	}
	col, row := defCol, defRow
	if letters != "" {
		n, err := excelize.ColumnNameToNumber(letters)
		if err != nil {
			return 0, 0, false
		}
		col = n
	}
	if digits != "" {
		n, err := strconv.Atoi(digits)
		if err != nil || n < 1 || n > excelize.TotalRows {
			return 0, 0, false
		}
		row = n
	}
	return col, row, true
}

func atoiOr(s string, def int) int {
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return def
	}
	return n
}
