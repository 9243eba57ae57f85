package jinzhong_test

import (
	"bytes"
	"io/fs"
	"strings"
	"testing"

	"kjjr/content"
	"kjjr/content/jinzhong"
	"kjjr/content/jinzhong/internal/gen"
)

// TestGenerated checks that the committed dataset is what the generator
// writes today: run "go generate ./content/jinzhong" after changing it.
func TestGenerated(t *testing.T) {
	files, err := gen.Files(jinzhong.FS())
	if err != nil {
		t.Fatal(err)
	}
	for p, want := range files {
		got, err := fs.ReadFile(jinzhong.FS(), p)
		if err != nil {
			t.Errorf("%s: %v (run go generate ./content/jinzhong)", p, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the generator's output (run go generate ./content/jinzhong)", p)
		}
	}
	for _, dir := range gen.Dirs {
		fs.WalkDir(jinzhong.FS(), dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && files[p] == nil {
				t.Errorf("%s is not generated (run go generate ./content/jinzhong, or move it out of %s/)", p, dir)
			}
			return nil
		})
	}
}

func TestLoadClean(t *testing.T) {
	repo, err := content.Load(jinzhong.FS(), nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	for _, d := range repo.Diags {
		t.Errorf("diagnostic: %s", d)
	}
	if !repo.Site.SampleData {
		t.Error("site.yaml must mark the dataset as sample data")
	}
	if n := len(repo.Institutions); n < 6 || n > 8 {
		t.Errorf("%d institutions, want 6 to 8", n)
	}
	p := repo.Publicity("2025-06-09-round-1")
	if p == nil || p.End.String() != "2025-06-13" {
		t.Fatalf("publicity end = %v, want 2025-06-13", p)
	}
	day := func(s string) content.Date { d, _ := content.ParseDate(s); return d }
	if n := len(repo.Roster(day("2025-12-31"))); n != 7 {
		t.Errorf("roster at end of 2025 has %d institutions, want 7", n)
	}
	if n := len(repo.Roster(day("2026-02-01"))); n != 6 {
		t.Errorf("roster after the 2025 results has %d institutions, want 6", n)
	}
	var late, missing, kinds int
	seen := map[string]bool{}
	for _, inst := range repo.Institutions {
		for m := content.MonthPeriod(2025, 7); m.Compare(content.MonthPeriod(2026, 10)) <= 0; m = m.Next() {
			switch repo.ReportState(inst, m, day("2026-11-27"), false) {
			case content.StateLate:
				late++
			case content.StateMissing:
				missing++
			}
		}
		for _, r := range inst.Reports {
			seen[r.Kind] = true
		}
		if len(inst.Inspections) > 0 && !inst.Inspections[0].RectifiedOn.IsZero() {
			kinds++
		}
	}
	if late == 0 || missing == 0 {
		t.Errorf("want some late (%d) and some missing (%d) monthly reports", late, missing)
	}
	if !seen["monthly"] || !seen["half_year"] || !seen["annual"] {
		t.Errorf("report kinds present: %v", seen)
	}
	if kinds != 1 {
		t.Errorf("%d institutions with a rectified inspection, want 1", kinds)
	}
	res := repo.Result(2025)
	if res == nil {
		t.Fatal("no results/2025.md")
	}
	grades := map[string]int{}
	for _, g := range res.Grades {
		grades[g.Grade]++
	}
	if grades[content.GradeFail] != 1 || grades[content.GradeExcellent] != 1 {
		t.Errorf("grades %v, want one 不合格 and one 优秀", grades)
	}
	for _, inst := range repo.Institutions {
		if err := content.CheckUSCC(inst.USCC); err != nil {
			t.Errorf("%s: %v", inst.Slug, err)
		}
		if !strings.Contains(inst.Contact.Email, "example.") {
			t.Errorf("%s: contact %q is not on an example domain", inst.Slug, inst.Contact.Email)
		}
	}
}
