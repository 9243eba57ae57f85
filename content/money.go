package content

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Wan is an amount of money in 万元 (ten thousand yuan), held exactly as a
// count of hundredths of a 万元 (that is, of 100 yuan). Sheets state
// financing to two decimals of 万元; sums are compared to 0.01 (the sheet's rule: 融资明细 must add up to 帮助企业融资金额 to the cent of 万元).
type Wan int64

// ParseWan parses a decimal such as 150, 150.5 or 1,234.56 (at most two
// decimals). It accepts no unit and no sign other than a leading '-'.
func ParseWan(s string) (Wan, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	if s == "" {
		return 0, fmt.Errorf("empty amount")
	}
	neg := false
	if s[0] == '-' {
		neg, s = true, s[1:]
	} else if s[0] == '+' {
		s = s[1:]
	}
	ip, fp, _ := strings.Cut(s, ".")
	if ip == "" && fp == "" {
		return 0, fmt.Errorf("invalid amount %q", s)
	}
	if len(fp) > 2 {
		// Allow trailing zeros beyond two places (150.500), refuse real precision.
		if strings.Trim(fp[2:], "0") != "" {
			return 0, fmt.Errorf("amount %q has more than two decimals", s)
		}
		fp = fp[:2]
	}
	for _, r := range ip + fp {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("invalid amount %q", s)
		}
	}
	if ip == "" {
		ip = "0"
	}
	for len(fp) < 2 {
		fp += "0"
	}
	if len(ip) > 15 {
		return 0, fmt.Errorf("amount %q too large", s)
	}
	n, err := strconv.ParseInt(ip+fp, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("invalid amount %q", s)
	}
	if neg {
		n = -n
	}
	return Wan(n), nil
}

// String writes w with two decimals, e.g. 150.00.
func (w Wan) String() string {
	n := int64(w)
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	return fmt.Sprintf("%s%d.%02d", sign, n/100, n%100)
}

// Float returns w as a float64 number of 万元 (for charts only).
func (w Wan) Float() float64 { return float64(w) / 100 }

// UnmarshalYAML reads a number of 万元.
func (w *Wan) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return typeErr(n.Line, "金额应为数字（万元）")
	}
	v, err := ParseWan(n.Value)
	if err != nil {
		return typeErr(n.Line, "金额 %q 无效，应为最多两位小数的数字（万元）", n.Value)
	}
	*w = v
	return nil
}

// MarshalYAML writes w as a plain decimal number.
func (w Wan) MarshalYAML() (any, error) {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: w.String()}, nil
}

// MarshalJSON writes w as a JSON number.
func (w Wan) MarshalJSON() ([]byte, error) { return []byte(w.String()), nil }

// UnmarshalJSON reads a JSON number or string.
func (w *Wan) UnmarshalJSON(b []byte) error {
	v, err := ParseWan(strings.Trim(string(b), `"`))
	if err != nil {
		return err
	}
	*w = v
	return nil
}
