package govcheck

import (
	"regexp"
	"strings"

	"kjjr/content"
)

// PII is one piece of personal information found in published text.
type PII struct {
	Kind  string // 身份证号, 手机号码, 银行卡号
	Value string // masked for the report: 138****1234
}

// token finds runs of letters and digits. A run with more than one group
// of digits in it (91140702MA0JQ7N36C, a hash) is a code, not a number of
// a person, and is passed over; one group of digits with letters only
// before or after it (Tel13612345678, as PDF text often runs together) is
// read as that number.
var token = regexp.MustCompile(`[0-9A-Za-z]+`)

var digits = regexp.MustCompile(`[0-9]+[Xx]?`)

// FindPII returns the resident ID numbers (GB 11643, valid birth date and
// check character), mobile numbers (11 digits, 1[3-9], with or without 86)
// and bank card numbers (16–19 digits passing the Luhn check) in text. A
// valid 统一社会信用代码 made only of digits is not taken for either.
// Office landlines (0354-…) are not personal and are not reported.
func FindPII(text string) []PII {
	var out []PII
	for _, t := range token.FindAllString(text, -1) {
		runs := digits.FindAllString(t, 2)
		if len(runs) != 1 {
			continue
		}
		tok := runs[0]
		switch {
		case len(tok) == 18 && isResidentID(tok) && content.CheckUSCC(tok) != nil:
			out = append(out, PII{"身份证号", mask(tok, 3, 4)})
		case len(tok) == 11 && isMobile(tok):
			out = append(out, PII{"手机号码", mask(tok, 3, 4)})
		case len(tok) == 13 && strings.HasPrefix(tok, "86") && isMobile(tok[2:]):
			out = append(out, PII{"手机号码", mask(tok[2:], 3, 4)})
		case len(tok) >= 16 && len(tok) <= 19 && allDigits(tok) && luhn(tok) && content.CheckUSCC(tok) != nil:
			out = append(out, PII{"银行卡号", mask(tok, 4, 4)})
		}
	}
	return out
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func isMobile(s string) bool {
	return len(s) == 11 && allDigits(s) && s[0] == '1' && s[1] >= '3' && s[1] <= '9'
}

// isResidentID checks an 18-character 公民身份号码 (GB 11643-1999): 17
// digits with a plausible birth date at 7–14 and the check character.
func isResidentID(s string) bool {
	s = strings.ToUpper(s)
	if len(s) != 18 || !allDigits(s[:17]) || !(s[17] == 'X' || (s[17] >= '0' && s[17] <= '9')) {
		return false
	}
	y := atoi(s[6:10])
	m := atoi(s[10:12])
	d := atoi(s[12:14])
	if y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return false
	}
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(s[i]-'0') * w
	}
	return "10X98765432"[sum%11] == s[17]
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// luhn is the ISO/IEC 7812-1 check of a card number.
func luhn(s string) bool {
	sum := 0
	double := false
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// mask keeps the first and last digits of v, as a local masking rule
// shows them (138****1234), so the report itself leaks nothing.
func mask(v string, head, tail int) string {
	if len(v) <= head+tail {
		return strings.Repeat("*", len(v))
	}
	return v[:head] + strings.Repeat("*", len(v)-head-tail) + v[len(v)-tail:]
}
