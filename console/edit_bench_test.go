package console

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kjjr/content/corpus"
)

// BenchmarkEditPages5000 times the 机构 and 考核 pages server-side on the
// 5000-institution, two-year corpus (kjjr/content/corpus, committed with
// the C git CLI): each sub-benchmark is one page, the first request
// (which fills the caches) outside the timer. KJJR_BENCH_REPO keeps the
// corpus between runs (it takes minutes to make).
//
//	KJJR_BENCH_REPO=/tmp/corpus go test -run '^$' -bench EditPages5000 -benchtime 5x ./console
func BenchmarkEditPages5000(b *testing.B) {
	dir := os.Getenv("KJJR_BENCH_REPO")
	if dir == "" {
		dir = filepath.Join(b.TempDir(), "repo")
	}
	if _, err := os.Stat(filepath.Join(dir, ".git")); err != nil {
		if err := corpus.Write(dir, &corpus.Options{Institutions: 5000}); err != nil {
			b.Fatal(err)
		}
		gitCmd(b, dir, nil, "init", "-q", "-b", "main")
		gitCmd(b, dir, nil, "add", "-A")
		gitCmd(b, dir, nil, "commit", "-q", "-m", "corpus")
	}
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	srv, err := New(Config{Repo: dir, Addr: "127.0.0.1:8080", Now: func() time.Time { return now }, Logf: b.Logf})
	if err != nil {
		b.Fatal(err)
	}
	st, err := LoadStaff(StaffFile(srv.GitDir()))
	if err != nil {
		b.Fatal(err)
	}
	if _, ok := st.Lookup(staffName); !ok {
		if err := st.Add(staffName, staffEmail, staffPass); err != nil {
			b.Fatal(err)
		}
	}
	acct, _ := st.Lookup(staffName)
	id, se := srv.sess.create(acct, now) // the session of the account as stored: a password change would end it
	h := srv.Handler()
	do := func(method, path string, form url.Values) *httptest.ResponseRecorder {
		var req *http.Request
		if form != nil {
			form.Set("csrf", se.csrf)
			req = httptest.NewRequest(method, "http://127.0.0.1:8080"+path, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		} else {
			req = httptest.NewRequest(method, "http://127.0.0.1:8080"+path, nil)
		}
		req.AddCookie(&http.Cookie{Name: srv.cookieName(), Value: id})
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatalf("%s %s: %d\n%s", method, path, w.Code, w.Body.String())
		}
		return w
	}
	page := do("GET", "/institutions/jg00042", nil).Body.String()
	form := formFields(page)
	form.Set("office_phone", "0354-0000000")
	tip := tipRE.FindStringSubmatch(page)
	if tip == nil {
		b.Fatalf("no tip in the form")
	}
	form.Set("tip", tip[1])
	form.Set("action", "preview")
	pages := []struct {
		name, method, path string
		form               url.Values
	}{
		{"roster", "GET", "/institutions/", nil},
		{"roster-filter", "GET", "/institutions/?q=jg049", nil},
		{"roster-last-page", "GET", "/institutions/?page=100", nil},
		{"institution", "GET", "/institutions/jg00042", nil},
		{"institution-preview", "POST", "/institutions/jg00042", form},
		{"assess-years", "GET", "/assess/", nil},
		{"assess-draft", "GET", "/assess/2025", nil},
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			do(p.method, p.path, p.form) // first load: caches
			for b.Loop() {
				do(p.method, p.path, p.form)
			}
		})
	}
}
