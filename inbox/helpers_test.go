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

	"kjjr/content"
	"kjjr/content/jinzhong"
	"kjjr/sheet"
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

// makeSheet builds a filled monthly sheet (.xlsx) with sheet.Fill, as an
// institution fills the template: s's name, USCC and period (2026年10月 or
// 2026-10), typical figures and two 融资明细 rows.
func makeSheet(t testing.TB, s sheetSpec) []byte {
	t.Helper()
	per, err := content.ParsePeriod(s.Period)
	if err != nil {
		var y, m int
		if _, serr := fmt.Sscanf(s.Period, "%d年%d月", &y, &m); serr != nil {
			t.Fatalf("period %q: %v", s.Period, err)
		}
		per = content.MonthPeriod(y, time.Month(m))
	}
	no := false
	day := func(d int) content.Date { return content.Date{Year: 2026, Month: 10, Day: d} }
	rep := &content.Report{
		Kind: "monthly", Period: per, Filer: "周强", Phone: "0354-5550251", FiledOn: content.Date{Year: 2026, Month: 11, Day: 5},
		Indicators: &content.Indicators{
			EnterprisesServed: 12, JinchuangguEnterprises: 3, NeedsSurveyed: 5, MatchmakingEvents: 1, Roadshows: 1,
			OnsiteVisits: 4, PolicySessions: 1, PolicyEnterprises: 20, LoanSubsidyEnterprises: 1,
			FinancingWan: 30000, JinchuangguFinancingWan: 10000,
		},
		PartnerBanks: []string{"晋商银行晋中分行", "山西银行晋中分行"}, ChargedFees: &no,
		Financing: []content.Financing{
			{Enterprise: "晋中某某科技有限公司", USCC: uscc(t, "91140700MA0K00002"), Jinchuanggu: true, Lender: "晋商银行晋中分行", Method: "信用贷款", AmountWan: 10000, Disbursed: day(15)},
			{Enterprise: "晋中某某制造有限公司", USCC: uscc(t, "91140700MA0K00003"), Lender: "山西银行晋中分行", Method: "抵押贷款", AmountWan: 20000, Disbursed: day(20)},
		},
	}
	var b bytes.Buffer
	if err := sheet.Fill(&b, &content.Institution{Name: s.Name, USCC: s.USCC}, rep); err != nil {
		t.Fatal(err)
	}
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
