package inbox

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/xuri/excelize/v2"

	"kjjr/selection"
)

// applyBranch commits an application of round 2026-1 with the C git CLI
// as package submission's contract lays it out (draft record, trailers).
func applyBranch(t testing.TB, dir, key, slug string) {
	t.Helper()
	tmp := t.TempDir()
	t.Setenv("GIT_INDEX_FILE", filepath.Join(tmp, "index"))
	gitCLI(t, dir, "read-tree", "main")
	p := filepath.Join(tmp, "draft")
	writeFile(t, p, []byte("---\nname: 榆次甲科技服务有限公司\nuscc: "+key+"\n---\n"))
	h := gitCLI(t, dir, "hash-object", "-w", p)
	gitCLI(t, dir, "update-index", "--add", "--cacheinfo", "100644,"+h+",institutions/"+slug+"/index.md")
	tree := gitCLI(t, dir, "write-tree")
	c := gitCLI(t, dir, "commit-tree", tree, "-p", "main", "-m", "申报\n\nKjjr-Kind: application\nKjjr-Round: 2026-1\nKjjr-Applicant: "+key+"\nKjjr-Institution: "+slug+"\nSource-Sha256: "+strings.Repeat("0", 64))
	gitCLI(t, dir, "update-ref", "refs/heads/apply/2026-1/"+key, c)
}

// TestDovecotExpertWorkbook: an expert on the round's panel mails the
// filled workbook to the report address; it is kept on the private ref
// and the expert gets a reply. The same workbook from an address on no
// panel is a stranger's mail (待核查), and nothing is kept.
func TestDovecotExpertWorkbook(t *testing.T) {
	d := dovecot(t)
	user := d.account(t)
	dir, _ := cliRepo(t, objectionFiles(t))
	key := uscc(t, "91140702MA0K0000A")
	applyBranch(t, dir, key, strings.ToLower(key))
	sr, err := selection.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer sr.Close()
	if err := sr.AddExpert("2026-1", selection.Expert{Name: "李专家", Email: "li@expert.example.edu.cn"}, object.Signature{Name: "王科长", Email: "wang@example.gov.cn"}, testNow); err != nil {
		t.Fatal(err)
	}
	apps, err := sr.Applicants("2026-1")
	if err != nil || len(apps) != 1 {
		t.Fatalf("applicants %v %v", apps, err)
	}
	var tpl bytes.Buffer
	if err := selection.Template(&tpl, "2026-1", "遴选", apps); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&tpl)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range []any{12, 20, 10, 15, 12, 8} {
		cell, _ := excelize.CoordinatesToCellName(4+i, 8)
		_ = f.SetCellValue("专家评分表", cell, v)
	}
	_ = f.SetCellValue("专家评分表", "K8", "推荐")
	var wb bytes.Buffer
	if _, err := f.WriteTo(&wb); err != nil {
		t.Fatal(err)
	}
	att := []attachment{{Name: "评分表-李.xlsx", Type: xlsxType, Data: wb.Bytes()}}
	toReport := func(raw []byte) []byte {
		return bytes.Replace(raw, []byte("To: kjjr@example.gov.cn\r\n"), []byte("To: baosong@example.gov.cn\r\n"), 1)
	}
	c := dovecotClient(t, d.Addr, user)
	appendAt(t, c, toReport(compose("李专家 <li@expert.example.edu.cn>", "评分表", "wb-1@expert.example.edu.cn", testNow, "评分表见附件。", att)), testNow)
	appendAt(t, c, toReport(compose("冒名 <fake@example.com>", "评分表", "wb-2@example.com", testNow, "评分表见附件。", att)), testNow)
	sink := newSMTPSink(t)
	opts := testOptions(nil)
	opts.queue = nil
	opts.IMAP = IMAPConfig{Addr: d.Addr, User: user, Password: "pw", TLS: "none"}
	opts.SMTP = SMTPConfig{Addr: sink.Addr, TLS: "none"}
	w, err := NewWorker(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	st, err := w.RunOnce(context.Background())
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	if st.Seen != 2 || st.Quarantined != 1 {
		t.Errorf("stats: %v", st)
	}
	wbs, err := sr.Workbooks("2026-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(wbs) != 1 || wbs[0].Expert != "李专家" || wbs[0].Scores.Rows[0].Total != 77 || !strings.Contains(wbs[0].AddedBy, "li@expert.example.edu.cn") {
		t.Fatalf("workbooks = %+v", wbs)
	}
	if got := gitCLI(t, dir, "log", "-1", "--format=%an %s", "refs/kjjr/rounds/2026-1"); got != "李专家 专家评分：李专家" {
		t.Errorf("private log: %q", got)
	}
	if b := gitCLI(t, dir, "for-each-ref", "refs/heads/submit/"); b != "" {
		t.Errorf("branches: %s", b)
	}
	mails := sink.all()
	if len(mails) != 1 || mails[0].To[0] != "li@expert.example.edu.cn" {
		t.Fatalf("replies: %+v", mails)
	}
	subj, text := sunkText(t, mails[0])
	if subj != "回执：已收到您的评分表" || !strings.Contains(text, "已保存为 李专家 对遴选批次 2026-1 的评分（1 家已评分）") {
		t.Errorf("reply %q:\n%s", subj, text)
	}
}
