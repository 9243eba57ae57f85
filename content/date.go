package content

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Date is a civil date in China Standard Time, without a clock time.
// The zero Date is "unset". In YAML and text it is written 2006-01-02.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// CST is China Standard Time (UTC+8), the zone of every date and deadline.
var CST = time.FixedZone("CST", 8*3600)

// ParseDate parses "2006-01-02". It rejects dates that do not exist.
func ParseDate(s string) (Date, error) {
	t, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(s), CST)
	if err != nil {
		return Date{}, fmt.Errorf("invalid date %q, want YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

// DateOf returns the civil date of t in China Standard Time.
func DateOf(t time.Time) Date {
	y, m, d := t.In(CST).Date()
	return Date{y, m, d}
}

// Today returns the current date in China Standard Time.
func Today() Date { return DateOf(time.Now()) }

// IsZero reports whether d is unset.
func (d Date) IsZero() bool { return d == Date{} }

// Time returns midnight of d in China Standard Time.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, CST) }

// String returns d as 2006-01-02, or "" when unset.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// Chinese returns d as 2006年1月2日.
func (d Date) Chinese() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d年%d月%d日", d.Year, d.Month, d.Day)
}

// AddDays returns d moved by n calendar days.
func (d Date) AddDays(n int) Date { return DateOf(d.Time().AddDate(0, 0, n)) }

// AddMonths returns d moved by n months, normalised like time.AddDate.
func (d Date) AddMonths(n int) Date { return DateOf(d.Time().AddDate(0, n, 0)) }

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.Time().Weekday() }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	switch {
	case d.Year != e.Year:
		return cmpInt(d.Year, e.Year)
	case d.Month != e.Month:
		return cmpInt(int(d.Month), int(e.Month))
	default:
		return cmpInt(d.Day, e.Day)
	}
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// UnmarshalYAML reads a date written as 2006-01-02 (quoted or not).
func (d *Date) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return typeErr(n.Line, "日期应写作 YYYY-MM-DD")
	}
	if n.Value == "" || n.Tag == "!!null" {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(n.Value)
	if err != nil {
		return typeErr(n.Line, "日期 %q 无效，应写作 YYYY-MM-DD", n.Value)
	}
	*d = v
	return nil
}

// MarshalYAML writes d as 2006-01-02.
func (d Date) MarshalYAML() (any, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

// MarshalText writes d as 2006-01-02 (used by JSON).
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads 2006-01-02.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// PeriodKind tells a monthly, half-year or annual reporting period apart.
type PeriodKind int

// The kinds of reporting period (第五条第3项, 第六条第3项).
const (
	Monthly  PeriodKind = iota + 1 // one calendar month: 2025-04
	HalfYear                       // 2025-H1 or 2025-H2
	Annual                         // 2025-annual
)

// String returns the kind's name as used in front matter: monthly, half_year, annual.
func (k PeriodKind) String() string {
	switch k {
	case Monthly:
		return "monthly"
	case HalfYear:
		return "half_year"
	case Annual:
		return "annual"
	}
	return "unknown"
}

// Chinese returns the kind's name for people: 月报, 半年报告, 年度总结.
func (k PeriodKind) Chinese() string {
	switch k {
	case Monthly:
		return "月报"
	case HalfYear:
		return "半年工作进展"
	case Annual:
		return "年度工作总结"
	}
	return "未知"
}

// Period is a reporting period: a month (2025-04), a half year (2025-H1,
// 2025-H2) or a year (2025-annual). The zero Period is unset.
type Period struct {
	Kind  PeriodKind
	Year  int
	Month int // 1..12 for Monthly
	Half  int // 1 or 2 for HalfYear
}

// MonthPeriod returns the monthly period of year and month.
func MonthPeriod(year int, month time.Month) Period {
	return Period{Kind: Monthly, Year: year, Month: int(month)}
}

// ParsePeriod parses 2025-04, 2025-H1, 2025-H2 or 2025-annual.
func ParsePeriod(s string) (Period, error) {
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("invalid period %q, want YYYY-MM, YYYY-H1, YYYY-H2 or YYYY-annual", s)
	if len(s) < 6 || s[4] != '-' {
		return Period{}, bad
	}
	y, err := strconv.Atoi(s[:4])
	if err != nil || y < 1900 || y > 9999 {
		return Period{}, bad
	}
	rest := s[5:]
	switch rest {
	case "H1", "h1":
		return Period{Kind: HalfYear, Year: y, Half: 1}, nil
	case "H2", "h2":
		return Period{Kind: HalfYear, Year: y, Half: 2}, nil
	case "annual":
		return Period{Kind: Annual, Year: y}, nil
	}
	if len(rest) != 2 {
		return Period{}, bad
	}
	m, err := strconv.Atoi(rest)
	if err != nil || m < 1 || m > 12 {
		return Period{}, bad
	}
	return Period{Kind: Monthly, Year: y, Month: m}, nil
}

// IsZero reports whether p is unset.
func (p Period) IsZero() bool { return p.Kind == 0 }

// String returns p in its file-name form: 2025-04, 2025-H1, 2025-annual.
func (p Period) String() string {
	switch p.Kind {
	case Monthly:
		return fmt.Sprintf("%04d-%02d", p.Year, p.Month)
	case HalfYear:
		return fmt.Sprintf("%04d-H%d", p.Year, p.Half)
	case Annual:
		return fmt.Sprintf("%04d-annual", p.Year)
	}
	return ""
}

// Chinese returns p for people: 2025年4月, 2025年上半年, 2025年度.
func (p Period) Chinese() string {
	switch p.Kind {
	case Monthly:
		return fmt.Sprintf("%d年%d月", p.Year, p.Month)
	case HalfYear:
		if p.Half == 1 {
			return fmt.Sprintf("%d年上半年", p.Year)
		}
		return fmt.Sprintf("%d年下半年", p.Year)
	case Annual:
		return fmt.Sprintf("%d年度", p.Year)
	}
	return ""
}

// Start returns the first day of p.
func (p Period) Start() Date {
	switch p.Kind {
	case Monthly:
		return Date{p.Year, time.Month(p.Month), 1}
	case HalfYear:
		if p.Half == 2 {
			return Date{p.Year, time.July, 1}
		}
	}
	return Date{p.Year, time.January, 1}
}

// End returns the last day of p.
func (p Period) End() Date {
	switch p.Kind {
	case Monthly:
		return p.Start().AddMonths(1).AddDays(-1)
	case HalfYear:
		if p.Half == 1 {
			return Date{p.Year, time.June, 30}
		}
	}
	return Date{p.Year, time.December, 31}
}

// Next returns the period of the same kind that follows p.
func (p Period) Next() Period {
	switch p.Kind {
	case Monthly:
		if p.Month == 12 {
			return Period{Kind: Monthly, Year: p.Year + 1, Month: 1}
		}
		return Period{Kind: Monthly, Year: p.Year, Month: p.Month + 1}
	case HalfYear:
		if p.Half == 2 {
			return Period{Kind: HalfYear, Year: p.Year + 1, Half: 1}
		}
		return Period{Kind: HalfYear, Year: p.Year, Half: 2}
	case Annual:
		return Period{Kind: Annual, Year: p.Year + 1}
	}
	return p
}

// Compare orders periods by kind, then time.
func (p Period) Compare(q Period) int {
	if p.Kind != q.Kind {
		return cmpInt(int(p.Kind), int(q.Kind))
	}
	if c := p.Start().Compare(q.Start()); c != 0 {
		return c
	}
	return 0
}

// UnmarshalYAML reads a period in its file-name form.
func (p *Period) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return typeErr(n.Line, "报送期间应写作 YYYY-MM、YYYY-H1、YYYY-H2 或 YYYY-annual")
	}
	v, err := ParsePeriod(n.Value)
	if err != nil {
		return typeErr(n.Line, "报送期间 %q 无效，应写作 YYYY-MM、YYYY-H1、YYYY-H2 或 YYYY-annual", n.Value)
	}
	*p = v
	return nil
}

// MarshalYAML writes p in its file-name form, quoted so that 2025-04 stays
// a string; the zero Period is written as null.
func (p Period) MarshalYAML() (any, error) {
	if p.IsZero() {
		return nil, nil
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Style: yaml.DoubleQuotedStyle, Value: p.String()}, nil
}

// MarshalText writes p in its file-name form.
func (p Period) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText reads p in its file-name form.
func (p *Period) UnmarshalText(b []byte) error {
	v, err := ParsePeriod(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}
