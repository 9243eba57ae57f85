package sheet

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"kjjr/content"
	"kjjr/content/jinzhong"
)

// TestRecordPassesCheck: the record Parse returns, with received_at filled
// as the inbox does, placed at institutions/<slug>/reports/<period>.md of
// the default dataset, loads and passes content's checks (kjjr check).
func TestRecordPassesCheck(t *testing.T) {
	base, _ := content.Load(jinzhong.FS(), nil)
	const slug = "jiexiu-xinke"
	inst := base.Institution(slug)
	if inst == nil {
		t.Fatalf("default dataset has no %s", slug)
	}
	period := content.MonthPeriod(2025, 9)
	if inst.Report(period) != nil {
		t.Fatalf("%s already has %s", slug, period)
	}
	x := goodSheet(t)
	x.set(t, keyInstitution, inst.Name)
	x.set(t, keyUSCC, inst.USCC)
	x.set(t, keyPeriod, "2025年9月")
	x.set(t, keyFiledOn, "2025-10-09")
	x.put(t, SheetFinancing, "H5", "2025-09-03")
	x.put(t, SheetFinancing, "H6", "2025-09-15")
	x.put(t, SheetFinancing, "H7", "2025-09-28")
	today := content.Date{Year: 2025, Month: 10, Day: 15}
	rep, err := Parse(x.bytes(t), &Options{Now: today, Institution: inst})
	if err != nil {
		t.Fatal(err)
	}
	rep.ReceivedAt = "2025-10-09T10:00:00+08:00"
	data, err := content.EncodeRecord(rep, "")
	if err != nil {
		t.Fatal(err)
	}
	file := "institutions/" + slug + "/reports/" + period.String() + ".md"
	mfs := fstest.MapFS{file: {Data: data}}
	err = fs.WalkDir(jinzhong.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(jinzhong.FS(), p)
		mfs[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	repo, lerr := content.Load(mfs, nil)
	var ds content.Diagnostics
	if errors.As(lerr, &ds) {
		for _, d := range ds.Errors() {
			if d.File == file {
				t.Errorf("load: %s", d)
			}
		}
	}
	if repo.Institution(slug).Report(period) == nil {
		t.Fatal("report not loaded")
	}
	for _, d := range repo.Check(today) {
		if d.File == file {
			t.Errorf("check: %s", d)
		}
	}
}

// TestGoldenRecord pins the front matter of good.xlsx as the inbox writes
// it (testdata/good.golden.md; -update rewrites it).
func TestGoldenRecord(t *testing.T) {
	rep, err := Parse(readFixture(t, "good.xlsx"), testOpts())
	if err != nil {
		t.Fatal(err)
	}
	rep.ReceivedAt = "2025-05-08T10:00:00+08:00"
	got, err := content.EncodeRecord(rep, "")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "good.golden.md", got)
}

// TestGoldenProblems pins every problem of bad.xlsx, as kjjr sheet and the
// receipt show them (testdata/bad.golden.txt; -update rewrites it).
func TestGoldenProblems(t *testing.T) {
	_, err := Parse(readFixture(t, "bad.xlsx"), testOpts())
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("want Problems, got %v", err)
	}
	golden(t, "bad.golden.txt", []byte(ps.Error()+"\n"))
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if string(want) != string(got) {
		t.Fatalf("%s differs (run with -update after checking):\n--- want\n%s--- got\n%s", p, want, got)
	}
}
