package submission

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"

	"kjjr/internal/testenv"
)

// cgit runs the C git CLI in dir with a fixed identity and no user or
// system config; with CI=true a missing git fails the test.
func cgit(t *testing.T, dir string, args ...string) string {
	t.Helper()
	testenv.NeedTool(t, "git")
	cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestPending pins what counts as pending, on a repo made with C git: an
// unmerged local submit branch is; a branch merged by plain git, a branch
// at main, a branch whose report main already holds, a remote-tracking
// submit ref and a ref that is not a submission branch are not.
func TestPending(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "repo")
	write := func(p, data string) {
		t.Helper()
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cgit(t, dir, "init", "-q", "-b", "main")
	write("site.yaml", "title: x\n")
	cgit(t, dir, "add", "-A")
	cgit(t, dir, "commit", "-q", "-m", "init")
	first := cgit(t, dir, "rev-parse", "HEAD")
	branch := func(name, file, data string) {
		t.Helper()
		cgit(t, dir, "checkout", "-q", "-b", name, first)
		write(file, data)
		cgit(t, dir, "add", "-A")
		cgit(t, dir, "commit", "-q", "-m", name)
		cgit(t, dir, "checkout", "-q", "main")
	}
	branch("submit/alpha/2026-04", "institutions/alpha/reports/2026-04.md", "alpha 4\n")
	branch("submit/beta/2026-04", "institutions/beta/reports/2026-04.md", "beta 4\n")
	cgit(t, dir, "merge", "-q", "--no-ff", "-m", "merge beta", "submit/beta/2026-04")
	branch("submit/alpha/2026-03", "institutions/alpha/reports/2026-03.md", "alpha 3\n")
	// Staff put the same report on main by hand.
	write("institutions/alpha/reports/2026-03.md", "alpha 3\n")
	cgit(t, dir, "add", "-A")
	cgit(t, dir, "commit", "-q", "-m", "by hand")
	cgit(t, dir, "branch", "submit/gamma/2026-04", "main")
	branch("other", "institutions/delta/reports/2026-04.md", "delta 4\n")
	cgit(t, dir, "update-ref", "refs/remotes/origin/submit/delta/2026-04", "other")
	cgit(t, dir, "update-ref", "refs/heads/submit/Delta/2026-04", "other")
	cgit(t, dir, "update-ref", "refs/heads/submit/delta/2026-4", "other")

	g, err := git.PlainOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	set, err := Pending(g.Storer)
	if err != nil {
		t.Fatal(err)
	}
	want := Branch{Slug: "alpha", Period: mustPeriod("2026-04")}
	if len(set) != 1 || !set[want] {
		t.Fatalf("Pending = %v, want only %s", set, want)
	}
	refs, err := Refs(g.Storer)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range refs {
		names = append(names, r.Branch.String())
	}
	if got := strings.Join(names, " "); got != "submit/alpha/2026-03 submit/alpha/2026-04 submit/beta/2026-04 submit/gamma/2026-04" {
		t.Errorf("Refs = %s", got)
	}
}
