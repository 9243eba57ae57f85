package console

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/xuri/excelize/v2"

	"kjjr/content"
	"kjjr/internal/textwidth"
	"kjjr/review"
)

// The sheets of the export (导出 Excel), in order.
const (
	SheetMatrix  = "报送情况"
	SheetMonthly = "月报明细"
	SheetTotals  = "月报汇总"
	SheetAssess  = "年度考核数据"
)

type exportKey struct {
	refs  refsKey
	year  int
	today content.Date
}

// ExportXLSX writes the workbook of year as of today: SheetMatrix, the
// compliance matrix (states in Chinese, pending branches included);
// SheetMonthly, every approved monthly sheet of the year, one row per
// institution and month with the sheet's figures (review.Figures) and a
// 合计 row; SheetTotals, the year's sums per institution with a 合计 row
// (what the bureau forwards to the province); and SheetAssess, the 第六条
// figures of content.Repo.AssessDraft. full is main loaded in full; lines
// the matrix of the year. Figures are numbers (万元 with two decimals),
// the header row is frozen.
func ExportXLSX(full *content.Repo, lines []content.ComplianceLine, year int, today content.Date) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EEF1F5"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}})
	if err != nil {
		return nil, fmt.Errorf("console: export: %w", err)
	}
	wan, err := f.NewStyle(&excelize.Style{NumFmt: 2}) // 0.00
	if err != nil {
		return nil, fmt.Errorf("console: export: %w", err)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, fmt.Errorf("console: export: %w", err)
	}
	boldWan, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, NumFmt: 2})
	if err != nil {
		return nil, fmt.Errorf("console: export: %w", err)
	}
	x := &xlsxWriter{f: f, head: head, wan: wan, bold: bold, boldWan: boldWan}

	// 报送情况
	heads := []string{"机构", "代码"}
	for _, p := range content.CompliancePeriods(year) {
		heads = append(heads, p.Chinese())
	}
	heads = append(heads, "未报送（项）")
	var rows [][]any
	for _, l := range lines {
		row := []any{l.Institution.Name, l.Institution.Slug}
		missing := 0
		for _, c := range l.Cells {
			row = append(row, c.State.Chinese())
			if c.State == content.StateMissing {
				missing++
			}
		}
		rows = append(rows, append(row, missing))
	}
	if err := x.sheet(SheetMatrix, heads, rows, nil); err != nil {
		return nil, err
	}

	// 月报明细 and 月报汇总
	figHeads := make([]string, len(review.Figures))
	for i, fg := range review.Figures {
		figHeads[i] = fg.Label
	}
	var detail, totals [][]any
	grand := make([]int64, len(review.Figures))
	grandReports := 0
	for _, inst := range full.Institutions {
		sum := make([]int64, len(review.Figures))
		n := 0
		for _, rep := range inst.Reports {
			if rep.Period.Kind != content.Monthly || rep.Period.Year != year || rep.Indicators == nil {
				continue
			}
			n++
			row := []any{inst.Name, inst.Slug, rep.Period.Chinese(), rep.ReceivedDate().String()}
			for i, fg := range review.Figures {
				v := fg.Get(rep.Indicators)
				sum[i] += v
				row = append(row, figureValue(fg, v))
			}
			detail = append(detail, row)
		}
		if n == 0 && !inst.RequiredIn(year) {
			continue
		}
		row := []any{inst.Name, inst.Slug, n}
		for i, fg := range review.Figures {
			row = append(row, figureValue(fg, sum[i]))
			grand[i] += sum[i]
		}
		grandReports += n
		totals = append(totals, row)
	}
	total := func(lead ...any) []any {
		row := lead
		for i, fg := range review.Figures {
			row = append(row, figureValue(fg, grand[i]))
		}
		return row
	}
	if err := x.sheet(SheetMonthly, append([]string{"机构", "代码", "月份", "收到日期"}, figHeads...), detail, total("合计", "", fmt.Sprintf("%d 份", len(detail)), "")); err != nil {
		return nil, err
	}
	if err := x.sheet(SheetTotals, append([]string{"机构", "代码", "月报（份）"}, figHeads...), totals, total("合计", "", grandReports)); err != nil {
		return nil, err
	}

	// 年度考核数据 (第六条)
	aheads := []string{"机构", "代码", "月报（份）", "按时（份）", "服务企业（家）", "服务企业（家次）", "晋创谷企业（家）", "晋创谷企业（家次）", "有名单的月份",
		"银企对接活动（场）", "政策宣讲（场）", "政策宣讲覆盖企业（家）", "融资金额（万元）", "晋创谷企业融资（万元）", "合作银行（家）", "合作银行", "半年报告（份）", "年度总结"}
	var arows [][]any
	res, _, err := full.AssessDraft(year, today)
	if err != nil && !errors.Is(err, content.ErrNoReports) {
		return nil, err
	}
	if res != nil {
		for _, g := range res.Grades {
			fg := g.Figures
			name := g.Institution
			if inst := full.Institution(g.Institution); inst != nil && inst.Name != "" {
				name = inst.Name
			}
			ann := "缺"
			if fg.AnnualSummary {
				ann = "有"
			}
			banks := ""
			for i, b := range fg.PartnerBanks {
				if i > 0 {
					banks += "、"
				}
				banks += b
			}
			arows = append(arows, []any{name, g.Institution, fg.Reports, fg.OnTime, fg.Enterprises, fg.EnterprisesServed, fg.JinchuangguDistinct, fg.JinchuangguEnterprises,
				fg.ListedMonths, fg.MatchmakingEvents, fg.PolicySessions, fg.PolicyEnterprises, wanValue(fg.FinancingWan), wanValue(fg.JinchuangguFinancingWan),
				len(fg.PartnerBanks), banks, fg.HalfYearReports, ann})
		}
	}
	if err := x.sheet(SheetAssess, aheads, arows, nil); err != nil {
		return nil, err
	}
	f.SetActiveSheet(0)
	if err := f.DeleteSheet("Sheet1"); err != nil {
		return nil, fmt.Errorf("console: export: %w", err)
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		return nil, fmt.Errorf("console: export: %w", err)
	}
	return b.Bytes(), nil
}

// wanMoney marks a cell value as an amount in 万元 (number format 0.00).
type wanMoney float64

func wanValue(w content.Wan) wanMoney { return wanMoney(float64(w) / 100) }

func figureValue(fg review.Figure, v int64) any {
	if fg.Wan {
		return wanValue(content.Wan(v))
	}
	return v
}

type xlsxWriter struct {
	f                        *excelize.File
	head, wan, bold, boldWan int
}

// sheet writes one sheet: the frozen header row, rows, and a bold total
// row when total is not nil; column widths follow the widest text.
func (x *xlsxWriter) sheet(name string, heads []string, rows [][]any, total []any) error {
	if _, err := x.f.NewSheet(name); err != nil {
		return fmt.Errorf("console: export %s: %w", name, err)
	}
	sw, err := x.f.NewStreamWriter(name)
	if err != nil {
		return fmt.Errorf("console: export %s: %w", name, err)
	}
	widths := make([]int, len(heads))
	for i, h := range heads {
		widths[i] = min(textwidth.String(h), 24)
	}
	for _, r := range append(rows, total) {
		for i, v := range r {
			if s, ok := v.(string); ok && i < len(widths) {
				widths[i] = max(widths[i], min(textwidth.String(s), 48))
			}
		}
	}
	for i, w := range widths {
		if err := sw.SetColWidth(i+1, i+1, float64(max(w, 8)+2)); err != nil {
			return fmt.Errorf("console: export %s: %w", name, err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("console: export %s: %w", name, err)
	}
	hrow := make([]any, len(heads))
	for i, h := range heads {
		hrow[i] = excelize.Cell{StyleID: x.head, Value: h}
	}
	if err := sw.SetRow("A1", hrow, excelize.RowOpts{Height: 32}); err != nil {
		return fmt.Errorf("console: export %s: %w", name, err)
	}
	write := func(n int, r []any, isTotal bool) error {
		out := make([]any, len(r))
		for i, v := range r {
			switch v := v.(type) {
			case wanMoney:
				st := x.wan
				if isTotal {
					st = x.boldWan
				}
				out[i] = excelize.Cell{StyleID: st, Value: float64(v)}
			default:
				if isTotal {
					out[i] = excelize.Cell{StyleID: x.bold, Value: v}
				} else {
					out[i] = v
				}
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, n)
		return sw.SetRow(cell, out)
	}
	for i, r := range rows {
		if err := write(i+2, r, false); err != nil {
			return fmt.Errorf("console: export %s: %w", name, err)
		}
	}
	if total != nil {
		if err := write(len(rows)+2, total, true); err != nil {
			return fmt.Errorf("console: export %s: %w", name, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("console: export %s: %w", name, err)
	}
	return nil
}

// exportPage sends the workbook of ?year= (ExportXLSX) as a download.
func (s *Server) exportPage(w http.ResponseWriter, r *http.Request, se *session, _ string) {
	repo, k, done, ok := s.borrowAtRefs(w, se)
	if !ok {
		return
	}
	defer done()
	today := content.DateOf(s.cfg.Now())
	year := yearParam(r, today)
	data, err := s.views.export.get(exportKey{k, year, today}, func() ([]byte, error) {
		lines, err := s.views.matrix(repo, k, year, today)
		if err != nil {
			return nil, err
		}
		full, err := s.views.fullRepo(repo, k)
		if err != nil {
			return nil, err
		}
		return ExportXLSX(full, lines, year, today)
	})
	if err != nil {
		s.fail(w, se, err)
		return
	}
	s.logAudit(auditLine{Event: "export", User: se.name, Addr: s.clientAddr(r), Detail: fmt.Sprintf("%d %s", year, k.main)})
	name := fmt.Sprintf("科技金融服务机构报送情况-%d.xlsx", year)
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="kjjr-%d.xlsx"; filename*=UTF-8''%s`, year, url.PathEscape(name)))
	_, _ = w.Write(data)
}
