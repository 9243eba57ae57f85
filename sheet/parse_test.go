package sheet

import (
	"archive/zip"
	"bytes"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"kjjr/content"
)

func zipOf(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, name := range slices.Sorted(maps.Keys(files)) { // one order: the same bytes every time
		body := files[name]
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestRoundTrip: template -> filled programmatically -> parsed -> the
// record that was filled in.
func TestRoundTrip(t *testing.T) {
	rep, err := Parse(goodSheet(t).bytes(t), testOpts())
	if err != nil {
		t.Fatal(err)
	}
	assertReport(t, goodReport(t), rep)
	if err := parseRecord(t, rep); err != nil {
		t.Fatal(err)
	}
}

// parseRecord encodes rep as the inbox does and decodes it back strictly.
func parseRecord(t testing.TB, rep *content.Report) error {
	t.Helper()
	rep.ReceivedAt = "2025-05-08T10:00:00+08:00"
	data, err := content.EncodeRecord(rep, "")
	if err != nil {
		return err
	}
	var back content.Report
	if ds := content.DecodeRecord("institutions/x/reports/"+rep.Period.String()+".md", data, &back); ds.HasErrors() {
		return ds
	}
	back.Meta = content.Meta{}
	rep.Meta = content.Meta{}
	assertReport(t, rep, &back)
	rep.ReceivedAt = ""
	return nil
}

// TestQuirks: sheets as institutions really fill them read to the same
// record as the template filled neatly.
func TestQuirks(t *testing.T) {
	for _, tc := range []struct {
		file string
		edit func(r *content.Report) // from goodReport to what this sheet holds
	}{
		{"good.xlsx", nil},
		{"quirk_labels.xlsx", func(r *content.Report) {
			r.Indicators.PolicySessions, r.Indicators.PolicyEnterprises, r.Indicators.LoanSubsidyEnterprises = 0, 0, 0
		}},
		{"quirk_formulas.xlsx", func(r *content.Report) {}},
		{"quirk_financing.xlsx", func(r *content.Report) {}},
		{"quirk_table_on_main.xlsx", nil},
		{"quirk_no_financing.xlsx", func(r *content.Report) {
			r.Indicators.FinancingWan, r.Indicators.JinchuangguFinancingWan = 0, 0
			r.Financing, r.PartnerBanks = nil, nil
		}},
		{"lo_source.xlsx", nil},
		{"libreoffice.xlsx", nil},
		{"quirk_wps_sheets.xlsx", nil},
		{"quirk_hidden_old_month.xlsx", nil},
		{"quirk_hand_typed.xlsx", func(r *content.Report) { r.Phone = "0354-5550123;13800000000" }},
	} {
		t.Run(tc.file, func(t *testing.T) {
			rep, err := Parse(readFixture(t, tc.file), testOpts())
			if err != nil {
				t.Fatal(err)
			}
			want := goodReport(t)
			if tc.edit != nil {
				tc.edit(want)
			}
			if tc.file == "quirk_financing.xlsx" {
				want.Financing[0].Method, want.Financing[0].Lender = "信用贷款", "晋商银行晋中分行"
			}
			assertReport(t, want, rep)
			if err := parseRecord(t, rep); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestProblems: each bad sheet gets exactly its problems, each with its
// cell, in Chinese, saying how to fix it.
func TestProblems(t *testing.T) {
	for _, tc := range []struct {
		file string
		want []string // "Sheet!Cell: substring of the message"
	}{
		{"p_not_number.xlsx", []string{"绩效评价考核表!B9: “服务企业数量（家）”应为整数，“约20”不是数字"}},
		{"p_negative.xlsx", []string{"绩效评价考核表!B12: “银企对接活动（场）”不能为负数"}},
		{"p_sub_gt_total.xlsx", []string{"绩效评价考核表!B10: “其中：晋创谷注册企业（家）”（30）大于“服务企业数量（家）”（20）"}},
		{"p_uscc_main.xlsx", []string{"绩效评价考核表!B6: 统一社会信用代码校验位错误，应为 6"}},
		{"p_uscc_row.xlsx", []string{"融资明细!C6: 统一社会信用代码校验位错误，应为 " + uscc(t, "91140700MA0K00012")[17:]}},
		{"p_sum.xlsx", []string{"绩效评价考核表!B21: 帮助企业融资金额 1600.50 万元与“融资明细”中 3 笔融资金额之和 1500.50 万元不一致（相差 100.00 万元）"}},
		{"p_jcg_sum.xlsx", []string{"绩效评价考核表!B22: 晋创谷企业融资金额 300.00 万元与“融资明细”中晋创谷企业（是否晋创谷注册企业为“是”）的金额之和 1300.00 万元不一致"}},
		{"p_jcg_gt_total.xlsx", []string{
			"绩效评价考核表!B22: “其中：晋创谷企业融资金额（万元）”（2000.00）大于“帮助企业融资金额（万元）”（1500.50）",
			"绩效评价考核表!B22: 晋创谷企业融资金额 2000.00 万元与“融资明细”",
		}},
		{"p_period_future.xlsx", []string{"绩效评价考核表!B7: 报送月份 2025年5月 尚未结束（今天是 2025年5月20日）：只能报送已结束的月份"}},
		{"p_period_not_month.xlsx", []string{"绩效评价考核表!B7: “报送月份”应为一个月份，“2025年第二季度”无法识别：请写作 2025年4月 或 2025-04"}},
		{"p_period_month13.xlsx", []string{"绩效评价考核表!B7: “报送月份”“2025-13”不是有效的月份"}},
		{"p_period_old.xlsx", []string{"绩效评价考核表!B7: 报送月份 2023年1月 已超过 24 个月，不再接收"}},
		{"p_period_ambiguous.xlsx", []string{"绩效评价考核表!B7: “报送月份”填的是数字 2025.1，无法区分是1月还是10月"}},
		{"p_charged.xlsx", []string{"绩效评价考核表!B23: “是否向服务对象收取费用”只能填“是”或“否”，“不收”不可识别"}},
		{"p_blank.xlsx", []string{"绩效评价考核表!B9: “服务企业数量（家）”未填写：请填写数字，本月没有的填 0"}},
		{"p_label_missing.xlsx", []string{"绩效评价考核表: 缺少“政策宣讲活动（场）”一栏"}},
		{"p_row_amount.xlsx", []string{"融资明细!G6: “融资金额（万元）”未填写"}},
		{"p_row_fields.xlsx", []string{
			"融资明细!B7: “企业名称”未填写",
			"融资明细!D7: “是否晋创谷注册企业”只能填“是”或“否”，“不是”不可识别",
			"融资明细!H7: “放款日期”应为日期，“上个月”无法识别",
		}},
		{"p_totals.xlsx", []string{"融资明细!G9: 合计行的融资金额 1500.00 万元与上方各笔融资金额之和 1500.50 万元不一致"}},
		{"p_yuan.xlsx", []string{"绩效评价考核表!A21: “帮助企业融资金额（万元）”的单位写成了“元”：本表金额以万元为单位"}},
		{"p_no_rows.xlsx", []string{"绩效评价考核表!B21: 帮助企业融资金额为 1500.50 万元，但“融资明细”中没有填写任何一笔融资"}},
		{"p_future_dates.xlsx", []string{
			"绩效评价考核表!B27: 填报日期 2025-06-01 晚于今天",
			"融资明细!H5: “放款日期” 2025-07-01 晚于今天",
		}},
		{"p_empty_financing_sheet.xlsx", []string{"绩效评价考核表!B21: 帮助企业融资金额为 1500.50 万元，但表格中没有“融资明细”（工作表缺失或为空）"}},
		{"p_pair_blank.xlsx", []string{"Sheet1!D24: “填报人”未填写"}},
		{"p_formula_error.xlsx", []string{
			"绩效评价考核表!B9: “服务企业数量（家）”：公式计算出错（#REF!）：请在 Excel 或 WPS 中改正公式（常见原因是公式引用的工作表、单元格或文件已删除），或直接填写数字",
			"融资明细!G6: “融资金额（万元）”：公式计算出错（#N/A）",
		}},
		{"p_two_months.xlsx", []string{"2025年3月: 工作簿中有 2 个工作表都是考核表（“2025年3月”、“2025年4月”）：一份月报只能报送一个月，请只保留本月的工作表"}},
		{"p_example_typed_over.xlsx", []string{
			"绩效评价考核表!B21: 帮助企业融资金额 1600.00 万元与“融资明细”中 3 笔融资金额之和 1500.50 万元不一致（相差 99.50 万元）",
			"融资明细!A4: 这一行的序号是“示例”，按模板示例不计入，但企业名称填的是“晋中丁科技有限公司”：如果这是真实的一笔融资，请把序号“示例”改为数字（如 1）",
		}},
		{"bad.xlsx", []string{
			"绩效评价考核表!B6: 统一社会信用代码校验位错误，应为 6",
			"绩效评价考核表!B9: “服务企业数量（家）”应为整数，“约20”不是数字",
			"绩效评价考核表!B12: “银企对接活动（场）”不能为负数",
			"绩效评价考核表!B23: “是否向服务对象收取费用”只能填“是”或“否”",
			"绩效评价考核表!B26: “联系电话”未填写",
			"融资明细!C6: 统一社会信用代码校验位错误",
			"融资明细!G7: “融资金额（万元）”应为金额（万元），“约200”不是数字",
			"绩效评价考核表!B7: 报送月份 2025年5月 尚未结束",
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			_, err := Parse(readFixture(t, tc.file), testOpts())
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("want Problems, got %T %v", err, err)
			}
			assertProblems(t, ps, tc.want)
		})
	}
}

// assertProblems checks that ps holds exactly the wanted problems (by
// prefix "Sheet!Cell: message-start"), no more, no fewer.
func assertProblems(t testing.TB, ps Problems, want []string) {
	t.Helper()
	used := make([]bool, len(ps))
	for _, w := range want {
		hit := false
		for i, p := range ps {
			if !used[i] && strings.HasPrefix(p.String(), w) {
				used[i], hit = true, true
				break
			}
		}
		if !hit {
			t.Errorf("missing problem %q", w)
		}
	}
	for i, p := range ps {
		if !used[i] {
			t.Errorf("unexpected problem %q", p.String())
		}
	}
	if t.Failed() {
		t.Logf("all problems:\n%s", ps.Error())
	}
}

// TestFormatErrors: files that are no readable .xlsx get a FormatError
// whose Chinese message says what to do.
func TestFormatErrors(t *testing.T) {
	for _, tc := range []struct {
		file string
		want string
	}{
		{"legacy.xls", "这是旧版 .xls 或 WPS .et 格式的表格，无法读取：请另存为 .xlsx 后重新发送"},
		{"fake.et", "请另存为 .xlsx 后重新发送"},
		{"encrypted.xlsx", "文件已加密，请取消密码后重新发送"},
		{"not_sheet.pdf", "这是 PDF 文件，不是月报表"},
		{"truncated.xlsx", "文件已损坏"},
		{"not_workbook.xlsx", "这是 Word 文档"},
		{"ods.ods", "这是 OpenDocument 表格（.ods），无法读取：请另存为 .xlsx 后重新发送"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			_, err := Parse(readFixture(t, tc.file), testOpts())
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("want *FormatError, got %T %v", err, err)
			}
			if !strings.Contains(fe.Message, tc.want) {
				t.Fatalf("message %q does not say %q", fe.Message, tc.want)
			}
			if Looks(readFixture(t, tc.file)) {
				t.Error("Looks = true")
			}
		})
	}
	for name, data := range map[string][]byte{"empty": nil, "text": []byte("机构名称,报送月份\n")} {
		var fe *FormatError
		if _, err := Parse(data, nil); !errors.As(err, &fe) {
			t.Errorf("%s: want *FormatError, got %v", name, err)
		}
	}
}

// TestInstitution: with Options.Institution, 机构名称 and USCC must be
// that institution's.
func TestInstitution(t *testing.T) {
	data := readFixture(t, "good.xlsx")
	own := &content.Institution{Name: "晋中示例科技金融服务有限公司", USCC: "91140700MA0K000016"}
	if _, err := Parse(data, &Options{Now: testNow, Institution: own}); err != nil {
		t.Fatalf("own institution: %v", err)
	}
	// Full-width brackets and spaces in the registered name still match.
	short := &content.Institution{Name: "其他名称", ShortName: "晋中示例科技金融服务有限公司 ", USCC: "91140700MA0K000016"}
	if _, err := Parse(data, &Options{Now: testNow, Institution: short}); err != nil {
		t.Fatalf("short name: %v", err)
	}
	other := &content.Institution{Name: "太谷另一家服务机构有限公司", USCC: uscc(t, "91140726MA0K00099")}
	_, err := Parse(data, &Options{Now: testNow, Institution: other})
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("want Problems, got %v", err)
	}
	assertProblems(t, ps, []string{
		"绩效评价考核表!B5: 机构名称“晋中示例科技金融服务有限公司”与登记的机构名称“太谷另一家服务机构有限公司”不一致",
		"绩效评价考核表!B6: 统一社会信用代码 91140700MA0K000016 与登记的 " + other.USCC,
	})
}

// TestLooks tells the monthly sheet from other workbooks.
func TestLooks(t *testing.T) {
	for _, f := range []string{"good.xlsx", "bad.xlsx", "quirk_labels.xlsx", "libreoffice.xlsx", "quirk_table_on_main.xlsx"} {
		if !Looks(readFixture(t, f)) {
			t.Errorf("%s: Looks = false", f)
		}
	}
	var b bytes.Buffer
	if err := Template(&b); err != nil {
		t.Fatal(err)
	}
	if !Looks(b.Bytes()) {
		t.Error("template: Looks = false")
	}
	other := newFilled(t)
	other.put(t, SheetMain, "A7", "月份")
	if Looks(other.bytes(t)) {
		t.Error("a workbook without 报送月份: Looks = true")
	}
}

// TestWarnings: 是否收费 是 reads, and is flagged for staff.
func TestWarnings(t *testing.T) {
	x := goodSheet(t)
	x.set(t, keyCharged, "是")
	rep, err := Parse(x.bytes(t), testOpts())
	if err != nil {
		t.Fatal(err)
	}
	if rep.ChargedFees == nil || !*rep.ChargedFees || len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "第七条") {
		t.Fatalf("charged %v warnings %q", rep.ChargedFees, rep.Warnings)
	}
}
