package sheet

import (
	"reflect"
	"strings"
	"testing"

	"kjjr/content"
)

func TestNormLabel(t *testing.T) {
	for in, want := range map[string]string{
		"服务企业数量（家）":              "服务企业数量",
		" 服务企业数量 (家) ：":          "服务企业数量",
		"金额(万元)：":                "金额",
		"帮助企业融资金额（万元）:（合计）":      "帮助企业融资金额",
		"其中：晋创谷注册企业（家）":          "其中:晋创谷注册企业",
		"其中:晋创谷注册企业":             "其中:晋创谷注册企业",
		"其中 晋创谷注册企业":             "其中:晋创谷注册企业",
		"其中，晋创谷注册企业":             "其中:晋创谷注册企业",
		"机构名称\u3000：":            "机构名称",
		"ＡＢＣ（１）":                 "ABC",
		"报送月份:":                  "报送月份",
		"其中":                     "其中",
		"":                       "",
		strings.Repeat("长", 400): "",
	} {
		if got := normLabel(in); got != want {
			t.Errorf("normLabel(%q) = %q, want %q", in, got, want)
		}
	}
	// Every label and header of the table is distinct after normalising.
	seen := map[string]string{}
	for _, f := range fields {
		n := normLabel(f.DisplayLabel())
		if n != normLabel(f.Label) {
			t.Errorf("%s: display form normalises to %q, label to %q", f.Key, n, normLabel(f.Label))
		}
		if prev, dup := seen[n]; dup {
			t.Errorf("labels %s and %s both read %q", prev, f.Key, n)
		}
		seen[n] = f.Key
	}
}

func TestParseCount(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		prob string
	}{
		{"20", 20, ""}, {" 20 ", 20, ""}, {"２０", 20, ""}, {"20家", 20, ""}, {"20 家", 20, ""},
		{"1,200", 1200, ""}, {"１，２００", 1200, ""}, {"无", 0, ""}, {"-", 0, ""}, {"—", 0, ""}, {"－", 0, ""},
		{"20.0", 20, ""}, {"19.9999999999", 20, ""}, {"2E+1", 20, ""},
		{"约20", 0, "不是数字"}, {"20余", 0, "不是数字"}, {"二十", 0, "不是数字"}, {"20个", 0, "不是数字"},
		{"-3", 0, "不能为负数"}, {"2.5", 0, "有小数"}, {"1e300", 0, "数值过大"},
	} {
		got, prob := parseCount(tc.in, "“服务企业数量（家）”", "家")
		if got != tc.want || !strings.Contains(prob, tc.prob) || (tc.prob == "") != (prob == "") {
			t.Errorf("parseCount(%q) = %d, %q; want %d, %q", tc.in, got, prob, tc.want, tc.prob)
		}
	}
}

func TestParseAmount(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want content.Wan
		prob string
	}{
		{"150", 15000, ""}, {"150.5", 15050, ""}, {"150.50万元", 15050, ""}, {"1,234.56", 123456, ""},
		{"１５０．５", 15050, ""}, {"150.30000000000001", 15030, ""}, {"0.1", 10, ""}, {"无", 0, ""},
		{"1.5E+2", 15000, ""}, {"150.500", 15050, ""},
		// 万 is short for 万元 (a hand-typed "300万" is 300 万元, not a unit error).
		{"150.5万", 15050, ""}, {"1,500.5 万", 150050, ""}, {"１５０万", 15000, ""},
		{"150.333", 0, "最多两位小数"}, {"1500000元", 0, "单位不对"}, {"1.5亿", 0, "单位不对"},
		{"约150", 0, "不是数字"}, {"-1", 0, "不能为负数"}, {"1e20", 0, "数值过大"},
	} {
		got, prob := parseAmount(tc.in, "“帮助企业融资金额（万元）”", "万元")
		if got != tc.want || !strings.Contains(prob, tc.prob) || (tc.prob == "") != (prob == "") {
			t.Errorf("parseAmount(%q) = %s, %q; want %s, %q", tc.in, got, prob, tc.want, tc.prob)
		}
	}
}

func TestParsePeriod(t *testing.T) {
	wb := &workbook{}
	apr := content.MonthPeriod(2025, 4)
	oct := content.MonthPeriod(2025, 10)
	jan := content.MonthPeriod(2025, 1)
	for _, tc := range []struct {
		in     string
		number bool // the cell holds a number
		want   content.Period
		prob   string
	}{
		{"2025年4月", false, apr, ""}, {"2025年04月", false, apr, ""}, {"2025 年 4 月份", false, apr, ""},
		{"２０２５年４月", false, apr, ""}, {"2025-04", false, apr, ""}, {"2025-4", false, apr, ""},
		{"2025.4", true, apr, ""}, {"2025.04", false, apr, ""}, {"2025/04", false, apr, ""}, {"2025/4", false, apr, ""},
		{"202504", true, apr, ""}, {"2025-04-01", false, apr, ""}, {"2025年4月30日", false, apr, ""},
		{"45748", true, apr, ""},                                // Excel serial of 2025-04-01
		{"45777", true, apr, ""},                                // 2025-04-30
		{"2025-04-01T00:00:00Z", false, apr, ""},                // an ISO date cell (t="d")
		{"2025.10", false, oct, ""}, {"2025.1", false, jan, ""}, // typed as text: as written
		{"2025.1", true, content.Period{}, "无法区分是1月还是10月"},
		{"2025.12", true, content.MonthPeriod(2025, 12), ""},
		{"2025年第二季度", false, content.Period{}, "无法识别"}, {"2025年", false, content.Period{}, "无法识别"},
		{"2025-13", false, content.Period{}, "不是有效的月份"}, {"2025年0月", false, content.Period{}, "不是有效的月份"},
		{"四月", false, content.Period{}, "无法识别"}, {"2025-02-30", false, content.Period{}, "无法识别"},
		{"12", true, content.Period{}, "无法识别"},
	} {
		got, prob := wb.parsePeriod(tc.in, "“报送月份”", func() bool { return tc.number })
		if got != tc.want || !strings.Contains(prob, tc.prob) || (tc.prob == "") != (prob == "") {
			t.Errorf("parsePeriod(%q, number=%v) = %v, %q; want %v, %q", tc.in, tc.number, got, prob, tc.want, tc.prob)
		}
	}
	// The 1904 date system (old Mac workbooks) shifts serials by 1462 days.
	wb1904 := &workbook{date1904: true}
	if got, _ := wb1904.parsePeriod("44286", "", func() bool { return true }); got != apr {
		t.Errorf("1904 serial: got %v", got)
	}
}

func TestParseDate(t *testing.T) {
	wb := &workbook{}
	want := content.Date{Year: 2025, Month: 5, Day: 8}
	for _, in := range []string{"2025-05-08", "2025-5-8", "2025/5/8", "2025.5.8", "2025年5月8日", "20250508", "45785", "2025-05-08T00:00:00Z", "２０２５－０５－０８", "2025年5月8号"} {
		if got, prob := wb.parseDate(in, "填报日期"); got != want || prob != "" {
			t.Errorf("parseDate(%q) = %v, %q", in, got, prob)
		}
	}
	for _, in := range []string{"2025-02-30", "上个月", "5月8日", "12"} {
		if _, prob := wb.parseDate(in, "填报日期"); prob == "" {
			t.Errorf("parseDate(%q): no problem", in)
		}
	}
}

func TestSplitList(t *testing.T) {
	for in, want := range map[string][]string{
		"晋商银行、中国银行":                 {"晋商银行", "中国银行"},
		"晋商银行，中国银行;农业银行；工商银行\n建设银行": {"晋商银行", "中国银行", "农业银行", "工商银行", "建设银行"},
		"晋商银行, 晋商银行":                {"晋商银行"},
		"无":                         nil,
		" 、 ":                       nil,
	} {
		if got := splitList(in); !reflect.DeepEqual(got, want) {
			t.Errorf("splitList(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseYesNoUSCCPhone(t *testing.T) {
	for in, want := range map[string]bool{"是": true, "否": false, " 否 ": false, "否。": false} {
		if got, prob := parseYesNo(in, "x"); got != want || prob != "" {
			t.Errorf("parseYesNo(%q) = %v, %q", in, got, prob)
		}
	}
	for _, in := range []string{"不", "Y", "", "是否"} {
		if _, prob := parseYesNo(in, "x"); prob == "" {
			t.Errorf("parseYesNo(%q): no problem", in)
		}
	}
	if got, prob := parseUSCC(" 91140700ma0k00001 6", "统一社会信用代码"); got != "91140700MA0K000016" || prob != "" {
		t.Errorf("parseUSCC: %q %q", got, prob)
	}
	if _, prob := parseUSCC("91140700MA0K000010", "统一社会信用代码"); prob != "统一社会信用代码校验位错误，应为 6（请核对代码是否抄错）" {
		t.Errorf("parseUSCC bad checksum: %q", prob)
	}
	for in, ok := range map[string]bool{"0354-5550123": true, "13800000000": true, "(0354) 555 0123 转 8": true, "0354-5550123；13800000000": true, "123": false, "张三": false} {
		if _, prob := parsePhone(in, "“联系电话”"); (prob == "") != ok {
			t.Errorf("parsePhone(%q): %q", in, prob)
		}
	}
}
