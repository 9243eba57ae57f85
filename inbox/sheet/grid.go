package sheet

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// maxCellBytes bounds the text Parse keeps of one sheet (non-empty cells).
const maxCellBytes = 16 << 20

// grid is the non-empty content of one worksheet, read by streaming.
type grid struct {
	name  string
	rows  []gridRow // in row order; rows without any non-empty cell left out
	wb    *workbook
	merge []rect // merged ranges; loaded on first use
	mok   bool
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
	n, size := 0, 0
	for rows.Next() {
		n++
		if n > MaxRows {
			return nil, formatErr(fmt.Sprintf("工作表“%s”超过 %d 行，月报表不应有这么多行：请删除多余的行（包括只有格式的空行）后重新发送", sheet, MaxRows), nil)
		}
		cols, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, fmt.Errorf("read sheet %q row %d: %w", sheet, n, err)
		}
		keep := false
		for _, c := range cols {
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
		}
	}
	if err := rows.Error(); err != nil {
		if err == excelize.ErrMaxRows {
			return nil, formatErr(fmt.Sprintf("工作表“%s”的行号超出范围，文件可能已损坏：请另存为 .xlsx 后重新发送", sheet), err)
		}
		return nil, fmt.Errorf("read sheet %q: %w", sheet, err)
	}
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
// computed reports a formula that could not be computed (with why).
func (g *grid) value(r *gridRow, col int) (v string, problem string) {
	if col < 1 || col > len(r.cells) {
		return "", ""
	}
	if v := r.cells[col-1]; v != "" {
		return v, ""
	}
	return g.formula(col, r.n)
}

var (
	reRange   = regexp.MustCompile(`(?i)\$?([A-Z]{1,3})?\$?(\d+)?:\$?([A-Z]{1,3})?\$?(\d+)?`)
	maxFormLn = 1000
)

// maxCalcCells bounds the cells a formula may reference for Parse to
// compute it (a formula like SUM(A:XFD) would take minutes).
const maxCalcCells = 100000

// formula computes a formula cell that has no cached value. It returns ""
// for a cell without a formula.
func (g *grid) formula(col, row int) (string, string) {
	cell := cellName(col, row)
	fm, err := g.wb.f.GetCellFormula(g.name, cell)
	if err != nil || fm == "" {
		return "", ""
	}
	const redo = "公式没有保存计算结果且无法在此计算：请在 Excel 或 WPS 中打开本表、确认数字正确后保存，再重新发送（或直接填数字）"
	if len(fm) > maxFormLn || strings.Count(fm, "(") > 50 {
		return "", redo
	}
	for _, m := range reRange.FindAllStringSubmatch(fm, -1) {
		c1, c2 := colNum(m[1], 1), colNum(m[3], excelize.MaxColumns)
		r1, r2 := atoiOr(m[2], 1), atoiOr(m[4], excelize.TotalRows)
		if (absInt(c2-c1)+1)*(absInt(r2-r1)+1) > maxCalcCells {
			return "", redo
		}
	}
	v, err := g.wb.f.CalcCellValue(g.name, cell, excelize.Options{RawCellValue: true})
	if err != nil || strings.HasPrefix(v, "#") {
		return "", redo
	}
	return v, ""
}

func colNum(s string, def int) int {
	if s == "" {
		return def
	}
	n, err := excelize.ColumnNameToNumber(s)
	if err != nil {
		return def
	}
	return n
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

func absInt(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
