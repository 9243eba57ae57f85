package sheet

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"

	"kjjr/content"
)

// DefaultMaxReportAgeMonths is the default of site.yaml
// inbox.max_report_age_months.
const DefaultMaxReportAgeMonths = 24

// Parse reads a monthly sheet from .xlsx bytes, label-driven, by the
// reading rules of the package doc. On success it returns a *content.Report with
// Kind "monthly", Period, Indicators, PartnerBanks, ChargedFees, Financing,
// Filer, Phone, FiledOn (and Warnings for staff) filled; the caller fills
// where it came from (received_at, sender, message id, sha256, evidence).
//
// Otherwise the error is Problems (a readable sheet with wrong content:
// every problem found, each with its cell) or a *FormatError (not a
// readable .xlsx workbook: legacy .xls/.et, encrypted, zip bomb, too large,
// not a spreadsheet). Parse never panics on input.
func Parse(data []byte, opts *Options) (rep *content.Report, err error) {
	o := Options{}
	if opts != nil {
		o = *opts
	}
	if o.Now.IsZero() {
		o.Now = content.Today()
	}
	if o.MaxReportAgeMonths <= 0 {
		o.MaxReportAgeMonths = DefaultMaxReportAgeMonths
	}
	wb, ferr := open(data)
	if ferr != nil {
		return nil, ferr
	}
	defer wb.f.Close()
	defer func() {
		// excelize is a large library reading hostile input: a panic in it
		// must not take the inbox down. It becomes a FormatError.
		if r := recover(); r != nil {
			rep, err = nil, formatErr("无法读取该表格（文件结构异常）：请在 Excel 或 WPS 中打开后另存为 .xlsx 重新发送", fmt.Errorf("panic: %v\n%s", r, debug.Stack()))
		}
	}()
	p := &parser{wb: wb, opts: o}
	return p.run()
}

// open guards data and opens it with excelize.
func open(data []byte) (wb *workbook, fe error) {
	if e := guard(data); e != nil {
		return nil, e
	}
	defer func() {
		if r := recover(); r != nil {
			wb, fe = nil, formatErr("无法读取该表格（文件结构异常）：请在 Excel 或 WPS 中打开后另存为 .xlsx 重新发送", fmt.Errorf("panic: %v", r))
		}
	}()
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit:    MaxTotalSize,
		UnzipXMLSizeLimit: 4 << 20, // larger worksheets are streamed from a temporary file
	})
	if err != nil {
		if errors.Is(err, excelize.ErrWorkbookFileFormat) || errors.Is(err, excelize.ErrUnprotectWorkbookPassword) {
			return nil, formatErr("无法作为 .xlsx 表格打开：请在 Excel 或 WPS 中打开确认后另存为 .xlsx 重新发送", err)
		}
		return nil, formatErr("文件已损坏，无法作为 .xlsx 表格打开：请在 Excel 或 WPS 中打开确认后另存为 .xlsx 重新发送", err)
	}
	wb = &workbook{f: f}
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		wb.date1904 = *props.Date1904
	}
	if len(f.GetSheetList()) == 0 {
		f.Close()
		return nil, formatErr("表格中没有工作表：请用模板填写后重新发送", nil)
	}
	return wb, nil
}

// Looks reports whether data is an .xlsx workbook that looks like the
// monthly sheet: one of its first sheets has the 机构名称 and 报送月份
// labels near the top. It is cheap (the file guard, then at most
// scanRows rows of scanSheets sheets) and never fails; a false answer on
// a damaged sheet is for the caller to treat as "not a monthly sheet".
func Looks(data []byte) (ok bool) {
	wb, err := open(data)
	if err != nil {
		return false
	}
	defer wb.f.Close()
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	for i, name := range wb.f.GetSheetList() {
		if i >= scanSheets {
			break
		}
		if wb.hasLabels(name) {
			return true
		}
	}
	return false
}

// How far Looks and pickSheets look for the labels or the 融资明细
// header: the first scanSheets sheets, the first scanRows rows of each.
const (
	scanSheets = 3
	scanRows   = 200
)

// scan streams the first scanRows rows of a sheet (raw values) to fn
// until fn returns true; it reports whether fn did. An unreadable sheet
// reports false.
func (wb *workbook) scan(sheet string, fn func(cols []string) bool) bool {
	rows, err := wb.f.Rows(sheet)
	if err != nil {
		return false
	}
	defer rows.Close()
	for n := 0; n < scanRows && rows.Next(); n++ {
		cols, _ := rows.Columns(excelize.Options{RawCellValue: true})
		if fn(cols) {
			return true
		}
	}
	return false
}

// hasLabels reports whether the sheet holds the 机构名称 and 报送月份
// labels near its top.
func (wb *workbook) hasLabels(sheet string) bool {
	inst, per := normLabel(fieldByKey(keyInstitution).Label), normLabel(fieldByKey(keyPeriod).Label)
	var seenInst, seenPer bool
	return wb.scan(sheet, func(cols []string) bool {
		for _, c := range cols {
			switch normLabel(c) {
			case inst:
				seenInst = true
			case per:
				seenPer = true
			}
		}
		return seenInst && seenPer
	})
}

// hasHeader reports whether the sheet holds the 融资明细 header row near
// its top.
func (wb *workbook) hasHeader(sheet string) bool {
	return wb.scan(sheet, func(cols []string) bool {
		return findHeader(&grid{rows: []gridRow{{cells: cols}}}) == 0
	})
}

// hasListHeader reports whether the sheet holds the 服务企业名单 header row
// near its top.
func (wb *workbook) hasListHeader(sheet string) bool {
	return wb.scan(sheet, func(cols []string) bool {
		return findListHeader(&grid{rows: []gridRow{{cells: cols}}}) == 0
	})
}

// parser holds one Parse.
type parser struct {
	wb       *workbook
	opts     Options
	problems Problems
	warnings []string
}

func (p *parser) add(sheet, cell, format string, args ...any) {
	p.problems = append(p.problems, Problem{Sheet: sheet, Cell: cell, Message: fmt.Sprintf(format, args...)})
}

// found is a label located on sheet 1 with its value.
type found struct {
	labelCell string
	labelRaw  string
	valueCell string // where the value is, or where it should go
	value     string // raw value; "" when blank
}

func (p *parser) run() (*content.Report, error) {
	mainName, finName, listName, labelled := p.pickSheets()
	if len(labelled) > 1 {
		p.add(labelled[0], "", "工作簿中有 %d 个工作表都是考核表（“%s”）：一份月报只能报送一个月，请只保留本月的工作表（或把各月分别另存为单独的文件，每月一封邮件发送）后重新发送",
			len(labelled), strings.Join(labelled, "”、“"))
		return nil, p.problems
	}
	mg, err := p.wb.readGrid(mainName)
	if err != nil {
		return nil, asFormat(err)
	}
	var fg *grid
	if finName != "" {
		if fg, err = p.wb.readGrid(finName); err != nil {
			return nil, asFormat(err)
		}
	}
	var lg *grid
	if listName != "" {
		if lg, err = p.wb.readGrid(listName); err != nil {
			return nil, asFormat(err)
		}
	}
	// Without a 融资明细 sheet the table may sit below the labels on the
	// main sheet: its header row then ends the label area.
	labelEnd := 0
	if fg == nil {
		if hr := findHeader(mg); hr >= 0 {
			fg = mg
			labelEnd = mg.rows[hr].n
		}
	}
	vals := p.locate(mg, labelEnd)
	rep := &content.Report{Kind: content.Monthly.String(), Indicators: &content.Indicators{}}
	ok := p.readMain(mg.name, vals, rep)
	rows, sums := p.readFinancing(fg, mg.name)
	rep.Financing = rows
	rep.Enterprises = p.readList(lg)
	p.crossCheck(mg.name, vals, rep, ok, sums, fg != nil)
	p.checkServed(mg.name, vals, rep, ok)
	if len(p.problems) > 0 {
		sortProblems(p.problems, mg.name, finName, listName)
		return nil, p.problems
	}
	rep.Warnings = p.warnings
	return rep, nil
}

func asFormat(err error) error {
	var fe *FormatError
	if errors.As(err, &fe) {
		return fe
	}
	return formatErr("无法读取该表格：请在 Excel 或 WPS 中打开后另存为 .xlsx 重新发送", err)
}

// maxSheets is how many sheets pickSheets looks through for the labels.
const maxSheets = 50

// pickSheets returns the main sheet and the 融资明细 sheet ("" if none).
// The main sheet is the one sheet, of the first maxSheets, that holds the
// 机构名称 and 报送月份 labels, whatever its name or place (a 填表说明
// sheet put in front, the sheets renamed and reordered); without one, the
// sheet named 绩效评价考核表, else the first. Hidden sheets count only
// when no visible sheet holds the labels. More than one such sheet (a
// workbook kept with a sheet per month) is ambiguous: they are returned in
// labelled, and Parse refuses the workbook. 融资明细 is the other sheet
// whose name contains 融资明细; else the first other of the first
// scanSheets sheets with the header row of the table (Sheet2, say).
func (p *parser) pickSheets() (mainName, finName, listName string, labelled []string) {
	list := p.wb.f.GetSheetList()
	var hidden []string
	for i, n := range list {
		if i >= maxSheets {
			break
		}
		// A 融资明细 sheet is not scanned: it is never the main sheet.
		if strings.Contains(normLabel(n), SheetFinancing) || !p.wb.hasLabels(n) {
			continue
		}
		if visible, err := p.wb.f.GetSheetVisible(n); err == nil && !visible {
			hidden = append(hidden, n)
		} else {
			labelled = append(labelled, n)
		}
	}
	if len(labelled) == 0 {
		labelled = hidden
	}
	switch {
	case len(labelled) > 1:
		return "", "", "", labelled
	case len(labelled) == 1:
		mainName = labelled[0]
	default:
		mainName = list[0]
		for _, n := range list {
			if normLabel(n) == SheetMain {
				mainName = n
				break
			}
		}
	}
	listName = p.pickList(list, mainName)
	for _, n := range list {
		if n != mainName && n != listName && strings.Contains(normLabel(n), SheetFinancing) {
			return mainName, n, listName, nil
		}
	}
	for i := 0; i < len(list) && i < scanSheets; i++ {
		if list[i] != mainName && list[i] != listName && p.wb.hasHeader(list[i]) {
			return mainName, list[i], listName, nil
		}
	}
	return mainName, "", listName, nil
}

// pickList returns the 服务企业名单 sheet ("" if none): the other sheet
// whose name contains 企业名单 (服务企业名单) and that does not hold the
// 融资明细 table, else the first other of the
// first scanSheets+1 sheets with its header row and no 融资明细-only header.
func (p *parser) pickList(list []string, mainName string) string {
	for _, n := range list {
		if n != mainName && !strings.Contains(normLabel(n), SheetFinancing) && strings.Contains(normLabel(n), "企业名单") &&
			(!p.wb.hasHeader(n) || p.wb.hasListHeader(n)) { // not 融资明细 renamed 融资企业名单
			return n
		}
	}
	for i := 0; i < len(list) && i < scanSheets+1; i++ {
		if n := list[i]; n != mainName && !strings.Contains(normLabel(n), SheetFinancing) && p.wb.hasListHeader(n) {
			return n
		}
	}
	return ""
}

// labelIndex maps a normalised label to its field.
var labelIndex = func() map[string]*field {
	m := map[string]*field{}
	for i := range fields {
		m[normLabel(fields[i].Label)] = &fields[i]
	}
	return m
}()

// locate finds every label of the table on the sheet (rows before
// labelEnd, when set) and its value (see locateLabels).
func (p *parser) locate(g *grid, labelEnd int) map[string]*found {
	return locateLabels(g, labelEnd, func(norm string) (string, string, bool) {
		if fd := labelIndex[norm]; fd != nil {
			return fd.Key, fd.DisplayLabel(), true
		}
		return "", "", false
	}, func(cell, msg string) { p.add(g.name, cell, "%s", msg) })
}

// locateLabels finds every label on the sheet (rows before labelEnd, when
// set) and its value: the first non-empty cell to its right that is not
// part of the label's merged range, stopping at the next label of the
// row. labelOf maps a normalised cell (normLabel) to its key and display
// label; add reports a value that cannot be read (a formula error), with
// its cell. A label that appears twice is read at its first place. It is
// the one reading rule of labelled values, for the monthly sheet and for
// every other form read through OpenForm.
func locateLabels(g *grid, labelEnd int, labelOf func(norm string) (key, display string, ok bool), add func(cell, msg string)) map[string]*found {
	out := map[string]*found{}
	for ri := range g.rows {
		r := &g.rows[ri]
		if labelEnd > 0 && r.n >= labelEnd {
			break
		}
		for ci, c := range r.cells {
			if c == "" || len(c) > 200 {
				continue
			}
			key, display, ok := labelOf(normLabel(c))
			if !ok || out[key] != nil {
				continue
			}
			col := ci + 1
			lastLabelCol := col
			if m, ok := g.mergeAt(col, r.n); ok {
				lastLabelCol = m.c2
			}
			fnd := &found{labelCell: cellName(col, r.n), labelRaw: c, valueCell: cellName(lastLabelCol+1, r.n)}
			for vc := lastLabelCol + 1; vc <= len(r.cells); vc++ {
				v, prob := g.value(r, vc)
				if prob != "" {
					add(cellName(vc, r.n), "“"+display+"”："+prob)
					fnd.valueCell, fnd.value = cellName(vc, r.n), "\x00" // reported; not blank
					break
				}
				if strings.TrimSpace(v) != "" {
					if _, _, next := labelOf(normLabel(v)); next {
						// The next label of the row (填报人 | | 联系电话 | …):
						// this label's value is blank.
						break
					}
					fnd.valueCell, fnd.value = cellName(vc, r.n), v
					break
				}
			}
			out[key] = fnd
		}
	}
	return out
}

// mainOK tells which values of sheet 1 were read without a problem.
type mainOK map[string]bool

// readMain reads every field of sheet 1 into rep, adding a problem for
// each that is missing, blank or wrong.
func (p *parser) readMain(sh string, vals map[string]*found, rep *content.Report) mainOK {
	ok := mainOK{}
	ind := rep.Indicators
	ints := map[string]*int{
		keyServed: &ind.EnterprisesServed, keyJCGServed: &ind.JinchuangguEnterprises, keySurveyed: &ind.NeedsSurveyed,
		keyMatchmaking: &ind.MatchmakingEvents, keyRoadshows: &ind.Roadshows, keyVisits: &ind.OnsiteVisits,
		keyPolicy: &ind.PolicySessions, keyPolicyEnt: &ind.PolicyEnterprises, keyLoanSubsidy: &ind.LoanSubsidyEnterprises,
		keyInsurance: &ind.InsuranceEnterprises,
	}
	wans := map[string]*content.Wan{keyFinancing: &ind.FinancingWan, keyJCGFinancing: &ind.JinchuangguFinancingWan}
	for i := range fields {
		fd := &fields[i]
		name := "“" + fd.DisplayLabel() + "”"
		v := vals[fd.Key]
		if v == nil {
			if fd.Required {
				p.add(sh, "", "缺少%s一栏：请使用模板填写，不要删除或改写左列的标签（标签右侧填写内容）", name)
			}
			continue
		}
		if v.value == "\x00" {
			continue
		}
		if strings.TrimSpace(v.value) == "" {
			if fd.Required {
				hint := fd.Help
				switch fd.Kind {
				case kindInt, kindWan:
					hint = "请填写数字，本月没有的填 0"
				case kindYesNo:
					hint = "请填“是”或“否”"
				}
				p.add(sh, v.valueCell, "%s未填写：%s", name, hint)
			}
			continue
		}
		units := []string{fd.Unit}
		if u := unitOf(v.labelRaw); u != "" && u != fd.Unit {
			if fd.Kind == kindWan {
				p.add(sh, v.labelCell, "%s的单位写成了“%s”：本表金额以万元为单位，请换算为万元并把标签改回“%s”", name, u, fd.DisplayLabel())
				continue
			}
			units = append(units, u)
		}
		var prob string
		switch fd.Kind {
		case kindText:
			s := cleanText(v.value)
			switch fd.Key {
			case keyInstitution:
				vals[keyInstitution].value = s
			case keyFiler:
				rep.Filer = s
			}
		case kindUSCC:
			var s string
			s, prob = parseUSCC(v.value, fd.Label)
			vals[keyUSCC].value = s
		case kindPeriod:
			rep.Period, prob = p.wb.parsePeriod(v.value, name, func() bool {
				t, err := p.wb.f.GetCellType(sh, v.valueCell)
				return err == nil && (t == excelize.CellTypeNumber || t == excelize.CellTypeUnset)
			})
		case kindInt:
			*ints[fd.Key], prob = parseCount(v.value, name, units...)
		case kindWan:
			*wans[fd.Key], prob = parseAmount(v.value, name, units...)
		case kindList:
			rep.PartnerBanks = splitList(v.value)
		case kindYesNo:
			var b bool
			b, prob = parseYesNo(v.value, name)
			if prob == "" {
				rep.ChargedFees = &b
			}
		case kindPhone:
			rep.Phone, prob = parsePhone(v.value, name)
		case kindDate:
			rep.FiledOn, prob = p.wb.parseDate(v.value, name)
		}
		if prob != "" {
			p.add(sh, v.valueCell, "%s", prob)
			continue
		}
		ok[fd.Key] = true
	}
	return ok
}

// finSums are the totals of 融资明细.
type finSums struct {
	all, jcg content.Wan
	ok       bool // every amount and 晋创谷 flag read: the sums can be checked
	rows     int
	sheet    string
	present  bool // a header row was found
	// example is the cell of an example row (示例) whose enterprise name
	// was typed over with exampleName: not counted, though it looks real.
	example, exampleName string
}

// headerIndex maps a normalised header to its column.
var headerIndex = func() map[string]*column {
	m := map[string]*column{}
	for i := range columns {
		m[normLabel(columns[i].Header)] = &columns[i]
	}
	return m
}()

// listHeaderIndex maps a normalised header to its 服务企业名单 column.
var listHeaderIndex = func() map[string]*column {
	m := map[string]*column{}
	for i := range listColumns {
		m[normLabel(listColumns[i].Header)] = &listColumns[i]
	}
	return m
}()

// findHeader returns the index in g.rows of the first row holding at
// least minHeaders 融资明细 header names, or -1.
func findHeader(g *grid) int {
	return findHeaderOf(g, headerIndex, func(map[string]bool) bool { return true })
}

// findListHeader returns the index in g.rows of the first row holding at
// least minHeaders 服务企业名单 header names and none of finOnlyColumns, or -1.
func findListHeader(g *grid) int {
	return findHeaderOf(g, listHeaderIndex, func(seen map[string]bool) bool {
		for _, k := range finOnlyColumns {
			if seen["fin:"+k] {
				return false
			}
		}
		return true
	})
}

// findHeaderOf returns the index of the first row with at least
// minHeaders names of idx that accept takes (seen holds the keys of idx
// found, and "fin:"+key for the 融资明细 headers), or -1.
func findHeaderOf(g *grid, idx map[string]*column, accept func(seen map[string]bool) bool) int {
	for i := range g.rows {
		seen := map[string]bool{}
		n := 0
		for _, c := range g.rows[i].cells {
			if c == "" || len(c) > 200 {
				continue
			}
			h := normLabel(c)
			if col := idx[h]; col != nil && !seen[col.Key] {
				seen[col.Key] = true
				n++
			}
			if col := headerIndex[h]; col != nil {
				seen["fin:"+col.Key] = true
			}
		}
		if n >= minHeaders && accept(seen) {
			return i
		}
	}
	return -1
}

// readFinancing reads 融资明细: the header row found by its names, then
// every row below it except blank rows, the example row (示例), notes and
// totals rows (合计/总计/小计, checked against the rows above them).
func (p *parser) readFinancing(g *grid, mainSheet string) ([]content.Financing, finSums) {
	sums := finSums{ok: true, sheet: SheetFinancing}
	if g == nil {
		return nil, sums
	}
	sums.sheet = g.name
	hi := findHeader(g)
	if hi < 0 && len(g.rows) == 0 {
		return nil, sums // an empty 融资明细: no financing (checked against sheet 1)
	}
	if hi < 0 {
		p.add(g.name, "", "找不到表头：表头行应包含 序号、企业名称、统一社会信用代码、是否晋创谷注册企业、融资机构、融资方式、融资金额（万元）、放款日期（至少其中四项）")
		sums.ok = false
		return nil, sums
	}
	sums.present = true
	hr := &g.rows[hi]
	colOf := map[string]int{} // key -> 1-based column
	for ci, c := range hr.cells {
		if col := headerIndex[normLabel(c)]; col != nil {
			if _, dup := colOf[col.Key]; !dup {
				colOf[col.Key] = ci + 1
			}
		}
	}
	for i := range columns {
		c := &columns[i]
		if _, has := colOf[c.Key]; !has && c.Required {
			p.add(g.name, cellName(1, hr.n), "表头缺少“%s”列：请按模板补上该列", c.DisplayHeader())
			sums.ok = false
		}
	}
	if c, has := colOf[colAmount]; has {
		if u := unitOf(hr.cells[c-1]); u != "" && u != "万元" {
			p.add(g.name, cellName(c, hr.n), "融资金额的单位写成了“%s”：本表金额以万元为单位，请换算为万元并把表头改回“融资金额（万元）”", u)
			sums.ok = false
			return nil, sums
		}
	}
	known := map[int]bool{}
	for _, c := range colOf {
		known[c] = true
	}
	var out []content.Financing
	var section content.Wan // sum since the last 小计
	sectionOK := true
	for ri := hi + 1; ri < len(g.rows); ri++ {
		r := &g.rows[ri]
		get := func(key string) (string, string) {
			c, has := colOf[key]
			if !has {
				return "", ""
			}
			v, prob := g.value(r, c)
			return strings.TrimSpace(v), prob
		}
		cellOf := func(key string) string {
			if c, has := colOf[key]; has {
				return cellName(c, r.n)
			}
			return cellName(1, r.n)
		}
		// First filled cell of the row (any column).
		first, firstCol := "", 0
		for ci := range r.cells {
			if v, _ := g.value(r, ci+1); strings.TrimSpace(v) != "" {
				first, firstCol = normLabel(v), ci+1
				break
			}
		}
		if first == "" {
			continue // blank row
		}
		if strings.HasPrefix(first, exampleMark) {
			// The template's example row. Typed over with a real
			// enterprise, it explains sums that do not add up.
			if v, _ := get(colEnterprise); v != "" && !strings.HasPrefix(normLabel(v), exampleMark) && sums.example == "" {
				sums.example, sums.exampleName = cellName(firstCol, r.n), cleanText(v)
			}
			continue
		}
		if isTotalWord(first) {
			p.checkTotal(g, r, colOf, first, out, section, sectionOK, &sums)
			if strings.HasPrefix(first, "小计") {
				section, sectionOK = 0, true
			}
			continue
		}
		if strings.HasPrefix(first, "注") || strings.HasPrefix(first, "说明") || strings.HasPrefix(first, "填表说明") || strings.HasPrefix(first, "备注") {
			continue // a note below the table
		}
		// A row with nothing in the data columns (only 序号 or 备注, or
		// text outside the table) is not a financing.
		data := false
		for _, c := range columns {
			if c.Key == colSeq || c.Key == colNote {
				continue
			}
			if v, prob := get(c.Key); v != "" || prob != "" {
				data = true
				break
			}
		}
		if !data {
			continue
		}
		var fr content.Financing
		for i := range columns {
			c := &columns[i]
			if _, has := colOf[c.Key]; !has || c.Key == colSeq || c.Key == colNote {
				continue
			}
			name := "“" + c.DisplayHeader() + "”"
			v, prob := get(c.Key)
			cell := cellOf(c.Key)
			if prob != "" {
				p.add(g.name, cell, "%s：%s", name, prob)
				if c.Key == colAmount || c.Key == colJCG {
					sums.ok, sectionOK = false, false
				}
				continue
			}
			if v == "" {
				if c.Required {
					p.add(g.name, cell, "%s未填写：每笔融资都要填写%s", name, name)
					if c.Key == colAmount || c.Key == colJCG {
						sums.ok, sectionOK = false, false
					}
				}
				continue
			}
			switch c.Key {
			case colEnterprise:
				fr.Enterprise = cleanText(v)
			case colLender:
				fr.Lender = cleanText(v)
			case colMethod:
				fr.Method = cleanText(v)
			case colUSCC:
				fr.USCC, prob = parseUSCC(v, c.Header)
			case colJCG:
				fr.Jinchuanggu, prob = parseYesNo(v, name)
				if prob != "" {
					sums.ok, sectionOK = false, false
				}
			case colAmount:
				fr.AmountWan, prob = parseAmount(v, name, c.Unit)
				if prob != "" {
					sums.ok, sectionOK = false, false
				} else if fr.AmountWan == 0 {
					prob = name + "为 0：没有融资的行请删除"
				}
			case colDisbursed:
				fr.Disbursed, prob = p.wb.parseDate(v, name)
				if prob == "" && fr.Disbursed.After(p.opts.Now) {
					prob = fmt.Sprintf("%s %s 晚于今天：请核对", name, fr.Disbursed)
				}
			}
			if prob != "" {
				p.add(g.name, cell, "%s", prob)
			}
		}
		sums.rows++
		sums.all += fr.AmountWan
		section += fr.AmountWan
		if fr.Jinchuanggu {
			sums.jcg += fr.AmountWan
		}
		out = append(out, fr)
	}
	return out, sums
}

func isTotalWord(s string) bool {
	for _, w := range totalWords {
		if strings.HasPrefix(s, w) {
			rest := strings.TrimPrefix(s, w)
			return rest == "" || strings.HasPrefix(rest, ":") || strings.HasPrefix(rest, "(")
		}
	}
	return false
}

// checkTotal checks a totals row: its 融资金额 (if filled) must equal the
// sum of the rows above it (合计/总计: all rows; 小计: since the last 小计).
func (p *parser) checkTotal(g *grid, r *gridRow, colOf map[string]int, word string, rows []content.Financing, section content.Wan, sectionOK bool, sums *finSums) {
	c, has := colOf[colAmount]
	if !has {
		return
	}
	v, prob := g.value(r, c)
	cell := cellName(c, r.n)
	if prob != "" {
		p.add(g.name, cell, "合计行的融资金额：%s", prob)
		return
	}
	if strings.TrimSpace(v) == "" {
		return
	}
	w, prob := parseAmount(v, "合计行的融资金额", "万元")
	if prob != "" {
		p.add(g.name, cell, "%s", prob)
		return
	}
	want, ok := sums.all, sums.ok
	label := "合计"
	if strings.HasPrefix(word, "小计") {
		want, ok, label = section, sectionOK, "小计"
	} else if strings.HasPrefix(word, "总计") {
		label = "总计"
	}
	if ok && w != want {
		p.add(g.name, cell, "%s行的融资金额 %s 万元与上方各笔融资金额之和 %s 万元不一致：请核对", label, w, want)
	}
}

// crossCheck checks what spans fields and sheets: 其中 values against
// their totals, 融资明细 sums against sheet 1, the period against today,
// the institution.
func (p *parser) crossCheck(sh string, vals map[string]*found, rep *content.Report, ok mainOK, sums finSums, haveFin bool) {
	ind := rep.Indicators
	cell := func(key string) string {
		if v := vals[key]; v != nil {
			return v.valueCell
		}
		return ""
	}
	if ok[keyServed] && ok[keyJCGServed] && ind.JinchuangguEnterprises > ind.EnterprisesServed {
		p.add(sh, cell(keyJCGServed), "“%s”（%d）大于“%s”（%d）：其中项不能大于总数，请核对",
			fieldByKey(keyJCGServed).DisplayLabel(), ind.JinchuangguEnterprises, fieldByKey(keyServed).DisplayLabel(), ind.EnterprisesServed)
	}
	if ok[keyFinancing] && ok[keyJCGFinancing] && ind.JinchuangguFinancingWan > ind.FinancingWan {
		p.add(sh, cell(keyJCGFinancing), "“%s”（%s）大于“%s”（%s）：其中项不能大于总数，请核对",
			fieldByKey(keyJCGFinancing).DisplayLabel(), ind.JinchuangguFinancingWan, fieldByKey(keyFinancing).DisplayLabel(), ind.FinancingWan)
	}
	if ok[keyPolicy] && ok[keyPolicyEnt] && ind.PolicySessions == 0 && ind.PolicyEnterprises > 0 {
		p.warnings = append(p.warnings, fmt.Sprintf("政策宣讲活动为 0 场，但政策宣讲覆盖企业为 %d 家", ind.PolicyEnterprises))
	}
	// 融资明细 against sheet 1.
	differ := false // the rows do not add up to sheet 1
	if ok[keyFinancing] {
		switch {
		case (!haveFin || !sums.present && sums.ok) && ind.FinancingWan > 0:
			p.add(sh, cell(keyFinancing), "帮助企业融资金额为 %s 万元，但表格中没有“融资明细”（工作表缺失或为空）：请按模板在“融资明细”工作表中逐笔填写", ind.FinancingWan)
		case haveFin && sums.ok && sums.present && sums.all != ind.FinancingWan:
			differ = true
			if sums.rows == 0 {
				p.add(sh, cell(keyFinancing), "帮助企业融资金额为 %s 万元，但“融资明细”中没有填写任何一笔融资：请逐笔填写（示例行不计入）", ind.FinancingWan)
			} else {
				p.add(sh, cell(keyFinancing), "帮助企业融资金额 %s 万元与“融资明细”中 %d 笔融资金额之和 %s 万元不一致（相差 %s 万元）：请核对",
					ind.FinancingWan, sums.rows, sums.all, absWan(ind.FinancingWan-sums.all))
			}
		}
	}
	if ok[keyJCGFinancing] && haveFin && sums.ok && sums.present && sums.rows > 0 && sums.jcg != ind.JinchuangguFinancingWan {
		differ = true
		p.add(sh, cell(keyJCGFinancing), "晋创谷企业融资金额 %s 万元与“融资明细”中晋创谷企业（是否晋创谷注册企业为“是”）的金额之和 %s 万元不一致：请核对",
			ind.JinchuangguFinancingWan, sums.jcg)
	}
	if differ && sums.example != "" {
		p.add(sums.sheet, sums.example, "这一行的序号是“示例”，按模板示例不计入，但企业名称填的是“%s”：如果这是真实的一笔融资，请把序号“示例”改为数字（如 1）",
			sums.exampleName)
	}
	// The period: a month that has ended, not too old.
	if ok[keyPeriod] {
		now := p.opts.Now
		pr := rep.Period
		switch {
		case !pr.End().Before(now):
			p.add(sh, cell(keyPeriod), "报送月份 %s 尚未结束（今天是 %s）：只能报送已结束的月份，请核对月份", pr.Chinese(), now.Chinese())
		case (now.Year*12+int(now.Month))-(pr.Year*12+pr.Month) > p.opts.MaxReportAgeMonths:
			p.add(sh, cell(keyPeriod), "报送月份 %s 已超过 %d 个月，不再接收：请核对月份", pr.Chinese(), p.opts.MaxReportAgeMonths)
		}
	}
	if ok[keyFiledOn] && rep.FiledOn.After(p.opts.Now) {
		p.add(sh, cell(keyFiledOn), "填报日期 %s 晚于今天：请核对", rep.FiledOn)
	}
	if rep.ChargedFees != nil && *rep.ChargedFees {
		p.warnings = append(p.warnings, "机构填报“是否向服务对象收取费用”为“是”（《办法》第七条）：请核查")
	}
	// The institution.
	if inst := p.opts.Institution; inst != nil {
		if v := vals[keyInstitution]; v != nil && strings.TrimSpace(v.value) != "" && v.value != "\x00" {
			got := normLabel(v.value)
			if got != normLabel(inst.Name) && (inst.ShortName == "" || got != normLabel(inst.ShortName)) {
				p.add(sh, v.valueCell, "机构名称“%s”与登记的机构名称“%s”不一致：请填写营业执照上的全称（若机构已更名，请先联系市科技局更新登记）", cleanText(v.value), inst.Name)
			}
		}
		if ok[keyUSCC] && vals[keyUSCC].value != inst.USCC {
			p.add(sh, cell(keyUSCC), "统一社会信用代码 %s 与登记的 %s（%s）不一致：请核对", vals[keyUSCC].value, inst.USCC, inst.Name)
		}
	}
}

func absWan(w content.Wan) content.Wan {
	if w < 0 {
		return -w
	}
	return w
}

// sortProblems orders problems as a person reads the workbook: the main
// sheet first, then 融资明细, then 服务企业名单 (sheets in the order
// given, others after them), then by row and column; problems without a
// cell (a missing label) first within their sheet. The order is stable
// otherwise.
func sortProblems(ps Problems, sheets ...string) {
	key := func(p Problem) (int, int, int) {
		s := len(sheets)
		for i, n := range sheets {
			if n != "" && p.Sheet == n {
				s = i
				break
			}
		}
		if p.Cell == "" {
			return s, 0, 0
		}
		c, r, err := excelize.CellNameToCoordinates(p.Cell)
		if err != nil {
			return s, 0, 0
		}
		return s, r, c
	}
	slices.SortStableFunc(ps, func(a, b Problem) int {
		as, ar, ac := key(a)
		bs, br, bc := key(b)
		return cmp.Or(cmp.Compare(as, bs), cmp.Compare(ar, br), cmp.Compare(ac, bc))
	})
}
