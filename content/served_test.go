package content

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// recurringYear is institution a's 2026: twelve monthly sheets of 5
// enterprises served (1 晋创谷) each, 60 家次. Months 1–8 list the same
// three enterprises (B 晋创谷), month 9 lists D, month 10 has no list but
// finances E (晋创谷), months 11 and 12 have no list: five distinct
// enterprises (家), two of them 晋创谷, over 9 of the 12 months.
func recurringYear(t *testing.T) fstest.MapFS {
	t.Helper()
	code := func(n int) string {
		first := fmt.Sprintf("91140700MA0K%05d", n)
		c, err := USCCCheckChar(first)
		if err != nil {
			t.Fatal(err)
		}
		return first + string(c)
	}
	ent := func(n int, jcg bool) Enterprise {
		return Enterprise{Name: fmt.Sprintf("晋中%c科技有限公司", 'A'+n), USCC: code(n), Jinchuanggu: jcg, Service: "入企服务"}
	}
	m := fstest.MapFS{
		"site.yaml":               {Data: []byte(testSite)},
		"rounds/r1.md":            {Data: []byte(testRound("2025-06-20", "a"))},
		"institutions/a/index.md": {Data: []byte(testInst("甲"))},
	}
	for mo := 1; mo <= 12; mo++ {
		per := MonthPeriod(2026, time.Month(mo))
		rep := &Report{Kind: "monthly", Period: per, ReceivedAt: fmt.Sprintf("2026-%02d-05T10:00:00+08:00", mo%12+1),
			Indicators: &Indicators{EnterprisesServed: 5, JinchuangguEnterprises: 1}}
		if mo == 12 {
			rep.ReceivedAt = "2027-01-05T10:00:00+08:00"
		}
		switch {
		case mo <= 8:
			rep.Enterprises = []Enterprise{ent(0, false), ent(1, true), ent(2, false)}
		case mo == 9:
			rep.Enterprises = []Enterprise{ent(3, false)}
		case mo == 10:
			rep.Financing = []Financing{{Enterprise: "晋中E科技有限公司", USCC: code(4), Jinchuanggu: true, Lender: "晋中银行", Method: "信用贷款",
				AmountWan: 10000, Disbursed: Date{2026, 10, 9}}}
			rep.Indicators.FinancingWan, rep.Indicators.JinchuangguFinancingWan = 10000, 10000
		}
		b, err := EncodeRecord(rep, "")
		if err != nil {
			t.Fatal(err)
		}
		m["institutions/a/reports/"+per.String()+".md"] = &fstest.MapFile{Data: b}
	}
	return m
}

// TestAssessDistinct: a year in which the same enterprises recur counts
// them once (家) beside the sum of the monthly figures (家次), for all
// enterprises and for 晋创谷 ones, says how many months the lists cover,
// and gives the same figures from a repo loaded for the public site.
func TestAssessDistinct(t *testing.T) {
	fsys := recurringYear(t)
	for _, public := range []bool{false, true} {
		r, err := Load(fsys, &LoadOptions{Public: public})
		if err != nil {
			t.Fatal(err)
		}
		if !public {
			for _, d := range r.Check(Date{2027, 1, 20}) {
				if strings.Contains(d.File, "/reports/") && d.Severity == Error {
					t.Errorf("check: %v", d)
				}
			}
		}
		inst := r.Institution("a")
		f := r.AssessFigures(inst, 2026)
		if f.Reports != 12 || f.EnterprisesServed != 60 || f.JinchuangguEnterprises != 12 {
			t.Errorf("public=%t: 家次 = %d (晋创谷 %d) over %d reports, want 60 (12) over 12", public, f.EnterprisesServed, f.JinchuangguEnterprises, f.Reports)
		}
		if f.Enterprises != 5 || f.JinchuangguDistinct != 2 || f.ListedMonths != 9 {
			t.Errorf("public=%t: 家 = %d (晋创谷 %d) over %d listed months, want 5 (2) over 9", public, f.Enterprises, f.JinchuangguDistinct, f.ListedMonths)
		}
		if got := f.Coverage(); got != "12个月中9个月有名单" {
			t.Errorf("coverage %q", got)
		}
		for _, rep := range inst.Reports {
			if public && (rep.Enterprises != nil || rep.Financing != nil) {
				t.Errorf("%s: the public load kept the enterprise lists", rep.File)
			}
		}
	}
}

// TestCheckEnterprises: a list with a bad USCC, or with more enterprises
// than the sheet says it served, is an error at its field.
func TestCheckEnterprises(t *testing.T) {
	fsys := recurringYear(t)
	p := "institutions/a/reports/2026-03.md"
	s := string(fsys[p].Data)
	s = strings.Replace(s, "enterprises_served: 5", "enterprises_served: 2", 1)
	s = strings.Replace(s, "jinchuanggu_enterprises: 1", "jinchuanggu_enterprises: 0", 1)
	first := strings.Index(s, "uscc: ") + len("uscc: ")
	s = s[:first] + "91140700MA0K000000" + s[first+18:]
	fsys[p] = &fstest.MapFile{Data: []byte(s)}
	r, err := Load(fsys, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range r.Check(Date{2027, 1, 20}) {
		if d.File == p {
			got = append(got, d.Field+": "+d.Message)
		}
	}
	for _, want := range []string{"enterprises[0].uscc: ", "indicators.enterprises_served: 服务企业数量为2家，但服务企业名单和融资明细中共有3家", "indicators.jinchuanggu_enterprises: 晋创谷注册企业为0家"} {
		found := false
		for _, g := range got {
			found = found || strings.HasPrefix(g, want)
		}
		if !found {
			t.Errorf("missing %q in %q", want, got)
		}
	}
}

// TestDistinctCounter: an enterprise counts once however many reports
// name it, and as 晋创谷 when any of them marks it so (whichever order
// the reports come in); unlisted reports are not counted as listed.
func TestDistinctCounter(t *testing.T) {
	rep := func(listed bool, keys ...ServedKey) *Report {
		return &Report{Served: &Served{Listed: listed, Keys: keys}}
	}
	a, b, c := servedKey("A", false), servedKey("B", false), servedKey("C", false)
	aJ, bJ := servedKey("A", true), servedKey("B", true)
	for _, tc := range []struct {
		name          string
		reps          []*Report
		all, jcg, lst int
	}{
		{"none", nil, 0, 0, 0},
		{"one enterprise twice", []*Report{rep(true, a), rep(true, a)}, 1, 0, 2},
		{"marked later", []*Report{rep(true, a, b), rep(false, aJ)}, 2, 1, 1},
		{"marked first", []*Report{rep(true, bJ), rep(true, b, c), rep(true, a)}, 3, 1, 3},
		{"all marked", []*Report{rep(true, aJ, bJ), rep(true, a, b, c)}, 3, 2, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d DistinctCounter
			for _, r := range tc.reps {
				d.Add(r)
			}
			all, jcg := d.Counts()
			if all != tc.all || jcg != tc.jcg || d.Listed != tc.lst {
				t.Errorf("Counts = %d, %d, Listed %d; want %d, %d, %d", all, jcg, d.Listed, tc.all, tc.jcg, tc.lst)
			}
		})
	}
}
