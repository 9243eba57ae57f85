package site

import (
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"kjjr/content"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestServerUpdate: the dev server re-renders an edited report, shows a
// broken file's error on every page while serving the last good site,
// and recovers when the file is fixed. Update is what Watch calls.
func TestServerUpdate(t *testing.T) {
	dir := writeFixtureDir(t, "basic.txtar")
	srv, err := NewServer(&ServerOptions{Content: dir, Now: testNow, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	hs := httptest.NewServer(srv)
	defer hs.Close()
	page := hs.URL + "/institutions/alpha/reports/2025-08.html"
	if code, body := get(t, page); code != 200 || !strings.Contains(body, "<td>120.00</td>") || !strings.Contains(body, `/_kjjr/live.js?g=0"`) {
		t.Fatalf("GET report: %d\n%s", code, body)
	}
	rel := "institutions/alpha/reports/2025-08.md"
	file := filepath.Join(dir, filepath.FromSlash(rel))

	editInPlace(t, file, "financing_wan: 120", "financing_wan: 777")
	srv.Update([]string{rel})
	if _, body := get(t, page); !strings.Contains(body, "<td>777.00</td>") {
		t.Errorf("edited report not served:\n%s", body)
	}
	if _, body := get(t, hs.URL+"/statistics/"); !strings.Contains(body, "<td>777.00</td>") {
		t.Errorf("statistics not updated")
	}

	editInPlace(t, file, "kind: monthly", "kind: [monthly")
	srv.Update([]string{rel})
	if len(srv.Errors()) != 1 {
		t.Errorf("Errors() = %q; want the broken file's", srv.Errors())
	}
	code, body := get(t, hs.URL+"/")
	if code != 200 || !strings.Contains(body, `class="dev-error" role="alert"`) || !strings.Contains(body, rel+":") {
		t.Errorf("home page during the error: %d\n%s", code, body)
	}
	if _, body := get(t, page); !strings.Contains(body, "<td>777.00</td>") {
		t.Errorf("the last good page is not served during the error")
	}

	editInPlace(t, file, "kind: [monthly", "kind: monthly")
	srv.Update([]string{rel})
	if _, body := get(t, hs.URL+"/"); strings.Contains(body, "dev-error") {
		t.Errorf("error still shown after the fix")
	}

	// A new institution (a new directory) needs a full reload.
	editInPlace(t, filepath.Join(dir, "institutions/gamma/index.md"), "晋中伽马咨询有限公司", "晋中伽马新名称有限公司")
	srv.Update([]string{"institutions/gamma/index.md"})
	if _, body := get(t, hs.URL+"/institutions/"); !strings.Contains(body, "晋中伽马新名称有限公司") {
		t.Errorf("renamed institution not in the directory")
	}
	if code, _ := get(t, hs.URL+"/no/such/page"); code != 404 {
		t.Errorf("missing page: %d; want 404", code)
	}
	if code, _ := get(t, hs.URL+"/"+ManifestName); code != 404 {
		t.Errorf("manifest is served: %d", code)
	}
	if code, _ := get(t, hs.URL+"/_kjjr/live.js"); code != 200 {
		t.Errorf("live.js: %d", code)
	}
}

// TestServerNewDay: when the date changes while the server runs, an edit
// re-renders every institution (deadlines may have passed for all), not
// only the edited one.
func TestServerNewDay(t *testing.T) {
	dir := writeFixtureDir(t, "basic.txtar")
	srv, err := NewServer(&ServerOptions{Content: dir, Now: testNow, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	later := testNow.AddDays(75)
	srv.mu.Lock()
	srv.opts.Now = later
	srv.mu.Unlock()
	// An edit of beta's report; alpha's compliance row grows with the date.
	rel := "institutions/beta/reports/2025-07.md"
	editInPlace(t, filepath.Join(dir, filepath.FromSlash(rel)), "financing_wan: 10", "financing_wan: 11")
	srv.Update([]string{rel})

	repo, err := content.Load(content.DirFS(dir), nil)
	if err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(t.TempDir(), "fresh")
	if _, err := Build(repo, &Options{Out: fresh, Now: later, Dev: true}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"institutions/alpha/index.html", "institutions/beta/index.html", "index.html"} {
		want := readOut(t, fresh, p)
		if got := readOut(t, srv.Out(), p); got != want {
			t.Errorf("%s after the date changed differs from a build as of %s", p, later)
		}
	}
	if !strings.Contains(readOut(t, fresh, "institutions/alpha/index.html"), "<th scope=\"row\">2026") {
		t.Fatalf("fixture: alpha's page as of %s has no 2026 row; pick another date", later)
	}
}
