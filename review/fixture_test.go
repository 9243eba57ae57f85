package review

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"kjjr/content"
	"kjjr/internal/testenv"
	"kjjr/submission"
)

// fixture is a small content repo: three institutions announced on
// 2025-06-20 and a few approved reports, written with go-git objects the
// way the inbox writes them (package submission).
type fixture struct {
	t    *testing.T
	dir  string
	bare bool
	g    *git.Repository
	r    *Repo
}

var cstZone = time.FixedZone("CST", 8*3600)

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, cstZone)
	if err != nil {
		panic(err)
	}
	return t
}

const siteYAML = `title: 测试站点
bureau: 晋中市科学技术局
base_url: https://example.org/
deadlines:
  monthly_day: 10
  half_year_days: 15
  annual: "12-31"
inbox:
  receipt_from: kjjr@example.gov.cn
`

const roundMD = `---
title: 2025年第一批遴选
notice: ""
application:
  from: 2025-04-01
  to: 2025-04-30
applicants: [alpha, beta, gamma]
review:
  date: 2025-05-20
  form: 会议评审
decision:
  date: 2025-06-01
  selected: [alpha, beta, gamma]
publicity: ""
announcement:
  date: 2025-06-20
filing:
  date: 2025-07-01
---
`

func instMD(name, email string) string {
	return fmt.Sprintf("---\nname: %s\nuscc: \"\"\nlegal_form: 有限责任公司\nfounded: 2015-01-01\ncredit:\n  checked_on: 2025-04-01\n  source: 信用中国\n  serious_dishonesty: false\n  blacklisted: false\npartners:\n  banks: [晋中银行]\nservices: [融资对接]\nserves_jinchuanggu: true\nteam:\n  size: 5\noffice:\n  address: 榆次区示例路1号\n  county: 榆次区\nreport_senders:\n  - email: %s\n---\n", name, email)
}

var institutions = map[string][2]string{
	"alpha": {"甲科技金融服务有限公司", "report@alpha.example.com"},
	"beta":  {"乙融资服务中心", "report@beta.example.com"},
	"gamma": {"丙创投咨询有限公司", "report@gamma.example.com"},
}

// monthly returns a monthly report received at recv.
func monthly(p string, recv time.Time, served int, fin string, fees bool) *content.Report {
	per, err := content.ParsePeriod(p)
	if err != nil {
		panic(err)
	}
	w, err := content.ParseWan(fin)
	if err != nil {
		panic(err)
	}
	return &content.Report{Kind: per.Kind.String(), Period: per, ReceivedAt: recv.Format(time.RFC3339),
		Sender: "report@x.example.com", MessageID: "<" + p + "@x.example.com>",
		Indicators: &content.Indicators{EnterprisesServed: served, JinchuangguEnterprises: served / 2, MatchmakingEvents: 1, PolicySessions: 1,
			FinancingWan: w, JinchuangguFinancingWan: w / 2},
		PartnerBanks: []string{"晋中银行", "山西农信"}, ChargedFees: &fees,
		Financing: []content.Financing{
			{Enterprise: "示例科技有限公司", USCC: testUSCC(1), Jinchuanggu: true, Lender: "晋中银行", Method: "信用贷款", AmountWan: w / 2, Disbursed: per.Start()},
			{Enterprise: "示例制造有限公司", USCC: testUSCC(2), Lender: "山西农信", Method: "抵押贷款", AmountWan: w - w/2, Disbursed: per.Start()},
		}}
}

// testUSCC returns a valid unified social credit code numbered n.
func testUSCC(n int) string {
	head := fmt.Sprintf("91140700%09d", n)
	c, err := content.USCCCheckChar(head)
	if err != nil {
		panic(err)
	}
	return head + string(c)
}

func encode(t testing.TB, rep *content.Report) []byte {
	b, err := content.EncodeRecord(rep, "邮件正文。")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newFixture(t *testing.T, bare bool) *fixture {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "repo")
	g, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{Bare: bare, InitOptions: git.InitOptions{DefaultBranch: plumbing.Main}})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, dir: dir, bare: bare, g: g}
	files := map[string][]byte{
		"site.yaml":          []byte(siteYAML),
		"rounds/2025-1.md":   []byte(roundMD),
		"notices/.gitkeep":   nil,
		"results/.gitkeep":   nil,
		"calendar/.gitkeep":  nil,
		"publicity/.gitkeep": nil,
	}
	for slug, v := range institutions {
		files["institutions/"+slug+"/index.md"] = []byte(instMD(v[0], v[1]))
	}
	// alpha: three approved months of history, on time.
	for i, p := range []string{"2026-01", "2026-02", "2026-03"} {
		files[submission.Branch{Slug: "alpha", Period: mustPeriod(p)}.ReportPath()] = encode(t, monthly(p, at(fmt.Sprintf("2026-%02d-05 10:00", i+2)), 10, "100", false))
	}
	f.commit(plumbing.ZeroHash, files, "初始内容", object.Signature{Name: "科技局", Email: "staff@example.gov.cn", When: at("2026-01-01 09:00")}, "refs/heads/main")
	f.r, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.r.Close() })
	if !bare {
		f.git("reset", "--hard", "main")
	}
	return f
}

func mustPeriod(s string) content.Period {
	p, err := content.ParsePeriod(s)
	if err != nil {
		panic(err)
	}
	return p
}

// commit writes files (nil content: delete) on top of parent's tree and
// moves ref to the new commit.
func (f *fixture) commit(parent plumbing.Hash, files map[string][]byte, msg string, sig object.Signature, ref plumbing.ReferenceName, committer ...object.Signature) plumbing.Hash {
	f.t.Helper()
	edits := map[string]edit{}
	for p, data := range files {
		if data == nil && !strings.HasSuffix(p, ".gitkeep") {
			edits[p] = edit{nil}
			continue
		}
		edits[p] = edit{&object.TreeEntry{Mode: filemode.Regular, Hash: f.blob(data)}}
	}
	return f.commitEdits(parent, edits, msg, sig, ref, committer...)
}

// blob stores data as a blob.
func (f *fixture) blob(data []byte) plumbing.Hash {
	f.t.Helper()
	obj := f.g.Storer.NewEncodedObject()
	obj.SetType(plumbing.BlobObject)
	w, _ := obj.Writer()
	w.Write(data)
	w.Close()
	h, err := f.g.Storer.SetEncodedObject(obj)
	if err != nil {
		f.t.Fatal(err)
	}
	return h
}

// commitEdits applies edits (full paths; any name and mode) to parent's
// tree, commits the result and moves ref to it.
func (f *fixture) commitEdits(parent plumbing.Hash, edits map[string]edit, msg string, sig object.Signature, ref plumbing.ReferenceName, committer ...object.Signature) plumbing.Hash {
	f.t.Helper()
	var base *object.Tree
	var parents []plumbing.Hash
	if parent != plumbing.ZeroHash {
		c, err := f.g.CommitObject(parent)
		if err != nil {
			f.t.Fatal(err)
		}
		base, _ = c.Tree()
		parents = []plumbing.Hash{parent}
	}
	th, err := (&Repo{Git: f.g}).applyEdits(base, "", edits)
	if err != nil {
		f.t.Fatal(err)
	}
	cm := sig
	if len(committer) > 0 {
		cm = committer[0]
	}
	c := &object.Commit{Author: sig, Committer: cm, Message: msg, TreeHash: th, ParentHashes: parents}
	obj := f.g.Storer.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		f.t.Fatal(err)
	}
	h, err := f.g.Storer.SetEncodedObject(obj)
	if err != nil {
		f.t.Fatal(err)
	}
	if err := f.g.Storer.SetReference(plumbing.NewHashReference(ref, h)); err != nil {
		f.t.Fatal(err)
	}
	return h
}

func (f *fixture) head(ref string) plumbing.Hash {
	f.t.Helper()
	r, err := f.g.Reference(plumbing.ReferenceName(ref), true)
	if err != nil {
		return plumbing.ZeroHash
	}
	return r.Hash()
}

// submit writes one submission the way the inbox does (package
// submission): on the branch's tip, or from main's tip for a new branch,
// with the evidence files listed in the report (those it does not list
// yet are added to its evidence).
func (f *fixture) submit(slug string, rep *content.Report, evidence map[string][]byte) plumbing.Hash {
	f.t.Helper()
	b := submission.Branch{Slug: slug, Period: rep.Period}
	parent := f.head(b.Ref().String())
	if parent == plumbing.ZeroHash {
		parent = f.head("refs/heads/main")
	}
	listed := map[string]bool{}
	for _, f := range append(append([]content.File{}, rep.Documents...), rep.Evidence...) {
		listed[f.Path] = true
	}
	for _, name := range sortedKeys(evidence) {
		if rel := submission.ListedPath(rep.Period, name); !listed[rel] {
			rep.Evidence = append(rep.Evidence, content.File{Path: rel, Name: name, Size: int64(len(evidence[name]))})
		}
	}
	files := map[string][]byte{b.ReportPath(): encode(f.t, rep)}
	for name, data := range evidence {
		files[b.EvidencePath(name)] = data
	}
	name := institutions[slug][0]
	if name == "" {
		name = slug
	}
	recv, _ := time.Parse(time.RFC3339, rep.ReceivedAt)
	meta := submission.Meta{Branch: b, MessageID: rep.MessageID, SourceSHA256: fmt.Sprintf("%064x", 1), BodySHA256: fmt.Sprintf("%064x", 2), DKIM: "none"}
	msg := fmt.Sprintf("%s %s %s\n\n附件：报表.xlsx\n\n%s", rep.Period.Kind.Chinese(), rep.Period, name, meta.Trailers())
	author := object.Signature{Name: name, Email: rep.Sender, When: recv}
	committer := object.Signature{Name: "kjjr inbox", Email: "kjjr@example.gov.cn", When: recv.Add(time.Minute)}
	return f.commit(parent, files, msg, author, b.Ref(), committer)
}

// git runs the C git CLI in the fixture repo. With CI=true a missing git fails the test.
func (f *fixture) git(args ...string) string {
	f.t.Helper()
	return runGit(f.t, f.dir, args...)
}

func runGit(t *testing.T, dir string, args ...string) string {
	t.Helper()
	testenv.NeedTool(t, "git")
	cmd := execGit(dir, args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// execGit prepares a C git command in dir with an identity and no user or system config.
func execGit(dir string, args ...string) *exec.Cmd {
	cmd := exec.Command("git", append([]string{"-c", "user.name=王审核", "-c", "user.email=wang@example.gov.cn"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null")
	return cmd
}

// reportPath is the report path of slug and period (submission.Branch.ReportPath).
func reportPath(slug, p string) string {
	return submission.Branch{Slug: slug, Period: mustPeriod(p)}.ReportPath()
}
