package sheet

import (
	"fmt"
	"runtime/debug"

	"github.com/xuri/excelize/v2"

	"kjjr/content"
)

// Form is a workbook read as a labelled form other than the monthly sheet
// (the application form of package application): it is opened through
// the same guard and limits as Parse (the package doc's hostile-file
// rules), and its values are read by the same reading rules (labels
// matched after normalisation, the value the first non-empty cell to the
// right outside the label's merged range, formulas read by their cached
// or computed value). The form's own package owns its label table and
// what the values mean; Form only finds them.
type Form struct {
	wb *workbook
	g  *grid
}

// FormValue is the value of one label found on a form.
type FormValue struct {
	LabelCell string // A1 name of the label cell
	ValueCell string // where the value is, or where it should go
	Raw       string // the value as read (numbers and dates as stored); "" when blank
	// Problem is set (Chinese) when the value cannot be read at all (a
	// formula error); Raw is then "".
	Problem string
}

// OpenForm guards data, opens it and reads the first sheet (of the first
// 50, visible ones first) that holds every one of the anchor labels near
// its top. It returns a *FormatError for a file that is not a readable
// .xlsx workbook, and ok false (with a nil error) for a workbook none of
// whose sheets holds the anchors. The caller closes the form. It never
// panics on input.
func OpenForm(data []byte, anchors ...string) (f *Form, ok bool, err error) {
	wb, ferr := open(data)
	if ferr != nil {
		return nil, false, ferr
	}
	defer func() {
		if r := recover(); r != nil {
			wb.f.Close()
			f, ok, err = nil, false, formatErr("无法读取该表格（文件结构异常）：请在 Excel 或 WPS 中打开后另存为 .xlsx 重新发送", fmt.Errorf("panic: %v\n%s", r, debug.Stack()))
		}
	}()
	want := map[string]bool{}
	for _, a := range anchors {
		want[normLabel(a)] = true
	}
	var hidden string
	for i, name := range wb.f.GetSheetList() {
		if i >= maxSheets {
			break
		}
		seen := map[string]bool{}
		if !wb.scan(name, func(cols []string) bool {
			for _, c := range cols {
				if n := normLabel(c); want[n] {
					seen[n] = true
				}
			}
			return len(seen) == len(want)
		}) {
			continue
		}
		if visible, err := wb.f.GetSheetVisible(name); err == nil && !visible {
			if hidden == "" {
				hidden = name
			}
			continue
		}
		return wb.formOn(name)
	}
	if hidden != "" {
		return wb.formOn(hidden)
	}
	wb.f.Close()
	return nil, false, nil
}

func (wb *workbook) formOn(sheet string) (*Form, bool, error) {
	g, err := wb.readGrid(sheet)
	if err != nil {
		wb.f.Close()
		return nil, false, asFormat(err)
	}
	return &Form{wb: wb, g: g}, true, nil
}

// Close releases the workbook.
func (f *Form) Close() error { return f.wb.f.Close() }

// Sheet is the name of the sheet the form was read from.
func (f *Form) Sheet() string { return f.g.name }

// Values finds the labels on the form's sheet by the reading rules and
// returns the value of each one found, keyed by the label as given. A
// label not on the sheet is not in the map.
func (f *Form) Values(labels []string) (vals map[string]FormValue) {
	defer func() {
		if r := recover(); r != nil {
			vals = map[string]FormValue{}
		}
	}()
	idx := map[string]string{}
	for _, l := range labels {
		idx[normLabel(l)] = l
	}
	probs := map[string]string{}
	found := locateLabels(f.g, 0, func(norm string) (string, string, bool) {
		l, ok := idx[norm]
		return l, l, ok
	}, func(cell, msg string) { probs[cell] = msg })
	vals = map[string]FormValue{}
	for l, fd := range found {
		v := FormValue{LabelCell: fd.labelCell, ValueCell: fd.valueCell, Raw: fd.value}
		if v.Raw == "\x00" {
			v.Raw, v.Problem = "", probs[fd.valueCell]
		}
		vals[l] = v
	}
	return vals
}

// Date reads a day as the monthly sheet reads 填报日期: a date cell of this
// workbook (its 1900 or 1904 date system), 2025-05-08, 2025/5/8,
// 2025.5.8, 2025年5月8日 or 20250508. problem (Chinese, naming name) is
// set when raw is none of these.
func (f *Form) Date(raw, name string) (d content.Date, problem string) {
	return f.wb.parseDate(raw, name)
}

// IsDateCell reports whether the value cell holds a number (a date cell
// shows as a serial number in Raw).
func (f *Form) IsDateCell(cell string) bool {
	t, err := f.wb.f.GetCellType(f.g.name, cell)
	return err == nil && (t == excelize.CellTypeNumber || t == excelize.CellTypeUnset)
}

// The value readers of the monthly sheet, for other forms: each returns
// the value and a Chinese problem naming name, "" when it reads.

// ParseCount reads a count (an integer >= 0; full-width digits, thousands
// separators, a trailing unit of units, 无 or - for 0).
func ParseCount(raw, name string, units ...string) (int, string) {
	return parseCount(raw, name, units...)
}

// ParseYesNo reads 是 or 否.
func ParseYesNo(raw, name string) (bool, string) { return parseYesNo(raw, name) }

// ParseUSCC reads a unified social credit code (NFKC, white space
// removed, upper case) and checks it (content.CheckUSCC): the code is
// returned even when its check fails.
func ParseUSCC(raw, name string) (string, string) { return parseUSCC(raw, name) }

// ParsePhone reads a telephone number (at least 7 digits; several may be
// separated by 、 , ; or /).
func ParsePhone(raw, name string) (string, string) { return parsePhone(raw, name) }

// SplitList splits a list cell at 、 , ; and line breaks; 无 is empty.
func SplitList(raw string) []string { return splitList(raw) }

// CleanText trims a text value and folds white space runs into one space.
func CleanText(raw string) string { return cleanText(raw) }

// NormLabel is the form a label or header is matched in (the package
// doc's reading rules).
func NormLabel(s string) string { return normLabel(s) }

// NormText is s after NFKC (full-width digits and spaces become ASCII)
// with surrounding white space trimmed.
func NormText(s string) string { return normText(s) }
