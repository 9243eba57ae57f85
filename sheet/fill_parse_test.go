package sheet

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"kjjr/content"
)

// fillParse fills a sheet for r and parses it back, with testOpts and inst
// as the institution to check against.
func fillParse(t *testing.T, inst *content.Institution, r *content.Report) *content.Report {
	t.Helper()
	var b bytes.Buffer
	if err := Fill(&b, inst, r); err != nil {
		t.Fatalf("Fill: %v", err)
	}
	opts := testOpts()
	opts.Institution = inst
	got, err := Parse(b.Bytes(), opts)
	if err != nil {
		t.Fatalf("Parse(Fill(r)): %v\nr = %+v", err, r)
	}
	return got
}

// TestFillParse: a filled sheet reads back as the report it was filled
// from (Warnings aside: Parse derives them).
func TestFillParse(t *testing.T) {
	yes := true
	tests := []struct {
		name  string
		edit  func(r *content.Report)
		warns int
	}{
		{"good", func(*content.Report) {}, 0},
		{"no financing", func(r *content.Report) {
			r.Financing, r.PartnerBanks = nil, nil
			r.Indicators.FinancingWan, r.Indicators.JinchuangguFinancingWan = 0, 0
		}, 0},
		{"fees charged, no filing date", func(r *content.Report) { r.ChargedFees, r.FiledOn = &yes, content.Date{} }, 1},
		{"with 服务企业名单", func(r *content.Report) { r.Enterprises = listReport(t).Enterprises }, 0},
		{"amounts with cents", func(r *content.Report) {
			r.Financing[0].AmountWan, r.Financing[1].AmountWan = 1, 123456789
			r.Indicators.FinancingWan = 1 + 123456789 + r.Financing[2].AmountWan
			r.Indicators.JinchuangguFinancingWan = 1
		}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := goodReport(t)
			tt.edit(want)
			got := fillParse(t, exampleInst(), want)
			if len(got.Warnings) != tt.warns {
				t.Errorf("warnings %q, want %d", got.Warnings, tt.warns)
			}
			got.Warnings = nil
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Parse(Fill(r)) =\n%+v\nwant\n%+v", got, want)
			}
		})
	}
}

// FuzzFillParse checks Parse(Fill(r)) == r over reports made from the
// fuzzer's input: any figures, texts, periods within the last 24 months,
// up to 20 financing rows that add up and up to 20 enterprises listed in
// 服务企业名单.
//
//	go test ./sheet -run '^$' -fuzz FuzzFillParse -fuzztime 30s
func FuzzFillParse(f *testing.F) {
	f.Add(uint8(1), []byte{0, 20, 0, 5, 0, 12, 0, 2}, "张三", "0354-5550123", "晋商银行晋中分行、中国银行晋中分行", []byte{1, 0, 0, 7, 0x75, 0x30}, "晋中甲科技有限公司", false)
	f.Add(uint8(3), []byte{0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 7, 0, 8, 0, 7, 3, 232}, "王五", "0354-5550123", "晋商银行", []byte{0, 7, 0, 0, 100}, "晋中丁科技有限公司", false)
	f.Add(uint8(24), []byte{}, "Li Wei", "13800000000", "无", []byte{}, "", true)
	f.Add(uint8(7), []byte{255, 255, 255, 255}, "ﾃｽﾄ　さん", "(0354) 555 0123", "A银行,B银行;A银行", bytes.Repeat([]byte{9}, 200), "示例 公司", false)
	f.Fuzz(func(t *testing.T, back uint8, counts []byte, filer, phone, banks string, rows []byte, enterprise string, charged bool) {
		r := fuzzReport(back, counts, filer, phone, banks, rows, enterprise, charged)
		inst := &content.Institution{Name: "晋中示例科技金融服务有限公司", USCC: fieldByKey(keyUSCC).Example}
		got := fillParse(t, inst, r)
		got.Warnings = nil
		if !reflect.DeepEqual(got, r) {
			t.Errorf("Parse(Fill(r)) =\n%+v\nwant\n%+v", got, r)
		}
	})
}

// fuzzReport makes a report Parse accepts from fuzz input.
func fuzzReport(back uint8, counts []byte, filer, phone, banks string, rows []byte, enterprise string, charged bool) *content.Report {
	now := testOpts().Now
	months := now.Year*12 + int(now.Month) - 1 - (1 + int(back)%24)
	per := content.MonthPeriod(months/12, time.Month(months%12+1))
	next := func(b *[]byte, n int) uint64 { // the next n bytes as a number (0 past the end)
		var v uint64
		for i := 0; i < n && len(*b) > 0; i++ {
			v = v<<8 | uint64((*b)[0])
			*b = (*b)[1:]
		}
		return v
	}
	ind := &content.Indicators{}
	for _, p := range []*int{&ind.EnterprisesServed, &ind.JinchuangguEnterprises, &ind.NeedsSurveyed, &ind.MatchmakingEvents,
		&ind.Roadshows, &ind.OnsiteVisits, &ind.PolicySessions, &ind.PolicyEnterprises, &ind.LoanSubsidyEnterprises, &ind.InsuranceEnterprises} {
		*p = int(next(&counts, 3))
	}
	ind.JinchuangguEnterprises = min(ind.JinchuangguEnterprises, ind.EnterprisesServed)
	r := &content.Report{
		Kind: "monthly", Period: per, Indicators: ind, ChargedFees: &charged,
		Filer: canonText(filer, "张三"), Phone: canonPhone(phone),
	}
	if d := next(&counts, 1); d%4 != 0 {
		r.FiledOn = content.Date{Year: per.Year, Month: time.Month(per.Month), Day: int(d%28) + 1}
		if r.FiledOn.After(now) {
			r.FiledOn = now
		}
	}
	seen := map[string]bool{}
	for _, b := range strings.FieldsFunc(banks, func(r rune) bool { return strings.ContainsRune("、,，;；\n\r", r) }) {
		if b = canonText(b, ""); b != "" && !isZeroWord(b) && !seen[b] {
			seen[b] = true
			r.PartnerBanks = append(r.PartnerBanks, b)
		}
	}
	for i := 0; len(rows) > 0 && i < 20; i++ {
		n := next(&rows, 2)
		first17 := fmt.Sprintf("91140700MA0K%05d", n)
		c, _ := content.USCCCheckChar(first17)
		fr := content.Financing{
			Enterprise: canonText(enterprise, "晋中某科技有限公司"), USCC: first17 + string(c),
			Jinchuanggu: n%2 == 1, Lender: "晋商银行晋中分行", Method: "信用贷款",
			AmountWan: content.Wan(next(&rows, 3)%100_000_000 + 1),
			Disbursed: content.Date{Year: per.Year, Month: time.Month(per.Month), Day: int(n%28) + 1},
		}
		r.Financing = append(r.Financing, fr)
		ind.FinancingWan += fr.AmountWan
		if fr.Jinchuanggu {
			ind.JinchuangguFinancingWan += fr.AmountWan
		}
	}
	// 服务企业名单 from what is left of counts: distinct enterprises, some
	// of them also financed; the figures at least the enterprises named.
	listed := map[uint64]bool{}
	for i := 0; len(counts) > 0 && i < 20; i++ {
		n := next(&counts, 2) % 1000
		if listed[n] {
			continue
		}
		listed[n] = true
		first17 := fmt.Sprintf("91140700MA0K%05d", n)
		c, _ := content.USCCCheckChar(first17)
		e := content.Enterprise{Name: canonText(enterprise, "晋中某科技有限公司"), USCC: first17 + string(c), Jinchuanggu: n%2 == 1}
		if n%4 != 0 {
			e.Service = canonText(filer, "融资对接")
		}
		r.Enterprises = append(r.Enterprises, e)
	}
	if r.Enterprises != nil {
		jcg := map[string]bool{}
		for _, e := range r.Enterprises {
			jcg[e.USCC] = jcg[e.USCC] || e.Jinchuanggu
		}
		for _, f := range r.Financing {
			jcg[f.USCC] = jcg[f.USCC] || f.Jinchuanggu
		}
		nj := 0
		for _, j := range jcg {
			if j {
				nj++
			}
		}
		ind.EnterprisesServed = max(ind.EnterprisesServed, len(jcg))
		ind.JinchuangguEnterprises = max(ind.JinchuangguEnterprises, nj)
	}
	return r
}

// canonText is s as Parse gives a text back: NFKC letters and digits,
// words one space apart, at most 40 runes; def when nothing is left.
func canonText(s, def string) string {
	for range 3 {
		t := strings.Map(func(r rune) rune {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				return r
			}
			return ' '
		}, norm.NFKC.String(s))
		t = strings.Join(strings.Fields(t), " ")
		if rs := []rune(t); len(rs) > 40 {
			t = strings.TrimSpace(string(rs[:40]))
		}
		if t == s {
			break
		}
		s = t
	}
	if s == "" || isZeroWord(s) {
		return def
	}
	return s
}

// canonPhone is a phone number made of the digits of s (7 to 20 of them).
func canonPhone(s string) string {
	var d []rune
	for _, r := range s {
		if r >= '0' && r <= '9' && len(d) < 20 {
			d = append(d, r)
		}
	}
	for len(d) < 7 {
		d = append(d, '5')
	}
	return string(d)
}

// TestFillSameFile: the same report gives the same bytes (the demo's
// mail, and so its quarantine id, depend on it), as does the template.
func TestFillSameFile(t *testing.T) {
	var first []byte
	for i := range 20 {
		var b bytes.Buffer
		if err := Fill(&b, exampleInst(), goodReport(t)); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = b.Bytes()
		} else if !bytes.Equal(b.Bytes(), first) {
			t.Fatalf("Fill wrote a different file on run %d", i+1)
		}
	}
}
