package content_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kjjr/content"
	"kjjr/content/corpus"
)

// TestCheckInstitutions: of a Repo loaded with TreeOptions.Only,
// CheckInstitutions reports on the loaded institutions' files exactly
// what Check of the whole repo reports there, and nothing about the
// institutions left out.
func TestCheckInstitutions(t *testing.T) {
	needGit(t)
	dir := t.TempDir()
	if err := os.CopyFS(dir, corpusFS(t, 6)); err != nil {
		t.Fatal(err)
	}
	slug := corpus.Slug(2)
	// A report with an error, and an inspection without findings.
	rep := filepath.Join(dir, "institutions", slug, "reports", "2026-10.md")
	b, err := os.ReadFile(rep)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(rep, []byte(strings.Replace(string(b), "received_at: ", "received_at: \"昨天\"\nx_received_at: ", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "institutions", slug, "inspections", "2026-06-01-x.md")
	if err := os.MkdirAll(filepath.Dir(bad), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("---\ndate: \"2026-06-01\"\n---\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fsys := commitAll(t, dir)
	today := content.Date{Year: 2026, Month: time.December, Day: 1}
	all, _ := content.LoadTree(fsys, nil)
	some, _ := content.LoadTree(fsys, &content.TreeOptions{Only: func(s string) bool { return s == slug }})
	mine := func(ds content.Diagnostics) []string {
		var out []string
		for _, d := range ds {
			if strings.HasPrefix(d.File, "institutions/"+slug+"/") {
				out = append(out, d.String())
			}
		}
		return out
	}
	want, got := mine(all.Check(today)), mine(some.CheckInstitutions(today))
	if len(want) < 2 || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("CheckInstitutions on %s:\n%s\nCheck of the whole repo:\n%s", slug, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, d := range some.CheckInstitutions(today) {
		if !strings.HasPrefix(d.File, "institutions/"+slug+"/") {
			t.Errorf("CheckInstitutions reports on a file outside the loaded institution: %s", d)
		}
	}
}
