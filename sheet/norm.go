package sheet

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// normText is the NFKC form of s with surrounding white space (including
// the ideographic space, which NFKC turns into a plain space) trimmed.
func normText(s string) string {
	return strings.TrimSpace(norm.NFKC.String(s))
}

// normLabel reduces a label or header cell to the form it is matched in
// (the package doc's reading rules): NFKC; all white space removed; then,
// repeatedly, a trailing ':' and a trailing unit in brackets removed
// (金额(万元)： -> 金额); 其中 followed by ':' ',' or nothing is written
// 其中: . So 其中：晋创谷注册企业（家） and 其中 晋创谷注册企业 both read
// 其中:晋创谷注册企业.
func normLabel(s string) string {
	if len(s) > 300 {
		return "" // no label is that long; don't spend time on it
	}
	s = norm.NFKC.String(s)
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' {
			return -1
		}
		return r
	}, s)
	for {
		t := strings.TrimSuffix(s, ":")
		if strings.HasSuffix(t, ")") {
			if i := strings.LastIndex(t, "("); i > 0 {
				t = t[:i]
			}
		}
		if t == s {
			break
		}
		s = t
	}
	if rest, ok := strings.CutPrefix(s, "其中"); ok && rest != "" {
		rest = strings.TrimLeft(rest, ":,、")
		s = "其中:" + rest
	}
	return s
}

// unitOf returns the unit of a label cell as written, "" if none: the
// content of its last bracket pair (服务企业数量（家） -> 家).
func unitOf(s string) string {
	s = strings.TrimRight(strings.TrimSpace(norm.NFKC.String(s)), ": ")
	if !strings.HasSuffix(s, ")") {
		return ""
	}
	i := strings.LastIndex(s, "(")
	if i < 0 {
		return ""
	}
	return strings.TrimSpace(s[i+1 : len(s)-1])
}

// isZeroWord reports whether v (normalised) is one of the words that read
// as 0: 无, -, — (and their doubled or en-dash forms).
func isZeroWord(v string) bool {
	switch v {
	case "无", "-", "—", "——", "--", "–":
		return true
	}
	return false
}
