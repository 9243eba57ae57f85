package sheet

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"

	"kjjr/internal/safetext"
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

// Active content. Staff open the kept files in Excel or WPS; a workbook
// may hold what runs or fetches when it is opened: macros, DDE formulas,
// WEBSERVICE and HYPERLINK calls, links to other workbooks, embedded OLE
// objects, external data connections. ActiveContent finds these by looking
// at the zip's part names, its content types and the formula texts (of the
// worksheets and the defined names); nothing is ever evaluated.

// RiskKind names one kind of active content.
type RiskKind string

// The kinds of active content ActiveContent reports.
const (
	RiskMacro        RiskKind = "macro"         // VBA project, .xlsm/.xltm content type, Excel 4.0 macro sheets
	RiskDDE          RiskKind = "dde"           // cmd|'/C calc'!A0, DDE(...), DDEAUTO
	RiskWebService   RiskKind = "webservice"    // WEBSERVICE(...), FILTERXML(WEBSERVICE...)
	RiskHyperlink    RiskKind = "hyperlink"     // HYPERLINK(...) formulas
	RiskExternalLink RiskKind = "external_link" // [1]Sheet1!A1, xl/externalLinks/
	RiskOLE          RiskKind = "ole"           // xl/embeddings/, ActiveX controls
	RiskConnection   RiskKind = "connection"    // xl/connections.xml, query tables
)

// riskNames are the kinds in Chinese, in the order they are listed.
var riskNames = []struct {
	kind RiskKind
	name string
}{
	{RiskMacro, "宏"},
	{RiskDDE, "DDE 公式"},
	{RiskWebService, "WEBSERVICE 联网公式"},
	{RiskHyperlink, "HYPERLINK 超链接公式"},
	{RiskExternalLink, "外部链接"},
	{RiskOLE, "嵌入的 OLE 对象或 ActiveX 控件"},
	{RiskConnection, "外部数据连接"},
}

// Risk is one piece of active content: its kind and where it is (a part
// of the zip, or a cell or defined name with its formula).
type Risk struct {
	Kind  RiskKind
	Where string // e.g. xl/vbaProject.bin, 绩效评价考核表!B3, 定义名称 x
	Text  string // the formula, cleaned and shortened; "" for a part
}

// maxRisksPerKind bounds how many places of one kind are kept.
const maxRisksPerKind = 3

// maxFormulaScan bounds the XML ActiveContent reads per part.
const maxFormulaScan = MaxEntrySize

var (
	ddeRE = regexp.MustCompile(`(?i)(^|[^A-Za-z0-9_.])[A-Za-z0-9_.\-]+\s*\|\s*('[^']*'|[A-Za-z0-9_.\-]+)\s*!|\bDDE(AUTO)?\s*\(`)
	// formulaTagRE matches the start of a formula element, <f> or <x:f ...>.
	formulaTagRE = regexp.MustCompile(`<([A-Za-z0-9_]+:)?f[\s>/]`)
	// stringRE matches a string literal of a formula ("..." with "" inside).
	stringRE   = regexp.MustCompile(`"(?:[^"]|"")*"`)
	webRE      = regexp.MustCompile(`(?i)\b(_xlfn\.)?(WEBSERVICE|FILTERXML|IMPORTXML|IMPORTDATA|RTD)\s*\(`)
	hyperRE    = regexp.MustCompile(`(?i)\bHYPERLINK\s*\(`)
	externalRE = regexp.MustCompile(`\[\d+\][^\[\]!"]*!|\[[^\]]+\.(?i:xls[xmb]?|xlt[xm]?|et|csv)\][^!"]*!`)
	macroFnRE  = regexp.MustCompile(`(?i)\b(CALL|REGISTER|EXEC|REGISTER\.ID)\s*\(`)
)

// ActiveContent returns the active content of an Office file: an OOXML
// zip (.xlsx, .xlsm, .docx, .pptx) or a legacy OLE2 file (.xls, .doc, .et,
// .wps), whose VBA project is found by its stream name. Anything else, or
// a file it cannot read, has none. It never evaluates a formula and never
// panics.
func ActiveContent(data []byte) (risks []Risk) {
	defer func() {
		if recover() != nil {
			risks = append(risks, Risk{Kind: RiskMacro, Where: "（文件结构异常，无法检查）"})
		}
	}()
	if bytes.HasPrefix(data, oleMagic) {
		// Every VBA project has a stream named _VBA_PROJECT
		// (_VBA_PROJECT_CUR in .xls, Macros/VBA/_VBA_PROJECT in .doc).
		if bytes.Contains(data, utf16le("_VBA_PROJECT")) {
			return []Risk{{Kind: RiskMacro, Where: "VBA 工程（_VBA_PROJECT）"}}
		}
		return nil
	}
	if !bytes.HasPrefix(data, zipMagic) {
		return nil
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil || len(zr.File) > MaxEntries {
		return nil
	}
	count := map[RiskKind]int{}
	add := func(r Risk) {
		if count[r.Kind] < maxRisksPerKind {
			risks = append(risks, r)
		}
		count[r.Kind]++
	}
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		name := strings.TrimPrefix(f.Name, "/")
		files[name] = f
		lower := strings.ToLower(name)
		base := path.Base(lower)
		switch {
		case strings.HasSuffix(base, "vbaproject.bin") || strings.HasSuffix(base, "vbadata.xml"):
			add(Risk{Kind: RiskMacro, Where: name})
		case strings.Contains(lower, "/macrosheets/") || strings.Contains(lower, "/dialogsheets/"):
			add(Risk{Kind: RiskMacro, Where: name})
		case strings.Contains(lower, "/externallinks/") && strings.HasSuffix(lower, ".xml"):
			add(Risk{Kind: RiskExternalLink, Where: name})
		case strings.Contains(lower, "/embeddings/") || strings.Contains(lower, "/activex/"):
			add(Risk{Kind: RiskOLE, Where: name})
		case base == "connections.xml" || strings.Contains(lower, "/querytables/"):
			add(Risk{Kind: RiskConnection, Where: name})
		}
	}
	if f := files["[Content_Types].xml"]; f != nil {
		if ct, err := readPart(f, MaxPartSize); err == nil {
			if bytes.Contains(ct, []byte("macroEnabled")) || bytes.Contains(ct, []byte("vbaProject")) {
				add(Risk{Kind: RiskMacro, Where: "[Content_Types].xml"})
			}
			if bytes.Contains(ct, []byte("oleObject")) && count[RiskOLE] == 0 {
				add(Risk{Kind: RiskOLE, Where: "[Content_Types].xml"})
			}
		}
	}
	sheets := sheetNames(files)
	check := func(where, formula string) {
		shown := safetext.Line(formula, 60)
		code := stringRE.ReplaceAllString(formula, `""`) // what is not text
		switch {
		case ddeRE.MatchString(code):
			add(Risk{Kind: RiskDDE, Where: where, Text: shown})
		case macroFnRE.MatchString(code):
			add(Risk{Kind: RiskMacro, Where: where, Text: shown})
		case webRE.MatchString(code):
			add(Risk{Kind: RiskWebService, Where: where, Text: shown})
		case externalRE.MatchString(code):
			add(Risk{Kind: RiskExternalLink, Where: where, Text: shown})
		case hyperRE.MatchString(code):
			add(Risk{Kind: RiskHyperlink, Where: where, Text: shown})
		}
	}
	for _, f := range zr.File {
		name := strings.TrimPrefix(f.Name, "/")
		switch {
		case strings.HasPrefix(name, "xl/worksheets/") && strings.HasSuffix(name, ".xml"):
			sheet := sheets[name]
			if sheet == "" {
				sheet = name
			}
			scanFormulas(f, "f", func(cell, formula string) { check(sheet+"!"+cell, formula) })
		case name == "xl/workbook.xml":
			scanFormulas(f, "definedName", func(dname, formula string) { check("定义名称 "+safetext.Line(dname, 40), formula) })
		}
	}
	return risks
}

// readPart reads a zip entry of at most max bytes.
func readPart(f *zip.File, max int64) ([]byte, error) {
	if f.UncompressedSize64 > uint64(max) {
		return nil, fmt.Errorf("%s: too large", f.Name)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(io.LimitReader(rc, max))
}

// sheetNames maps worksheet part names to sheet names, from
// xl/workbook.xml and its relationships. A part it cannot name is left out.
func sheetNames(files map[string]*zip.File) map[string]string {
	out := map[string]string{}
	wb, rels := files["xl/workbook.xml"], files["xl/_rels/workbook.xml.rels"]
	if wb == nil || rels == nil {
		return out
	}
	target := map[string]string{}
	if b, err := readPart(rels, MaxPartSize); err == nil {
		var x struct {
			Rels []struct {
				ID     string `xml:"Id,attr"`
				Target string `xml:"Target,attr"`
			} `xml:"Relationship"`
		}
		if xml.Unmarshal(b, &x) == nil {
			for _, r := range x.Rels {
				t := strings.TrimPrefix(r.Target, "/")
				if !strings.HasPrefix(t, "xl/") {
					t = path.Join("xl", t)
				}
				target[r.ID] = t
			}
		}
	}
	if b, err := readPart(wb, MaxPartSize); err == nil {
		var x struct {
			Sheets []struct {
				Name  string     `xml:"name,attr"`
				Attrs []xml.Attr `xml:",any,attr"`
			} `xml:"sheets>sheet"`
		}
		if xml.Unmarshal(b, &x) == nil {
			for _, s := range x.Sheets {
				for _, a := range s.Attrs {
					if a.Name.Local == "id" {
						if t := target[a.Value]; t != "" {
							out[t] = safetext.Line(s.Name, 40)
						}
					}
				}
			}
		}
	}
	return out
}

// scanFormulas streams the XML of f and calls fn with each element named
// elem and its text: a cell formula <f> with the r attribute of its cell,
// or a <definedName> with its name attribute. It stops quietly at the
// first XML error or after maxFormulaScan bytes.
func scanFormulas(f *zip.File, elem string, fn func(where, text string)) {
	rc, err := f.Open()
	if err != nil {
		return
	}
	data, err := io.ReadAll(io.LimitReader(rc, maxFormulaScan))
	rc.Close()
	if err != nil && len(data) == 0 {
		return
	}
	// Most parts hold no such element at all: skip the XML decoding.
	if !bytes.Contains(data, []byte(elem)) || (elem == "f" && !formulaTagRE.Match(data)) {
		return
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = false
	cell := ""
	for {
		tok, err := d.Token()
		if err != nil {
			return
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "c":
			cell = ""
			for _, a := range se.Attr {
				if a.Name.Local == "r" {
					cell = safetext.Line(a.Value, 12)
				}
			}
		case elem:
			where := cell
			if elem == "definedName" {
				for _, a := range se.Attr {
					if a.Name.Local == "name" {
						where = a.Value
					}
				}
			}
			var text string
			if err := d.DecodeElement(&text, &se); err != nil {
				return
			}
			if text != "" {
				fn(where, text)
			}
		}
	}
}

// ActiveWarning is the warning about a file name with active content, in
// Chinese, for staff (kjjr review) and for the sender (the receipt): what
// was found, where, and what not to do. It is "" when risks is empty. The
// same file gives the same text, so the inbox's copy in the report and
// the one kjjr review computes from the branch are one warning.
func ActiveWarning(name string, risks []Risk) string {
	if len(risks) == 0 {
		return ""
	}
	var kinds []string
	for _, rn := range riskNames {
		var where []string
		for _, r := range risks {
			if r.Kind != rn.kind {
				continue
			}
			w := r.Where
			if r.Text != "" {
				w += "：" + r.Text
			}
			where = append(where, w)
		}
		if len(where) > 0 {
			kinds = append(kinds, rn.name+"（"+strings.Join(where, "；")+"）")
		}
	}
	return safetext.Line(fmt.Sprintf("附件“%s”含有%s：打开时可能执行外部程序或访问网络，请勿启用宏、勿更新链接或启用外部内容，必要时在不联网的电脑上用“受保护的视图”打开", name, strings.Join(kinds, "、")), 0)
}
