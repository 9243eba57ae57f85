package application

import (
	"archive/zip"
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"kjjr/content"
	"kjjr/sheet"
)

const testUSCC = "91140700MA0K000016"

func filled(t testing.TB, a *Application) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Fill(&b, a); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func parse(t testing.TB, data []byte) *Application {
	t.Helper()
	a, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// The blank template is the form: Looks recognises it, and Parse reads it
// as blank, with a problem for each required label and none other.
func TestTemplateBlank(t *testing.T) {
	var b bytes.Buffer
	if err := Template(&b); err != nil {
		t.Fatal(err)
	}
	if !Looks(b.Bytes()) {
		t.Fatal("Looks(template) = false")
	}
	a := parse(t, b.Bytes())
	req := 0
	for _, f := range fields {
		if f.Required {
			req++
		}
	}
	if len(a.Problems) != req {
		t.Fatalf("blank form: %d problems, want %d (one per required label):\n%v", len(a.Problems), req, a.Problems)
	}
	for _, p := range a.Problems {
		if !strings.Contains(p.Message, "未填写") || p.Cell == "" {
			t.Errorf("problem %v: want 未填写 with a cell", p)
		}
	}
}

// Parse(Fill(a)) is a again.
func TestRoundTrip(t *testing.T) {
	want := Example("晋中示例科技金融服务有限公司", testUSCC)
	got := parse(t, filled(t, want))
	if len(got.Problems) != 0 {
		t.Fatalf("problems: %v", got.Problems)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, want)
	}
}

// editForm applies WPS/Excel-style hand edits to a filled form.
func editForm(t *testing.T, data []byte, edit func(f *excelize.File)) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	edit(f)
	var b bytes.Buffer
	if _, err := f.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// rowOf returns the row of a label in the template.
func rowOf(t *testing.T, f *excelize.File, label string) int {
	t.Helper()
	rows, _ := f.GetRows(SheetName)
	for i, r := range rows {
		if len(r) > 0 && r[0] == label {
			return i + 1
		}
	}
	t.Fatalf("label %s not found", label)
	return 0
}

// Hand edits as WPS and Excel users make them read as the clean form does.
func TestHandEdits(t *testing.T) {
	base := Example("晋中示例科技金融服务有限公司", testUSCC)
	data := filled(t, base)
	set := func(f *excelize.File, label string, v any) {
		r := rowOf(t, f, label)
		if err := f.SetCellValue(SheetName, "B"+itoa(r), v); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name  string
		edit  func(f *excelize.File)
		check func(t *testing.T, a *Application)
	}{
		{"chinese date", func(f *excelize.File) { set(f, "成立日期", "2019年11月15日") }, nil},
		{"chinese numerals date", func(f *excelize.File) { set(f, "成立日期", "二〇一九年十一月十五日") }, nil},
		{"date cell", func(f *excelize.File) {
			r := rowOf(t, f, "成立日期")
			_ = f.SetCellValue(SheetName, "B"+itoa(r), content.Date{Year: 2019, Month: 11, Day: 15}.Time())
		}, nil},
		{"full-width digits and spaces", func(f *excelize.File) {
			set(f, "统一社会信用代码", "９１１４０７００ＭＡ０Ｋ０００　０１６")
			set(f, "服务团队人数（人）", "６人")
		}, nil},
		{"number as text", func(f *excelize.File) { set(f, "服务团队人数（人）", " 6 ") }, nil},
		{"yes with full stop", func(f *excelize.File) { set(f, "能否为晋创谷初创期科技企业提供服务", "是。") }, nil},
		{"label with full-width colon and spaces", func(f *excelize.File) {
			r := rowOf(t, f, "法人类型")
			_ = f.SetCellStr(SheetName, "A"+itoa(r), " 法人 类型： ")
		}, nil},
		{"merged label cells and inserted column", func(f *excelize.File) {
			if err := f.InsertCols(SheetName, "B", 1); err != nil {
				t.Fatal(err)
			}
			for _, l := range labels() {
				r := rowOf(t, f, l)
				if err := f.MergeCell(SheetName, "A"+itoa(r), "B"+itoa(r)); err != nil {
					t.Fatal(err)
				}
			}
		}, nil},
		{"rows reordered and a note sheet in front", func(f *excelize.File) {
			if err := f.InsertRows(SheetName, 5, 3); err != nil {
				t.Fatal(err)
			}
			_ = f.SetCellStr(SheetName, "A6", "（本单位补充说明：以下内容属实）")
			idx, _ := f.NewSheet("填表说明")
			_ = f.SetCellStr("填表说明", "A1", "说明")
			_ = f.MoveSheet("填表说明", SheetName)
			f.SetActiveSheet(idx)
		}, nil},
		{"lists with commas and line breaks", func(f *excelize.File) {
			set(f, "合作银行", "晋商银行晋中分行，\n中国银行晋中分行")
		}, nil},
		{"sheet renamed", func(f *excelize.File) { _ = f.SetSheetName(SheetName, "Sheet1") }, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := parse(t, editForm(t, data, c.edit))
			if len(got.Problems) != 0 {
				t.Fatalf("problems: %v", got.Problems)
			}
			got.Sheet = base.Sheet
			if !reflect.DeepEqual(got, base) {
				t.Fatalf("hand edit changed the reading:\n got %+v\nwant %+v", got, base)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// Values that cannot be read are problems with their cell, never a refusal.
func TestProblems(t *testing.T) {
	a := Example("晋中示例科技金融服务有限公司", testUSCC)
	data := editForm(t, filled(t, a), func(f *excelize.File) {
		_ = f.SetCellStr(SheetName, "B"+itoa(rowOf(t, f, "成立日期")), "去年春天")
		_ = f.SetCellStr(SheetName, "B"+itoa(rowOf(t, f, "是否有严重失信行为记录")), "不清楚")
		_ = f.SetCellStr(SheetName, "B"+itoa(rowOf(t, f, "联系人邮箱")), "张三 <zs@example.cn>")
	})
	got := parse(t, data)
	if len(got.Problems) != 3 {
		t.Fatalf("problems %v, want 3", got.Problems)
	}
	for _, p := range got.Problems {
		if p.Cell == "" || p.Sheet != SheetName {
			t.Errorf("problem without place: %+v", p)
		}
	}
	fs := Check(got, content.Date{Year: 2026, Month: 5, Day: 16}, attachments(ExampleAttachments...))
	failed := rules(Failed(fs))
	if !reflect.DeepEqual(failed, []Rule{RuleForm, RuleFounded, RuleCredit}) {
		t.Fatalf("failed rules %v", failed)
	}
}

// Not the form: a readable workbook without the anchors is ErrNotForm,
// an unreadable file a *sheet.FormatError, and the monthly sheet is not
// taken for an application.
func TestNotForm(t *testing.T) {
	var b bytes.Buffer
	if err := sheet.Template(&b); err != nil {
		t.Fatal(err)
	}
	if _, err := Parse(b.Bytes()); !errors.Is(err, ErrNotForm) {
		t.Fatalf("monthly sheet: %v, want ErrNotForm", err)
	}
	if Looks(b.Bytes()) {
		t.Fatal("Looks(monthly sheet) = true")
	}
	var fe *sheet.FormatError
	if _, err := Parse([]byte("%PDF-1.4 not a workbook")); !errors.As(err, &fe) {
		t.Fatalf("pdf: %v, want FormatError", err)
	}
}

func attachments(names ...string) []Attachment {
	var out []Attachment
	for _, n := range names {
		out = append(out, Attachment{Name: n, Size: 100 << 10})
	}
	return out
}

func rules(fs []Finding) []Rule {
	var out []Rule
	for _, f := range fs {
		out = append(out, f.Rule)
	}
	return out
}

// The pre-check of 第二条, rule by rule.
func TestCheck(t *testing.T) {
	closes := content.Date{Year: 2026, Month: 5, Day: 16}
	cases := []struct {
		name  string
		edit  func(a *Application)
		atts  []string
		fail  []Rule
		words string // in the failure's message
	}{
		{"clean", nil, ExampleAttachments, nil, ""},
		{"founded two years before", func(a *Application) { a.Institution.Founded = content.Date{Year: 2024, Month: 5, Day: 16} }, ExampleAttachments, []Rule{RuleFounded}, "不满3年"},
		{"founded exactly three years before", func(a *Application) { a.Institution.Founded = content.Date{Year: 2023, Month: 5, Day: 16} }, ExampleAttachments, nil, ""},
		{"founded a day late", func(a *Application) { a.Institution.Founded = content.Date{Year: 2023, Month: 5, Day: 17} }, ExampleAttachments, []Rule{RuleFounded}, "2023年5月16日"},
		{"bad check character", func(a *Application) { a.Institution.USCC = "91140700MA0K000017" }, ExampleAttachments, []Rule{RuleUSCC}, "营业执照"},
		{"branch office", func(a *Application) { a.Institution.LegalForm = "分公司（非独立法人）" }, ExampleAttachments, []Rule{RuleLegalPerson}, "独立法人"},
		{"public institution", func(a *Application) { a.Institution.LegalForm = "事业单位法人" }, ExampleAttachments, nil, ""},
		{"dishonest", func(a *Application) { a.Institution.Credit.SeriousDishonesty = true }, ExampleAttachments, []Rule{RuleCredit}, "严重失信"},
		{"blacklisted", func(a *Application) { a.Institution.Credit.Blacklisted = true }, ExampleAttachments, []Rule{RuleCredit}, "黑名单"},
		{"no law or accounting firm", func(a *Application) {
			a.Institution.Partners.LawFirms, a.Institution.Partners.AccountingFirms = nil, nil
		}, ExampleAttachments, []Rule{RulePartners}, "律师事务所或会计师事务所"},
		{"accounting firm only", func(a *Application) { a.Institution.Partners.LawFirms = nil }, ExampleAttachments, nil, ""},
		{"no bank", func(a *Application) { a.Institution.Partners.Banks = nil }, ExampleAttachments, []Rule{RulePartners}, "合作银行"},
		{"office in Taiyuan", func(a *Application) {
			a.Institution.Office = content.Office{Address: "山西省太原市小店区示例路1号", County: "小店区"}
		}, ExampleAttachments, []Rule{RuleOffice}, "晋中"},
		{"county from the address", func(a *Application) {
			a.Institution.Office = content.Office{Address: "山西省晋中市平遥县古城路1号"}
		}, ExampleAttachments, nil, ""},
		{"short county name", func(a *Application) { a.Institution.Office.County = "祁县" }, ExampleAttachments, nil, ""},
		{"no credit report", nil, []string{"营业执照.jpg", "合作协议.pdf"}, []Rule{RuleAttachments}, "信用报告"},
		{"no attachments", nil, nil, []Rule{RuleAttachments}, "营业执照"},
		{"only required", nil, []string{"营业执照.pdf", "信用报告.pdf"}, nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := Example("晋中示例科技金融服务有限公司", testUSCC)
			if c.edit != nil {
				c.edit(a)
			}
			fs := Check(a, closes, attachments(c.atts...))
			if len(fs) != 8 {
				t.Fatalf("%d findings, want one per rule", len(fs))
			}
			failed := Failed(fs)
			if !reflect.DeepEqual(rules(failed), c.fail) {
				t.Fatalf("failed %v, want %v:\n%v", rules(failed), c.fail, fs)
			}
			if c.words != "" && !strings.Contains(failed[0].Message, c.words) {
				t.Errorf("message %q does not say %q", failed[0].Message, c.words)
			}
		})
	}
	// Recommended attachments are noted, not failed.
	fs := Check(Example("x", testUSCC), closes, attachments("营业执照.pdf", "信用报告.pdf"))
	if last := fs[len(fs)-1]; !last.OK || !strings.Contains(last.Message, "建议补充合作协议、办公场所照片") {
		t.Errorf("attachments finding %v", last)
	}
}

// Hostile files are refused by the sheet guard, never read: a legacy
// .xls, a zip bomb, a file over the size limit, and a workbook with more
// merged ranges than the limit.
func TestHostile(t *testing.T) {
	var bomb bytes.Buffer
	zw := zip.NewWriter(&bomb)
	w, _ := zw.Create("xl/workbook.xml")
	zero := make([]byte, 1<<20)
	for i := 0; i < 60; i++ {
		_, _ = w.Write(zero)
	}
	_ = zw.Close()
	merges := editForm(t, filled(t, Example("x", testUSCC)), func(f *excelize.File) {
		for r := 100; r < 100+sheet.MaxMerges+1; r++ {
			_ = f.MergeCell(SheetName, "C"+itoa(r), "D"+itoa(r))
		}
	})
	cases := map[string][]byte{
		"legacy":   append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...),
		"zip bomb": bomb.Bytes(),
		"too big":  append([]byte("PK\x03\x04"), make([]byte, sheet.MaxFileSize)...),
		"merges":   merges,
	}
	for name, data := range cases {
		var fe *sheet.FormatError
		if _, err := Parse(data); !errors.As(err, &fe) {
			t.Errorf("%s: %v, want a FormatError", name, err)
		}
		if Looks(data) {
			t.Errorf("%s: Looks = true", name)
		}
	}
}

var update = flag.Bool("update", false, "rewrite testdata/")

// TestGenerate writes the fixtures of testdata/ (the fuzz seed corpus)
// with -update, and otherwise checks that each still parses as recorded.
func TestGenerate(t *testing.T) {
	ex := Example("晋中示例科技金融服务有限公司", testUSCC)
	var blank bytes.Buffer
	if err := Template(&blank); err != nil {
		t.Fatal(err)
	}
	clean := filled(t, ex)
	hand := editForm(t, clean, func(f *excelize.File) {
		_ = f.InsertCols(SheetName, "B", 1)
		_ = f.SetCellStr(SheetName, "C"+itoa(rowOf(t, f, "成立日期")), "二〇一九年十一月十五日")
		_ = f.SetCellStr(SheetName, "C"+itoa(rowOf(t, f, "服务团队人数（人）")), "６人")
	})
	problems := editForm(t, clean, func(f *excelize.File) {
		_ = f.SetCellStr(SheetName, "B"+itoa(rowOf(t, f, "成立日期")), "去年")
		_ = f.SetCellFormula(SheetName, "B"+itoa(rowOf(t, f, "服务团队人数（人）")), "1/0")
	})
	files := map[string][]byte{"blank.xlsx": blank.Bytes(), "clean.xlsx": clean, "hand_edited.xlsx": hand, "problems.xlsx": problems}
	for name, data := range files {
		p := filepath.Join("testdata", name)
		if *update {
			if err := os.MkdirAll("testdata", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		disk, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("%v (run go test ./application -run TestGenerate -update)", err)
		}
		if _, err := Parse(disk); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
