package content

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"
)

const testSite = "title: t\nbureau: b\nbase_url: https://example.org/\n"

// testRound announces the listed institutions on ann, and removes none.
func testRound(ann string, slugs ...string) string {
	l := ""
	for _, s := range slugs {
		l += s + ", "
	}
	return fmt.Sprintf("---\ntitle: r\nnotice: \"\"\napplication: {from: 2025-04-01, to: 2025-04-30}\napplicants: [%s]\nreview: {date: 2025-05-20, form: 会议评审}\ndecision: {date: 2025-06-01, selected: [%s]}\npublicity: \"\"\nannouncement: {date: %s}\nfiling: {date: null}\n---\n", l, l, ann)
}

func testInst(name string) string {
	return "---\nname: " + name + "\nuscc: \"\"\nlegal_form: 有限责任公司\nfounded: 2015-01-01\ncredit: {checked_on: 2025-01-01, source: 信用中国, serious_dishonesty: false, blacklisted: false}\npartners: {banks: [晋中银行]}\nservices: [融资对接]\nserves_jinchuanggu: true\nteam: {size: 3}\noffice: {address: 榆次区, county: 榆次区}\n---\n"
}

func testReport(t testing.TB, p string, recv string, served int, fin string, banks ...string) []byte {
	per, err := ParsePeriod(p)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := ParseWan(fin)
	rt, err := time.ParseInLocation("2006-01-02", recv, CST)
	if err != nil {
		t.Fatal(err)
	}
	rep := &Report{Kind: per.Kind.String(), Period: per, ReceivedAt: rt.Add(10 * time.Hour).Format(time.RFC3339)}
	if per.Kind == Monthly {
		rep.Indicators = &Indicators{EnterprisesServed: served, JinchuangguEnterprises: served / 2, MatchmakingEvents: 2, PolicySessions: 1, PolicyEnterprises: 7,
			FinancingWan: w, JinchuangguFinancingWan: w / 2}
		rep.PartnerBanks = banks
	}
	b, err := EncodeRecord(rep, "")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func loadTest(t *testing.T, files map[string]string) *Repo {
	t.Helper()
	m := fstest.MapFS{}
	for k, v := range files {
		m[k] = &fstest.MapFile{Data: []byte(v)}
	}
	r, err := Load(m, nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return r
}

func TestComplianceRow(t *testing.T) {
	r := loadTest(t, map[string]string{
		"site.yaml":                             testSite,
		"rounds/r1.md":                          testRound("2026-02-15", "a"),
		"institutions/a/index.md":               testInst("甲"),
		"institutions/a/reports/2026-03.md":     string(testReport(t, "2026-03", "2026-04-10", 5, "10", "x")), // on the deadline: on time
		"institutions/a/reports/2026-04.md":     string(testReport(t, "2026-04", "2026-05-12", 5, "10", "x")), // due Monday the 11th (the 10th is a Sunday): a day late
		"institutions/a/reports/2026-H1.md":     string(testReport(t, "2026-H1", "2026-07-10", 0, "0")),
		"institutions/b/index.md":               testInst("乙"), // never announced
		"institutions/b/reports/2026-03.md":     string(testReport(t, "2026-03", "2026-04-01", 5, "10")),
		"institutions/a/reports/2026-annual.md": string(testReport(t, "2026-annual", "2026-12-20", 0, "0")),
	})
	a := r.Institution("a")
	pending := func(slug string, p Period) bool { return slug == "a" && p.String() == "2026-05" }
	today := Date{2026, time.July, 20}
	row := r.ComplianceRow(a, 2026, today, pending)
	want := map[string]ReportState{
		"2026-01": StateNotRequired, "2026-02": StateNotRequired, // announced mid-February: owes from March
		"2026-03": StateOnTime, "2026-04": StateLate, "2026-05": StatePending,
		"2026-06": StateNotDue, // due 07-10 … no: passed; see below
		"2026-07": StateNotDue, "2026-H1": StateOnTime, "2026-H2": StateNotDue, "2026-annual": StateOnTime,
	}
	want["2026-06"] = StateMissing // due 2026-07-10, today 07-20
	if len(row) != 15 {
		t.Fatalf("row has %d cells", len(row))
	}
	for _, c := range row {
		if w, ok := want[c.Period.String()]; ok && c.State != w {
			t.Errorf("%s = %s, want %s", c.Period, c.State, w)
		}
	}
	if row[2].Received != (Date{2026, time.April, 10}) || row[2].Due != (Date{2026, time.April, 10}) {
		t.Errorf("March cell = %+v", row[2])
	}
	lines := r.Compliance(2026, today, pending)
	if len(lines) != 1 || lines[0].Institution.Slug != "a" {
		t.Fatalf("Compliance lists %d lines, want only the announced institution", len(lines))
	}
	if n := Tally(row)[StateNotRequired]; n != 2 {
		t.Errorf("tally not_required = %d", n)
	}
	// The public site passes no pending: a waiting branch shows as not yet due / missing.
	if s := r.ComplianceRow(a, 2026, today, nil)[4].State; s != StateMissing {
		t.Errorf("without pending, May = %s", s)
	}
}

func TestAssessDraft(t *testing.T) {
	r := loadTest(t, map[string]string{
		"site.yaml":                             testSite,
		"rounds/r1.md":                          testRound("2025-06-20", "a", "c"),
		"institutions/a/index.md":               testInst("甲"),
		"institutions/c/index.md":               testInst("丙"),
		"institutions/a/reports/2026-01.md":     string(testReport(t, "2026-01", "2026-02-05", 5, "10.5", "晋中银行", "山西农信")),
		"institutions/a/reports/2026-02.md":     string(testReport(t, "2026-02", "2026-03-12", 7, "20.25", "晋中银行 ", "中国银行")),
		"institutions/a/reports/2026-H1.md":     string(testReport(t, "2026-H1", "2026-07-10", 0, "0")),
		"institutions/a/reports/2025-12.md":     string(testReport(t, "2025-12", "2026-01-05", 100, "1000")),
		"institutions/c/reports/2026-annual.md": string(testReport(t, "2026-annual", "2026-12-20", 0, "0")),
	})
	res, missing, err := r.AssessDraft(2026, Date{2027, 1, 15})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Draft || res.Year != 2026 || len(res.Grades) != 2 {
		t.Fatalf("draft = %+v", res)
	}
	fa := res.Grades[0].Figures
	if res.Grades[0].Institution != "a" || fa.Reports != 2 || fa.OnTime != 1 || fa.EnterprisesServed != 12 || fa.JinchuangguEnterprises != 5 ||
		fa.MatchmakingEvents != 4 || fa.PolicySessions != 2 || fa.PolicyEnterprises != 14 || fa.FinancingWan.String() != "30.75" ||
		fa.HalfYearReports != 1 || fa.AnnualSummary || len(fa.PartnerBanks) != 3 {
		t.Errorf("figures of a = %+v", fa)
	}
	if fc := res.Grades[1].Figures; !fc.AnnualSummary || fc.Reports != 0 {
		t.Errorf("figures of c = %+v", fc)
	}
	if len(missing) != 1 || missing[0].Slug != "a" {
		t.Errorf("missing annual = %v", missing)
	}
	if _, _, err := r.AssessDraft(2024, Date{2025, 1, 1}); err == nil {
		t.Error("a year without reports gave a draft")
	}
	// The draft encodes and loads back as a Result.
	b, err := EncodeRecord(res, "")
	if err != nil {
		t.Fatal(err)
	}
	var back Result
	if ds := DecodeRecord("results/2026.md", b, &back); ds.HasErrors() || back.Grades[0].Figures.FinancingWan != fa.FinancingWan {
		t.Fatalf("round trip: %v %+v", ds, back)
	}
}

// TestComplianceMatchesReportState checks that the matrix's states are
// ReportState's, cell by cell, on a corpus with late, missing and pending items.
func TestComplianceMatchesReportState(t *testing.T) {
	dir := t.TempDir()
	writeCorpus(t, dir, 40)
	r, err := Load(os.DirFS(dir), nil)
	if err != nil {
		t.Fatal(err)
	}
	pending := func(slug string, p Period) bool { return p.Month == 10 && slug < "inst-00020" }
	for _, today := range []Date{{2025, 3, 5}, {2026, time.November, 27}} {
		for _, y := range []int{2024, 2025, 2026} {
			for _, l := range r.Compliance(y, today, pending) {
				for _, c := range l.Cells {
					inst := l.Institution
					want := r.ReportState(inst, c.Period, today, inst.Report(c.Period) == nil && pending(inst.Slug, c.Period))
					if c.State != want {
						t.Fatalf("%s %s on %s: matrix %s, ReportState %s", inst.Slug, c.Period, today, c.State, want)
					}
				}
			}
		}
	}
}

// writeCorpus writes a content repo of n institutions, each announced on
// 2025-01-15 with monthly sheets for 2025 and 2026 up to today's month
// (about 24 each), into dir. It returns the number of files.
func writeCorpus(tb testing.TB, dir string, n int) int {
	tb.Helper()
	files := 0
	write := func(p string, data []byte) {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(full, data, 0o644); err != nil {
			tb.Fatal(err)
		}
		files++
	}
	write("site.yaml", []byte(testSite))
	slugs := make([]string, n)
	for i := range slugs {
		slugs[i] = fmt.Sprintf("inst-%05d", i)
	}
	round := "---\ntitle: r\nnotice: \"\"\napplication: {from: 2024-11-01, to: 2024-11-30}\napplicants: []\nreview: {date: 2024-12-20, form: 会议评审}\ndecision:\n  date: 2025-01-05\n  selected:\n"
	for _, s := range slugs {
		round += "    - " + s + "\n"
	}
	round += "publicity: \"\"\nannouncement: {date: 2024-12-15}\nfiling: {date: null}\n---\n"
	write("rounds/2024-1.md", []byte(round))
	for i, s := range slugs {
		write("institutions/"+s+"/index.md", []byte(testInst(fmt.Sprintf("第%d号科技金融服务机构", i))))
		for y := 2025; y <= 2026; y++ {
			for m := 1; m <= 12; m++ {
				if (i+m)%17 == 0 {
					continue // some missing
				}
				p := MonthPeriod(y, time.Month(m))
				recv := p.Next().Start().AddDays((i + m) % 12) // some late
				write("institutions/"+s+"/reports/"+p.String()+".md", testReport(tb, p.String(), recv.String(), 3+(i+m)%20, fmt.Sprintf("%d.%02d", (i*m)%500, m), "晋中银行", "山西农信"))
			}
		}
	}
	return files
}

// BenchmarkCompliance measures the compliance matrix of a 5000-institution,
// two-year repo: Load from disk plus the matrix, and the matrix alone.
//
//	go test -run '^$' -bench Compliance -benchtime 3x ./content
func BenchmarkCompliance(b *testing.B) {
	dir := b.TempDir()
	n := writeCorpus(b, dir, 5000)
	b.Logf("corpus: %d files", n)
	today := Date{2026, time.November, 27}
	b.Run("load+matrix", func(b *testing.B) {
		for b.Loop() {
			r, err := Load(os.DirFS(dir), nil)
			if err != nil {
				b.Fatal(err)
			}
			for _, y := range []int{2025, 2026} {
				if got := len(r.Compliance(y, today, nil)); got != 5000 {
					b.Fatalf("%d lines", got)
				}
			}
		}
	})
	r, err := Load(os.DirFS(dir), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("matrix", func(b *testing.B) {
		for b.Loop() {
			r.Compliance(2026, today, nil)
		}
	})
}
