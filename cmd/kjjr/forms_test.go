package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestSheetFromSiteRoundTrip is what an institution does: download the
// blank monthly sheet from the built site (served over HTTP), fill it in
// (here with excelize, typing next to each label and into the first
// empty row of 融资明细), and send it; kjjr sheet reads it cleanly, for
// the institution it names.
func TestSheetFromSiteRoundTrip(t *testing.T) {
	out := filepath.Join(t.TempDir(), "public")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"build", "--out", out, "--now", "2026-11-20", "--no-cache"}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("kjjr build: %d\n%s", code, stderr.String())
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(out)))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/downloads/kaohebiao.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	blank, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /downloads/kaohebiao.xlsx: %v %v", resp.Status, err)
	}

	// The same bytes kjjr template writes.
	stdout.Reset()
	if code := run([]string{"template", "-o", "-"}, nil, &stdout, &stderr); code != 0 || !bytes.Equal(stdout.Bytes(), blank) {
		t.Fatalf("the sheet on the site (%d bytes) is not what kjjr template writes (%d bytes, exit %d)", len(blank), stdout.Len(), code)
	}

	f, err := excelize.OpenReader(bytes.NewReader(blank))
	if err != nil {
		t.Fatal(err)
	}
	main := map[string]any{
		"机构名称": "山西晋创科技资本管理有限公司", "统一社会信用代码": "91140702MA0JQ7N36C", "报送月份": "2026年10月",
		"服务企业数量": 12, "其中：晋创谷注册企业": 5, "融资需求调研企业": 8, "银企对接活动": 2, "项目路演活动": 1,
		"联合金融机构入企服务": 3, "政策宣讲活动": 1, "政策宣讲覆盖企业": 20, "协助落实贷款贴息企业": 2,
		"协助落实科技保险企业": 1, "合作银行名称": "晋商银行晋中分行、中国银行晋中分行", "帮助企业融资金额": 350.5,
		"其中：晋创谷企业融资金额": 150, "是否向服务对象收取费用": "否", "填报人": "赵敏", "联系电话": "0354-3021234",
		"填报日期": "2026-11-05",
	}
	filled := fillByLabel(t, f, "绩效评价考核表", main)
	if len(filled) != len(main) {
		t.Fatalf("found %d of %d labels in the downloaded sheet: %v", len(filled), len(main), filled)
	}
	fillFinancing(t, f, "融资明细", []map[string]any{
		{"序号": 1, "企业名称": "晋中科创融资服务有限公司", "统一社会信用代码": "91140702MA0H4K2T95", "是否晋创谷注册企业": "是",
			"融资机构": "晋商银行晋中分行", "融资方式": "银行贷款", "融资金额": 150, "放款日期": "2026-10-15"},
		{"序号": 2, "企业名称": "平遥汇通科技金融服务有限公司", "统一社会信用代码": "91140728MA0GW5P174", "是否晋创谷注册企业": "否",
			"融资机构": "中国银行晋中分行", "融资方式": "银行贷款", "融资金额": 200.5, "放款日期": "2026-10-20"},
	})
	path := filepath.Join(t.TempDir(), "晋创资本2026年10月考核表.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	stderr.Reset()
	code := run([]string{"sheet", path, "--institution", "jinchuang-capital", "--now", "2026-11-20"}, nil, &stdout, &stderr)
	if code != 0 || stderr.Len() != 0 {
		t.Fatalf("kjjr sheet: exit %d\n%s", code, stderr.String())
	}
	for _, want := range []string{`period: "2026-10"`, "enterprises_served: 12", "financing_wan: 350.50", "91140702MA0H4K2T95"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("record lacks %q:\n%s", want, stdout.String())
		}
	}
}

// fillByLabel types each value into the cell right of the cell that
// starts with its label (a label cell may carry its unit: 服务企业数量（家）),
// as a person filling the form does. It returns the labels it found.
func fillByLabel(t *testing.T, f *excelize.File, sheetName string, vals map[string]any) []string {
	t.Helper()
	rows, err := f.GetRows(sheetName)
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for r, row := range rows {
		for c, cell := range row {
			for label, v := range vals {
				rest, ok := strings.CutPrefix(strings.TrimSpace(cell), label)
				if !ok || (rest != "" && !strings.HasPrefix(rest, "（") && !strings.HasPrefix(rest, "(") && !strings.HasPrefix(rest, "：")) {
					continue
				}
				ref, _ := excelize.CoordinatesToCellName(c+2, r+1)
				if err := f.SetCellValue(sheetName, ref, v); err != nil {
					t.Fatal(err)
				}
				found = append(found, label)
			}
		}
	}
	return found
}

// fillFinancing types rows into 融资明细 below its example row, column by
// header.
func fillFinancing(t *testing.T, f *excelize.File, sheetName string, rows []map[string]any) {
	t.Helper()
	all, err := f.GetRows(sheetName)
	if err != nil {
		t.Fatal(err)
	}
	header, first := -1, -1
	for r, row := range all {
		if len(row) > 0 && strings.TrimSpace(row[0]) == "序号" {
			header = r
		}
		if header >= 0 && r > header && len(row) > 0 && strings.HasPrefix(strings.TrimSpace(row[0]), "示例") {
			first = r + 1
		}
	}
	if header < 0 || first < 0 {
		t.Fatalf("no header row or example row in %s", sheetName)
	}
	for i, vals := range rows {
		for c, h := range all[header] {
			for name, v := range vals {
				if strings.HasPrefix(strings.TrimSpace(h), name) {
					ref, _ := excelize.CoordinatesToCellName(c+1, first+i+1)
					if err := f.SetCellValue(sheetName, ref, v); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
	}
}
