package inbox

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/xuri/excelize/v2"

	"kjjr/application"
	"kjjr/content"
	"kjjr/selection"
	"kjjr/site"
)

// TestDovecotRoundEndToEnd runs a selection round through the real
// Dovecot, the real inbox pass and the C git, with the clock moved
// between steps: the round's notice on main; six applications (clean,
// founded 2 years before the close, no law or accounting firm, a
// registered institution, after the window, resubmitted); two experts'
// workbooks by mail; the party group's decision with its 公示; an
// objection inside the 公示 and one after it; the announcement; then
// kjjr check clean on main and the public site listing the new
// institutions as announced from the announcement date, not before.
func TestDovecotRoundEndToEnd(t *testing.T) {
	d := dovecot(t)
	user := d.account(t)
	dir, origin := cliRepo(t, e2eRoundFiles(t))
	sink := newSMTPSink(t)
	c := dovecotClient(t, d.Addr, user)
	cst := func(s string) time.Time {
		at, err := time.ParseInLocation("2006-01-02 15:04", s, content.CST)
		if err != nil {
			t.Fatal(err)
		}
		return at
	}
	staff := object.Signature{Name: "王科长", Email: "wang@example.gov.cn"}
	sent := 0 // receipts seen so far
	// pass runs one inbox pass at now over what is in INBOX and returns
	// its stats and the receipts it sent.
	pass := func(now time.Time) (Stats, []sunk) {
		t.Helper()
		opts := testOptions(nil)
		opts.Now = func() time.Time { return now }
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
		all := sink.all()
		out := all[sent:]
		sent = len(all)
		return st, out
	}
	receipts := func(ms []sunk) map[string]string {
		t.Helper()
		got := map[string]string{}
		for _, m := range ms {
			if len(m.To) != 1 {
				t.Errorf("receipt to %v", m.To)
				continue
			}
			subj, text := sunkText(t, m)
			got[m.To[0]] += subj + "\n" + text + "\n"
		}
		return got
	}
	expectWords := func(step string, got map[string]string, want map[string][]string) {
		t.Helper()
		for to, words := range want {
			for _, w := range words {
				if !strings.Contains(got[to], w) {
					t.Errorf("%s: receipt to %s lacks %q:\n%s", step, to, w, got[to])
				}
			}
		}
	}
	mainStart := gitCLI(t, dir, "rev-parse", "main")
	open := cst("2026-10-20 10:00") // in the application window

	// Step 1: six applications while the window (2026-11-10 to 11-30) is open, one after it.
	code := func(s string) string { return uscc(t, s) }
	clean := application.Example("晋中清源科技金融服务有限公司", code("91140702MA0KAP001"))
	young := application.Example("晋中新创科技服务有限公司", code("91140702MA0KAP002"))
	young.Institution.Founded = content.Date{Year: 2024, Month: 11, Day: 30}
	nofirm := application.Example("晋中汇融信息咨询有限公司", code("91140702MA0KAP003"))
	nofirm.Institution.Partners.LawFirms, nofirm.Institution.Partners.AccountingFirms = nil, nil
	registered := application.Example(instName, instUSCC)
	late := application.Example("晋中迟到科技有限公司", code("91140702MA0KAP004"))
	resub := application.Example("晋中再报科技金融服务有限公司", code("91140702MA0KAP005"))
	// Each applicant names its own report address (Decide refuses two
	// institutions sharing one).
	for _, a := range []*application.Application{clean, young, nofirm, late, resub} {
		addr := "baosong@" + strings.ToLower(a.Institution.USCC[14:]) + ".example.cn"
		a.ContactEmail = addr
		a.Institution.ReportSenders = []content.Sender{{Name: "张三", Email: addr, Phone: "13800000000"}}
	}
	all := application.ExampleAttachments
	for _, m := range []struct {
		raw []byte
		at  time.Time
	}{
		{applicationMail(t, "申报人 <a1@qingyuan.example.cn>", "a1@qingyuan.example.cn", clean, all...), open},
		{applicationMail(t, "a2@xinchuang.example.cn", "a2@xinchuang.example.cn", young, all...), open},
		{applicationMail(t, "a3@huirong.example.cn", "a3@huirong.example.cn", nofirm, all...), open},
		{applicationMail(t, instSender, "a4@jinchuang-capital.example.com", registered, all...), open},
		{applicationMail(t, "a6@zaibao.example.cn", "a6-1@zaibao.example.cn", resub, "营业执照.pdf", "办公场所照片.jpg"), open},
		{applicationMail(t, "a6@zaibao.example.cn", "a6-2@zaibao.example.cn", resub, "营业执照.pdf", "信用报告.pdf"), open.Add(time.Hour)},
	} {
		appendAt(t, c, m.raw, m.at)
	}
	st, got := pass(open.Add(2 * time.Hour))
	if st.Committed != 6 || st.Quarantined != 0 {
		t.Errorf("applications in the window: %v", st)
	}
	appendAt(t, c, applicationMail(t, "a5@chidao.example.cn", "a5@chidao.example.cn", late, all...), cst("2026-11-02 09:00"))
	st2, got2 := pass(cst("2026-11-02 10:00"))
	if st2.Quarantined != 1 || st2.Rejected != 1 || st2.Committed != 0 {
		t.Errorf("application after the window: %v", st2)
	}
	got = append(got, got2...)
	if len(got) != 7 {
		t.Fatalf("%d application receipts, want 7", len(got))
	}
	expectWords("applications", receipts(got), map[string][]string{
		"a1@qingyuan.example.cn":  {"回执：已收到遴选申报", "【通过】依法成立3年以上", roundTitle, "2026年10月12日至2026年10月30日"},
		"a2@xinchuang.example.cn": {"初审有1项未通过", "【未通过】依法成立3年以上", "不满3年"},
		"a3@huirong.example.cn":   {"初审有1项未通过", "【未通过】与银行及律师或会计师事务所合作"},
		instSender:                {"回执：已收到遴选申报"},
		"a5@chidao.example.cn":    {"不在申报时间内", "已于2026年10月30日截止", "材料未保存"},
		"a6@zaibao.example.cn":    {"【未通过】必需的附件", "已替换贵单位此前发送的申报材料"},
	})
	branch := func(a *application.Application) string { return "apply/" + roundSlug + "/" + a.Institution.USCC }
	wantBranches := sortLines(strings.Join([]string{branch(registered), branch(clean), branch(young), branch(nofirm), branch(resub)}, "\n"))
	for _, r := range []string{dir, origin} {
		if got := gitCLI(t, r, "for-each-ref", "--sort=refname", "--format=%(refname:short)", "refs/heads/apply/"); got != wantBranches {
			t.Errorf("%s: branches:\n%s\nwant:\n%s", r, got, wantBranches)
		}
	}
	failedOnly := func(a *application.Application, rule string) {
		t.Helper()
		b := gitCLI(t, dir, "log", "-1", "--format=%B", branch(a))
		if !strings.Contains(b, "【未通过】"+rule) || strings.Count(b, "【未通过】") != 1 {
			t.Errorf("%s: want only %s failed:\n%s", a.Institution.Name, rule, b)
		}
	}
	failedOnly(young, "依法成立3年以上")
	failedOnly(nofirm, "与银行及律师或会计师事务所合作")
	if b := gitCLI(t, dir, "log", "-1", "--format=%B", branch(clean)); strings.Contains(b, "【未通过】") {
		t.Errorf("clean application fails the pre-check:\n%s", b)
	}
	files := gitCLI(t, dir, "-c", "core.quotePath=false", "diff", "--name-only", "main", branch(registered))
	for _, f := range strings.Split(files, "\n") {
		if !strings.HasPrefix(f, "institutions/"+instSlug+"/") {
			t.Errorf("registered institution's application writes %s", f)
		}
	}
	if n := gitCLI(t, dir, "rev-list", "--count", "main.."+branch(resub)); n != "2" {
		t.Errorf("resubmitted branch has %s commits, want 2", n)
	}
	if b := gitCLI(t, dir, "log", "-1", "--format=%B", branch(resub)); !strings.HasPrefix(b, "重新申报") || strings.Contains(b, "【未通过】") {
		t.Errorf("resubmission commit:\n%s", b)
	}
	if got := gitCLI(t, dir, "rev-parse", "main"); got != mainStart {
		t.Error("the applications moved main")
	}

	// Step 2: two experts on the panel mail their workbooks to the report address.
	sr, err := selection.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer sr.Close()
	experts := []selection.Expert{{Name: "李专家", Email: "li@expert.example.edu.cn"}, {Name: "赵专家", Email: "zhao@expert.example.edu.cn"}}
	for _, e := range experts {
		if err := sr.AddExpert(roundSlug, e, staff, cst("2026-11-02 11:00")); err != nil {
			t.Fatal(err)
		}
	}
	apps, err := sr.Applicants(roundSlug)
	if err != nil || len(apps) != 5 {
		t.Fatalf("applicants: %d %v", len(apps), err)
	}
	scores := []map[string][]any{
		{clean.Institution.USCC: {15, 25, 15, 20, 15, 10, "推荐"}, resub.Institution.USCC: {12, 20, 10, 15, 12, 8, "推荐"}},
		{clean.Institution.USCC: {13, 21, 13, 18, 13, 8, "推荐"}, resub.Institution.USCC: {10, 10, 10, 10, 10, 5, "不推荐"}},
	}
	for i, e := range experts {
		wb := scoredWorkbook(t, apps, scores[i])
		raw := compose(e.Name+" <"+e.Email+">", "评分表", fmt.Sprintf("wb-%d@expert.example.edu.cn", i), cst("2026-11-03 09:00"), "评分表见附件。",
			[]attachment{{Name: "评分表-" + e.Name + ".xlsx", Type: xlsxType, Data: wb}})
		raw = bytes.Replace(raw, []byte("To: kjjr@example.gov.cn\r\n"), []byte("To: baosong@example.gov.cn\r\n"), 1)
		appendAt(t, c, raw, cst("2026-11-03 09:00"))
	}
	st, got = pass(cst("2026-11-03 10:00"))
	if st.Seen != 2 || st.Quarantined != 0 || st.Committed != 2 { // two commits on the private ref
		t.Errorf("expert workbooks: %v", st)
	}
	if b := gitCLI(t, dir, "for-each-ref", "--format=%(refname:short)", "refs/heads/submit/"); b != "" {
		t.Errorf("a workbook made a branch: %s", b)
	}
	if got := gitCLI(t, dir, "rev-parse", "main"); got != mainStart {
		t.Error("the workbooks moved main")
	}
	rc := receipts(got)
	for _, e := range experts {
		if !strings.Contains(rc[e.Email], "回执：已收到您的评分表") || !strings.Contains(rc[e.Email], "已保存为 "+e.Name+" 对遴选批次 "+roundSlug+" 的评分（2 家已评分）") {
			t.Errorf("reply to %s:\n%s", e.Email, rc[e.Email])
		}
	}
	ags, wbs, err := sr.Aggregates(roundSlug)
	if err != nil {
		t.Fatal(err)
	}
	if len(wbs) != 2 || len(ags) != 5 {
		t.Fatalf("%d workbooks, %d aggregates", len(wbs), len(ags))
	}
	if a := ags[0]; a.Key != clean.Institution.USCC || a.Experts != 2 || a.Mean != 93 || a.Min != 86 || a.Max != 100 || a.StdDev != 7 || a.Recommended != 2 {
		t.Errorf("best = %+v", a)
	}
	if a := ags[1]; a.Key != resub.Institution.USCC || a.Experts != 2 || a.Mean != 66 || a.Min != 55 || a.Max != 77 || a.Recommended != 1 {
		t.Errorf("second = %+v", a)
	}
	for _, a := range ags[2:] {
		if a.Experts != 0 {
			t.Errorf("unscored applicant has scores: %+v", a)
		}
	}

	// Step 3: the decision on Wednesday 2026-11-04: the clean one under a
	// new slug, the resubmitted one under its own; 公示 from Thursday 11-05
	// for 5 working days (5, 6, 9, 10, 11), to Wednesday 11-11.
	picks, err := selection.ParsePicks(clean.Institution.USCC + "=jinzhong-qingyuan," + resub.Institution.USCC)
	if err != nil {
		t.Fatal(err)
	}
	before := gitCLI(t, dir, "rev-parse", "main")
	dec, err := sr.Decide(&selection.DecideOptions{Round: roundSlug, Select: picks, Date: content.Date{Year: 2026, Month: 11, Day: 4}, By: staff, Now: cst("2026-11-04 16:00")})
	if err != nil {
		t.Fatal(err)
	}
	resubSlug := strings.ToLower(resub.Institution.USCC)
	if dec.Start.String() != "2026-11-05" || dec.End.String() != "2026-11-11" || strings.Join(dec.Institutions, ",") != "jinzhong-qingyuan,"+resubSlug {
		t.Errorf("decided: %s to %s, %v", dec.Start, dec.End, dec.Institutions)
	}
	if st := gitCLI(t, dir, "status", "--porcelain"); st != "" {
		t.Errorf("git status after decide:\n%s", st)
	}
	parents := strings.Fields(gitCLI(t, dir, "log", "-1", "--format=%P", "main"))
	if len(parents) != 3 || parents[0] != before {
		t.Errorf("decision parents = %v, want main and two apply tips", parents)
	}
	isAncestor := func(b string) bool {
		return exec.Command("git", "-C", dir, "merge-base", "--is-ancestor", b, "main").Run() == nil
	}
	for a, want := range map[*application.Application]bool{clean: true, resub: true, young: false, nofirm: false, registered: false} {
		if got := isAncestor(branch(a)); got != want {
			t.Errorf("%s merged into main: %v, want %v", branch(a), got, want)
		}
	}
	pubFile := gitCLI(t, dir, "show", "main:publicity/"+dec.Publicity+".md")
	if !strings.Contains(pubFile, `start: "2026-11-05"`) || !strings.Contains(pubFile, "working_days: 5") || !strings.Contains(pubFile, "kjjr@example.gov.cn") {
		t.Errorf("publicity record:\n%s", pubFile)
	}
	if n := gitCLI(t, dir, "show", "main:notices/"+dec.Notice+".md"); !strings.Contains(n, "晋中清源科技金融服务有限公司") || !strings.Contains(n, "2026年11月11日") || !strings.Contains(n, "实名") {
		t.Errorf("公示 notice:\n%s", n)
	}

	// Step 4: an objection during the 公示 (Monday 11-09), one after its end (Friday 11-13).
	appendAt(t, c, compose("王五 <wangwu@example.com>", "对公示名单的异议", "obj-1@example.com", cst("2026-11-09 09:00"),
		"本人王五。清源公司办公场所与申报不符。", []attachment{{Name: "证明材料.pdf", Type: "application/pdf", Data: fakePDF(2000, "z")}}), cst("2026-11-09 09:00"))
	mainDecided := gitCLI(t, dir, "rev-parse", "main")
	st, got = pass(cst("2026-11-09 10:00"))
	if st.Seen != 1 || st.Quarantined != 0 || st.Committed != 1 || len(got) != 1 { // one commit on the private ref
		t.Fatalf("objection in the window: %v, %d receipts", st, len(got))
	}
	expectWords("objection", receipts(got), map[string][]string{"wangwu@example.com": {"回执：已收到您对公示的异议",
		"已作为对《关于" + roundTitle + "拟确定名单的公示》（公示期2026年11月5日至2026年11月11日）的异议登记", "请以书面形式实名", "证明材料.pdf", "不予公开"}})
	appendAt(t, c, compose("李四 <lisi@example.com>", "迟到的异议", "obj-2@example.com", cst("2026-11-13 09:00"), "公示结束后才看到。", nil), cst("2026-11-13 09:00"))
	st, got = pass(cst("2026-11-13 10:00"))
	if st.Seen != 1 || st.Quarantined != 0 || len(got) != 1 {
		t.Fatalf("objection after the window: %v, %d receipts", st, len(got))
	}
	expectWords("late objection", receipts(got), map[string][]string{"lisi@example.com": {"回执：公示期已结束", "已经结束"}})
	if got := gitCLI(t, dir, "rev-parse", "main"); got != mainDecided {
		t.Error("the objections moved main")
	}
	if b := gitCLI(t, dir, "for-each-ref", "--format=%(refname:short)", "refs/heads/submit/"); b != "" {
		t.Errorf("an objection made a branch: %s", b)
	}
	if log := gitCLI(t, dir, "log", "--format=%cn %s", "refs/kjjr/rounds/"+roundSlug); !strings.Contains(log, "kjjr inbox 逾期异议") || !strings.Contains(log, "kjjr inbox 异议") {
		t.Errorf("private log:\n%s", log)
	}
	obs, err := sr.Objections(roundSlug)
	if err != nil {
		t.Fatal(err)
	}
	if len(obs) != 2 || obs[0].From != "wangwu@example.com" || obs[0].Late || obs[0].Publicity != dec.Publicity ||
		obs[1].From != "lisi@example.com" || !obs[1].Late {
		t.Errorf("objections = %+v", obs)
	}

	// Step 5: the announcement on Monday 11-16.
	ann := content.Date{Year: 2026, Month: 11, Day: 16}
	if _, err := sr.Announce(&selection.AnnounceOptions{Round: roundSlug, Date: ann, By: staff, Now: cst("2026-11-16 10:00")}); err != nil {
		t.Fatal(err)
	}
	if st := gitCLI(t, dir, "status", "--porcelain"); st != "" {
		t.Errorf("git status after announce:\n%s", st)
	}

	// Private: nothing of scores or objections on main, on a branch, at
	// origin or in a clone; both repos fsck clean.
	for _, r := range []string{dir, origin} {
		gitCLI(t, r, "fsck", "--strict", "--no-progress")
	}
	clone := filepath.Join(t.TempDir(), "clone")
	gitCLI(t, t.TempDir(), "clone", "-q", "--no-local", "file://"+dir, clone)
	if out := gitCLI(t, clone, "for-each-ref", "--format=%(refname)"); strings.Contains(out, "refs/kjjr") {
		t.Errorf("a clone copied the private ref:\n%s", out)
	}
	if out := gitCLI(t, origin, "for-each-ref", "--format=%(refname)"); strings.Contains(out, "refs/kjjr") {
		t.Errorf("origin holds the private ref:\n%s", out)
	}
	for _, r := range []string{dir, clone} {
		log := gitCLI(t, r, "log", "--branches", "--remotes", "--format=%an %ae%n%B")
		for _, s := range []string{"李专家", "赵专家", "wangwu@example.com", "异议", "评分"} {
			if strings.Contains(log, s) {
				t.Errorf("%s: a branch's history names %q", r, s)
			}
		}
	}
	for _, s := range []string{"李专家", "赵专家", "王五", "wangwu@example.com", "办公场所与申报不符", "公示结束后才看到"} {
		// git grep exits 1 when nothing matches, 0 on a match, 128 on an error.
		out, err := exec.Command("git", "-C", clone, "grep", "-l", "-F", s, "main").Output()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
			t.Errorf("main holds %q (git grep: %v):\n%s", s, err, out)
		}
	}

	// kjjr check on main: content.Load (no errors) and Repo.Check, as of the announcement.
	build := func(now content.Date) (*site.RefResult, string) {
		t.Helper()
		out := filepath.Join(t.TempDir(), "site")
		rr, err := site.BuildRef(dir, "main", &site.RefOptions{Out: out, Now: now, CacheFile: "-"})
		if err != nil {
			if rr != nil && rr.Repo != nil {
				t.Fatalf("build of main as of %s: %v\n%s", now, err, rr.Repo.Diags.Errors().Error())
			}
			t.Fatalf("build of main as of %s: %v", now, err)
		}
		return rr, out
	}
	// The embedded dataset has check errors of its own as of this date
	// (reports without 融资明细 or documents); the round adds none, as
	// kjjr check before a staff commit requires.
	rr, _ := build(ann)
	out := filepath.Join(t.TempDir(), "site-start")
	start, err := site.BuildRef(dir, mainStart, &site.RefOptions{Out: out, Now: ann, CacheFile: "-"})
	if err != nil {
		t.Fatal(err)
	}
	if errs := content.NewErrors(start.Repo.Check(ann), rr.Repo.Check(ann).Errors()); len(errs) > 0 {
		t.Errorf("kjjr check on main finds errors the round added:\n%s", errs.Error())
	}
	if errs := rr.Repo.Diags.Errors(); len(errs) > 0 {
		t.Errorf("content.Load of main finds errors:\n%s", errs.Error())
	}
	for _, s := range []string{"jinzhong-qingyuan", resubSlug} {
		inst := rr.Repo.Institution(s)
		if inst == nil {
			t.Fatalf("main has no institution %s", s)
		}
		if got := inst.StatusOn(ann.AddDays(-1)); got != content.StatusPublicized {
			t.Errorf("%s the day before the announcement: %s", s, got)
		}
		if got := inst.StatusOn(ann); got != content.StatusAnnounced {
			t.Errorf("%s on the announcement date: %s", s, got)
		}
	}

	// The public site of main: the day before the announcement the new
	// institutions are 公示中, not announced; from the date, announced.
	for _, tc := range []struct {
		now  content.Date
		want string
	}{{ann.AddDays(-1), ",publicized,,"}, {ann, ",announced,2026-11-16,"}} {
		_, out := build(tc.now)
		csv, err := os.ReadFile(filepath.Join(out, "data", "roster.csv"))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{"jinzhong-qingyuan", resubSlug} {
			var row string
			for _, l := range strings.Split(string(csv), "\n") {
				if strings.HasPrefix(l, s+",") {
					row = l
				}
			}
			if !strings.Contains(row, tc.want) {
				t.Errorf("site as of %s: roster row of %s %q, want %q", tc.now, s, row, tc.want)
			}
		}
		page, err := os.ReadFile(filepath.Join(out, "institutions", "index.html"))
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []string{clean.Institution.Name, resub.Institution.Name} {
			if !strings.Contains(string(page), n) {
				t.Errorf("site as of %s: the directory does not name %s", tc.now, n)
			}
		}
		for _, n := range []string{young.Institution.Name, nofirm.Institution.Name, late.Institution.Name} {
			if strings.Contains(string(page), n) {
				t.Errorf("site as of %s names %s, which was not selected", tc.now, n)
			}
		}
	}
	// The mailbox: every message filed away, nothing left or held.
	for mb, want := range map[string]int{"INBOX": 0, "已处理": 10, "待核查": 1} {
		if n := mailboxCount(t, c, mb); n != want {
			t.Errorf("%s holds %d messages, want %d", mb, n, want)
		}
	}
}

// e2eRoundFiles are the fixture files with round 2026-2 (roundTitle)
// open from 2026-10-12 to 10-30 and its notice. The whole round lies in
// the past: Dovecot takes an APPEND's date as the message's arrival
// (what the inbox judges windows by) only when it is not in the future.
func e2eRoundFiles(t testing.TB) map[string][]byte {
	files := fixtureFiles(t, "")
	files["rounds/"+roundSlug+".md"] = []byte(`---
title: ` + roundTitle + `
notice: 2026-10-09-selection-round-2
application:
  from: "2026-10-12"
  to: "2026-10-30"
---
`)
	files["notices/2026-10-09-selection-round-2.md"] = []byte(`---
kind: 遴选通知
title: 晋中市科技局关于开展2026年度科技金融服务机构遴选（第二批）工作的通知
date: "2026-10-09"
attachments:
  - title: 科技金融服务机构遴选申报表
    file: /downloads/shenbaobiao.xlsx
---
申报时间为2026年10月12日至10月30日。
`)
	return files
}

// scoredWorkbook fills the scoring template of apps as an expert does:
// per applicant key the six criteria and the recommendation.
func scoredWorkbook(t testing.TB, apps []*selection.Applicant, vals map[string][]any) []byte {
	t.Helper()
	var tpl bytes.Buffer
	if err := selection.Template(&tpl, roundSlug, roundTitle, apps); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&tpl)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sh := f.GetSheetList()[0]
	for row := 8; row < 8+len(apps); row++ {
		key, _ := f.GetCellValue(sh, fmt.Sprintf("B%d", row))
		v, ok := vals[key]
		if !ok {
			continue
		}
		for i, x := range v {
			col := 4 + i
			if i == 6 {
				col++ // the recommendation is right of 总分
			}
			cell, _ := excelize.CoordinatesToCellName(col, row)
			if err := f.SetCellValue(sh, cell, x); err != nil {
				t.Fatal(err)
			}
		}
	}
	var out bytes.Buffer
	if _, err := f.WriteTo(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}
