package content_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"kjjr/content"
	"kjjr/content/corpus"
)

// cacheRepo writes a small corpus into a temporary directory and returns
// it with a cache path outside it. Files written by the test are cached at
// once (no racy window); the test sleeps a little after each write so that
// the file's times are before the next Load starts.
func cacheRepo(t *testing.T) (dir, cache string) {
	t.Helper()
	content.SetRacyWindow(t, 0)
	dir = t.TempDir()
	if err := corpus.Write(dir, &corpus.Options{Institutions: 3, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	return dir, filepath.Join(t.TempDir(), "sub", "load.cache")
}

// sameRepo fails unless a and b hold the same records and diagnostics.
func sameRepo(t *testing.T, a, b *content.Repo) {
	t.Helper()
	if !reflect.DeepEqual(a.Diags, b.Diags) {
		t.Errorf("diagnostics differ:\n%v\n%v", a.Diags, b.Diags)
	}
	for _, f := range []struct {
		name string
		x, y any
	}{
		{"site", a.Site, b.Site}, {"calendar", a.Calendar, b.Calendar}, {"notices", a.Notices, b.Notices},
		{"rounds", a.Rounds, b.Rounds}, {"publicities", a.Publicities, b.Publicities},
		{"institutions", a.Institutions, b.Institutions}, {"results", a.Results, b.Results},
	} {
		if !reflect.DeepEqual(f.x, f.y) {
			t.Errorf("%s differ", f.name)
		}
	}
}

func load(t *testing.T, dir string, opts *content.LoadOptions) *content.Repo {
	t.Helper()
	if opts != nil && opts.Cache != "" {
		opts.CacheErr = func(err error) { t.Errorf("write cache: %v", err) }
	}
	repo, _ := content.Load(content.DirFS(dir), opts)
	return repo
}

func TestLoadCacheSameRecords(t *testing.T) {
	for _, public := range []bool{false, true} {
		dir, cache := cacheRepo(t)
		want := load(t, dir, &content.LoadOptions{Public: public})
		if len(want.Diags) > 0 || len(want.Institutions) != 3 {
			t.Fatalf("corpus: %d institutions, %v", len(want.Institutions), want.Diags)
		}
		cold := load(t, dir, &content.LoadOptions{Cache: cache, Public: public})
		if n := content.CacheHits(cold); n != 0 {
			t.Errorf("cold load: %d cache hits", n)
		}
		sameRepo(t, want, cold)
		warm := load(t, dir, &content.LoadOptions{Cache: cache, Public: public})
		if n := content.CacheHits(warm); n < 70 {
			t.Errorf("warm load: %d cache hits, want every file", n)
		}
		sameRepo(t, want, warm)
		// A cache written with Public is not used without it, and the other way round.
		other := load(t, dir, &content.LoadOptions{Cache: cache, Public: !public})
		if n := content.CacheHits(other); n != 0 {
			t.Errorf("public=%t load used a public=%t cache: %d hits", !public, public, n)
		}
	}
}

func TestLoadCachePublicDropsPrivate(t *testing.T) {
	dir, cache := cacheRepo(t)
	full := load(t, dir, nil)
	inst := full.Institutions[0]
	if len(inst.ReportSenders) == 0 || inst.Reports[0].Sender == "" {
		t.Fatal("corpus has no private fields to drop")
	}
	for i := 0; i < 2; i++ {
		pub := load(t, dir, &content.LoadOptions{Cache: cache, Public: true})
		for _, inst := range pub.Institutions {
			if inst.ReportSenders != nil || inst.DKIMKeys != nil {
				t.Errorf("%s: report senders or DKIM keys kept", inst.Slug)
			}
			for _, r := range inst.Reports {
				if r.Sender != "" || r.MessageID != "" || r.SourceSHA256 != "" || r.Filer != "" || r.Phone != "" ||
					r.Financing != nil || r.Enterprises != nil || r.Documents != nil || r.Evidence != nil || r.Skipped != nil || r.Warnings != nil || r.Body != "" {
					t.Errorf("%s: private fields kept", r.File)
				}
			}
		}
		if a, b := pub.Institutions[0].Reports[0].Indicators, full.Institutions[0].Reports[0].Indicators; !reflect.DeepEqual(a, b) {
			t.Errorf("public indicators %v, want %v", a, b)
		}
		// What the public load keeps of the enterprise lists counts the same.
		listed := 0
		for j, inst := range full.Institutions {
			for k, r := range inst.Reports {
				if r.Enterprises != nil {
					listed++
				}
				if a, b := pub.Institutions[j].Reports[k].ServedSet(), r.ServedSet(); !reflect.DeepEqual(a, b) {
					t.Errorf("%s: public served %+v, want %+v", r.File, a, b)
				}
			}
		}
		if listed == 0 {
			t.Error("corpus has no 服务企业名单: the test proves nothing")
		}
	}
	data, err := os.ReadFile(cache)
	if err != nil {
		t.Fatal(err)
	}
	if s := full.Institutions[0].ReportSenders[0].Email; strings.Contains(string(data), s) {
		t.Errorf("the cache holds the private address %s", s)
	}
}

// firstReport returns the path of the first report of the first institution.
func firstReport(t *testing.T, repo *content.Repo, dir string) (string, *content.Report) {
	t.Helper()
	r := repo.Institutions[0].Reports[0]
	return filepath.Join(dir, filepath.FromSlash(r.File)), r
}

func TestLoadCacheSeesEdits(t *testing.T) {
	dir, cache := cacheRepo(t)
	load(t, dir, &content.LoadOptions{Cache: cache})
	repo := load(t, dir, &content.LoadOptions{Cache: cache})
	file, rep := firstReport(t, repo, dir)
	served := rep.Indicators.EnterprisesServed
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	old := "enterprises_served: " + strconv.Itoa(served) + "\n"
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s has no %q", file, old)
	}
	// Same size: one digit changed (the modification time changes too).
	digit := (served%10 + 1) % 10
	sameSize := strings.Replace(string(data), old, "enterprises_served: "+strconv.Itoa(served/10*10+digit)+"\n", 1)
	if len(sameSize) != len(data) {
		t.Fatal("edit changed the size")
	}
	write := func(s string) {
		if err := os.WriteFile(file, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	write(sameSize)
	got := load(t, dir, &content.LoadOptions{Cache: cache})
	if _, r := firstReport(t, got, dir); r.Indicators.EnterprisesServed != served/10*10+digit {
		t.Errorf("same-size edit: enterprises_served = %d, want %d", r.Indicators.EnterprisesServed, served/10*10+digit)
	}
	sameRepo(t, load(t, dir, nil), got)

	// Same size and the old modification time put back: the change time
	// and inode still tell.
	fi, _ := os.Stat(file)
	write(string(data))
	os.Chtimes(file, fi.ModTime(), fi.ModTime())
	time.Sleep(20 * time.Millisecond)
	got = load(t, dir, &content.LoadOptions{Cache: cache})
	if _, r := firstReport(t, got, dir); r.Indicators.EnterprisesServed != served {
		t.Errorf("restored mtime: enterprises_served = %d, want %d", r.Indicators.EnterprisesServed, served)
	}

	// Another size.
	write(strings.Replace(string(data), old, "enterprises_served: 123456\n", 1))
	got = load(t, dir, &content.LoadOptions{Cache: cache})
	if _, r := firstReport(t, got, dir); r.Indicators.EnterprisesServed != 123456 {
		t.Errorf("resized edit: enterprises_served = %d, want 123456", r.Indicators.EnterprisesServed)
	}
	sameRepo(t, load(t, dir, nil), got)

	// A broken file gives the same diagnostics with and without the cache,
	// every time.
	write(strings.Replace(string(data), old, "enterprises_served: many\n", 1))
	for i := 0; i < 2; i++ {
		got = load(t, dir, &content.LoadOptions{Cache: cache})
		want := load(t, dir, nil)
		if len(want.Diags) == 0 {
			t.Fatal("broken report gave no diagnostic")
		}
		sameRepo(t, want, got)
	}

	// A removed file is gone.
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	got = load(t, dir, &content.LoadOptions{Cache: cache})
	sameRepo(t, load(t, dir, nil), got)
	if got.Institutions[0].Report(rep.Period) != nil {
		t.Error("removed report still loaded")
	}
}

func TestLoadCacheIgnoresBadCache(t *testing.T) {
	dir, cache := cacheRepo(t)
	want := load(t, dir, nil)
	load(t, dir, &content.LoadOptions{Cache: cache})
	good, err := os.ReadFile(cache)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitN(string(good), "\n", 3)
	for name, bad := range map[string]string{
		"empty":         "",
		"garbage":       "\x00\x01not a cache at all",
		"old version":   "kjjr-load-cache 0\n" + lines[1] + "\n" + lines[2],
		"other program": lines[0] + "\n" + lines[1] + "x\n" + lines[2],
		"truncated":     string(good[:len(good)*2/3]),
		"bad entry":     lines[0] + "\n" + lines[1] + "\n" + "J\x17" + `{"p":"site.yaml","k":1}` + lines[2],
		"bad report":    lines[0] + "\n" + lines[1] + "\n" + "R\x03abc" + lines[2],
		"wrong kind":    strings.Replace(string(good), `"k":7,`, `"k":8,`, 1),
		"unknown type":  lines[0] + "\n" + lines[1] + "\n" + "X\x00" + lines[2],
		"out of order":  lines[0] + "\n" + lines[1] + "\n" + lines[2] + lines[2],
	} {
		t.Run(name, func(t *testing.T) {
			if err := os.WriteFile(cache, []byte(bad), 0o600); err != nil {
				t.Fatal(err)
			}
			got := load(t, dir, &content.LoadOptions{Cache: cache})
			sameRepo(t, want, got)
			if n := content.CacheHits(got); n != 0 {
				t.Errorf("%d hits from a bad cache", n)
			}
			// Rebuilt: the next load takes everything from it.
			again := load(t, dir, &content.LoadOptions{Cache: cache})
			sameRepo(t, want, again)
			if n := content.CacheHits(again); n < 70 {
				t.Errorf("rebuilt cache: %d hits", n)
			}
		})
	}
}

// TestCacheReportFields fails when a field is added to Report,
// Indicators, Institution or its parts: the cache's binary forms
// (cache_report.go, cache_institution.go) must learn it, or the field
// would be lost on a warm Load.
func TestCacheReportFields(t *testing.T) {
	if n := reflect.TypeFor[content.Report]().NumField(); n != 20 {
		t.Errorf("Report has %d fields, the load cache knows 20: update appendReport and readReport", n)
	}
	if n := reflect.TypeFor[content.Indicators]().NumField(); n != 12 {
		t.Errorf("Indicators has %d fields, the load cache knows 12: update appendReport and readReport", n)
	}
	if n := reflect.TypeFor[content.Meta]().NumField(); n != 4 {
		t.Errorf("Meta has %d fields, the load cache knows 4: update appendReport and readReport", n)
	}
	for _, f := range []struct {
		typ reflect.Type
		n   int
	}{
		{reflect.TypeFor[content.Institution](), 20}, {reflect.TypeFor[content.Credit](), 4}, {reflect.TypeFor[content.Partners](), 4},
		{reflect.TypeFor[content.Team](), 2}, {reflect.TypeFor[content.Office](), 3}, {reflect.TypeFor[content.Contact](), 5},
	} {
		if n := f.typ.NumField(); n != f.n {
			t.Errorf("%s has %d fields, the load cache knows %d: update appendInstitution and readInstitution", f.typ.Name(), n, f.n)
		}
	}
}

func TestLoadCacheSkipsRecentFiles(t *testing.T) {
	dir, cache := cacheRepo(t)
	content.SetRacyWindow(t, time.Hour)
	load(t, dir, &content.LoadOptions{Cache: cache})
	if got := load(t, dir, &content.LoadOptions{Cache: cache}); content.CacheHits(got) != 0 {
		t.Errorf("files modified within the racy window were cached: %d hits", content.CacheHits(got))
	}
}

func TestLoadCacheNeedsModTimes(t *testing.T) {
	// A tree without modification times (like embed.FS) is never cached.
	content.SetRacyWindow(t, 0)
	fsys := fstest.MapFS{
		"site.yaml":           {Data: []byte("title: 测试\n")},
		"notices/a-notice.md": {Data: []byte("---\nkind: 通知\ntitle: 通知\ndate: 2025-03-01\n---\n正文\n")},
	}
	cache := filepath.Join(t.TempDir(), "c")
	for i := 0; i < 2; i++ {
		repo, _ := content.Load(fsys, &content.LoadOptions{Cache: cache})
		if content.CacheHits(repo) != 0 || len(repo.Notices) != 1 {
			t.Errorf("load %d: %d hits, %d notices", i, content.CacheHits(repo), len(repo.Notices))
		}
	}
}

func TestAppendStamp(t *testing.T) {
	dir, cache := cacheRepo(t)
	repo := load(t, dir, &content.LoadOptions{Cache: cache})
	file, rep := firstReport(t, repo, dir)
	before, ok := repo.AppendStamp(nil, rep.File)
	if !ok || len(before) == 0 {
		t.Fatalf("no stamp for %s", rep.File)
	}
	if _, ok := repo.AppendStamp(nil, "institutions/nobody/index.md"); ok {
		t.Error("stamp for a file that was not loaded")
	}
	if _, ok := load(t, dir, nil).AppendStamp(nil, rep.File); ok {
		t.Error("stamp without a cache (nothing was stat'ed)")
	}
	same := load(t, dir, &content.LoadOptions{Cache: cache})
	if again, _ := same.AppendStamp(nil, rep.File); string(again) != string(before) {
		t.Error("stamp changed without an edit")
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, data, 0o644); err != nil { // same bytes, a new write
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	after, ok := load(t, dir, &content.LoadOptions{Cache: cache}).AppendStamp(nil, rep.File)
	if !ok || string(after) == string(before) {
		t.Errorf("stamp did not change after a write (ok=%v)", ok)
	}
	content.SetRacyWindow(t, time.Hour)
	if _, ok := load(t, dir, &content.LoadOptions{Cache: cache}).AppendStamp(nil, rep.File); ok {
		t.Error("stamp of a file changed within the racy window is trusted")
	}
}

// TestLoadCacheRewrittenOnlyForEnough: one edited file in a repo of
// hundreds does not rewrite the whole cache (the file is decoded again,
// and right); edits to more than one file in a hundred do.
func TestLoadCacheRewrittenOnlyForEnough(t *testing.T) {
	content.SetRacyWindow(t, 0)
	dir := t.TempDir()
	if err := corpus.Write(dir, &corpus.Options{Institutions: 10, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	cache := filepath.Join(t.TempDir(), "load.cache")
	repo := load(t, dir, &content.LoadOptions{Cache: cache})
	written := func() time.Time {
		fi, err := os.Stat(cache)
		if err != nil {
			t.Fatal(err)
		}
		return fi.ModTime()
	}
	first := written()
	edit := func(i int) {
		r := repo.Institutions[i].Reports[0]
		p := filepath.Join(dir, filepath.FromSlash(r.File))
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		old := "enterprises_served: " + strconv.Itoa(r.Indicators.EnterprisesServed) + "\n"
		if err := os.WriteFile(p, []byte(strings.Replace(string(data), old, "enterprises_served: 4321\n", 1)), 0o644); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	edit(0)
	got := load(t, dir, &content.LoadOptions{Cache: cache})
	if v := got.Institutions[0].Reports[0].Indicators.EnterprisesServed; v != 4321 {
		t.Errorf("edited report read as %d; want 4321", v)
	}
	sameRepo(t, load(t, dir, nil), got)
	if !written().Equal(first) {
		t.Error("one edited file rewrote the whole cache")
	}
	for i := 1; i < 4; i++ {
		edit(i)
	}
	got = load(t, dir, &content.LoadOptions{Cache: cache})
	sameRepo(t, load(t, dir, nil), got)
	if written().Equal(first) {
		t.Error("four edited files of a few hundred did not rewrite the cache")
	}
	records := 0
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".md") || strings.HasSuffix(p, ".yaml")) {
			records++
		}
		return nil
	})
	if again := load(t, dir, &content.LoadOptions{Cache: cache}); content.CacheHits(again) != records {
		t.Errorf("after the rewrite: %d hits; want %d (every file)", content.CacheHits(again), records)
	}
}
