package sheet

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"kjjr/content"
)

// Fill writes to w the monthly sheet an institution sends for r: the
// Template, built from the same label table, with 机构名称 and
// 统一社会信用代码 of inst and r's period, indicators, partner banks,
// 是否向服务对象收取费用, filer, phone and filing date in the value cells,
// and r.Financing as the rows of 融资明细 under the example row. Numbers
// are number cells, the rest text (dates as 2025-05-08), as a person types
// them.
//
// For every report Parse returns, Parse(Fill(inst, r)) is r again, without
// its Warnings (which Parse derives). The demo, the tests and whatever
// else needs a filled sheet make it here, so a label is written only where
// it is read.
func Fill(w io.Writer, inst *content.Institution, r *content.Report) error {
	f, _, err := fill(inst, r)
	if err != nil {
		return err
	}
	return writeBook(w, f, "filled sheet")
}

// fill builds the template and fills it with inst and r.
func fill(inst *content.Institution, r *content.Report) (*excelize.File, *layout, error) {
	f, lay, err := newTemplate()
	if err != nil {
		return nil, nil, err
	}
	err = fillMain(f, lay, inst, r)
	if err == nil {
		err = fillFinancing(f, lay, tplFirstDataRow, r.Financing)
	}
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("sheet: fill: %w", err)
	}
	return f, lay, nil
}

// fillMain writes the value cells of sheet 绩效评价考核表; an empty or
// zero value (no name, no period, nil Indicators) leaves its cell blank.
func fillMain(f *excelize.File, lay *layout, inst *content.Institution, r *content.Report) error {
	vals := map[string]any{}
	text := func(key, s string) {
		if s != "" {
			vals[key] = s
		}
	}
	if inst != nil {
		text(keyInstitution, inst.Name)
		text(keyUSCC, inst.USCC)
	}
	if !r.Period.IsZero() {
		vals[keyPeriod] = r.Period.Chinese()
	}
	if ind := r.Indicators; ind != nil {
		for key, n := range map[string]int{
			keyServed: ind.EnterprisesServed, keyJCGServed: ind.JinchuangguEnterprises, keySurveyed: ind.NeedsSurveyed,
			keyMatchmaking: ind.MatchmakingEvents, keyRoadshows: ind.Roadshows, keyVisits: ind.OnsiteVisits,
			keyPolicy: ind.PolicySessions, keyPolicyEnt: ind.PolicyEnterprises, keyLoanSubsidy: ind.LoanSubsidyEnterprises,
			keyInsurance: ind.InsuranceEnterprises,
		} {
			vals[key] = n
		}
		vals[keyFinancing] = wanNumber(ind.FinancingWan)
		vals[keyJCGFinancing] = wanNumber(ind.JinchuangguFinancingWan)
	}
	text(keyBanks, strings.Join(r.PartnerBanks, "、"))
	if r.ChargedFees != nil {
		vals[keyCharged] = yesNo(*r.ChargedFees)
	}
	text(keyFiler, r.Filer)
	text(keyPhone, r.Phone)
	if !r.FiledOn.IsZero() {
		vals[keyFiledOn] = r.FiledOn.String()
	}
	return setCells(f, SheetMain, vals, fieldKeys, func(key string) string { return lay.value[key] })
}

// fillFinancing writes rows into 融资明细 from row first on, numbered
// from 1.
func fillFinancing(f *excelize.File, lay *layout, first int, rows []content.Financing) error {
	for i, fr := range rows {
		vals := map[string]any{
			colSeq: i + 1, colEnterprise: fr.Enterprise, colUSCC: fr.USCC, colJCG: yesNo(fr.Jinchuanggu),
			colLender: fr.Lender, colMethod: fr.Method, colAmount: wanNumber(fr.AmountWan),
		}
		if !fr.Disbursed.IsZero() {
			vals[colDisbursed] = fr.Disbursed.String()
		}
		row := first + i
		if err := setCells(f, SheetFinancing, vals, columnKeys, func(key string) string { return fmt.Sprintf("%s%d", lay.col[key], row) }); err != nil {
			return err
		}
	}
	return nil
}

// fieldKeys and columnKeys are the keys of the table, in template order.
var fieldKeys, columnKeys = func() (fk, ck []string) {
	for i := range fields {
		fk = append(fk, fields[i].Key)
	}
	for i := range columns {
		ck = append(ck, columns[i].Key)
	}
	return fk, ck
}()

// setCells writes vals into sheet at cell(key), in the order of keys (so
// that the same values give the same file); a key without a value stays
// blank.
func setCells(f *excelize.File, sheet string, vals map[string]any, keys []string, cell func(key string) string) error {
	for _, k := range keys {
		if v, ok := vals[k]; ok {
			if err := f.SetCellValue(sheet, cell(k), v); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeBook writes f to w as .xlsx and closes it; what names it in the
// error.
func writeBook(w io.Writer, f *excelize.File, what string) error {
	defer f.Close()
	if err := f.Write(w); err != nil {
		return fmt.Errorf("sheet: write %s: %w", what, err)
	}
	return nil
}

// wanNumber is an amount in 万元 as the number a person types (1500.5).
func wanNumber(w content.Wan) float64 { return float64(w) / 100 }

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}
