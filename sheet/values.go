package sheet

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"kjjr/content"
)

var reNumber = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$`)

// cleanNumber turns a cell's text into a plain decimal: NFKC (full-width
// digits), white space and thousands separators removed, a trailing unit
// from units dropped, 无 / - / — read as 0. ok is false when what is left
// is not a number.
func cleanNumber(raw string, units ...string) (string, bool) {
	s := normText(raw)
	if isZeroWord(s) {
		return "0", true
	}
	for _, u := range units {
		if u != "" {
			if t, ok := strings.CutSuffix(s, u); ok {
				s = strings.TrimSpace(t)
				break
			}
		}
	}
	s = strings.Map(func(r rune) rune {
		if r == ',' || r == ' ' || r == '\u00a0' || r == '\'' {
			return -1
		}
		return r
	}, s)
	if !reNumber.MatchString(s) {
		return s, false
	}
	return s, true
}

// quote shows a cell's text in a message, shortened.
func quote(s string) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > 30 {
		s = string(r[:30]) + "…"
	}
	return "“" + s + "”"
}

// parseCount reads a count (整数 >= 0).
func parseCount(raw, name string, units ...string) (int, string) {
	s, ok := cleanNumber(raw, units...)
	if !ok {
		return 0, fmt.Sprintf("%s应为整数，%s不是数字：请只填阿拉伯数字，如 20（本月没有的填 0）", name, quote(raw))
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, fmt.Sprintf("%s应为整数，%s不是数字：请只填阿拉伯数字，如 20", name, quote(raw))
	}
	if x < 0 {
		return 0, fmt.Sprintf("%s不能为负数（填的是 %s）：请填写 0 或正整数", name, quote(raw))
	}
	r := math.Round(x)
	if math.Abs(x-r) > 1e-6 {
		return 0, fmt.Sprintf("%s应为整数，%s有小数：请填写整数", name, quote(raw))
	}
	if r > 1e8 {
		return 0, fmt.Sprintf("%s数值过大（%s）：请核对", name, quote(raw))
	}
	return int(r), ""
}

// parseAmount reads an amount in 万元 (>= 0, two decimals at most). A
// number stored by Excel as binary floating point (150.30000000000001)
// is rounded to hundredths when it is that close to them. Where 万元 is
// the unit, 万 is too: a hand-typed 300万 is 300 万元.
func parseAmount(raw, name string, units ...string) (content.Wan, string) {
	if slices.Contains(units, "万元") {
		units = append(units[:len(units):len(units)], "万")
	}
	s, ok := cleanNumber(raw, units...)
	if !ok {
		if strings.HasSuffix(s, "元") || strings.HasSuffix(s, "亿") || strings.HasSuffix(s, "万") {
			return 0, fmt.Sprintf("%s以万元为单位，%s的单位不对：请换算成万元，只填数字，如 150.5", name, quote(raw))
		}
		return 0, fmt.Sprintf("%s应为金额（万元），%s不是数字：请只填阿拉伯数字，如 150.5", name, quote(raw))
	}
	if w, err := content.ParseWan(s); err == nil {
		if w < 0 {
			return 0, fmt.Sprintf("%s不能为负数（填的是 %s）", name, quote(raw))
		}
		return w, ""
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, fmt.Sprintf("%s应为金额（万元），%s不是数字", name, quote(raw))
	}
	if x < 0 {
		return 0, fmt.Sprintf("%s不能为负数（填的是 %s）", name, quote(raw))
	}
	if x > 1e12 {
		return 0, fmt.Sprintf("%s数值过大（%s）：金额以万元为单位，请核对", name, quote(raw))
	}
	h := x * 100
	r := math.Round(h)
	if math.Abs(h-r) > 1e-6*math.Max(1, math.Abs(h)) {
		return 0, fmt.Sprintf("%s最多两位小数（万元），%s有更多位小数：请四舍五入到 0.01 万元", name, quote(raw))
	}
	return content.Wan(int64(r)), ""
}

// parseYesNo reads 是 or 否.
func parseYesNo(raw, name string) (bool, string) {
	switch strings.TrimRight(normLabel(raw), "。.") {
	case "是":
		return true, ""
	case "否":
		return false, ""
	}
	return false, fmt.Sprintf("%s只能填“是”或“否”，%s不可识别", name, quote(raw))
}

// parseUSCC reads a unified social credit code: NFKC, white space
// removed, upper case, then the GB 32100-2015 checksum.
func parseUSCC(raw, name string) (string, string) {
	s := strings.ToUpper(strings.Join(strings.Fields(normText(raw)), ""))
	if err := content.CheckUSCC(s); err != nil {
		msg := err.Error()
		if name != "统一社会信用代码" {
			msg = name + "：" + msg
		}
		return s, msg
	}
	return s, ""
}

var (
	reYM   = regexp.MustCompile(`^(\d{4})\s*(?:年|-|\.|/)\s*(\d{1,2})\s*(?:月份?)?$`)
	reYMD  = regexp.MustCompile(`^(\d{4})\s*(?:年|-|\.|/)\s*(\d{1,2})\s*(?:月|-|\.|/)\s*(\d{1,2})\s*[日号]?(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$`)
	reYMD8 = regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})$`)
	reYM6  = regexp.MustCompile(`^(\d{4})(\d{2})$`)
	reNum  = regexp.MustCompile(`^\d+(\.\d+)?$`)
)

// serialDate turns an Excel date serial number into a date: WPS, Excel and
// LibreOffice store a date cell as a number with a date format.
func (wb *workbook) serialDate(s string) (content.Date, bool) {
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || x < 1 || x > 2958465 {
		return content.Date{}, false
	}
	t, err := excelize.ExcelDateToTime(x, wb.date1904)
	if err != nil {
		return content.Date{}, false
	}
	d := content.Date{Year: t.Year(), Month: t.Month(), Day: t.Day()}
	if d.Year < 1990 || d.Year > 2200 {
		return content.Date{}, false
	}
	return d, true
}

func validDate(y, m, d int) (content.Date, bool) {
	if y < 1990 || y > 2200 || m < 1 || m > 12 || d < 1 {
		return content.Date{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return content.Date{}, false
	}
	return content.Date{Year: y, Month: time.Month(m), Day: d}, true
}

// parseDate reads a day: a date cell (serial number), 2025-05-08,
// 2025/5/8, 2025.5.8, 2025年5月8日 (or 8号) or 20250508.
func (wb *workbook) parseDate(raw, name string) (content.Date, string) {
	s := normText(raw)
	bad := fmt.Sprintf("%s应为日期，%s无法识别：请写作 2025-05-08 或 2025年5月8日", name, quote(raw))
	if m := reYMD.FindStringSubmatch(s); m != nil {
		if d, ok := validDate(atoiOr(m[1], 0), atoiOr(m[2], 0), atoiOr(m[3], 0)); ok {
			return d, ""
		}
		return content.Date{}, bad
	}
	if m := reYMD8.FindStringSubmatch(s); m != nil {
		if d, ok := validDate(atoiOr(m[1], 0), atoiOr(m[2], 0), atoiOr(m[3], 0)); ok {
			return d, ""
		}
	}
	if reNum.MatchString(s) {
		if d, ok := wb.serialDate(s); ok {
			return d, ""
		}
	}
	return content.Date{}, bad
}

// parsePeriod reads 报送月份: 2025年4月, 2025-04, 2025.4, 2025/04, 202504,
// a full date (its month) or a date cell (its month). isNumber tells
// whether the cell holds a number (so 2025.1 may be 2025.10 that Excel
// turned into a number: ambiguous).
func (wb *workbook) parsePeriod(raw, name string, isNumber func() bool) (content.Period, string) {
	s := normText(raw)
	bad := fmt.Sprintf("%s应为一个月份，%s无法识别：请写作 2025年4月 或 2025-04", name, quote(raw))
	month := func(y, m int) (content.Period, string) {
		if y < 1990 || y > 2200 {
			return content.Period{}, bad
		}
		if m < 1 || m > 12 {
			return content.Period{}, fmt.Sprintf("%s%s不是有效的月份（月份应为 1–12）：请写作 2025年4月 或 2025-04", name, quote(raw))
		}
		return content.MonthPeriod(y, time.Month(m)), ""
	}
	if m := reYM.FindStringSubmatch(s); m != nil {
		y, mo := atoiOr(m[1], 0), atoiOr(m[2], 0)
		if strings.Contains(s, ".") && !strings.ContainsAny(s, "年月") && m[2] == "1" && isNumber() {
			return content.Period{}, fmt.Sprintf("%s填的是数字 %s，无法区分是1月还是10月（Excel 会把 2025.10 变成 2025.1）：请写作 2025年10月 或 2025-10", name, s)
		}
		return month(y, mo)
	}
	if m := reYMD.FindStringSubmatch(s); m != nil {
		if d, ok := validDate(atoiOr(m[1], 0), atoiOr(m[2], 0), atoiOr(m[3], 0)); ok {
			return content.MonthPeriod(d.Year, d.Month), ""
		}
		return content.Period{}, bad
	}
	if m := reYM6.FindStringSubmatch(s); m != nil {
		return month(atoiOr(m[1], 0), atoiOr(m[2], 0))
	}
	if m := reYMD8.FindStringSubmatch(s); m != nil {
		if d, ok := validDate(atoiOr(m[1], 0), atoiOr(m[2], 0), atoiOr(m[3], 0)); ok {
			return content.MonthPeriod(d.Year, d.Month), ""
		}
	}
	if reNum.MatchString(s) {
		if d, ok := wb.serialDate(s); ok {
			return content.MonthPeriod(d.Year, d.Month), ""
		}
	}
	return content.Period{}, bad
}

// splitList splits partner banks at 、 , ; and newlines (after NFKC the
// full-width ，and ；are , and ;). 无 is an empty list.
func splitList(raw string) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range strings.FieldsFunc(raw, func(r rune) bool {
		switch r {
		case '、', ',', '，', ';', '；', '\n', '\r':
			return true
		}
		return false
	}) {
		p = strings.TrimSpace(p)
		n := normText(p)
		if p == "" || isZeroWord(n) || seen[n] {
			continue
		}
		seen[n] = true
		out = append(out, p)
	}
	return out
}

// cleanText trims a text value and folds runs of white space (including
// line breaks) into one space.
func cleanText(raw string) string {
	return strings.Join(strings.Fields(raw), " ")
}

// parsePhone reads a telephone number: digits with - ( ) + or spaces, at
// least 7 digits; several numbers may be separated by 、 , ; or /.
func parsePhone(raw, name string) (string, string) {
	s := cleanText(normText(raw))
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("-()+ 、,;/转", r):
		default:
			return s, fmt.Sprintf("%s%s不像电话号码：请填写数字，如 0354-5550123 或 13800000000", name, quote(raw))
		}
	}
	if digits < 7 || digits > 30 {
		return s, fmt.Sprintf("%s%s位数不对：请填写完整的电话号码，如 0354-5550123 或 13800000000", name, quote(raw))
	}
	return s, ""
}
