package review

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"kjjr/content"
	"kjjr/submission"
)

var approver = object.Signature{Name: "王审核", Email: "wang@example.gov.cn"}

func TestListWarnings(t *testing.T) {
	f := newFixture(t, true)
	// On time, ordinary.
	f.submit("alpha", monthly("2026-04", at("2026-05-08 10:00"), 11, "110", false), map[string][]byte{"abcdef012345-报表.xlsx": []byte("xlsx")})
	// Late, charges fees, figures far from the usual.
	f.submit("alpha", monthly("2026-05", at("2026-06-12 16:30"), 40, "20", true), nil)
	// A resubmission: two commits on the branch.
	f.submit("beta", monthly("2026-04", at("2026-05-06 09:00"), 5, "50", false), nil)
	f.submit("beta", monthly("2026-04", at("2026-05-07 09:00"), 6, "55.5", false), nil)
	// Not a submission branch at all: ignored by the list.
	f.commit(f.head("refs/heads/main"), map[string][]byte{"x.txt": []byte("x")}, "x", approver, "refs/heads/feature")

	subs, err := f.r.List()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*Submission{}
	for _, s := range subs {
		got[s.Branch] = s
	}
	if len(subs) != 3 {
		t.Fatalf("List = %d submissions, want 3: %v", len(subs), got)
	}
	a4 := got["submit/alpha/2026-04"]
	if a4 == nil || a4.Late || len(a4.Warnings) != 0 || a4.Institution != "甲科技金融服务有限公司" || a4.Resubmission() {
		t.Errorf("alpha 2026-04 = %+v", a4)
	}
	a5 := got["submit/alpha/2026-05"]
	w := strings.Join(a5.Warnings, "\n")
	for _, want := range []string{"逾期：应于 2026-06-10 前报送", "是否收费：是", "服务企业数量 40，超过以往中位数 10 的 3 倍", "帮助企业融资金额 20.00，不足以往中位数 100.00 的三分之一"} {
		if !strings.Contains(w, want) {
			t.Errorf("alpha 2026-05 warnings lack %q:\n%s", want, w)
		}
	}
	b4 := got["submit/beta/2026-04"]
	if !b4.Resubmission() || b4.Previous == nil || b4.PreviousFrom != "resubmission" {
		t.Fatalf("beta resubmission not seen: %+v", b4)
	}
	if !strings.Contains(strings.Join(b4.Warnings, ";"), "重新报送（共 2 次提交）") {
		t.Errorf("beta warnings = %v", b4.Warnings)
	}
	ch := Diff(b4.Previous, b4.Report)
	var lines []string
	for _, c := range ch {
		lines = append(lines, c.Label+": "+c.Old+" -> "+c.New)
	}
	want := []string{"服务企业数量（家）: 5 -> 6", "其中：晋创谷注册企业（家）: 2 -> 3", "帮助企业融资金额（万元）: 50.00 -> 55.50", "其中：晋创谷企业融资金额（万元）: 25.00 -> 27.75"}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("Diff =\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

func TestApproveBare(t *testing.T) {
	f := newFixture(t, true)
	tip := f.submit("beta", monthly("2026-04", at("2026-05-06 09:00"), 5, "50", false), map[string][]byte{"0123456789ab-证明.pdf": []byte("%PDF")})
	old := f.head("refs/heads/main")
	now := at("2026-05-20 10:00")
	a, err := f.r.Approve("submit/beta/2026-04", approver, now)
	if err != nil {
		t.Fatal(err)
	}
	if a.Worktree != "bare" || a.OldMain != old {
		t.Errorf("approval = %+v", a)
	}
	c, err := f.g.CommitObject(f.head("refs/heads/main"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.ParentHashes) != 2 || c.ParentHashes[0] != old || c.ParentHashes[1] != tip {
		t.Errorf("merge parents = %v, want [%s %s]", c.ParentHashes, old, tip)
	}
	if !strings.Contains(c.Message, "Approved-By: 王审核 <wang@example.gov.cn>") || c.Committer.Name != "王审核" {
		t.Errorf("merge commit lacks the approver:\n%s", c.Message)
	}
	if f.head("refs/heads/submit/beta/2026-04") != plumbing.ZeroHash {
		t.Error("branch not removed after approval")
	}
	repo, err := f.r.LoadMain()
	if err != nil {
		t.Fatal(err)
	}
	if rep := repo.Institution("beta").Report(mustPeriod("2026-04")); rep == nil || rep.Indicators.EnterprisesServed != 5 {
		t.Fatalf("approved report not on main: %+v", rep)
	}
	// C git agrees: fsck --strict, and the evidence is on main.
	f.git("fsck", "--strict")
	if out := f.git("ls-tree", "-r", "--name-only", "main"); !strings.Contains(out, "institutions/beta/evidence/2026-04/0123456789ab-证明.pdf") &&
		!strings.Contains(out, `institutions/beta/evidence/2026-04/0123456789ab-\350\257\201\346\230\216.pdf`) {
		t.Errorf("evidence not on main:\n%s", out)
	}
	// Approving again: the branch is gone.
	if _, err := f.r.Approve("submit/beta/2026-04", approver, now); CodeOf(err) != CodeNoBranch {
		t.Errorf("second approve = %v, want no_branch", err)
	}
}

func TestApproveWorktree(t *testing.T) {
	f := newFixture(t, false)
	f.submit("gamma", monthly("2026-04", at("2026-05-06 09:00"), 3, "30", false), nil)
	if _, err := f.r.Approve("submit/gamma/2026-04", approver, at("2026-05-20 10:00")); err != nil {
		t.Fatal(err)
	}
	if out := f.git("status", "--porcelain"); out != "" {
		t.Errorf("worktree not clean after approve:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(f.dir, "institutions/gamma/reports/2026-04.md")); err != nil {
		t.Errorf("report not in the worktree: %v", err)
	}
	// A plain git merge of the next one by hand, then kjjr sees it merged.
	f.submit("gamma", monthly("2026-05", at("2026-06-06 09:00"), 3, "30", false), nil)
	f.git("merge", "--no-ff", "-m", "merge by hand", "submit/gamma/2026-05")
	subs, err := f.r.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 0 {
		t.Fatalf("hand-merged branch still listed: %v", subs[0].Branch)
	}
	if _, err := f.r.Approve("submit/gamma/2026-05", approver, time.Now()); CodeOf(err) != CodeMerged {
		t.Errorf("approve of a merged branch = %v, want merged", err)
	}
	pend, err := f.r.Pending()
	if err != nil {
		t.Fatal(err)
	}
	if pend("gamma", mustPeriod("2026-05")) {
		t.Error("hand-merged branch counted as pending")
	}
}

func TestApproveRefusals(t *testing.T) {
	t.Run("dirty", func(t *testing.T) {
		f := newFixture(t, false)
		f.submit("gamma", monthly("2026-04", at("2026-05-06 09:00"), 3, "30", false), nil)
		os.WriteFile(filepath.Join(f.dir, "site.yaml"), []byte(siteYAML+"# edit\n"), 0o644)
		old := f.head("refs/heads/main")
		_, err := f.r.Approve("submit/gamma/2026-04", approver, time.Now())
		if CodeOf(err) != CodeDirty || !strings.Contains(err.Error(), "site.yaml") {
			t.Fatalf("err = %v, want dirty naming site.yaml", err)
		}
		if f.head("refs/heads/main") != old || f.head("refs/heads/submit/gamma/2026-04") == plumbing.ZeroHash {
			t.Error("refusal changed refs")
		}
	})
	t.Run("conflict", func(t *testing.T) {
		f := newFixture(t, true)
		f.submit("gamma", monthly("2026-04", at("2026-05-06 09:00"), 3, "30", false), nil)
		// Someone writes the same report by hand on main.
		main := f.head("refs/heads/main")
		f.commit(main, map[string][]byte{reportPath("gamma", "2026-04"): encode(t, monthly("2026-04", at("2026-05-06 09:00"), 4, "30", false))},
			"hand edit", approver, "refs/heads/main")
		old := f.head("refs/heads/main")
		_, err := f.r.Approve("submit/gamma/2026-04", approver, time.Now())
		if CodeOf(err) != CodeConflict || !strings.Contains(err.Error(), "institutions/gamma/reports/2026-04.md") {
			t.Fatalf("err = %v, want conflict", err)
		}
		if f.head("refs/heads/main") != old {
			t.Error("refusal moved main")
		}
	})
	t.Run("outside", func(t *testing.T) {
		f := newFixture(t, true)
		main := f.head("refs/heads/main")
		f.commit(main, map[string][]byte{"site.yaml": []byte(siteYAML + "# x\n"), reportPath("gamma", "2026-04"): encode(t, monthly("2026-04", at("2026-05-06 09:00"), 4, "30", false))},
			"sneaky", approver, "refs/heads/submit/gamma/2026-04")
		_, err := f.r.Approve("submit/gamma/2026-04", approver, time.Now())
		if CodeOf(err) != CodeNotSubmission || !strings.Contains(err.Error(), "site.yaml") {
			t.Fatalf("err = %v, want not_submission naming site.yaml", err)
		}
	})
	t.Run("check", func(t *testing.T) {
		f := newFixture(t, true)
		rep := monthly("2026-04", at("2026-05-06 09:00"), 3, "30", false)
		data := encode(t, rep)
		data = []byte(strings.Replace(string(data), `period: "2026-04"`, `period: "2026-05"`, 1))
		main := f.head("refs/heads/main")
		f.commit(main, map[string][]byte{reportPath("gamma", "2026-04"): data},
			"月报 2026-04 丙\n\n"+submission.FormatTrailers(submission.Trailer{Key: submission.KeyInstitution, Value: "gamma"}, submission.Trailer{Key: submission.KeyPeriod, Value: "2026-04"}), approver, "refs/heads/submit/gamma/2026-04")
		_, err := f.r.Approve("submit/gamma/2026-04", approver, time.Now())
		if CodeOf(err) != CodeCheckFailed || !strings.Contains(err.Error(), "与文件名 2026-04.md 不一致") {
			t.Fatalf("err = %v, want check_failed", err)
		}
	})
	t.Run("not submission", func(t *testing.T) {
		f := newFixture(t, true)
		if _, err := f.r.Approve("feature/x", approver, time.Now()); CodeOf(err) != CodeNotSubmission {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestReject(t *testing.T) {
	f := newFixture(t, true)
	tip := f.submit("beta", monthly("2026-04", at("2026-05-06 09:00"), 5, "50", true), nil)
	if _, err := f.r.Reject("submit/beta/2026-04", "  ", "王审核", time.Now()); CodeOf(err) != CodeNoReason {
		t.Fatalf("empty reason: %v", err)
	}
	rej, err := f.r.Reject("submit/beta/2026-04", "融资明细缺少放款日期", "王审核 <wang@example.gov.cn>", at("2026-05-20 10:00"))
	if err != nil {
		t.Fatal(err)
	}
	if f.head("refs/heads/submit/beta/2026-04") != plumbing.ZeroHash {
		t.Error("branch still there")
	}
	if f.head(rej.Kept) != tip {
		t.Errorf("rejected commits not kept under %s", rej.Kept)
	}
	log, err := f.r.Rejections()
	if err != nil || len(log) != 1 || log[0].Reason != "融资明细缺少放款日期" || log[0].Sender != "report@x.example.com" || log[0].Institution != "beta" {
		t.Fatalf("rejections = %+v, %v", log, err)
	}
	if subs, _ := f.r.List(); len(subs) != 0 {
		t.Error("rejected branch still listed")
	}
}

func TestOpenRefusals(t *testing.T) {
	if _, err := Open(t.TempDir()); CodeOf(err) != CodeNotGit {
		t.Errorf("plain dir: %v", err)
	}
	dir := t.TempDir()
	runGit(t, dir, "init", "-q", "-b", "main")
	os.WriteFile(filepath.Join(dir, "README"), []byte("x"), 0o644)
	runGit(t, dir, "add", "README")
	runGit(t, dir, "commit", "-q", "-m", "x")
	if _, err := Open(dir); CodeOf(err) != CodeNotKjjr || !strings.Contains(err.Error(), "不是 kjjr 内容仓库") {
		t.Errorf("not kjjr: %v", err)
	}
}

func TestPending(t *testing.T) {
	f := newFixture(t, true)
	f.submit("beta", monthly("2026-04", at("2026-05-06 09:00"), 5, "50", false), nil)
	pend, err := f.r.Pending()
	if err != nil {
		t.Fatal(err)
	}
	if !pend("beta", mustPeriod("2026-04")) || pend("beta", mustPeriod("2026-05")) || pend("alpha", mustPeriod("2026-04")) {
		t.Error("pending set wrong")
	}
	repo, _ := f.r.LoadMain()
	row := repo.ComplianceRow(repo.Institution("beta"), 2026, content.Date{Year: 2026, Month: 6, Day: 1}, pend)
	if row[3].State != content.StatePending || row[4].State != content.StateNotDue || row[0].State != content.StateMissing {
		t.Errorf("row = %+v", row[:5])
	}
}

// TestLoadStatusMatchesLoad: the matrix from LoadStatus (cold, warm cache,
// after an approval, after a round changes) equals the one from a full
// content.Load of main.
func TestLoadStatusMatchesLoad(t *testing.T) {
	f := newFixture(t, true)
	f.submit("beta", monthly("2026-04", at("2026-05-12 09:00"), 5, "50", false), nil)
	today := content.Date{Year: 2026, Month: 7, Day: 1}
	same := func(step string) {
		t.Helper()
		full, err := f.r.LoadMain()
		if err != nil {
			t.Fatal(err)
		}
		lite, ds, err := f.r.LoadStatus()
		if err != nil || len(ds) > 0 {
			t.Fatal(err, ds)
		}
		pend, _ := f.r.Pending()
		for _, y := range []int{2025, 2026} {
			a, b := full.Compliance(y, today, pend), lite.Compliance(y, today, pend)
			if len(a) != len(b) {
				t.Fatalf("%s %d: %d lines vs %d", step, y, len(a), len(b))
			}
			for i := range a {
				if a[i].Institution.Slug != b[i].Institution.Slug || a[i].Institution.Name != b[i].Institution.Name {
					t.Fatalf("%s: line %d differs", step, i)
				}
				for j := range a[i].Cells {
					if a[i].Cells[j] != b[i].Cells[j] {
						t.Fatalf("%s %d %s: %+v vs %+v", step, y, a[i].Institution.Slug, a[i].Cells[j], b[i].Cells[j])
					}
				}
			}
		}
	}
	same("cold")
	same("warm")
	if _, err := f.r.Approve("submit/beta/2026-04", approver, at("2026-06-01 10:00")); err != nil {
		t.Fatal(err)
	}
	same("after approve")
	same("after approve, warm")
	// A grade of 不合格 in a new result removes gamma: histories change.
	f.commit(f.head("refs/heads/main"), map[string][]byte{"results/2025.md": []byte("---\nyear: 2025\nassessed_on: 2026-01-20\ngrades:\n  - institution: gamma\n    grade: 不合格\n---\n")},
		"2025 年度考核", approver, "refs/heads/main")
	same("after result")
	same("after result, warm")
}

// TestApproveResubmissionWithOtherFiles: a resubmission sent with other
// attachments than the first (the inbox keeps both sets on the branch) is
// approved, the earlier file marked in show.
func TestApproveResubmissionWithOtherFiles(t *testing.T) {
	f := newFixture(t, true)
	f.submit("gamma", monthly("2026-04", at("2026-05-06 09:00"), 3, "30", false), map[string][]byte{"aaaaaaaaaaaa-报表.xlsx": []byte("first")})
	f.submit("gamma", monthly("2026-04", at("2026-05-07 09:00"), 4, "30", false), map[string][]byte{"bbbbbbbbbbbb-报表.xlsx": []byte("second")})
	s, err := f.r.Get("submit/gamma/2026-04")
	if err != nil {
		t.Fatal(err)
	}
	notes := 0
	for _, c := range s.Changes {
		if c.Problem != "" {
			t.Errorf("%s refused: %s", c.Path, c.Problem)
		}
		if c.Note != "" {
			notes++
		}
	}
	if len(s.Changes) != 3 || notes != 1 {
		t.Errorf("changes %+v, want 3 with 1 note", s.Changes)
	}
	if _, err := f.r.Approve("submit/gamma/2026-04", approver, at("2026-05-20 10:00")); err != nil {
		t.Fatal(err)
	}
}

// TestSeenTip: a reviewer who saw the first submission neither approves
// nor rejects the resubmission that arrived after the page was shown.
func TestSeenTip(t *testing.T) {
	f := newFixture(t, true)
	first := f.submit("gamma", monthly("2026-04", at("2026-05-06 09:00"), 3, "30", false), nil)
	second := f.submit("gamma", monthly("2026-04", at("2026-05-07 09:00"), 4, "30", false), nil)
	now := at("2026-05-20 10:00")
	main := f.head("refs/heads/main")
	if _, err := f.r.ApproveSeen("submit/gamma/2026-04", first, approver, now); CodeOf(err) != CodeMoved || !strings.Contains(err.Error(), "新的提交") {
		t.Fatalf("approve of the earlier tip: %v, want %s", err, CodeMoved)
	}
	if _, err := f.r.RejectSeen("submit/gamma/2026-04", first, "数据有误", "王审核", now); CodeOf(err) != CodeMoved {
		t.Fatalf("reject of the earlier tip: %v, want %s", err, CodeMoved)
	}
	if f.head("refs/heads/main") != main || f.head("refs/heads/submit/gamma/2026-04") != second {
		t.Fatal("a refused action moved a ref")
	}
	if rs, _ := f.r.Rejections(); len(rs) != 0 {
		t.Fatalf("a refused rejection was recorded: %+v", rs)
	}
	a, err := f.r.ApproveSeen("submit/gamma/2026-04", second, approver, now)
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := f.g.CommitObject(a.Merge); c == nil || c.ParentHashes[1] != second {
		t.Fatalf("merged %v, want the seen tip %s", c.ParentHashes, second)
	}
}
