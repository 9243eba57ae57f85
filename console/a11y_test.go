package console

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"kjjr/internal/webcheck"
)

// Every console page, logged in, passes the W3C Nu checker without an
// error and axe-core without a serious or critical violation. The pages
// are found by crawling the console from the dashboard along its links
// (so a page added later is checked without a list to keep up), plus the
// pages only a form or an anonymous visit shows: the login page, a
// refusal, and the previews of a broken edit.

// a11yConsole is a console on the fixture with something on every page:
// a pending submission and a resubmission, a quarantined mail.
func a11yConsole(t *testing.T) *consoleFixture {
	t.Helper()
	f := startConsole(t, nil)
	f.submit("beta", monthly("beta", "2026-04", at("2026-05-05 10:00"), 8, "50"))
	f.submit("alpha", monthly("alpha", "2026-04", at("2026-05-04 10:00"), 8, "50"))
	f.submit("alpha", monthly("alpha", "2026-04", at("2026-05-05 10:00"), 9, "60"))
	dir := filepath.Join(f.bare, "kjjr", "quarantine", "0123456789abcdef0123")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	rec := `{"id":"0123456789abcdef0123","received_at":"2026-05-04T10:00:00+08:00","from":"stranger@evil.example",` +
		`"subject":"四月报表","reason":"unknown_sender","reasons":["发件人 stranger@evil.example 未登记为任何机构的报送邮箱"],` +
		`"files":[{"name":"报表.xlsx","size":1234}],"size":2000,"stored":"header","receipt":false}`
	if err := os.WriteFile(filepath.Join(dir, "record.json"), []byte(rec), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

var hrefRE = regexp.MustCompile(`href="(/[^"#]*)"`)

// crawl returns the console's pages reachable from / over GET links
// (at most max), with their HTML.
func crawl(t *testing.T, c *client, max int) (paths []string, pages map[string]string) {
	t.Helper()
	pages = map[string]string{}
	queue := []string{"/"}
	seen := map[string]bool{"/": true}
	for len(queue) > 0 && len(paths) < max {
		p := queue[0]
		queue = queue[1:]
		resp, body := c.get(p)
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			continue // a download
		}
		if resp.StatusCode != 200 {
			t.Errorf("%s: status %d", p, resp.StatusCode)
		}
		paths = append(paths, p)
		pages[p] = body
		for _, m := range hrefRE.FindAllStringSubmatch(body, -1) {
			l := strings.ReplaceAll(m[1], "&amp;", "&")
			if strings.HasPrefix(l, "/assets/") || seen[l] {
				continue
			}
			seen[l] = true
			queue = append(queue, l)
		}
	}
	return paths, pages
}

func TestConsoleNuHTMLChecker(t *testing.T) {
	f := a11yConsole(t)
	dir := t.TempDir()
	save := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name+".html"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	anon := newClient(t, f.url)
	_, body := anon.get("/login")
	save("login", body)
	c := newClient(t, f.url)
	c.login(staffName, staffPass)
	paths, pages := crawl(t, c, 80)
	if len(paths) < 8 {
		t.Fatalf("crawl found only %v", paths)
	}
	for i, p := range paths {
		save(fmt.Sprintf("page%02d", i), pages[p])
	}
	_, body = c.get("/review/submit/nope/2026-04")
	save("refusal", body)
	_, body = c.get("/institutions/beta")
	form := instFormValues(t, body)
	form.Set("office_address", "")
	form.Add("sender_email", "not an address")
	form.Set("team_size", "很多")
	form.Set("action", "preview")
	_, body = c.post("/institutions/beta", form)
	save("institution-problems", body)
	form.Set("team_size", "5")
	_, body = c.post("/institutions/beta", form)
	save("institution-preview", body)
	_, body = c.get("/assess/2026")
	_, body = c.post("/assess/2026", url.Values{"csrf": {find(t, csrfRE, body)}, "tip": {find(t, tipRE, body)}, "assessed_on": {"2026-05-06"}, "final": {"1"}, "action": {"preview"}})
	save("assess-preview", body)
	t.Logf("checked %d pages: %v", len(paths)+5, paths)
	for _, m := range webcheck.Nu(t, dir) {
		t.Error(m)
	}
}

func TestConsoleAxe(t *testing.T) {
	axeJS := webcheck.AxeScript(t)
	f := a11yConsole(t)
	c := newClient(t, f.url)
	c.login(staffName, staffPass)
	paths, _ := crawl(t, c, 80)
	tb := newTab(t)
	check := func(name string) {
		t.Helper()
		vs, err := webcheck.Axe(tb.ctx, axeJS)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, v := range vs {
			if v.Serious() {
				t.Errorf("%s: %s", name, v)
			} else {
				t.Logf("%s: %s", name, v)
			}
		}
	}
	tb.do(t, chromedp.Navigate(f.url+"/login"), chromedp.WaitVisible(chromedp.CSS("#login")))
	check("/login")
	tb.login(t, f.url, staffName, staffPass)
	for _, p := range paths {
		tb.do(t, chromedp.Navigate(f.url+p), chromedp.WaitReady(chromedp.CSS("main")))
		check(p)
	}
	tb.do(t, chromedp.Navigate(f.url+"/review/submit/nope/2026-04"), chromedp.WaitVisible(chromedp.CSS("#message")))
	check("refusal")
	tb.do(t, chromedp.Navigate(f.url+"/institutions/beta"), chromedp.WaitVisible(chromedp.CSS("#office_address")),
		chromedp.Clear(chromedp.CSS("#office_address")), chromedp.Click(chromedp.CSS("#preview")), chromedp.WaitVisible(chromedp.CSS("#newerrors")))
	check("institution preview")
	tb.do(t, chromedp.Navigate(f.url+"/assess/2026"), chromedp.WaitVisible(chromedp.CSS("#final")),
		chromedp.Click(chromedp.CSS("#final")), chromedp.Click(chromedp.CSS("#preview")), chromedp.WaitVisible(chromedp.CSS("#newerrors")))
	check("assess preview")
	t.Logf("checked %d pages", len(paths)+4)
	tb.checkErrors(t)
}
