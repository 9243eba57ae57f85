package selection_test

import (
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing/object"

	"kjjr/content"
	"kjjr/selection"
	"kjjr/site"
)

func TestScoresArePrivate(t *testing.T) {
	dir := newRepo(t)
	keys := threeApplicants(t, dir)
	r := open(t, dir)
	mainBefore := git(t, dir, nil, "rev-parse", "main")
	w1 := filled(t, r, "李专家", map[string][]string{keys[0]: {"12", "20", "10", "15", "12", "8", "推荐"}, keys[1]: {"10", "10", "10", "10", "10", "5", "不推荐"}}, nil)
	w2 := filled(t, r, "", map[string][]string{keys[0]: {"14", "24", "14", "18", "14", "9", "推荐"}, keys[1]: {"12", "20", "10", "15", "12", "8", "推荐"}}, nil)
	if _, err := r.AddScores(round, w1, "", staff, at("2026-04-10 10:00")); err != nil {
		t.Fatal(err)
	}
	// No name in the workbook and none given: refused.
	if _, err := r.AddScores(round, w2, "", staff, at("2026-04-10 10:05")); err == nil || !strings.Contains(err.Error(), "--expert") {
		t.Fatalf("no expert: err = %v", err)
	}
	if _, err := r.AddScores(round, w1, "赵专家", staff, at("2026-04-10 10:05")); err == nil || !strings.Contains(err.Error(), "不符") {
		t.Fatalf("other expert than the workbook's: err = %v", err)
	}
	if _, err := r.AddScores(round, w2, "张专家", staff, at("2026-04-10 10:06")); err != nil {
		t.Fatal(err)
	}
	ags, wbs, err := r.Aggregates(round)
	if err != nil {
		t.Fatal(err)
	}
	if len(wbs) != 2 || wbs[0].Expert != "张专家" || wbs[1].Expert != "李专家" {
		t.Fatalf("workbooks = %+v", wbs)
	}
	if len(ags) != 3 {
		t.Fatalf("aggregates = %+v", ags)
	}
	a := ags[0]
	if a.Key != keys[0] || a.Experts != 2 || a.Mean != 85 || a.Min != 77 || a.Max != 93 || a.StdDev != 8 || a.Recommended != 2 {
		t.Errorf("best = %+v", a)
	}
	b := ags[1]
	if b.Key != keys[1] || b.Experts != 2 || b.Mean != 66 || b.Recommended != 1 || math.Abs(b.StdDev-11) > 1e-9 {
		t.Errorf("second = %+v", b)
	}
	if ags[2].Key != keys[2] || ags[2].Experts != 0 {
		t.Errorf("unscored = %+v", ags[2])
	}
	// A second workbook of the same expert replaces the first.
	w1b := filled(t, r, "李专家", map[string][]string{keys[0]: {"15", "25", "15", "20", "15", "10", "推荐"}}, nil)
	if _, err := r.AddScores(round, w1b, "", staff, at("2026-04-11 10:00")); err != nil {
		t.Fatal(err)
	}
	ags, _, _ = r.Aggregates(round)
	if ags[0].Max != 100 || ags[0].Experts != 2 {
		t.Errorf("after replacing: %+v", ags[0])
	}

	// Private: main did not move, no branch holds them, a clone does not see them.
	if got := git(t, dir, nil, "rev-parse", "main"); got != mainBefore {
		t.Errorf("main moved: %s -> %s", mainBefore, got)
	}
	if refs := git(t, dir, nil, "for-each-ref", "--format=%(refname)", "refs/kjjr/"); refs != "refs/kjjr/rounds/2026-1" {
		t.Errorf("private refs = %q", refs)
	}
	if log := git(t, dir, nil, "log", "--format=%an %s", "refs/kjjr/rounds/2026-1"); !strings.Contains(log, "王科长 专家评分：张专家") {
		t.Errorf("private log = %q", log)
	}
	git(t, dir, nil, "fsck", "--strict", "--no-progress")
	clone := filepath.Join(t.TempDir(), "clone")
	git(t, dir, nil, "clone", "-q", "--no-local", "file://"+dir, clone)
	if out := git(t, clone, nil, "for-each-ref", "--format=%(refname)"); strings.Contains(out, "refs/kjjr") {
		t.Errorf("a clone copied the private ref:\n%s", out)
	}
	if out := git(t, clone, nil, "log", "--all", "--format=%s"); strings.Contains(out, "专家") {
		t.Errorf("a clone has the expert commits:\n%s", out)
	}
}

func TestScoresUnknownApplicant(t *testing.T) {
	dir := newRepo(t)
	keys := threeApplicants(t, dir)
	r := open(t, dir)
	w := filled(t, r, "李专家", map[string][]string{keys[0]: {"12", "20", "10", "15", "12", "8", "推荐"}}, nil)
	git(t, dir, nil, "update-ref", "-d", "refs/heads/apply/"+round+"/"+keys[0])
	if _, err := r.AddScores(round, w, "", staff, at("2026-04-10 10:00")); err == nil || !strings.Contains(err.Error(), "不是本批次") {
		t.Fatalf("err = %v", err)
	}
	if _, err := r.AddScores("../x", w, "", staff, at("2026-04-10 10:00")); err == nil {
		t.Fatal("a round name that is no slug was taken")
	}
}

// decide runs the decision of the tests: keys[0] under a new slug,
// keys[1] under its own, on 2026-04-20 (Monday).
func decide(t *testing.T, r *selection.Repo, keys []string) *selection.Decided {
	t.Helper()
	picks, err := selection.ParsePicks(keys[0] + "=yuci-jia," + strings.ToLower(keys[1]))
	if err != nil {
		t.Fatal(err)
	}
	d, err := r.Decide(&selection.DecideOptions{Round: round, Select: picks, Date: content.Date{Year: 2026, Month: 4, Day: 20}, By: staff, Now: at("2026-04-20 16:00")})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDecide(t *testing.T) {
	dir := newRepo(t)
	keys := threeApplicants(t, dir)
	r := open(t, dir)
	old := git(t, dir, nil, "rev-parse", "main")
	d := decide(t, r, keys)
	// 2026-04-21 (Tue) + 5 working days: 21, 22, 23, 24, 27 (25/26 weekend).
	if d.Start.String() != "2026-04-21" || d.End.String() != "2026-04-27" {
		t.Errorf("publicity %s to %s", d.Start, d.End)
	}
	if d.Worktree != "updated" {
		t.Errorf("worktree = %s", d.Worktree)
	}
	if st := git(t, dir, nil, "status", "--porcelain"); st != "" {
		t.Errorf("git status after decide:\n%s", st)
	}
	git(t, dir, nil, "fsck", "--strict", "--no-progress")
	parents := strings.Fields(git(t, dir, nil, "log", "-1", "--format=%P", "main"))
	if len(parents) != 3 || parents[0] != old {
		t.Errorf("parents = %v, want main and the two apply tips", parents)
	}
	for _, k := range keys[:2] {
		if err := exec.Command("git", "-C", dir, "merge-base", "--is-ancestor", "apply/"+round+"/"+k, "main").Run(); err != nil {
			t.Errorf("apply branch of %s is not merged into main", k)
		}
	}
	if an := git(t, dir, nil, "log", "-1", "--format=%an <%ae>", "main"); an != "王科长 <wang@example.gov.cn>" {
		t.Errorf("author = %q", an)
	}
	repo := newErrorsSince(t, dir, old, content.Date{Year: 2026, Month: 4, Day: 20})
	jia := repo.Institution("yuci-jia")
	if jia == nil || jia.Name != "榆次甲科技服务有限公司" {
		t.Fatalf("yuci-jia = %+v", jia)
	}
	if _, err := os.Stat(filepath.Join(dir, "institutions/yuci-jia/evidence/application-2026-1/0123456789ab-营业执照.pdf")); err != nil {
		t.Errorf("evidence not moved with the new slug: %v", err)
	}
	rd := repo.Round(round)
	if strings.Join(rd.Decision.Selected, ",") != "yuci-jia,"+strings.ToLower(keys[1]) || rd.Decision.Meeting != "局党组会议" || rd.Publicity != d.Publicity {
		t.Errorf("round = %+v", rd)
	}
	p := repo.Publicity(d.Publicity)
	if p == nil || p.End.String() != "2026-04-27" || p.ObjectionContact.Email != "kjjr@example.gov.cn" {
		t.Fatalf("publicity = %+v", p)
	}
	n := repo.Notice(d.Notice)
	if n == nil || !strings.Contains(n.Body, "榆次甲科技服务有限公司") || !strings.Contains(n.Body, "2026年4月27日") || !strings.Contains(n.Body, "实名") {
		t.Errorf("notice = %+v", n)
	}
	// During the 公示 the new institutions are 公示中, not on the roster.
	if st := jia.StatusOn(content.Date{Year: 2026, Month: 4, Day: 22}); st != content.StatusPublicized {
		t.Errorf("status during the 公示 = %s", st)
	}

	// A second decision is refused, and main stays.
	tip := git(t, dir, nil, "rev-parse", "main")
	if _, err := r.Decide(&selection.DecideOptions{Round: round, Select: []selection.Pick{{Key: keys[2]}}, By: staff, Now: at("2026-04-21 09:00")}); err == nil || !strings.Contains(err.Error(), "不能再次议定") {
		t.Errorf("second decision: %v", err)
	}
	if got := git(t, dir, nil, "rev-parse", "main"); got != tip {
		t.Error("main moved on a refused decision")
	}
}

func TestDecideRefusals(t *testing.T) {
	dir := newRepo(t)
	keys := threeApplicants(t, dir)
	young := uscc(t, "91140702MA0K0000D")
	makeApply(t, dir, young, "jinzhong-young", draft("晋中新设有限公司", young, "2024-06-01", "榆次区"), nil)
	r := open(t, dir)
	base := func() *selection.DecideOptions {
		return &selection.DecideOptions{Round: round, Date: content.Date{Year: 2026, Month: 4, Day: 20}, By: staff, Now: at("2026-04-20 16:00")}
	}
	tests := []struct {
		name string
		opt  func(o *selection.DecideOptions)
		want string
	}{
		{"unknown applicant", func(o *selection.DecideOptions) { o.Select = []selection.Pick{{Key: "91140702MA0K0000XX"}} }, "不是本批次（2026-1）的申报单位"},
		{"slug taken", func(o *selection.DecideOptions) { o.Select = []selection.Pick{{Key: keys[0], Slug: "jiexiu-xinke"}} }, "机构代号 jiexiu-xinke 已被 介休市鑫科企业服务有限公司 使用"},
		{"same slug twice", func(o *selection.DecideOptions) {
			o.Select = []selection.Pick{{Key: keys[0], Slug: "a-b"}, {Key: keys[1], Slug: "a-b"}}
		}, "机构代号 a-b 重复"},
		{"founded 2 years before", func(o *selection.DecideOptions) { o.Select = []selection.Pick{{Key: "jinzhong-young"}} }, "不满3年"},
		{"objection address is the report address", func(o *selection.DecideOptions) {
			o.Select = []selection.Pick{{Key: keys[0]}}
			o.ObjectionEmail = "baosong@example.gov.cn"
		}, "与报送邮箱（site.yaml inbox.address）相同"},
		{"no such round", func(o *selection.DecideOptions) { o.Round = "2030-9"; o.Select = []selection.Pick{{Key: keys[0]}} }, "main 上没有遴选批次 2030-9（rounds/2030-9.md）"},
	}
	tip := git(t, dir, nil, "rev-parse", "main")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := base()
			tc.opt(o)
			_, err := r.Decide(o)
			var se *selection.Error
			if !errors.As(err, &se) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want a refusal with %q", err, tc.want)
			}
			if got := git(t, dir, nil, "rev-parse", "main"); got != tip {
				t.Fatal("main moved on a refusal")
			}
		})
	}
	// A staff member's uncommitted edit where the decision writes is kept.
	if err := os.WriteFile(filepath.Join(dir, "rounds/2026-1.md"), []byte(roundFiles["rounds/2026-1.md"]+"手工修改\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	o := base()
	o.Select = []selection.Pick{{Key: keys[0]}}
	if _, err := r.Decide(o); err == nil || !strings.Contains(err.Error(), "未提交的修改") {
		t.Fatalf("dirty worktree: err = %v", err)
	}
}

func TestAnnounceAndRoster(t *testing.T) {
	dir := newRepo(t)
	keys := threeApplicants(t, dir)
	r := open(t, dir)
	first := git(t, dir, nil, "rev-parse", "main")
	decide(t, r, keys)
	ann := content.Date{Year: 2026, Month: 4, Day: 28}
	if _, err := r.Announce(&selection.AnnounceOptions{Round: round, Date: content.Date{Year: 2026, Month: 4, Day: 27}, By: staff, Now: at("2026-04-27 10:00")}); err == nil || !strings.Contains(err.Error(), "公示期到 2026-04-27 才结束") {
		t.Fatalf("announce on the last day: %v", err)
	}
	if _, err := r.Announce(&selection.AnnounceOptions{Round: round, Date: ann, By: staff, Now: at("2026-04-28 10:00")}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.File(&selection.FileOptions{Round: round, Date: content.Date{Year: 2026, Month: 5, Day: 8}, Number: "晋中科函〔2026〕9号", By: staff, Now: at("2026-05-08 10:00")}); err != nil {
		t.Fatal(err)
	}
	repo := newErrorsSince(t, dir, first, content.Date{Year: 2026, Month: 5, Day: 8})
	onRoster := func(d content.Date) bool {
		for _, inst := range repo.Roster(d) {
			if inst.Slug == "yuci-jia" {
				return true
			}
		}
		return false
	}
	if onRoster(content.Date{Year: 2026, Month: 4, Day: 27}) {
		t.Error("on the roster the day before the announcement")
	}
	if !onRoster(ann) {
		t.Error("not on the roster on the announcement date")
	}
	// The public site: 公示中 the day before, on the roster from the date.
	for _, tc := range []struct {
		now  content.Date
		want string
	}{{content.Date{Year: 2026, Month: 4, Day: 27}, ",publicized,,"}, {ann, ",announced,2026-04-28,"}} {
		out := filepath.Join(t.TempDir(), "site")
		if _, err := site.Build(repo, &site.Options{Out: out, Now: tc.now}); err != nil {
			t.Fatal(err)
		}
		csv, err := os.ReadFile(filepath.Join(out, "data", "roster.csv"))
		if err != nil {
			t.Fatal(err)
		}
		var row string
		for _, l := range strings.Split(string(csv), "\n") {
			if strings.HasPrefix(l, "yuci-jia,") {
				row = l
			}
		}
		if !strings.Contains(row, tc.want) {
			t.Errorf("site built as of %s: roster row %q, want %q", tc.now, row, tc.want)
		}
		dirPage, err := os.ReadFile(filepath.Join(out, "institutions", "index.html"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(dirPage), "榆次甲科技服务有限公司") {
			t.Errorf("site as of %s: the directory does not name the institution", tc.now)
		}
	}
	if st := repo.Institution("yuci-jia").StatusOn(content.Date{Year: 2026, Month: 5, Day: 8}); st != content.StatusFiled {
		t.Errorf("status after filing = %s", st)
	}
	rd := repo.Round(round)
	if n := repo.Notice(rd.Announcement.Notice); n == nil || n.Kind != content.NoticeAnnouncement || !strings.Contains(n.Body, "榆次甲科技服务有限公司") {
		t.Errorf("announcement notice = %+v", n)
	}
}

func TestObjectionWindow(t *testing.T) {
	dir := newRepo(t)
	keys := threeApplicants(t, dir)
	r := open(t, dir)
	decide(t, r, keys)
	repo, err := content.Load(content.DirFS(dir), nil)
	if err != nil {
		t.Fatal(err)
	}
	rcpt := []string{"KJJR@example.gov.cn"}
	tests := []struct {
		when     string
		rcpt     []string
		ok, late bool
	}{
		{"2026-04-20 23:59", rcpt, false, false}, // before the start
		{"2026-04-21 00:00", rcpt, true, false},
		{"2026-04-27 23:59", rcpt, true, false}, // the last day, inclusive
		{"2026-04-28 00:01", rcpt, true, true},
		{"2026-05-27 12:00", rcpt, true, true}, // 30 days after
		{"2026-05-28 12:00", rcpt, false, false},
		{"2026-04-22 10:00", []string{"baosong@example.gov.cn"}, false, false},
		{"2026-04-22 10:00", []string{"kjjr@example.gov.cn", "Baosong@example.gov.cn"}, false, false}, // a report with the contact in Cc
	}
	for _, tc := range tests {
		w, ok := selection.ObjectionWindow(repo, tc.rcpt, at(tc.when))
		if ok != tc.ok || w.Late != tc.late {
			t.Errorf("%s %v: ok=%v late=%v, want %v %v", tc.when, tc.rcpt, ok, w.Late, tc.ok, tc.late)
		}
		if ok && w.Publicity.Round != round {
			t.Errorf("%s: publicity %s", tc.when, w.Publicity.Slug)
		}
	}
}

func TestObjectionsAndScoresConcurrently(t *testing.T) {
	dir := newRepo(t)
	keys := threeApplicants(t, dir)
	r := open(t, dir)
	w := filled(t, r, "李专家", map[string][]string{keys[0]: {"12", "20", "10", "15", "12", "8", "推荐"}}, nil)
	inbox := object.Signature{Name: "kjjr inbox", Email: "kjjr@localhost"}
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r2, err := selection.Open(dir)
			if err != nil {
				errs <- err
				return
			}
			defer r2.Close()
			o := &selection.Objection{ID: strings.Repeat("0", 15) + string("0123456789"[i]), Round: round, From: "a@example.com",
				Subject: "异议\u202e", Text: "正文\x1b[31m", ReceivedAt: time.Now()}
			if _, err := r2.RecordObjection(o, inbox, time.Now()); err != nil {
				errs <- err
			}
		}(i)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		if _, err := r.AddScores(round, w, "", staff, time.Now()); err != nil {
			errs <- err
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	obs, err := r.Objections(round)
	if err != nil {
		t.Fatal(err)
	}
	if len(obs) != 10 {
		t.Errorf("%d objections kept, want 10", len(obs))
	}
	if obs[0].Subject != "异议" || obs[0].Text != "正文[31m" {
		t.Errorf("not cleaned: %q %q", obs[0].Subject, obs[0].Text)
	}
	if wbs, _ := r.Workbooks(round); len(wbs) != 1 {
		t.Errorf("workbooks = %d", len(wbs))
	}
	dup, err := r.RecordObjection(&selection.Objection{ID: strings.Repeat("0", 16), Round: round, From: "a@example.com"}, inbox, time.Now())
	if err != nil || !dup {
		t.Errorf("second delivery: dup=%v err=%v", dup, err)
	}
}

// newErrorsSince loads the work tree of dir and fails on every error of
// kjjr check (as of today) that commit old did not already have (the
// embedded dataset has reports of periods after today's test date).
func newErrorsSince(t *testing.T, dir, old string, today content.Date) *content.Repo {
	t.Helper()
	before := filepath.Join(t.TempDir(), "before")
	git(t, dir, nil, "worktree", "add", "-q", "--detach", before, old)
	b, err := content.Load(content.DirFS(before), nil)
	if err != nil {
		t.Fatal(err)
	}
	repo, err := content.Load(content.DirFS(dir), nil)
	if err != nil {
		t.Fatal(err)
	}
	if errs := content.NewErrors(b.Check(today), repo.Check(today).Errors()); len(errs) > 0 {
		t.Errorf("kjjr check finds new errors:\n%s", errs.Error())
	}
	return repo
}
