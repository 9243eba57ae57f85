// Package sheet owns the monthly sheet 《科技金融服务机构绩效评价考核表》:
// its label table as data, the blank
// template written from it, and the parser that reads what institutions
// really send (WPS, Excel, LibreOffice) back into a content.Report.
//
// One table (labels.go: fields for sheet 绩效评价考核表, columns for sheet
// 融资明细) drives both Template and Parse, so a label can never be
// written one way and read another.
//
// Sheet 1, 绩效评价考核表, holds one labelled value per figure (a label
// cell, the value to its right): 机构名称 (must match the sender's
// institution), 统一社会信用代码 (18 characters, GB 32100 checksum), 报送月份
// (2025年4月, 2025-04, 2025.4, 2025/04 or a date cell), the counts of
// 第六条2 (服务企业数量 and 其中：晋创谷注册企业 ≤ it, 融资需求调研企业,
// 银企对接活动, 项目路演活动, 联合金融机构入企服务, 政策宣讲活动 and its
// 覆盖企业, 协助落实贷款贴息企业, 协助落实科技保险企业), 合作银行名称 (a list
// separated by 、，,; or new lines), 帮助企业融资金额（万元） and 其中：晋创谷企业
// 融资金额 ≤ it, 是否向服务对象收取费用 (是 is a 第七条 finding for staff),
// and the private 填报人, 联系电话, 填报日期. Sheet 2, 融资明细, has a header
// row (序号, 企业名称, 统一社会信用代码, 是否晋创谷注册企业, 融资机构, 融资方式,
// 融资金额（万元）, 放款日期, optional 备注) and one row per financing, private
// on the public site: its amounts must sum to 帮助企业融资金额 (to 0.01 万元),
// its 晋创谷 rows to the 晋创谷 figure, and every USCC must pass its
// checksum. A required value left blank is an error (未填写), never 0.
//
// Sheet 3, 服务企业名单, is optional (older sheets do not have it): a
// header row (序号, 企业名称, 统一社会信用代码, 是否晋创谷注册企业, 服务内容,
// optional 备注) and one row per enterprise served in the month, private
// on the public site (content.Report.Enterprises). It is read with the
// tolerance of 融资明细 (header row anywhere, the example row, blank rows,
// notes and totals rows skipped, USCC checksum); an enterprise is listed
// once. When it lists any enterprise, 服务企业数量 must be at least the
// number of distinct enterprises in it and in 融资明细 (a financed
// enterprise was served), and 其中：晋创谷注册企业 at least the 晋创谷
// ones among them; package content counts the distinct enterprises of a
// year from these lists.
//
// Parse reads the one sheet holding the 机构名称 and 报送月份 labels
// (several such sheets, one per month, are refused), and the sheet named
// 融资明细, else the first other sheet with its header row; and the sheet
// named 服务企业名单, else the first other sheet with its header row (one
// without the 融资明细-only headers): an institution may rename, reorder
// or put a sheet of notes in front.
//
// Reading rules, so that every sheet reads the same way: labels and headers are
// matched after NFKC, white space removal and trimming a trailing colon and
// bracketed unit, repeatedly; a label's value is the first non-empty cell
// to its right outside the label's merged range (stopping at the next
// label of the row); numbers may be text, carry thousands separators,
// full-width digits or the label's unit (万 for 万元); 无, - and — read
// 0; formulas read their cached value, else are computed (after a walk of
// their dependencies refuses cycles); dates may be text or Excel date
// cells.
// In 融资明细 the header row is the first with at least four header names;
// blank rows, rows with only 序号 or 备注, notes (注/说明…) are skipped; a
// row whose first filled cell is 合计/总计/小计 is checked, not counted.
//
// The template's example row: 融资明细 row 4 has 示例 in 序号 and its
// enterprise name starts with 示例. Parse skips any row whose first filled
// cell starts with 示例, so an institution may leave the example in place;
// overwriting 示例 with a number makes it a real row. An example row typed
// over with a real enterprise is pointed out when the sums do not add up.
//
// Hostile files are refused before excelize opens them (guard.go): legacy
// and encrypted OLE2 files, non-spreadsheets, zips whose central directory
// declares more than MaxEntrySize per entry or MaxTotalSize in all, or an
// absurd compression ratio, and worksheets with more than MaxMerges merged
// ranges; sheets are streamed and refused past MaxRows rows.
//
// Fixtures live in testdata/ and are rebuilt by
// `go test ./sheet -run TestGenerate -update` (LibreOffice-saved
// files only where soffice is installed; CI reads the committed copies).
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
	SheetList      = "服务企业名单"
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

// Problem is one thing wrong with a sheet, located: Sheet is 绩效评价考核表,
// 融资明细 or 服务企业名单 (as named in the workbook), Cell an A1 reference such as G7 ("" when it has no cell).
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

// Error returns the Chinese message, with the cause in brackets for logs.
func (e *FormatError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s (%v)", e.Message, e.Err)
	}
	return e.Message
}

// Unwrap returns the underlying cause.
func (e *FormatError) Unwrap() error { return e.Err }
