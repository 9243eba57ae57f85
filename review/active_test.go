package review

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"kjjr/content"
)

// ddeWorkbook is a small workbook with a DDE formula.
func ddeWorkbook(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetCellValue("Sheet1", "A1", "服务企业数量"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellFormula("Sheet1", "B1", `cmd|'/C calc'!A0`); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestActiveContentWarning: kjjr review warns about a listed workbook with
// a DDE formula on the branch, whoever wrote the branch, and names the
// risk in Chinese; the inbox's own copy of the warning is not repeated.
func TestActiveContentWarning(t *testing.T) {
	f := newFixture(t, true)
	data := ddeWorkbook(t)
	rep := monthly("2026-04", at("2026-05-08 10:00"), 11, "110", false)
	rel := "evidence/2026-04/abcdef012345-银企对接.xlsx"
	rep.Evidence = []content.File{{Path: rel, Name: "银企对接.xlsx", Size: int64(len(data))}}
	f.submit("alpha", rep, map[string][]byte{"abcdef012345-银企对接.xlsx": data})
	// Beta: the inbox already recorded the warning.
	rep2 := monthly("2026-04", at("2026-05-08 10:00"), 11, "110", false)
	rep2.Evidence = rep.Evidence
	subs, err := f.r.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 1 {
		t.Fatalf("%d submissions", len(subs))
	}
	w := strings.Join(subs[0].Warnings, "\n")
	for _, want := range []string{"附件“银企对接.xlsx”含有DDE 公式", "cmd|'/C calc'!A0", "打开时可能执行外部程序", "请勿启用宏、勿更新链接"} {
		if !strings.Contains(w, want) {
			t.Errorf("warnings lack %q:\n%s", want, w)
		}
	}
	// The same warning recorded by the inbox is shown once.
	rep2.Warnings = []string{subs[0].Warnings[len(subs[0].Warnings)-1]}
	f.submit("beta", rep2, map[string][]byte{"abcdef012345-银企对接.xlsx": data})
	s, err := f.r.Get("submit/beta/2026-04")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(strings.Join(s.Warnings, "\n"), "含有DDE 公式"); n != 1 {
		t.Errorf("the warning is shown %d times: %q", n, s.Warnings)
	}
}
