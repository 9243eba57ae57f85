package review

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"kjjr/content"
)

// hostileEntry is a tree entry a hand-made branch may hold.
type hostileEntry struct {
	mode filemode.FileMode // 0: delete the path
	data string            // blob; for a gitlink, ignored (it points at main)
}

// commitEntries commits entries (path -> entry, written as given: any
// name, any mode) on top of parent and moves ref there.
func (f *fixture) commitEntries(parent plumbing.Hash, entries map[string]hostileEntry, msg string, ref plumbing.ReferenceName) {
	f.t.Helper()
	edits := map[string]edit{}
	for p, e := range entries {
		switch e.mode {
		case 0:
			edits[p] = edit{nil}
		case filemode.Submodule:
			edits[p] = edit{&object.TreeEntry{Mode: e.mode, Hash: parent}}
		default:
			edits[p] = edit{&object.TreeEntry{Mode: e.mode, Hash: f.blob([]byte(e.data))}}
		}
	}
	sig := object.Signature{Name: "丙创投咨询有限公司", Email: "report@gamma.example.com", When: at("2026-05-06 09:00")}
	f.commitEdits(parent, edits, msg, sig, ref)
}

// hostileCases are branches that approval must refuse: each names the
// branch, its entries, and the refused path with a word of its reason.
func hostileCases(t *testing.T) []struct {
	name, branch string
	entries      func() map[string]hostileEntry
	path, why    string
} {
	const ev = "institutions/gamma/evidence/2026-04/"
	gammaReport := func(listed ...string) string {
		rep := monthly("2026-04", at("2026-05-06 09:00"), 3, "30", false)
		for _, n := range listed {
			rep.Evidence = append(rep.Evidence, content.File{Path: "evidence/2026-04/" + n, Name: n, Size: 1})
		}
		return string(encode(t, rep))
	}
	long := "晋中市科技金融服务机构绩效评价考核证明材料" + strings.Repeat("（补充说明）", 10) + ".pdf" // 306 bytes
	return []struct {
		name, branch string
		entries      func() map[string]hostileEntry
		path, why    string
	}{
		{"dot-dot", "submit/gamma/2026-04", func() map[string]hostileEntry {
			return map[string]hostileEntry{reportPath("gamma", "2026-04"): {filemode.Regular, gammaReport("..")}, ev + "..": {filemode.Regular, "x"}}
		}, ev + "..", "上级目录"},
		{"dot-git", "submit/gamma/2026-04", func() map[string]hostileEntry {
			return map[string]hostileEntry{reportPath("gamma", "2026-04"): {filemode.Regular, gammaReport(".git/config")}, ev + ".git/config": {filemode.Regular, "[core]\n\tfsmonitor = touch /tmp/pwned\n"}}
		}, ev + ".git/config", "git 的保留名称"},
		{"symlink to /etc/passwd", "submit/gamma/2026-04", func() map[string]hostileEntry {
			return map[string]hostileEntry{reportPath("gamma", "2026-04"): {filemode.Regular, gammaReport("passwd.pdf")}, ev + "passwd.pdf": {filemode.Symlink, "/etc/passwd"}}
		}, ev + "passwd.pdf", "符号链接"},
		{"symlink to .git/config", "submit/gamma/2026-04", func() map[string]hostileEntry {
			return map[string]hostileEntry{reportPath("gamma", "2026-04"): {filemode.Regular, gammaReport("config.pdf")}, ev + "config.pdf": {filemode.Symlink, "../../../../.git/config"}}
		}, ev + "config.pdf", "符号链接"},
		{"gitlink", "submit/gamma/2026-04", func() map[string]hostileEntry {
			return map[string]hostileEntry{reportPath("gamma", "2026-04"): {filemode.Regular, gammaReport("sub")}, ev + "sub": {filemode.Submodule, ""}}
		}, ev + "sub", "gitlink"},
		{"deletes an approved report", "submit/alpha/2026-03", func() map[string]hostileEntry {
			return map[string]hostileEntry{reportPath("alpha", "2026-03"): {}}
		}, reportPath("alpha", "2026-03"), "删除了已审核的报告"},
		{"unlisted evidence", "submit/gamma/2026-04", func() map[string]hostileEntry {
			return map[string]hostileEntry{reportPath("gamma", "2026-04"): {filemode.Regular, gammaReport()}, ev + "0123456789ab-x.pdf": {filemode.Regular, "x"}}
		}, ev + "0123456789ab-x.pdf", "没有列出"},
		{"over-long Chinese name", "submit/gamma/2026-04", func() map[string]hostileEntry {
			return map[string]hostileEntry{reportPath("gamma", "2026-04"): {filemode.Regular, gammaReport(long)}, ev + long: {filemode.Regular, "x"}}
		}, ev + long, "过长"},
	}
}

// TestApproveRefusesHostileBranches: a branch holding "..", ".git", a
// symlink, a gitlink, a deleted approved report, an unlisted file or an
// over-long name is refused by approve, naming the path; nothing moves
// (main, the branch, and on a non-bare repo the index and the work tree),
// `git fsck --strict` finds nothing new, and main still clones and checks
// out with the C git CLI.
func TestApproveRefusesHostileBranches(t *testing.T) {
	for _, tc := range hostileCases(t) {
		for _, bare := range []bool{true, false} {
			name := tc.name + "/bare"
			if !bare {
				name = tc.name + "/worktree"
			}
			t.Run(name, func(t *testing.T) {
				f := newFixture(t, bare)
				f.commitEntries(f.head("refs/heads/main"), tc.entries(), "报送\n\nKjjr-Institution: x\n", plumbing.ReferenceName("refs/heads/"+tc.branch))
				oldMain, oldTip := f.head("refs/heads/main"), f.head("refs/heads/"+tc.branch)
				var index []byte
				if !bare {
					index, _ = os.ReadFile(filepath.Join(f.dir, ".git", "index"))
				}
				fsckBefore := fsck(t, f.dir)

				_, err := f.r.Approve(tc.branch, approver, at("2026-05-20 10:00"))
				if CodeOf(err) != CodeNotSubmission || !strings.Contains(err.Error(), tc.path) || !strings.Contains(err.Error(), tc.why) {
					t.Fatalf("Approve err = %v, want a not_submission refusal naming %s (%s)", err, tc.path, tc.why)
				}
				if f.head("refs/heads/main") != oldMain || f.head("refs/heads/"+tc.branch) != oldTip {
					t.Fatal("a refused approval moved main or the branch")
				}
				if !bare {
					if now, _ := os.ReadFile(filepath.Join(f.dir, ".git", "index")); !bytes.Equal(now, index) {
						t.Error("a refused approval changed the index")
					}
					if out := f.git("status", "--porcelain", "--untracked-files=all"); out != "" {
						t.Errorf("a refused approval changed the work tree:\n%s", out)
					}
				}
				if after := fsck(t, f.dir); after != fsckBefore {
					t.Errorf("git fsck --strict changed:\nbefore:\n%s\nafter:\n%s", fsckBefore, after)
				}
				clone := filepath.Join(t.TempDir(), "clone")
				runGit(t, filepath.Dir(clone), "clone", "-q", "--no-local", "--single-branch", "-b", "main", f.dir, clone)
				if out := fsck(t, clone); out != "" {
					t.Errorf("main's clone fails git fsck --strict:\n%s", out)
				}
			})
		}
	}
}

// TestShowMarksHostileEntries: `review show` (Get) lists every entry such a
// branch touches, the refused one marked with why.
func TestShowMarksHostileEntries(t *testing.T) {
	for _, tc := range hostileCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, true)
			entries := tc.entries()
			f.commitEntries(f.head("refs/heads/main"), entries, "报送\n", plumbing.ReferenceName("refs/heads/"+tc.branch))
			s, err := f.r.Get(tc.branch)
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Changes) != len(entries) {
				t.Errorf("%d changes listed, want %d: %+v", len(s.Changes), len(entries), s.Changes)
			}
			found := false
			for _, c := range s.Changes {
				if _, ok := entries[c.Path]; !ok {
					t.Errorf("unexpected change %s", c.Path)
				}
				if c.Path == tc.path {
					found = true
					if !strings.Contains(c.Problem, tc.why) {
						t.Errorf("%s marked %q, want %q", c.Path, c.Problem, tc.why)
					}
				} else if c.Problem != "" {
					t.Errorf("%s refused: %s", c.Path, c.Problem)
				}
			}
			if !found {
				t.Errorf("%s not listed", tc.path)
			}
		})
	}
}

// fsck runs `git fsck --strict` in dir and returns what it reports
// (nothing when clean), failing only when git cannot run.
func fsck(t *testing.T, dir string) string {
	t.Helper()
	runGit(t, dir, "--version") // skip, or fail in CI, without git
	cmd := execGit(dir, "fsck", "--strict", "--no-dangling", "--no-progress")
	out, _ := cmd.CombinedOutput()
	return strings.TrimSpace(string(out))
}
