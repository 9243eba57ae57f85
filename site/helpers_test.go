package site

import (
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/rogpeppe/go-internal/txtar"

	"kjjr/content"
	"kjjr/content/jinzhong"
)

// testNow is the fixed build date of the tests.
var testNow = content.Date{Year: 2025, Month: 12, Day: 1}

// repoFS reads a txtar fixture into a file system, adding the official
// calendars from the embedded default when the fixture has none.
func repoFS(t testing.TB, arch *txtar.Archive) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	for _, f := range arch.Files {
		m[f.Name] = &fstest.MapFile{Data: f.Data, Mode: 0o644}
	}
	cal, err := fs.Glob(jinzhong.FS(), "calendar/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cal {
		if _, ok := m[c]; !ok {
			data, _ := fs.ReadFile(jinzhong.FS(), c)
			m[c] = &fstest.MapFile{Data: data, Mode: 0o644}
		}
	}
	return m
}

func loadFixture(t testing.TB, name string) *content.Repo {
	t.Helper()
	arch, err := txtar.ParseFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return loadArchive(t, arch)
}

func loadArchive(t testing.TB, arch *txtar.Archive) *content.Repo {
	t.Helper()
	repo, err := content.Load(repoFS(t, arch), nil)
	if err != nil {
		t.Fatalf("load fixture: %v", err)
	}
	return repo
}

// buildTo builds repo as of testNow into a new directory and returns it.
func buildTo(t testing.TB, repo *content.Repo) (string, *Result) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "public")
	res, err := Build(repo, &Options{Out: dir, Now: testNow})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return dir, res
}

func readOut(t testing.TB, dir, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatalf("read output: %v", err)
	}
	return string(b)
}

// walkOut returns every output file's slash path and content.
func walkOut(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b, err := os.ReadFile(p)
		out[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func mustContain(t *testing.T, name, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("%s: missing %q", name, w)
		}
	}
}

func defaultRepo(t testing.TB) *content.Repo {
	t.Helper()
	repo, err := content.Load(jinzhong.FS(), nil)
	if err != nil {
		t.Fatalf("load default dataset: %v", err)
	}
	return repo
}

// writeFixtureDir writes a fixture (with calendars) into a directory.
func writeFixtureDir(t testing.TB, name string) string {
	t.Helper()
	arch, err := txtar.ParseFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for p, f := range repoFS(t, arch) {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// editInPlace rewrites a file the way an editor saving in place does.
func editInPlace(t testing.TB, p, old, new string) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s has no %q", p, old)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// waitWatching gives the watcher goroutine time to register its watches.
// fsnotify has no "ready" signal; Watch adds them before its first select.
func waitWatching(t testing.TB) { time.Sleep(100 * time.Millisecond) }
