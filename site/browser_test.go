package site

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"kjjr/internal/testenv"
)

// Browser tests drive Debian's headless Chromium over a built site. The
// browser starts once per package (TestMain stops it). Without chromium
// they skip, except in CI (CI=true), where they fail.

func TestMain(m *testing.M) {
	code := m.Run()
	stopBrowser()
	os.Exit(code)
}

var (
	browserOnce sync.Once
	browserCtx  context.Context
	browserStop func()
	browserErr  error
)

func chromiumPath() (string, error) {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no chromium on PATH (apt-get install chromium)")
}

func startBrowser() {
	p, _ := chromiumPath()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(p), chromedp.DisableGPU,
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-quic", true),
		chromedp.WindowSize(1024, 768))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	if err := chromedp.Do(ctx); err != nil {
		browserErr = fmt.Errorf("start chromium: %w", err)
	}
	browserCtx = ctx
	browserStop = func() { cancel(); cancelA() }
}

func stopBrowser() {
	if browserStop != nil {
		browserStop()
	}
}

// tab opens a new tab and records its console errors, uncaught
// exceptions, failed loads and any request that leaves 127.0.0.1.
type tab struct {
	ctx    context.Context
	mu     sync.Mutex
	errors []string
}

func newTab(t *testing.T) *tab {
	t.Helper()
	_, err := chromiumPath()
	testenv.Need(t, "chromium", err)
	browserOnce.Do(startBrowser)
	if browserErr != nil {
		testenv.Need(t, "chromium", browserErr)
	}
	ctx, cancel := chromedp.NewContext(browserCtx)
	t.Cleanup(cancel)
	tb := &tab{ctx: ctx}
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open tab: %v", err)
	}
	if err := chromedp.Listen(ctx, func(ev any) {
		var msg string
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			msg = "exception: " + ev.ExceptionDetails.Text
			if ev.ExceptionDetails.Exception != nil {
				msg += " " + ev.ExceptionDetails.Exception.Description
			}
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
				msg = fmt.Sprintf("console.%s", ev.Type)
				for _, a := range ev.Args {
					msg += " " + string(a.Value)
				}
			}
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError || ev.Entry.Level == log.EntryLevelWarning {
				msg = "log: " + ev.Entry.Text + " " + ev.Entry.URL
			}
		case *network.EventRequestWillBeSent:
			u, err := url.Parse(ev.Request.URL)
			if err == nil && u.Scheme != "data" && u.Hostname() != "127.0.0.1" {
				msg = "external request: " + ev.Request.URL
			}
		}
		if msg != "" {
			tb.mu.Lock()
			tb.errors = append(tb.errors, msg)
			tb.mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	return tb
}

func (tb *tab) takeErrors() []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	e := tb.errors
	tb.errors = nil
	return e
}

func (tb *tab) do(t *testing.T, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("browser: %v", err)
	}
}

// waitFor evaluates js until it is true, across page reloads (which
// interrupt chromedp.Poll).
func (tb *tab) waitFor(js string) error {
	deadline := time.Now().Add(15 * time.Second)
	var last error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(tb.ctx, 2*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		cancel()
		if err == nil && ok {
			return nil
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("timed out waiting for %s (last error: %v)", js, last)
}

func eval[T any](t *testing.T, tb *tab, js string, opts ...chromedp.EvaluateOption) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, opts...))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// serveSite builds the basic fixture and serves it under /kjjr/, the
// sub-path of its base_url, like a production web server configured as
// the README says: nosniff and ContentSecurityPolicy, so that a page
// that breaks the policy shows as a console error.
func serveSite(t *testing.T) string {
	t.Helper()
	dir, _ := buildTo(t, loadFixture(t, "basic.txtar"))
	mux := http.NewServeMux()
	files := http.StripPrefix("/kjjr/", http.FileServer(http.Dir(dir)))
	mux.Handle("/kjjr/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Content-Security-Policy", ContentSecurityPolicy)
		files.ServeHTTP(w, r)
	}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL + "/kjjr/"
}

var mainPages = []string{
	"", "institutions/", "institutions/alpha/", "institutions/alpha/reports/2025-07.html", "notices/",
	"notices/2025-03-18-measures/", "rounds/2025-1/", "publicity/2025-06-03-round-1/", "results/", "results/2025/",
	"statistics/", "data/", "search/", "baosong/", "404.html",
}

func TestBrowserPagesLoadWithoutErrors(t *testing.T) {
	tb := newTab(t)
	base := serveSite(t)
	for _, p := range mainPages {
		tb.do(t, chromedp.Navigate(base+p), chromedp.WaitReady(chromedp.CSS("footer")))
		h1 := eval[string](t, tb, `document.querySelector("h1") ? document.querySelector("h1").textContent : ""`)
		css := eval[string](t, tb, `getComputedStyle(document.querySelector(".masthead")).backgroundColor`)
		if h1 == "" {
			t.Errorf("%s: no h1", p)
		}
		if css != "rgb(143, 29, 29)" {
			t.Errorf("%s: stylesheet not applied (masthead %s): relative links broken under the sub-path?", p, css)
		}
		if errs := tb.takeErrors(); len(errs) > 0 {
			t.Errorf("%s: %v", p, errs)
		}
	}
	// Every link on the home page resolves (relative links under /kjjr/).
	tb.do(t, chromedp.Navigate(base))
	links := eval[[]string](t, tb, `Array.from(document.querySelectorAll("a[href]")).map(a => a.href).filter(h => h.startsWith(location.origin))`)
	for _, l := range links {
		resp, err := http.Get(l)
		if err != nil || resp.StatusCode != 200 {
			t.Errorf("home page link %s: %v %v", l, err, resp)
		}
		if resp != nil {
			resp.Body.Close()
		}
	}
}

func TestBrowserSearchFindsInstitutionByTwoCharacters(t *testing.T) {
	tb := newTab(t)
	base := serveSite(t)
	tb.do(t, chromedp.Navigate(base+"search/"), chromedp.WaitReady(chromedp.CSS("#q")),
		chromedp.SetValue(chromedp.CSS("#q"), "贝塔"), chromedp.Click(chromedp.CSS(`#search-form button`)))
	ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
	defer cancel()
	href, err := chromedp.Run(ctx, chromedp.Poll[string](
		`(document.querySelector('#search-results a') || {}).href || false`))
	if err != nil {
		t.Fatalf("no search result for 贝塔: %v", err)
	}
	if !strings.HasSuffix(href, "/kjjr/institutions/beta/") {
		t.Errorf("first result for 贝塔 = %s; want the institution page", href)
	}
	status := eval[string](t, tb, `document.getElementById("search-status").textContent`)
	if !strings.Contains(status, "找到") {
		t.Errorf("status = %q", status)
	}
	// The result link works, and a query in the URL runs on load.
	tb.do(t, chromedp.Navigate(base+"search/?q="+url.QueryEscape("阿尔")))
	ctx2, cancel2 := context.WithTimeout(tb.ctx, 10*time.Second)
	defer cancel2()
	if _, err := chromedp.Run(ctx2, chromedp.Poll[bool](`!!document.querySelector('#search-results a[href$="institutions/alpha/"]')`)); err != nil {
		t.Errorf("?q=阿尔 found nothing: %v", err)
	}
	tb.do(t, chromedp.Navigate(base+"search/?q="+url.QueryEscape("不存在的")))
	ctx3, cancel3 := context.WithTimeout(tb.ctx, 10*time.Second)
	defer cancel3()
	if _, err := chromedp.Run(ctx3, chromedp.Poll[bool](`document.getElementById("search-status").textContent.includes("没有找到")`)); err != nil {
		t.Errorf("no 'nothing found' message: %v", err)
	}
	if errs := tb.takeErrors(); len(errs) > 0 {
		t.Errorf("console: %v", errs)
	}
}

func TestBrowserKeyboardReachesMainLinks(t *testing.T) {
	tb := newTab(t)
	base := serveSite(t)
	tb.do(t, chromedp.Navigate(base+"institutions/alpha/"), chromedp.WaitReady(chromedp.CSS("footer")))
	var seen []string
	for i := 0; i < 25; i++ {
		tb.do(t, chromedp.KeyEvent("\t"))
		seen = append(seen, eval[string](t, tb, `(document.activeElement.textContent || "").trim() + "|" + (document.activeElement.getAttribute("href") || "")`))
	}
	joined := strings.Join(seen, "\n")
	if !strings.HasPrefix(seen[0], "跳到正文|#main") {
		t.Errorf("first Tab stop = %q; want the skip link", seen[0])
	}
	for _, want := range []string{"首页|../../", "机构名录|../../institutions/", "通知公告|../../notices/", "公示|../../publicity/", "考核结果|../../results/", "搜索|../../search/"} {
		if !strings.Contains(joined, want) {
			t.Errorf("Tab never reaches %q; stops:\n%s", want, joined)
		}
	}
	// The focused element is visibly outlined.
	outline := eval[string](t, tb, `getComputedStyle(document.activeElement).outlineStyle`)
	if outline == "none" {
		t.Errorf("focused element has no visible outline")
	}
	// The skip link moves focus to the main content.
	tb.do(t, chromedp.Navigate(base), chromedp.WaitReady(chromedp.CSS("footer")), chromedp.KeyEvent("\t"), chromedp.KeyEvent("\r"))
	if id := eval[string](t, tb, `document.activeElement.id`); id != "main" {
		t.Errorf("after the skip link, focus is on %q; want main", id)
	}
	// The large-text toggle (适老化) enlarges the text.
	before := eval[string](t, tb, `getComputedStyle(document.documentElement).fontSize`)
	tb.do(t, chromedp.Click(chromedp.CSS("#textsize")))
	after := eval[string](t, tb, `getComputedStyle(document.documentElement).fontSize`)
	if before == after {
		t.Errorf("大字版 did not change the font size (%s)", before)
	}
}

func TestBrowserServeReloadsAfterChange(t *testing.T) {
	tb := newTab(t)
	dir := writeFixtureDir(t, "basic.txtar")
	srv, err := NewServer(&ServerOptions{Content: dir, Now: testNow, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	watching := make(chan struct{})
	go func() { srv.Watch(ctx); close(watching) }()
	hs := httptest.NewServer(srv)
	// srv.Close ends the page's event stream, which hs.Close waits for.
	t.Cleanup(func() { cancel(); <-watching; srv.Close(); hs.Close() })
	waitWatching(t)

	tb.do(t, chromedp.Navigate(hs.URL+"/institutions/alpha/reports/2025-08.html"), chromedp.WaitReady(chromedp.CSS("footer")))
	eval[bool](t, tb, `window.kjjrMarker = true`)
	rep := filepath.Join(dir, "institutions/alpha/reports/2025-08.md")
	editInPlace(t, rep, "financing_wan: 120", "financing_wan: 777")
	if err := tb.waitFor(`!window.kjjrMarker && document.body.textContent.includes("777.00")`); err != nil {
		t.Fatalf("page did not reload with the new figure: %v", err)
	}
	// A broken file shows its error in the page; fixing it clears it.
	eval[bool](t, tb, `window.kjjrMarker = true`)
	editInPlace(t, rep, "kind: monthly", "kind: [monthly")
	if err := tb.waitFor(`!window.kjjrMarker && !!document.querySelector(".dev-error") && document.querySelector(".dev-error").textContent.includes("2025-08.md")`); err != nil {
		t.Fatalf("the error of a broken file is not shown: %v", err)
	}
	editInPlace(t, rep, "kind: [monthly", "kind: monthly")
	if err := tb.waitFor(`!document.querySelector(".dev-error") && document.body.textContent.includes("777.00")`); err != nil {
		t.Fatalf("the error stays after the fix: %v", err)
	}
	if errs := tb.takeErrors(); len(errs) > 0 {
		t.Errorf("console: %v", errs)
	}
}
