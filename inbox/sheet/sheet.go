// Package sheet owns the monthly sheet 《科技金融服务机构绩效评价考核表》:
// the label table of DESIGN.md ("The monthly sheet") as data, the blank
// template written from it, and the parser that reads what institutions
// really send (WPS, Excel, LibreOffice) back into a content.Report.
//
// One table (labels, in labels.go) drives both the template writer and the
// parser, so a label can never be written one way and read another.
package sheet

import (
	"fmt"
	"strings"

	"kjjr/content"
)

// Sheet names of the workbook.
const (
	SheetMain      = "绩效评价考核表"
	SheetFinancing = "融资明细"
)

// Options tune Parse. A nil *Options means the defaults.
type Options struct {
	// Now is "today" for the period-not-in-future and too-old checks.
	// Zero means content.Today().
	Now content.Date
	// MaxReportAgeMonths is site.yaml inbox.max_report_age_months; 0 means 24.
	MaxReportAgeMonths int
	// Institution, when set, must be the one named by 机构名称 and USCC.
	Institution *content.Institution
}

// Problem is one thing wrong with a sheet, located: Sheet is 绩效评价考核表
// or 融资明细, Cell an A1 reference such as G7 ("" when it has no cell).
// Message is Simplified Chinese and says how to fix it.
type Problem struct{ Sheet, Cell, Message string }

// String formats p as 融资明细!G7: message (or 融资明细: message without a cell).
func (p Problem) String() string {
	switch {
	case p.Sheet == "":
		return p.Message
	case p.Cell == "":
		return p.Sheet + ": " + p.Message
	}
	return p.Sheet + "!" + p.Cell + ": " + p.Message
}

// Problems are all the problems of one sheet. As an error it is one
// problem per line.
type Problems []Problem

// Error joins the problems, one per line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// FormatError is a file that cannot be read as a monthly sheet at all: not
// a spreadsheet, a legacy .xls or .et, an encrypted workbook, a zip bomb or
// a file too large. Message is Simplified Chinese for the sender.
type FormatError struct {
	Message string // e.g. 这是旧版 .xls 文件，请另存为 .xlsx 后重新发送
	Err     error  // the underlying cause, if any (English, for logs)
}

func (e *FormatError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s (%v)", e.Message, e.Err)
	}
	return e.Message
}

// Unwrap returns the underlying cause.
func (e *FormatError) Unwrap() error { return e.Err }
