package sheet

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/xuri/excelize/v2"

	"kjjr/content"
)

// testNow is "today" for every test: 2025-05-20, so 2025-04 is a month
// that has ended and 2025-05 is not.
var testNow = content.Date{Year: 2025, Month: 5, Day: 20}

func testOpts() *Options { return &Options{Now: testNow, MaxReportAgeMonths: 24} }

// filled is a template being filled programmatically, as an institution
// would in Excel: by the template's layout.
type filled struct {
	f   *excelize.File
	lay *layout
	row int // next 融资明细 input row
}

func newFilled(t testing.TB) *filled {
	t.Helper()
	f, lay, err := newTemplate()
	if err != nil {
		t.Fatal(err)
	}
	return &filled{f: f, lay: lay, row: tplFirstDataRow}
}

// set writes a value into the value cell of field key (a string, a
// number, or formula{...}).
func (x *filled) set(t testing.TB, key string, v any) *filled {
	t.Helper()
	cell, ok := x.lay.value[key]
	if !ok {
		t.Fatalf("no field %q", key)
	}
	x.put(t, SheetMain, cell, v)
	return x
}

type formula string

func (x *filled) put(t testing.TB, sheet, cell string, v any) {
	t.Helper()
	var err error
	switch v := v.(type) {
	case formula:
		// No cached value, as excelize (and some generators) write them.
		if err = x.f.SetCellValue(sheet, cell, nil); err == nil {
			err = x.f.SetCellFormula(sheet, cell, string(v))
		}
	case nil:
		err = x.f.SetCellValue(sheet, cell, nil)
	default:
		err = x.f.SetCellValue(sheet, cell, v)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// fillAll fills every field of sheet 1 with its table Example (the
// values of goodReport), as Fill does.
func (x *filled) fillAll(t testing.TB) *filled {
	t.Helper()
	if err := fillMain(x.f, x.lay, exampleInst(), goodReport(t)); err != nil {
		t.Fatal(err)
	}
	return x
}

// exampleInst is the institution the table's examples name.
func exampleInst() *content.Institution {
	return &content.Institution{Name: fieldByKey(keyInstitution).Example, USCC: fieldByKey(keyUSCC).Example}
}

// addRow appends a 融资明细 row; values by column key.
func (x *filled) addRow(t testing.TB, vals map[string]any) *filled {
	t.Helper()
	for _, k := range slices.Sorted(maps.Keys(vals)) { // in one order: fixtures are compared byte for byte
		col, ok := x.lay.col[k]
		if !ok {
			t.Fatalf("no column %q", k)
		}
		x.put(t, SheetFinancing, fmt.Sprintf("%s%d", col, x.row), vals[k])
	}
	x.row++
	return x
}

// row is a typical 融资明细 row.
func row(seq int, name, uscc, jcg string, amount float64, day string) map[string]any {
	return map[string]any{colSeq: seq, colEnterprise: name, colUSCC: uscc, colJCG: jcg,
		colLender: "晋商银行晋中分行", colMethod: "信用贷款", colAmount: amount, colDisbursed: day}
}

func (x *filled) bytes(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := x.f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Valid USCCs for tests (checksums computed by content.USCCCheckChar).
func uscc(t testing.TB, first17 string) string {
	t.Helper()
	c, err := content.USCCCheckChar(first17)
	if err != nil {
		t.Fatal(err)
	}
	return first17 + string(c)
}

// goodSheet is the typical filled sheet: every field from the table's
// examples, three financing rows summing to 1500.5 of which 300 晋创谷.
func goodSheet(t testing.TB) *filled {
	t.Helper()
	r := goodReport(t)
	f, lay, err := fill(exampleInst(), r)
	if err != nil {
		t.Fatal(err)
	}
	return &filled{f: f, lay: lay, row: tplFirstDataRow + len(r.Financing)}
}

// goodReport is what goodSheet parses to.
func goodReport(t testing.TB) *content.Report {
	no := false
	return &content.Report{
		Kind:   "monthly",
		Period: content.MonthPeriod(2025, 4),
		Filer:  "张三", Phone: "0354-5550123", FiledOn: content.Date{Year: 2025, Month: 5, Day: 8},
		Indicators: &content.Indicators{
			EnterprisesServed: 20, JinchuangguEnterprises: 5, NeedsSurveyed: 12, MatchmakingEvents: 2, Roadshows: 1,
			OnsiteVisits: 8, PolicySessions: 1, PolicyEnterprises: 30, LoanSubsidyEnterprises: 3, InsuranceEnterprises: 2,
			FinancingWan: 150050, JinchuangguFinancingWan: 30000,
		},
		PartnerBanks: []string{"晋商银行晋中分行", "中国银行晋中分行"},
		ChargedFees:  &no,
		Financing: []content.Financing{
			{Enterprise: "晋中甲科技有限公司", USCC: uscc(t, "91140700MA0K00011"), Jinchuanggu: true, Lender: "晋商银行晋中分行", Method: "信用贷款", AmountWan: 30000, Disbursed: content.Date{Year: 2025, Month: 4, Day: 3}},
			{Enterprise: "晋中乙智能装备有限公司", USCC: uscc(t, "91140700MA0K00012"), Lender: "晋商银行晋中分行", Method: "信用贷款", AmountWan: 100000, Disbursed: content.Date{Year: 2025, Month: 4, Day: 15}},
			{Enterprise: "晋中丙新材料有限公司", USCC: uscc(t, "91140700MA0K00013"), Lender: "晋商银行晋中分行", Method: "信用贷款", AmountWan: 20050, Disbursed: content.Date{Year: 2025, Month: 4, Day: 28}},
		},
	}
}
