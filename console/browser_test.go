package console

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/mail"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Browser tests drive Debian's headless Chromium against a console on a
// fixture repo. The browser starts once per package (TestMain stops it).
// Without chromium they skip, except in CI (CI=true), where they fail.

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

// tab is a browser tab (its own cookies: a new browser context) that
// records exceptions, console errors and any request leaving 127.0.0.1.
type tab struct {
	ctx    context.Context
	mu     sync.Mutex
	errors []string
}

func newTab(t *testing.T) *tab {
	t.Helper()
	_, err := chromiumPath()
	requireTool(t, "chromium", err)
	browserOnce.Do(startBrowser)
	if browserErr != nil {
		requireTool(t, "chromium", browserErr)
	}
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
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
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				msg = "console.error"
			}
		case *network.EventRequestWillBeSent:
			if u, err := url.Parse(ev.Request.URL); err == nil && u.Scheme != "data" && u.Hostname() != "127.0.0.1" {
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

func (tb *tab) do(t *testing.T, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("browser: %v", err)
	}
}

func (tb *tab) text(t *testing.T, sel string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return v
}

// waitJS waits until the JavaScript expression cond is true in the page,
// for what no selector can say (a page restored from the back/forward
// cache, a text that appears after a script's navigation).
func (tb *tab) waitJS(t *testing.T, cond string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](cond))
		if err == nil && ok {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("waiting for %s: %v", cond, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (tb *tab) location(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func (tb *tab) login(t *testing.T, base, name, pw string) {
	t.Helper()
	tb.do(t, chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#name")),
		chromedp.SendKeys(chromedp.CSS("#name"), name), chromedp.SendKeys(chromedp.CSS("#password"), pw),
		chromedp.Click(chromedp.CSS("#login")),
		// Wait for what only the page after the submit has: the dashboard's
		// count or the login form's error. Waiting for "main" raced the
		// navigation, since the login page has a main too.
		chromedp.WaitVisible(chromedp.CSS("#pending, #error")))
}

func (tb *tab) checkErrors(t *testing.T) {
	t.Helper()
	tb.mu.Lock()
	defer tb.mu.Unlock()
	if len(tb.errors) > 0 {
		t.Errorf("browser errors: %s", strings.Join(tb.errors, "; "))
	}
}

// TestBrowserReviewLoop logs in, approves one submission and rejects
// another with a reason, then logs out, in a real browser.
func TestBrowserReviewLoop(t *testing.T) {
	f := startConsole(t, nil)
	betaTip := f.submit("beta", monthly("beta", "2026-04", at("2026-05-05 10:00"), 8, "50"))
	gammaTip := f.submit("gamma", monthly("gamma", "2026-04", at("2026-05-12 10:00"), 3, "20"))
	tb := newTab(t)

	tb.login(t, f.url, staffName, staffPass)
	if h := tb.text(t, "h1"); h != "工作台" {
		t.Fatalf("after login: %q at %s", h, tb.location(t))
	}
	if n := tb.text(t, "#pending"); n != "2" {
		t.Errorf("dashboard pending: %q", n)
	}

	// 通过: main gets a merge commit authored by the logged-in staff member.
	tb.do(t, chromedp.Click(chromedp.CSS(`a[href="/review/"]`)), chromedp.WaitVisible(chromedp.CSS("#queue")),
		chromedp.Click(chromedp.CSS(`a[href="/review/submit/beta/2026-04"]`)), chromedp.WaitVisible(chromedp.CSS("#approve")),
		chromedp.Click(chromedp.CSS("#approve")), chromedp.WaitVisible(chromedp.CSS("#flash")))
	if fl := tb.text(t, "#flash"); !strings.Contains(fl, "已审核通过") || !strings.Contains(fl, staffName) {
		t.Fatalf("flash after approve: %q", fl)
	}
	if got := f.mainTip("%an <%ae>|%P"); !strings.HasPrefix(got, staffName+" <"+staffEmail+">|") || !strings.HasSuffix(got, betaTip) {
		t.Fatalf("main's tip: %q, want a merge of %s by %s", got, betaTip, staffName)
	}
	gitCmd(t, f.bare, nil, "fsck", "--strict")

	// 驳回 with a reason: the branch goes, the receipt is queued.
	tb.do(t, chromedp.Click(chromedp.CSS(`a[href="/review/submit/gamma/2026-04"]`)), chromedp.WaitVisible(chromedp.CSS("#reject")),
		chromedp.SendKeys(chromedp.CSS("#reason_text"), "融资明细缺少放款凭证"),
		chromedp.Click(chromedp.CSS("#reject")), chromedp.WaitVisible(chromedp.CSS("#flash")))
	fl := tb.text(t, "#flash")
	if !strings.Contains(fl, "已驳回") || !strings.Contains(fl, "回执已放入发件队列") || !strings.Contains(fl, institutions["gamma"][1]) {
		t.Fatalf("flash after reject: %q", fl)
	}
	if out := gitCmd(t, f.bare, nil, "branch", "--list", "submit/gamma/2026-04"); out != "" {
		t.Fatal("rejected branch still there")
	}
	if kept := gitCmd(t, f.bare, nil, "for-each-ref", "--format=%(objectname)", "refs/kjjr/rejected/gamma/"); kept != gammaTip {
		t.Fatalf("rejected commits kept as %q, want %s", kept, gammaTip)
	}
	queued := receiptsIn(t, filepath.Join(f.bare, "kjjr", "outbox"))
	if !strings.Contains(queued, "融资明细缺少放款凭证") || !strings.Contains(queued, institutions["gamma"][1]) {
		t.Fatalf("queued receipt lacks the reason or recipient:\n%s", queued)
	}
	if n := tb.text(t, "#empty"); !strings.Contains(n, "没有待审核") {
		t.Errorf("queue after both: %q", n)
	}

	// 退出登录: the console is closed again.
	tb.do(t, chromedp.Click(chromedp.CSS(`header button`)), chromedp.WaitVisible(chromedp.CSS("#login")),
		chromedp.Navigate(f.url+"/review/"), chromedp.WaitVisible(chromedp.CSS("#login")))
	if loc := tb.location(t); !strings.HasSuffix(loc, "/login") {
		t.Fatalf("after logout /review/ shows %s", loc)
	}
	tb.checkErrors(t)
}

// receiptsIn returns the decoded text of every file the outbox holds.
func receiptsIn(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var e struct {
			Rcpt    []string `json:"rcpt"`
			Message string   `json:"message"`
		}
		if json.Unmarshal(data, &e) != nil || e.Message == "" {
			return nil
		}
		m, err := mail.ReadMessage(strings.NewReader(e.Message))
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		body, err := io.ReadAll(base64.NewDecoder(base64.StdEncoding, m.Body))
		if err != nil {
			return fmt.Errorf("%s: body: %w", p, err)
		}
		fmt.Fprintf(&b, "To: %s\n%s\n", strings.Join(e.Rcpt, ", "), body)
		return nil
	})
	if err != nil {
		t.Fatalf("outbox %s: %v", dir, err)
	}
	return b.String()
}

// TestBrowserLockout shows the lockout message after repeated wrong passwords.
func TestBrowserLockout(t *testing.T) {
	f := startConsole(t, func(c *Config) { c.AccountFailures = 3 })
	tb := newTab(t)
	for i := 0; i < 3; i++ {
		tb.login(t, f.url, staffName, "not the password")
		if e := tb.text(t, "#error"); !strings.Contains(e, "账号或密码不对") {
			t.Fatalf("attempt %d: %q", i, e)
		}
	}
	tb.login(t, f.url, staffName, staffPass)
	if e := tb.text(t, "#error"); !strings.Contains(e, "已暂时锁定") {
		t.Fatalf("right password while locked out: %q", e)
	}
	tb.checkErrors(t)
}
