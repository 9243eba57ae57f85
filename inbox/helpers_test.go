package inbox

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/xuri/excelize/v2"

	"kjjr/content"
	"kjjr/content/jinzhong"
)

// testNow is "today" for the tests: 2026-11-20 (in the calendar's years).
var testNow = time.Date(2026, 11, 20, 10, 0, 0, 0, content.CST)

// The fixture institution that sends most test mail (from the default dataset).
const (
	instSlug   = "jinchuang-capital"
	instName   = "山西晋创科技资本管理有限公司"
	instUSCC   = "91140702MA0JQ7N36C"
	instSender = "report@jinchuang-capital.example.com"
	// A second institution, with pinned DKIM keys in the fixture repo.
	pinSlug   = "pingyao-huitong"
	pinSender = "reports@pingyao-huitong.example.com"
)

// fixtureFiles returns the default dataset with test changes: smaller
// limits, and pinned DKIM keys plus a known sender for pinSlug.
func fixtureFiles(t testing.TB, dkimRecord string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := fs.WalkDir(jinzhong.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(jinzhong.FS(), p)
		files[p] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	site := string(files["site.yaml"])
	site = strings.Replace(site, "max_attachment_mib: 25", "max_attachment_mib: 1", 1)
	site = strings.Replace(site, "max_message_mib: 50", "max_message_mib: 3", 1)
	files["site.yaml"] = []byte(site)
	idx := "institutions/" + pinSlug + "/index.md"
	var inst content.Institution
	if ds := content.DecodeRecord(idx, files[idx], &inst); ds.HasErrors() {
		t.Fatal(ds)
	}
	inst.ReportSenders = append(inst.ReportSenders, content.Sender{Name: "测试", Email: pinSender})
	if dkimRecord != "" {
		inst.DKIMKeys = []content.DKIMKey{{Domain: "pingyao-huitong.example.com", Selector: "sel1", Record: dkimRecord}}
	}
	b, err := content.EncodeRecord(&inst, inst.Body)
	if err != nil {
		t.Fatal(err)
	}
	files[idx] = b
	return files
}

// newFixtureRepo makes a git repo (bare or not) whose main holds files, with
// the go-git object API, and returns its directory.
func newFixtureRepo(t testing.TB, bare bool, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	r, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{Bare: bare,
		InitOptions: git.InitOptions{DefaultBranch: plumbing.Main}})
	if err != nil {
		t.Fatal(err)
	}
	g := &gitStore{repo: r, dir: dir}
	changes := map[string]plumbing.Hash{}
	for p, b := range files {
		h, err := g.writeBlob(b)
		if err != nil {
			t.Fatal(err)
		}
		changes[p] = h
	}
	tree, err := g.updateTree(plumbing.ZeroHash, changes)
	if err != nil {
		t.Fatal(err)
	}
	sig := object.Signature{Name: "科技局", Email: "staff@example.gov.cn", When: testNow.Add(-48 * time.Hour)}
	c := &object.Commit{Author: sig, Committer: sig, Message: "初始数据\n", TreeHash: tree}
	obj := r.Storer.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		t.Fatal(err)
	}
	ch, err := r.Storer.SetEncodedObject(obj)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Storer.SetReference(plumbing.NewHashReference(mainRef, ch)); err != nil {
		t.Fatal(err)
	}
	return dir
}

// sheetSpec is what a test sheet says.
type sheetSpec struct {
	Name, USCC, Period string
}

func uscc(t testing.TB, first17 string) string {
	c, err := content.USCCCheckChar(first17)
	if err != nil {
		t.Fatal(err)
	}
	return first17 + string(c)
}

// makeSheet builds a filled monthly sheet (.xlsx) as an institution would
// type it: labels in column A, values in column B, and one 融资明细 row.
func makeSheet(t testing.TB, s sheetSpec) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", "绩效评价考核表"))
	_, err := f.NewSheet("融资明细")
	must(err)
	rows := [][2]any{
		{"机构名称", s.Name}, {"统一社会信用代码", s.USCC}, {"报送月份", s.Period},
		{"服务企业数量（家）", 12}, {"其中：晋创谷注册企业（家）", 3}, {"融资需求调研企业（家）", 5},
		{"银企对接活动（场）", 1}, {"项目路演活动（场）", 1}, {"联合金融机构入企服务（次）", 4},
		{"政策宣讲活动（场）", 1}, {"政策宣讲覆盖企业（家）", 20}, {"协助落实贷款贴息企业（家）", 1},
		{"协助落实科技保险企业（家）", 0}, {"合作银行名称", "晋商银行晋中分行、山西银行晋中分行"},
		{"帮助企业融资金额（万元）", 300}, {"其中：晋创谷企业融资金额（万元）", 100},
		{"是否向服务对象收取费用", "否"}, {"填报人", "周强"}, {"联系电话", "0354-5550251"}, {"填报日期", "2026-11-05"},
	}
	for i, r := range rows {
		must(f.SetCellValue("绩效评价考核表", fmt.Sprintf("A%d", i+1), r[0]))
		must(f.SetCellValue("绩效评价考核表", fmt.Sprintf("B%d", i+1), r[1]))
	}
	head := []any{"序号", "企业名称", "统一社会信用代码", "是否晋创谷注册企业", "融资机构", "融资方式", "融资金额（万元）", "放款日期"}
	must(f.SetSheetRow("融资明细", "A1", &head))
	r1 := []any{1, "晋中某某科技有限公司", uscc(t, "91140700MA0K00002"), "是", "晋商银行晋中分行", "信用贷款", 100, "2026-10-15"}
	r2 := []any{2, "晋中某某制造有限公司", uscc(t, "91140700MA0K00003"), "否", "山西银行晋中分行", "抵押贷款", 200, "2026-10-20"}
	must(f.SetSheetRow("融资明细", "A2", &r1))
	must(f.SetSheetRow("融资明细", "A3", &r2))
	var b bytes.Buffer
	must(f.Write(&b))
	return b.Bytes()
}

// goodSheet is a valid sheet of the fixture institution for period (2026-10).
func goodSheet(t testing.TB, period string) []byte {
	return makeSheet(t, sheetSpec{Name: instName, USCC: instUSCC, Period: period})
}

// b64 wraps base64 at 76 columns with CRLF, as mail clients do.
func b64(data []byte) string {
	s := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76])
		b.WriteString("\r\n")
		s = s[76:]
	}
	b.WriteString(s)
	b.WriteString("\r\n")
	return b.String()
}

// attachment is one file of a composed test message.
type attachment struct {
	Name string
	Type string
	Data []byte
}

// compose builds a plain, well-formed multipart message (the shape most
// tests need); header lines are extra fields like "Auto-Submitted: auto-replied".
func compose(from, subject, msgID string, date time.Time, text string, atts []attachment, header ...string) []byte {
	var b strings.Builder
	w := func(s string) { b.WriteString(strings.ReplaceAll(s, "\n", "\r\n")) }
	w("From: " + from + "\n")
	w("To: kjjr@example.gov.cn\n")
	w("Subject: " + encodeWord(subject) + "\n")
	w("Date: " + date.Format(time.RFC1123Z) + "\n")
	if msgID != "" {
		w("Message-ID: <" + msgID + ">\n")
	}
	for _, h := range header {
		w(h + "\n")
	}
	w("MIME-Version: 1.0\n")
	w("Content-Type: multipart/mixed; boundary=\"=_kjjr_test_b\"\n\n")
	w("--=_kjjr_test_b\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n")
	b.WriteString(b64([]byte(text)))
	for _, a := range atts {
		w("--=_kjjr_test_b\n")
		w("Content-Type: " + a.Type + "; name=\"" + encodeWord(a.Name) + "\"\n")
		w("Content-Disposition: attachment; filename=\"" + encodeWord(a.Name) + "\"\n")
		w("Content-Transfer-Encoding: base64\n\n")
		b.WriteString(b64(a.Data))
	}
	w("--=_kjjr_test_b--\n")
	return []byte(b.String())
}

func encodeWord(s string) string {
	for _, r := range s {
		if r > 126 || r < 32 {
			return "=?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte(s)) + "?="
		}
	}
	return s
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// fakePDF returns n bytes that start like a PDF.
func fakePDF(n int, seed string) []byte {
	b := []byte("%PDF-1.7\n% " + seed + "\n")
	for len(b) < n {
		b = append(b, []byte(seed+" 0 obj << /Type /Page >> endobj\n")...)
	}
	return b[:n]
}

func writeFile(t testing.TB, p string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// memQueue records receipts, idempotent by Key like the outbox.
type memQueue struct {
	byKey map[string]*receipt
	order []string
}

func newMemQueue() *memQueue { return &memQueue{byKey: map[string]*receipt{}} }

func (q *memQueue) queue(r *receipt) error {
	if _, ok := q.byKey[r.Key]; ok {
		return nil
	}
	q.byKey[r.Key] = r
	q.order = append(q.order, r.Key)
	return nil
}

// testOptions are options with the fixed clock and a receipt recorder.
func testOptions(q receiptQueue) *Options {
	return &Options{
		Now:       func() time.Time { return testNow },
		LookupTXT: func(string) ([]string, error) { return nil, fmt.Errorf("no DNS in tests") },
		queue:     q,
	}
}
