package review

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"kjjr/content"
)

// editedInstitution returns beta's index.md with one more report sender
// (or the office address emptied, with brokenOffice).
func editedInstitution(t *testing.T, f *fixture, brokenOffice bool) []byte {
	t.Helper()
	_, old, err := f.r.MainFile("institutions/beta/index.md")
	if err != nil || old == nil {
		t.Fatalf("main file: %v", err)
	}
	inst := new(content.Institution)
	if ds := content.DecodeRecord("institutions/beta/index.md", old, inst); ds.HasErrors() {
		t.Fatal(ds)
	}
	inst.ReportSenders = append(inst.ReportSenders, content.Sender{Name: "李会计", Email: "li@beta.example.com"})
	if brokenOffice {
		inst.Office.Address = ""
	}
	data, err := content.EncodeRecord(inst, inst.Body)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestCommitFile(t *testing.T) {
	for _, bare := range []bool{true, false} {
		name := "bare"
		if !bare {
			name = "worktree"
		}
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, bare)
			base := f.head("refs/heads/main")
			data := editedInstitution(t, f, false)
			now := at("2026-05-20 10:00")
			fc, err := f.r.PrepareFile("institutions/beta/index.md", data, base, now)
			if err != nil {
				t.Fatal(err)
			}
			var added []string
			for _, l := range fc.Diff {
				if l.Op == '+' {
					added = append(added, l.Text)
				}
			}
			if len(fc.NewErrors) != 0 || !strings.Contains(strings.Join(added, "\n"), "li@beta.example.com") {
				t.Fatalf("prepare: new errors %v, added lines %q", fc.NewErrors, added)
			}
			if fc.Kept == 0 {
				t.Error("the errors main already has (no USCC, no law firm) are not counted as kept")
			}
			if f.head("refs/heads/main") != base {
				t.Fatal("PrepareFile moved main")
			}
			fcm, err := f.r.CommitFile("institutions/beta/index.md", data, base, "修改机构信息", approver, now)
			if err != nil {
				t.Fatal(err)
			}
			if got := f.head("refs/heads/main"); got != fcm.Commit {
				t.Fatalf("main at %s, want %s", got, fcm.Commit)
			}
			if out := strings.TrimSpace(f.git("log", "-1", "--format=%an <%ae>|%cn|%P", "main")); out != approver.Name+" <"+approver.Email+">|"+approver.Name+"|"+base.String() {
				t.Errorf("commit: %s, want parent %s", out, base)
			}
			if out := f.git("show", "main:institutions/beta/index.md"); !strings.Contains(out, "li@beta.example.com") {
				t.Errorf("file on main:\n%s", out)
			}
			f.git("fsck", "--strict")
			if !bare {
				if fcm.Worktree != "updated" {
					t.Errorf("worktree mode %q", fcm.Worktree)
				}
				if out := strings.TrimSpace(f.git("status", "--porcelain")); out != "" {
					t.Errorf("worktree not clean:\n%s", out)
				}
				if b, _ := os.ReadFile(filepath.Join(f.dir, "institutions/beta/index.md")); !strings.Contains(string(b), "li@beta.example.com") {
					t.Error("worktree file not updated")
				}
			}

			// The same form again (a double click): base is stale.
			if _, err := f.r.CommitFile("institutions/beta/index.md", data, base, "修改机构信息", approver, now); CodeOf(err) != CodeConcurrent || !strings.Contains(err.Error(), approver.Name) {
				t.Fatalf("stale base: %v", err)
			}
			if f.head("refs/heads/main") != fcm.Commit {
				t.Fatal("main moved on a stale base")
			}
		})
	}
}

func TestCommitFileRefusals(t *testing.T) {
	f := newFixture(t, true)
	base := f.head("refs/heads/main")
	now := at("2026-05-20 10:00")
	bad := editedInstitution(t, f, true)
	fc, err := f.r.PrepareFile("institutions/beta/index.md", bad, base, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(fc.NewErrors) != 1 || fc.NewErrors[0].Field != "office.address" {
		t.Fatalf("new errors %v, want office.address", fc.NewErrors)
	}
	if _, err := f.r.CommitFile("institutions/beta/index.md", bad, base, "x", approver, now); CodeOf(err) != CodeCheckFailed || !strings.Contains(err.Error(), "office.address") {
		t.Fatalf("broken edit: %v", err)
	}
	_, same, _ := f.r.MainFile("institutions/beta/index.md")
	if _, err := f.r.CommitFile("institutions/beta/index.md", same, base, "x", approver, now); CodeOf(err) != CodeNoChange {
		t.Fatalf("no change: %v", err)
	}
	for _, p := range []string{"../x.md", ".git/config.md", "institutions/beta/.hidden.md", "site.yaml", "/abs.md"} {
		if _, err := f.r.CommitFile(p, []byte("x"), base, "x", approver, now); err == nil {
			t.Errorf("path %q accepted", p)
		}
	}
	if f.head("refs/heads/main") != base {
		t.Fatal("a refused commit moved main")
	}
	if _, err := f.r.PrepareFile("results/2025.md", []byte("---\n---\n"), plumbing.ZeroHash, now); CodeOf(err) != CodeConcurrent {
		t.Fatalf("zero base: %v", err)
	}
	// Two previews of the same main: the first committed wins, the second
	// is refused (main moved between its preview and its commit).
	good := editedInstitution(t, f, false)
	first, err := f.r.PrepareFile("institutions/beta/index.md", good, base, now)
	if err != nil {
		t.Fatal(err)
	}
	second, err := f.r.PrepareFile("institutions/gamma/index.md", []byte(strings.Replace(instMD(institutions["gamma"][0], institutions["gamma"][1]), "size: 5", "size: 6", 1)), base, now)
	if err != nil {
		t.Fatal(err)
	}
	c1, err := f.r.CommitChange(first, "一", approver, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.r.CommitChange(second, "二", approver, now); CodeOf(err) != CodeConcurrent {
		t.Fatalf("second change on a moved main: %v", err)
	}
	if f.head("refs/heads/main") != c1.Commit {
		t.Fatal("main moved by the refused change")
	}
}
