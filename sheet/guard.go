package sheet

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"path"
	"strings"
)

// Limits on what Parse opens. A real monthly sheet is a few dozen KiB; the
// limits are far above that and far below what would hurt the inbox.
const (
	// MaxFileSize is the largest .xlsx file Parse reads (25 MiB, the inbox's
	// default attachment limit).
	MaxFileSize = 25 << 20
	// MaxEntries is the most files a workbook's zip may hold.
	MaxEntries = 2000
	// MaxEntrySize is the largest uncompressed size of one zip entry.
	MaxEntrySize = 50 << 20
	// MaxTotalSize is the largest uncompressed size of all entries together.
	MaxTotalSize = 100 << 20
	// MaxRatio is the largest compression ratio of an entry bigger than
	// 1 MiB. Real worksheets compress 5–50 times (a sheet of 100,000
	// numbered rows: about 7); deflate's limit is about 1032, and zip
	// bombs sit near it.
	MaxRatio = 200
	// MaxMerges is the most merged ranges the worksheets may hold together.
	MaxMerges = 10000
	// MaxSharedStrings is the most entries the shared string table may
	// hold (a monthly sheet has a few hundred), and MaxSharedStringsSize
	// its largest uncompressed size.
	MaxSharedStrings     = 50000
	MaxSharedStringsSize = 8 << 20
	// MaxPartSize is the largest other XML part (styles, workbook, themes,
	// relationships): excelize unmarshals those whole. A monthly sheet's
	// styles are a few KiB.
	MaxPartSize = 4 << 20
	// MaxRows is the most rows a sheet that Parse reads may have (counting
	// rows that hold only formatting). A monthly sheet has a few dozen.
	MaxRows = 10000
)

var (
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	zipMagic = []byte("PK\x03\x04")
)

// utf16le encodes an ASCII name as the UTF-16LE bytes OLE2 directory
// entries use.
func utf16le(s string) []byte {
	b := make([]byte, 0, 2*len(s))
	for i := 0; i < len(s); i++ {
		b = append(b, s[i], 0)
	}
	return b
}

func formatErr(msg string, err error) *FormatError { return &FormatError{Message: msg, Err: err} }

// guard looks at data before any spreadsheet library does: it tells apart
// legacy and encrypted files, things that are no spreadsheet, and checks the
// zip's central directory (sizes, ratio, entry count) without inflating
// anything, then counts merged ranges by streaming the worksheets. It
// returns nil when data may be handed to excelize.
func guard(data []byte) *FormatError {
	switch {
	case len(data) == 0:
		return formatErr("文件为空（0 字节），请重新发送月报表 .xlsx 文件", nil)
	case len(data) > MaxFileSize:
		return formatErr(fmt.Sprintf("文件过大（%.1f MiB，上限 %d MiB），月报表不应这么大：请删除无关的工作表和图片后重新发送", float64(len(data))/(1<<20), MaxFileSize>>20), nil)
	case bytes.HasPrefix(data, oleMagic):
		head := data
		if len(head) > 1<<20 {
			head = head[:1<<20]
		}
		if bytes.Contains(data, utf16le("EncryptionInfo")) || bytes.Contains(data, utf16le("EncryptedPackage")) {
			return formatErr("文件已加密，请取消密码后重新发送（在 Excel 或 WPS 中：文件 → 信息/文档加密 → 清除密码，然后保存为 .xlsx）", nil)
		}
		if bytes.Contains(head, utf16le("WordDocument")) {
			return formatErr("这是 Word 文档，不是月报表：请用《科技金融服务机构绩效评价考核表》模板填写，另存为 .xlsx 后重新发送", nil)
		}
		return formatErr("这是旧版 .xls 或 WPS .et 格式的表格，无法读取：请另存为 .xlsx 后重新发送（文件 → 另存为 → Excel 工作簿 *.xlsx）", nil)
	case !bytes.HasPrefix(data, zipMagic):
		return formatErr(notSpreadsheet(data), nil)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return formatErr("文件已损坏，无法作为 .xlsx 表格打开：请在 Excel 或 WPS 中打开确认后另存为 .xlsx 重新发送", err)
	}
	if len(zr.File) > MaxEntries {
		return formatErr(fmt.Sprintf("文件结构异常（压缩包内有 %d 个文件），不像正常的 .xlsx 表格，已拒绝", len(zr.File)), nil)
	}
	var total uint64
	names := map[string]bool{}
	for _, f := range zr.File {
		names[f.Name] = true
		u := f.UncompressedSize64
		total += u
		if u > MaxEntrySize || total > MaxTotalSize {
			return formatErr(fmt.Sprintf("文件解压后过大（超过 %d MiB），可能是恶意文件，已拒绝：月报表解压后不应超过几 MiB，请删除无关内容后重新发送", MaxTotalSize>>20), nil)
		}
		if u > 1<<20 && (f.CompressedSize64 == 0 || u/f.CompressedSize64 > MaxRatio) {
			return formatErr("文件压缩比异常（疑似“压缩炸弹”），已拒绝：请用 Excel 或 WPS 另存为 .xlsx 后重新发送", nil)
		}
	}
	if !names["xl/workbook.xml"] {
		switch {
		case names["xl/workbook.bin"]:
			return formatErr("这是 Excel 二进制工作簿（.xlsb），无法读取：请另存为 .xlsx 后重新发送", nil)
		case names["mimetype"] && names["content.xml"]:
			return formatErr("这是 OpenDocument 表格（.ods），无法读取：请另存为 .xlsx 后重新发送", nil)
		case names["word/document.xml"]:
			return formatErr("这是 Word 文档，不是月报表：请用《科技金融服务机构绩效评价考核表》模板填写，另存为 .xlsx 后重新发送", nil)
		}
		return formatErr("这不是 .xlsx 表格文件（压缩包中没有工作簿）：请用模板填写后另存为 .xlsx 重新发送", nil)
	}
	merges := 0
	for _, f := range zr.File {
		if f.Name == "xl/sharedStrings.xml" {
			if f.UncompressedSize64 > MaxSharedStringsSize {
				return formatErr(fmt.Sprintf("表格中的文字过多（共享字符串超过 %d MiB），不像月报表：请删除无关内容后重新发送", MaxSharedStringsSize>>20), nil)
			}
			n, err := countPatterns(f, "<si", ":si")
			if err != nil {
				return formatErr("文件已损坏，无法作为 .xlsx 表格打开：请在 Excel 或 WPS 中打开确认后另存为 .xlsx 重新发送", err)
			}
			if n > MaxSharedStrings {
				return formatErr(fmt.Sprintf("表格中的文字条目过多（超过 %d 条），不像月报表：请删除无关内容后重新发送", MaxSharedStrings), nil)
			}
			continue
		}
		ext := path.Ext(f.Name)
		if (ext == ".xml" || ext == ".rels" || ext == ".vml") && !strings.HasPrefix(f.Name, "xl/worksheets/") && f.UncompressedSize64 > MaxPartSize {
			return formatErr(fmt.Sprintf("文件中的“%s”过大（超过 %d MiB），不像月报表：请用 Excel 或 WPS 另存为新的 .xlsx 后重新发送", f.Name, MaxPartSize>>20), nil)
		}
		if !strings.HasPrefix(f.Name, "xl/worksheets/") || ext != ".xml" {
			continue
		}
		n, err := countPatterns(f, "mergeCell ")
		if err != nil {
			return formatErr("文件已损坏，无法作为 .xlsx 表格打开：请在 Excel 或 WPS 中打开确认后另存为 .xlsx 重新发送", err)
		}
		merges += n
		if merges > MaxMerges {
			return formatErr(fmt.Sprintf("表格中合并单元格过多（超过 %d 个），已拒绝：请取消无关的合并单元格后重新发送", MaxMerges), nil)
		}
	}
	return nil
}

// countPatterns counts the occurrences of the patterns in a zip entry by
// streaming it in small chunks (the entry itself is never held in memory).
// It is a byte count, not an XML parse: excelize reads the XML; this only
// bounds the work excelize's handling may take (merged ranges are
// quadratic, each shared string costs an allocation).
func countPatterns(f *zip.File, pats ...string) (int, error) {
	rc, err := f.Open()
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	keep := 0
	for _, p := range pats {
		keep = max(keep, len(p)-1)
	}
	buf := make([]byte, keep+64<<10)
	carry, n := 0, 0
	for {
		k, err := io.ReadFull(rc, buf[carry:])
		chunk := buf[:carry+k]
		for _, p := range pats {
			// A match starting in the carried tail was not complete
			// before, so nothing is counted twice.
			n += bytes.Count(chunk, []byte(p))
		}
		carry = min(keep, len(chunk))
		copy(buf, chunk[len(chunk)-carry:])
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// notSpreadsheet names what data is, when it is a common non-spreadsheet.
func notSpreadsheet(data []byte) string {
	const tail = "，不是月报表：请用《科技金融服务机构绩效评价考核表》模板填写，另存为 .xlsx 后作为附件发送"
	switch {
	case bytes.HasPrefix(data, []byte("%PDF")):
		return "这是 PDF 文件" + tail
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")), bytes.HasPrefix(data, []byte("\x89PNG")):
		return "这是图片" + tail
	case bytes.HasPrefix(data, []byte("Rar!")), bytes.HasPrefix(data, []byte("7z\xbc\xaf")):
		return "这是压缩包" + tail
	}
	return "这不是 .xlsx 表格文件" + tail
}
