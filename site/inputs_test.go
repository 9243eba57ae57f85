package site

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"kjjr/content"
)

// settle waits until files written so far are old enough for Load to
// trust their stamps (content's racy window is two seconds).
func settle() { time.Sleep(2100 * time.Millisecond) }

// TestBuildFromStamps builds a content directory the way kjjr build does
// (a load cache, so the files' stamps are known) through a series of
// edits, and checks after each that the output is exactly that of a fresh
// full build, and that only what the edit affects was rendered.
func TestBuildFromStamps(t *testing.T) {
	t.Parallel()
	src := writeFixtureDir(t, "basic.txtar")
	out := filepath.Join(t.TempDir(), "public")
	cache := filepath.Join(t.TempDir(), "load.cache")
	build := func(now content.Date) *Result {
		t.Helper()
		repo, err := content.Load(content.DirFS(src), &content.LoadOptions{Cache: cache, Public: true})
		if err != nil {
			t.Fatal(err)
		}
		res, err := Build(repo, &Options{Out: out, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	// fresh is a full build of the same content into a new directory.
	fresh := func(now content.Date) map[string]string {
		t.Helper()
		repo, err := content.Load(content.DirFS(src), nil)
		if err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(t.TempDir(), "fresh")
		if _, err := Build(repo, &Options{Out: dir, Now: now}); err != nil {
			t.Fatal(err)
		}
		return walkOut(t, dir)
	}
	same := func(step string, now content.Date) {
		t.Helper()
		got, want := walkOut(t, out), fresh(now)
		delete(got, ManifestName)
		delete(want, ManifestName)
		var diff []string
		for p, s := range want {
			if got[p] != s {
				diff = append(diff, p)
			}
		}
		for p := range got {
			if _, ok := want[p]; !ok {
				diff = append(diff, p+" (extra)")
			}
		}
		sort.Strings(diff)
		if len(diff) > 0 {
			t.Errorf("%s: output differs from a full build: %v", step, diff)
		}
	}
	inst := func(slug string) string { return filepath.Join(src, "institutions", slug) }

	build(testNow) // files too recent to trust: views compared
	settle()
	res := build(testNow)
	if res.Written != 0 {
		t.Errorf("unchanged: %d files written", res.Written)
	}
	m, err := readManifest(out)
	if err != nil || len(m.Inputs) == 0 || m.Now != testNow.String() {
		t.Fatalf("manifest has no input keys or date: %v", err)
	}
	res = build(testNow)
	if res.Rendered != 0 || res.Written != 0 {
		t.Errorf("unchanged, from stamps: rendered %d, written %d; want 0, 0", res.Rendered, res.Written)
	}

	// One report's figures: alpha's pages and the pages with totals.
	editInPlace(t, filepath.Join(inst("alpha"), "reports", "2025-08.md"), "enterprises_served: 15", "enterprises_served: 16")
	settle()
	res = build(testNow)
	same("report edited", testNow)
	// alpha: its page and three report pages; home, statistics, monthly and yearly CSV and JSON.
	if res.Rendered != 4+6 {
		t.Errorf("report edited: rendered %d files; want 10 (alpha's 4 pages, home, statistics, monthly and yearly data)", res.Rendered)
	}

	// A new report: a new page, the sitemap, the search index.
	data, err := os.ReadFile(filepath.Join(inst("alpha"), "reports", "2025-10.md"))
	if err != nil {
		t.Fatal(err)
	}
	nov := strings.ReplaceAll(string(data), "2025-10", "2025-11")
	if err := os.WriteFile(filepath.Join(inst("alpha"), "reports", "2025-11.md"), []byte(nov), 0o644); err != nil {
		t.Fatal(err)
	}
	settle()
	build(testNow)
	same("report added", testNow)

	// The institution record: its name is on many pages.
	editInPlace(t, filepath.Join(inst("beta"), "index.md"), "晋中贝塔创业投资服务中心", "晋中贝塔创投服务中心")
	settle()
	build(testNow)
	same("institution edited", testNow)

	// A notice attachment (not a record: Load does not read it).
	editInPlace(t, filepath.Join(src, "notices", "2025-04-01-selection", "shenbao.pdf"), "", "修订：")
	settle()
	build(testNow)
	same("attachment edited", testNow)

	// Another day: the views decide, without a settle.
	later := testNow.AddDays(40)
	build(later)
	same("another day", later)

	// A report removed, and built at once (its directory's stamp is too
	// recent to trust): the views decide.
	if err := os.Remove(filepath.Join(inst("alpha"), "reports", "2025-11.md")); err != nil {
		t.Fatal(err)
	}
	build(later)
	same("report removed", later)

	// Behind the build's back: an output page deleted, a whole directory
	// deleted, a stray file and a stray directory added.
	os.Remove(filepath.Join(out, "institutions", "alpha", "reports", "2025-07.html"))
	os.RemoveAll(filepath.Join(out, "results"))
	os.WriteFile(filepath.Join(out, "institutions", "stray.html"), []byte("x"), 0o644)
	os.MkdirAll(filepath.Join(out, "stray", "deep"), 0o755)
	os.WriteFile(filepath.Join(out, "stray", "deep", "x.html"), []byte("x"), 0o644)
	res = build(later)
	same("output tampered with", later)
	if res.Removed != 2 {
		t.Errorf("tampered: removed %d; want the 2 stray files", res.Removed)
	}
	if _, err := os.Stat(filepath.Join(out, "stray")); !os.IsNotExist(err) {
		t.Errorf("stray directory left behind: %v", err)
	}
}

// TestBuildAfterInterruptedBuild: a build that stops half way leaves a
// manifest the next build does not trust, so files it wrote are compared
// with what the next build renders.
func TestBuildAfterInterruptedBuild(t *testing.T) {
	repo := loadFixture(t, "basic.txtar")
	dir, _ := buildTo(t, repo)
	page := filepath.Join(dir, "institutions", "alpha", "index.html")
	good, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	// What an interrupted build does first: mark the manifest, then write.
	o, err := openOutput(dir, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	o.markDirty()
	if err := os.WriteFile(page, []byte("half a build"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Build(repo, &Options{Out: dir, Now: testNow}); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(page); string(got) != string(good) {
		t.Errorf("a page written by an interrupted build was kept: %.40q", got)
	}
}

// TestManifestRoundTrip: what write stores, readManifest gives back, paths
// with spaces included; damaged lines are skipped, not misread.
func TestManifestRoundTrip(t *testing.T) {
	m := newManifest()
	m.Now = "2026-11-27"
	m.Groups["i/alpha"] = [16]byte{1, 2, 3}
	m.Inputs["i/alpha"] = [16]byte{4, 5, 6}
	m.Inputs["@global"] = [16]byte{7}
	m.Dirs["."] = dirStamp{9}
	m.Dirs["notices/a b"] = dirStamp{10}
	m.Files["notices/a b/申报 表 (1).docx"] = fileEntry{Group: "site/notices", Size: 12, Sum: [16]byte{11}}
	m.Files["index.html"] = fileEntry{Group: "site/home", Size: 0, Sum: [16]byte{12}}
	dir := t.TempDir()
	if err := m.write(dir); err != nil {
		t.Fatal(err)
	}
	got, err := readManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.raw) != 2 || got.raw["site/notices"].files != 1 || got.raw["site/home"].pages != 1 {
		t.Errorf("file lines not kept by group: %+v", got.raw)
	}
	got.parseAll()
	got.byGroup, m.byGroup = nil, nil
	if !reflect.DeepEqual(got, m) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, m)
	}
	f := filepath.Join(dir, ManifestName)
	data, _ := os.ReadFile(f)
	damaged := strings.Replace(string(data), "F site/home 0 ", "F site/home x ", 1) + "F short\nD zz .\nG g nothex\n"
	os.WriteFile(f, []byte(damaged), 0o644)
	got, err = readManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	got.parseAll()
	if _, ok := got.Files["index.html"]; ok || len(got.Files) != 1 || len(got.Dirs) != 2 || len(got.Groups) != 1 {
		t.Errorf("damaged manifest read as %+v", got)
	}
}

// TestManifestOtherVersion: the manifest is a cache; one of another
// version (here 2, whose file lines were sorted by path) is not read, and
// the build after it compares every file with what it renders.
func TestManifestOtherVersion(t *testing.T) {
	repo := loadFixture(t, "basic.txtar")
	dir, _ := buildTo(t, repo)
	page := filepath.Join(dir, "institutions", "alpha", "index.html")
	good, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	// Changed in place (no directory stamp moves), under a manifest that
	// says version 2.
	if err := os.WriteFile(page, []byte("stale"), 0o644); err != nil {
		t.Fatal(err)
	}
	mf := filepath.Join(dir, ManifestName)
	data, err := os.ReadFile(mf)
	if err != nil {
		t.Fatal(err)
	}
	v2 := strings.Replace(string(data), manifestHeader, "kjjr-manifest 2", 1)
	if err := os.WriteFile(mf, []byte(v2), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Build(repo, &Options{Out: dir, Now: testNow}); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(page); string(got) != string(good) {
		t.Errorf("a page listed in a version-2 manifest was trusted: %.40q", got)
	}
	if got, _ := os.ReadFile(mf); !strings.HasPrefix(string(got), manifestHeader+"\n") {
		t.Errorf("manifest not rewritten in this version: %.40q", got)
	}
}

// TestManifestSplitGroup: a manifest whose render groups are not each in
// one block was not written by Build; it is read as empty.
func TestManifestSplitGroup(t *testing.T) {
	for name, text := range map[string]string{
		"version 2": "kjjr-manifest 2\nN 2026-11-27\nF i/a 4 0102030405060708090a0b0c0d0e0f10 institutions/a/index.html\n",
		"split": manifestHeader + "\nN 2026-11-27\nG i/a 0102030405060708090a0b0c0d0e0f10\n" +
			"F i/a 4 0102030405060708090a0b0c0d0e0f10 institutions/a/index.html\n" +
			"F site/directory 5 0102030405060708090a0b0c0d0e0f10 institutions/index.html\n" +
			"F i/a 6 0102030405060708090a0b0c0d0e0f10 institutions/a/reports/2025-07.html\n",
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, ManifestName), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		m, err := readManifest(dir)
		if err != nil {
			t.Fatal(err)
		}
		if f, _ := m.counts(); f != 0 || len(m.Groups) != 0 || m.Now != "" {
			t.Errorf("%s: read %d files, groups %v, now %q; want an empty manifest", name, f, m.Groups, m.Now)
		}
	}
}
