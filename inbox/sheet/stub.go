package sheet

import (
	"io"

	"kjjr/content"
)

// Parse reads a monthly sheet from .xlsx bytes. On success it returns a
// *content.Report with Kind "monthly", Period, Indicators, PartnerBanks,
// ChargedFees, Financing, Filer, Phone and FiledOn filled. Otherwise the
// error is Problems (a readable sheet with wrong content: all problems) or a
// *FormatError (not a readable .xlsx workbook).
func Parse(data []byte, opts *Options) (*content.Report, error) {
	return nil, &FormatError{Message: "月报表解析尚未实现"}
}

// Looks reports whether data is an .xlsx workbook that looks like the
// monthly sheet (it has the 机构名称 and 报送月份 labels), cheaply.
func Looks(data []byte) bool { return false }

// Template writes the blank monthly sheet workbook (.xlsx) to w.
func Template(w io.Writer) error { return nil }
