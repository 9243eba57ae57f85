package corpus_test

import (
	"crypto/sha256"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kjjr/content"
	"kjjr/content/corpus"
)

// treeHash hashes every path and file of dir, in walk order.
func treeHash(t *testing.T, dir string) ([32]byte, int) {
	t.Helper()
	h := sha256.New()
	n := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		data, err := os.ReadFile(p)
		h.Write([]byte(filepath.ToSlash(rel) + "\x00"))
		h.Write(data)
		n++
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var s [32]byte
	copy(s[:], h.Sum(nil))
	return s, n
}

func TestWriteLoads(t *testing.T) {
	dir := t.TempDir()
	const n = 60
	if err := corpus.Write(dir, &corpus.Options{Institutions: n, Seed: 7, PerRound: 25, Evidence: true}); err != nil {
		t.Fatal(err)
	}
	repo, err := content.Load(os.DirFS(dir), nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	for _, d := range repo.Diags {
		t.Errorf("diagnostic: %s", d)
	}
	if len(repo.Institutions) != n {
		t.Fatalf("%d institutions, want %d", len(repo.Institutions), n)
	}
	if len(repo.Rounds) != 3 || len(repo.Publicities) != 3 {
		t.Errorf("%d rounds and %d publicities, want 3 each", len(repo.Rounds), len(repo.Publicities))
	}
	for _, inst := range repo.Institutions {
		monthly := 0
		for _, r := range inst.Reports {
			if r.Kind == "monthly" {
				monthly++
			}
		}
		removed, _ := inst.RemovedOn()
		if removed.IsZero() && monthly != corpus.MonthlyReports {
			t.Errorf("%s: %d monthly reports, want %d", inst.Slug, monthly, corpus.MonthlyReports)
		}
		if err := content.CheckUSCC(inst.USCC); err != nil {
			t.Errorf("%s: %v", inst.Slug, err)
		}
		// Every report period is one the institution owed.
		for _, r := range inst.Reports {
			if !inst.Required(r.Period) {
				t.Errorf("%s: report %s not required", inst.Slug, r.Period)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "institutions", corpus.Slug(1), "evidence", "2025-H2")); err != nil {
		t.Errorf("Evidence: true wrote no evidence: %v", err)
	}
}

func TestWriteDeterministic(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	if err := corpus.Write(a, &corpus.Options{Institutions: 15, Seed: 3, Workers: 1}); err != nil {
		t.Fatal(err)
	}
	if err := corpus.Write(b, &corpus.Options{Institutions: 15, Seed: 3, Workers: 7}); err != nil {
		t.Fatal(err)
	}
	ha, na := treeHash(t, a)
	hb, nb := treeHash(t, b)
	if ha != hb || na != nb {
		t.Errorf("same options, different output (%d vs %d files)", na, nb)
	}
	c := t.TempDir()
	if err := corpus.Write(c, &corpus.Options{Institutions: 15, Seed: 4}); err != nil {
		t.Fatal(err)
	}
	if hc, _ := treeHash(t, c); hc == ha {
		t.Error("a different seed gave the same corpus")
	}
}

func TestWriteRefusesNonEmpty(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "x"), []byte("x"), 0o644)
	err := corpus.Write(dir, nil)
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("Write into a non-empty dir: %v", err)
	}
}
