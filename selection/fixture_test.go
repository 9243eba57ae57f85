package selection_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing/object"

	"kjjr/content"
	"kjjr/content/jinzhong"
	"kjjr/internal/testenv"
	"kjjr/selection"
)

// The round of the tests: its notice, its window (2026-03-02 to
// 2026-03-31) on the embedded dataset.
const round = "2026-1"

var roundFiles = map[string]string{
	"notices/2026-03-01-selection-round-2026-1.md": "---\nkind: 遴选通知\ntitle: 关于开展2026年度科技金融服务机构遴选工作的通知\ndate: \"2026-03-01\"\n---\n请符合条件的单位于3月31日前申报。\n",
	"rounds/2026-1.md": "---\ntitle: 2026年度科技金融服务机构遴选（第一批）\nnotice: 2026-03-01-selection-round-2026-1\napplication:\n  from: \"2026-03-02\"\n  to: \"2026-03-31\"\n---\n2026年第一批。\n",
}

var staff = object.Signature{Name: "王科长", Email: "wang@example.gov.cn"}

// git runs C git in dir with a fixed identity and returns its output.
func git(t testing.TB, dir string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir, "GIT_AUTHOR_NAME=科技局", "GIT_AUTHOR_EMAIL=staff@example.gov.cn",
		"GIT_COMMITTER_NAME=科技局", "GIT_COMMITTER_EMAIL=staff@example.gov.cn")
	cmd.Env = append(cmd.Env, env...)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSpace(out.String())
}

// newRepo writes the embedded dataset and the round into a new git repo
// (main checked out) and returns its directory.
func newRepo(t testing.TB) string {
	t.Helper()
	testenv.NeedTool(t, "git")
	dir := t.TempDir()
	src := jinzhong.FS()
	err := fs.WalkDir(src, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(src, p)
		if err != nil {
			return err
		}
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		return os.WriteFile(full, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	for p, s := range roundFiles {
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(p)), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git(t, dir, nil, "init", "-q", "-b", "main")
	git(t, dir, nil, "add", "-A")
	git(t, dir, nil, "commit", "-q", "-m", "初始内容")
	return dir
}

// uscc returns a valid code from 17 characters.
func uscc(t testing.TB, first17 string) string {
	c, err := content.USCCCheckChar(first17)
	if err != nil {
		t.Fatal(err)
	}
	return first17 + string(c)
}

// draft is a draft institution record as the application intake makes it.
func draft(name, code, founded, county string) string {
	return fmt.Sprintf(`---
name: %s
uscc: %s
legal_form: 有限责任公司
founded: "%s"
credit:
  checked_on: "2026-03-10"
  source: 信用中国（山西）
  serious_dishonesty: false
  blacklisted: false
partners:
  banks:
    - 晋中银行
  law_firms:
    - 示例律师事务所
services:
  - 融资对接
serves_jinchuanggu: true
team:
  size: 5
office:
  address: 山西省晋中市%s示例路8号
  county: %s
contact:
  phone: 0354-555-0999
---
申报单位简介。
`, name, code, founded, county, county)
}

// makeApply commits an application onto apply/<round>/<key> with C git
// plumbing (no checkout), exactly as the contract of package submission
// lays it out: the draft at institutions/<slug>/index.md, the form and
// attachments under institutions/<slug>/evidence/application-<round>/,
// the trailers Kjjr-Kind, Kjjr-Round, Kjjr-Applicant, Kjjr-Institution.
func makeApply(t testing.TB, dir, key, slug, draftText string, evidence map[string]string) string {
	t.Helper()
	idx := filepath.Join(t.TempDir(), "index")
	env := []string{"GIT_INDEX_FILE=" + idx}
	git(t, dir, env, "read-tree", "main")
	files := map[string]string{"institutions/" + slug + "/index.md": draftText}
	for n, s := range evidence {
		files["institutions/"+slug+"/evidence/application-"+round+"/"+n] = s
	}
	for p, s := range files {
		tmp := filepath.Join(t.TempDir(), "blob")
		if err := os.WriteFile(tmp, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		h := git(t, dir, env, "hash-object", "-w", tmp)
		git(t, dir, env, "update-index", "--add", "--cacheinfo", "100644,"+h+","+p)
	}
	tree := git(t, dir, env, "write-tree")
	msg := fmt.Sprintf("申报 %s\n\nKjjr-Kind: application\nKjjr-Round: %s\nKjjr-Applicant: %s\nKjjr-Institution: %s\nSource-Sha256: %064x\n", slug, round, key, slug, len(key))
	parent := "main"
	ref := "refs/heads/apply/" + round + "/" + key
	if out := git(t, dir, nil, "for-each-ref", ref); out != "" {
		parent = ref
	}
	c := git(t, dir, env, "commit-tree", tree, "-p", parent, "-m", msg)
	git(t, dir, nil, "update-ref", ref, c)
	return c
}

func open(t testing.TB, dir string) *selection.Repo {
	t.Helper()
	r, err := selection.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, content.CST)
	if err != nil {
		panic(err)
	}
	return t
}

// threeApplicants makes three applications and returns their keys.
func threeApplicants(t testing.TB, dir string) []string {
	a := uscc(t, "91140702MA0K0000A")
	b := uscc(t, "91140702MA0K0000B")
	c := uscc(t, "91140702MA0K0000C")
	makeApply(t, dir, a, strings.ToLower(a), draft("榆次甲科技服务有限公司", a, "2019-01-01", "榆次区"), map[string]string{"form.xlsx": "form", "0123456789ab-营业执照.pdf": "pdf"})
	makeApply(t, dir, b, strings.ToLower(b), draft("太谷乙融资服务有限公司", b, "2018-05-01", "太谷区"), nil)
	makeApply(t, dir, c, strings.ToLower(c), draft("平遥丙企业服务有限公司", c, "2020-02-01", "平遥县"), nil)
	return []string{a, b, c}
}
