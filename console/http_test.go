package console

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

type client struct {
	t   *testing.T
	c   *http.Client
	url string
}

func newClient(t *testing.T, base string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, c: &http.Client{Jar: jar, Timeout: 30 * time.Second}, url: base}
}

func (c *client) get(path string) (*http.Response, string) {
	c.t.Helper()
	resp, err := c.c.Get(c.url + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func (c *client) post(path string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	resp, err := c.c.PostForm(c.url+path, form)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func (c *client) login(name, pw string) (*http.Response, string) {
	return c.post("/login", url.Values{"name": {name}, "password": {pw}})
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
var tipRE = regexp.MustCompile(`name="tip" value="([0-9a-f]{40})"`)

func find(t *testing.T, re *regexp.Regexp, body string) string {
	t.Helper()
	m := re.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("%s not found in page:\n%s", re, body)
	}
	return m[1]
}

func TestHeadersOnEveryPage(t *testing.T) {
	f := startConsole(t, nil)
	c := newClient(t, f.url)
	for _, p := range []string{"/login", "/", "/review/", "/assets/style.css", "/nope"} {
		resp, _ := c.get(p)
		h := resp.Header
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("%s: CSP %q", p, csp)
		}
		if h.Get("X-Frame-Options") != "DENY" || h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: framing/nosniff headers missing: %v", p, h)
		}
	}
	resp, body := c.get("/")
	if resp.Request.URL.Path != "/login" || !strings.Contains(body, "登录") || !strings.Contains(body, `lang="zh-CN"`) {
		t.Fatalf("an anonymous visit should land on the Chinese login page, got %s", resp.Request.URL)
	}
	if strings.Contains(body, "<script") || regexp.MustCompile(`(src|href)="(https?:)?//`).MatchString(body) {
		t.Errorf("login page loads script or external resources:\n%s", body)
	}
}

func TestHostCheck(t *testing.T) {
	f := startConsole(t, nil)
	req, _ := http.NewRequest("GET", f.url+"/login", nil)
	req.Host = "evil.example:80"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMisdirectedRequest {
		t.Fatalf("foreign Host: status %d, want 421", resp.StatusCode)
	}
}

func TestCookieFlags(t *testing.T) {
	for _, tc := range []struct {
		name   string
		proxy  string
		secure bool
		cookie string
	}{
		{"loopback", "", false, "kjjr-session"},
		{"behind proxy", "127.0.0.1", true, "__Host-kjjr-session"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := startConsole(t, func(c *Config) { c.Proxy = tc.proxy })
			c := newClient(t, f.url)
			c.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			resp, _ := c.login(staffName, staffPass)
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("login: status %d", resp.StatusCode)
			}
			var ck *http.Cookie
			for _, k := range resp.Cookies() {
				if k.Name == tc.cookie {
					ck = k
				}
			}
			if ck == nil {
				t.Fatalf("no %s cookie in %v", tc.cookie, resp.Header["Set-Cookie"])
			}
			if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Secure != tc.secure || ck.Path != "/" || ck.MaxAge != 0 || !ck.Expires.IsZero() {
				t.Fatalf("cookie flags: %+v", ck)
			}
		})
	}
}

func TestLogoutAndIdleExpiry(t *testing.T) {
	f := startConsole(t, nil)
	c := newClient(t, f.url)
	c.login(staffName, staffPass)
	resp, body := c.get("/")
	if resp.Request.URL.Path != "/" || !strings.Contains(body, "工作台") {
		t.Fatalf("after login: %s", resp.Request.URL)
	}
	f.clock.add(DefaultIdle - time.Minute)
	if resp, _ = c.get("/"); resp.Request.URL.Path != "/" {
		t.Fatal("session ended before the idle limit")
	}
	f.clock.add(DefaultIdle + time.Second)
	if resp, _ = c.get("/"); resp.Request.URL.Path != "/login" {
		t.Fatal("session survived inactivity")
	}
	c.login(staffName, staffPass)
	_, body = c.get("/")
	resp, _ = c.post("/logout", url.Values{"csrf": {find(t, csrfRE, body)}})
	if resp.StatusCode != 200 {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	if resp, _ = c.get("/review/"); resp.Request.URL.Path != "/login" {
		t.Fatal("still logged in after logout")
	}
}

func TestCSRFRefused(t *testing.T) {
	f := startConsole(t, nil)
	tip := f.submit("beta", monthly("beta", "2026-04", at("2026-05-05 10:00"), 8, "50"))
	before := f.mainTip("%H")
	c := newClient(t, f.url)
	c.login(staffName, staffPass)
	for _, form := range []url.Values{{"tip": {tip}}, {"tip": {tip}, "csrf": {"forged"}}} {
		resp, body := c.post("/review/submit/beta/2026-04/approve", form)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "表单校验码") {
			t.Fatalf("approve without a valid CSRF token: %d\n%s", resp.StatusCode, body)
		}
	}
	if after := f.mainTip("%H"); after != before {
		t.Fatal("main moved on a forged request")
	}
	// A cross-site POST is refused even with the right token.
	_, page := c.get("/review/submit/beta/2026-04")
	req, _ := http.NewRequest("POST", f.url+"/review/submit/beta/2026-04/approve", strings.NewReader(url.Values{"tip": {tip}, "csrf": {find(t, csrfRE, page)}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := c.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || f.mainTip("%H") != before {
		t.Fatalf("cross-site POST: status %d", resp.StatusCode)
	}
}

func TestLockout(t *testing.T) {
	f := startConsole(t, nil)
	c := newClient(t, f.url)
	for i := 0; i < DefaultAccountFailures; i++ {
		resp, body := c.login(staffName, "wrong password!")
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "账号或密码不对") {
			t.Fatalf("attempt %d: %d", i, resp.StatusCode)
		}
	}
	resp, body := c.login(staffName, staffPass)
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "已暂时锁定") {
		t.Fatalf("right password during lockout: %d\n%s", resp.StatusCode, body)
	}
	f.clock.add(DefaultLockout + time.Second)
	resp, _ = c.login(staffName, staffPass)
	if resp.Request.URL.Path != "/" {
		t.Fatalf("login after the lockout ended: %d %s", resp.StatusCode, resp.Request.URL)
	}
	log, err := os.ReadFile(AuditFile(f.bare))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"event":"login_failed"`, `"event":"lockout"`, `"event":"login"`} {
		if !strings.Contains(string(log), want) {
			t.Errorf("audit log lacks %s:\n%s", want, log)
		}
	}
	if strings.Contains(string(log), staffPass) || strings.Contains(string(log), "wrong password") {
		t.Error("audit log holds a password")
	}
}

func TestLockoutPerAddress(t *testing.T) {
	f := startConsole(t, func(c *Config) { c.AddressFailures = 3 })
	c := newClient(t, f.url)
	for _, name := range []string{"a", "b", "c"} { // different accounts, one address
		c.login(name, "x")
	}
	if resp, _ := c.login(staffName, staffPass); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("address not locked out after failures on several accounts: %d", resp.StatusCode)
	}
}

func TestApproveTwiceActsOnce(t *testing.T) {
	f := startConsole(t, nil)
	f.submit("beta", monthly("beta", "2026-04", at("2026-05-05 10:00"), 8, "50"))
	c := newClient(t, f.url)
	c.login(staffName, staffPass)
	_, page := c.get("/review/submit/beta/2026-04")
	form := url.Values{"csrf": {find(t, csrfRE, page)}, "tip": {find(t, tipRE, page)}}
	resp, body := c.post("/review/submit/beta/2026-04/approve", form)
	if resp.StatusCode != 200 || !strings.Contains(body, "已审核通过") {
		t.Fatalf("approve: %d\n%s", resp.StatusCode, body)
	}
	first := f.mainTip("%H")
	if got := f.mainTip("%an <%ae>|%cn <%ce>"); got != staffName+" <"+staffEmail+">|"+staffName+" <"+staffEmail+">" {
		t.Fatalf("merge authored by %q", got)
	}
	resp, body = c.post("/review/submit/beta/2026-04/approve", form)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "已由 "+staffName) {
		t.Fatalf("second approve: %d\n%s", resp.StatusCode, body)
	}
	if f.mainTip("%H") != first {
		t.Fatal("the second submit moved main again")
	}
}

func TestApproveStaleTipRefused(t *testing.T) {
	f := startConsole(t, nil)
	f.submit("beta", monthly("beta", "2026-04", at("2026-05-05 10:00"), 8, "50"))
	c := newClient(t, f.url)
	c.login(staffName, staffPass)
	_, page := c.get("/review/submit/beta/2026-04")
	before := f.mainTip("%H")
	f.submit("beta", monthly("beta", "2026-04", at("2026-05-06 10:00"), 9, "60")) // a resubmission arrives
	resp, body := c.post("/review/submit/beta/2026-04/approve", url.Values{"csrf": {find(t, csrfRE, page)}, "tip": {find(t, tipRE, page)}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "又收到了新的提交") {
		t.Fatalf("approve of a moved branch: %d\n%s", resp.StatusCode, body)
	}
	if f.mainTip("%H") != before {
		t.Fatal("main moved")
	}
	_, page = c.get("/review/submit/beta/2026-04")
	if !strings.Contains(page, "上一次提交") || !strings.Contains(page, `id="diff"`) {
		t.Fatalf("resubmission page lacks the comparison:\n%s", page)
	}
}

func TestRejectNeedsReason(t *testing.T) {
	f := startConsole(t, nil)
	f.submit("gamma", monthly("gamma", "2026-04", at("2026-05-05 10:00"), 8, "50"))
	c := newClient(t, f.url)
	c.login(staffName, staffPass)
	_, page := c.get("/review/submit/gamma/2026-04")
	resp, body := c.post("/review/submit/gamma/2026-04/reject", url.Values{"csrf": {find(t, csrfRE, page)}, "tip": {find(t, tipRE, page)}, "reason_text": {"  "}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "驳回理由") {
		t.Fatalf("reject without reason: %d", resp.StatusCode)
	}
	if out := gitCmd(t, f.bare, nil, "branch", "--list", "submit/gamma/2026-04"); out == "" {
		t.Fatal("branch removed by a refused reject")
	}
}

func TestSubmissionPageEscapesMail(t *testing.T) {
	f := startConsole(t, nil)
	f.submit("alpha", monthly("alpha", "2026-04", at("2026-05-05 10:00"), 30, "500"))
	c := newClient(t, f.url)
	c.login(staffName, staffPass)
	resp, page := c.get("/review/submit/alpha/2026-04")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if strings.Contains(page, "<script>alert(1)</script>") || !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Fatal("mail text not escaped")
	}
	for _, want := range []string{"2026年3月", "2026年1月", `id="changes"`, `id="financing"`, "通过", "驳回"} {
		if !strings.Contains(page, want) {
			t.Errorf("submission page lacks %q", want)
		}
	}
}

func TestCheckListen(t *testing.T) {
	for _, tc := range []struct {
		addr  string
		tls   bool
		proxy string
		ok    bool
	}{
		{"127.0.0.1:8080", false, "", true},
		{"[::1]:8080", false, "", true},
		{"localhost:8080", false, "", true},
		{"0.0.0.0:8080", false, "", false},
		{":8080", false, "", false},
		{"192.0.2.7:8080", false, "", false},
		{"192.0.2.7:8080", true, "", true},
		{"192.0.2.7:8080", false, "192.0.2.1", true},
		{"192.0.2.7:8080", false, "proxy.example", false},
		{"nonsense", false, "", false},
	} {
		err := CheckListen(tc.addr, tc.tls, tc.proxy)
		if (err == nil) != tc.ok {
			t.Errorf("CheckListen(%q, %v, %q) = %v", tc.addr, tc.tls, tc.proxy, err)
		}
	}
}

// TestQuarantineList shows a record in the inbox's on-disk layout
// (<gitdir>/kjjr/quarantine/<id>/record.json) with its hostile header
// text escaped and cleaned.
func TestQuarantineList(t *testing.T) {
	f := startConsole(t, nil)
	dir := filepath.Join(f.bare, "kjjr", "quarantine", "0123456789abcdef0123")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	rec := `{"id":"0123456789abcdef0123","received_at":"2026-05-04T10:00:00+08:00","from":"stranger@evil.example",` +
		`"subject":"<img src=x onerror=alert(1)>四月报表\u202e","reason":"unknown_sender","reasons":["发件人 stranger@evil.example 未登记为任何机构的报送邮箱"],` +
		`"files":[{"name":"报表.xlsx","size":1234}],"size":2000,"stored":"header","receipt":false}`
	if err := os.WriteFile(filepath.Join(dir, "record.json"), []byte(rec), 0o644); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, f.url)
	c.login(staffName, staffPass)
	_, dash := c.get("/")
	if !strings.Contains(dash, `id="quarantine">1</a>`) {
		t.Errorf("dashboard does not count the quarantined mail")
	}
	resp, page := c.get("/quarantine/")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, want := range []string{"stranger@evil.example", "未登记", "报表.xlsx", "&lt;img src=x onerror=alert(1)&gt;四月报表"} {
		if !strings.Contains(page, want) {
			t.Errorf("quarantine page lacks %q", want)
		}
	}
	if strings.Contains(page, "<img src=x") || strings.Contains(page, "\u202e") {
		t.Error("quarantine page shows the subject unescaped or with a bidi override")
	}
}

// TestDashboardMonth counts the month's sheets: on 2026-05-06 the April
// sheet is due in May; beta's waits on a branch, alpha's and gamma's have
// not arrived.
func TestDashboardMonth(t *testing.T) {
	f := startConsole(t, nil)
	f.submit("beta", monthly("beta", "2026-04", at("2026-05-05 10:00"), 8, "50"))
	c := newClient(t, f.url)
	c.login(staffName, staffPass)
	_, page := c.get("/")
	for _, want := range []string{"2026年4月月报", `id="required">3<`, `id="approved">0<`, `id="waiting">1<`, `id="overdue">0<`, `id="pending">1<`} {
		if !strings.Contains(page, want) {
			t.Errorf("dashboard lacks %q:\n%s", want, page)
		}
	}
	f.clock.add(10 * 24 * time.Hour) // 2026-05-16: past the deadline
	c.login(staffName, staffPass)    // the session idled out meanwhile
	_, page = c.get("/")
	if !strings.Contains(page, `id="overdue">2<`) {
		t.Errorf("after the deadline the two missing sheets are not overdue:\n%s", page)
	}
}

// TestTwoStaffApproveAtOnce: both press 通过 on the same page at once; one
// merge is made, by the one who won, and the other is told who did it.
func TestTwoStaffApproveAtOnce(t *testing.T) {
	f := startConsole(t, nil)
	st, _ := LoadStaff(StaffFile(f.bare))
	if err := st.Add("李科员", "li@example.gov.cn", "another long password"); err != nil {
		t.Fatal(err)
	}
	f.submit("beta", monthly("beta", "2026-04", at("2026-05-05 10:00"), 8, "50"))
	before := f.mainTip("%H")
	type result struct {
		status int
		body   string
	}
	var clients []*client
	var forms []url.Values
	for _, who := range [][2]string{{staffName, staffPass}, {"李科员", "another long password"}} {
		c := newClient(t, f.url)
		c.login(who[0], who[1])
		_, page := c.get("/review/submit/beta/2026-04")
		clients = append(clients, c)
		forms = append(forms, url.Values{"csrf": {find(t, csrfRE, page)}, "tip": {find(t, tipRE, page)}})
	}
	res := make(chan result, 2)
	for i := range clients {
		go func() {
			resp, err := clients[i].c.PostForm(f.url+"/review/submit/beta/2026-04/approve", forms[i])
			if err != nil {
				res <- result{0, err.Error()}
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			res <- result{resp.StatusCode, string(b)}
		}()
	}
	a, b := <-res, <-res
	if a.status == http.StatusConflict {
		a, b = b, a
	}
	if a.status != 200 || !strings.Contains(a.body, "已审核通过") || b.status != http.StatusConflict || !strings.Contains(b.body, "审核通过，本次操作未执行") {
		t.Fatalf("two approvals at once: %d / %d\n%s\n%s", a.status, b.status, a.body, b.body)
	}
	if n := gitCmd(t, f.bare, nil, "rev-list", "--count", "--merges", before+"..main"); n != "1" {
		t.Fatalf("%s merges on main, want 1", n)
	}
	winner := f.mainTip("%an")
	if !strings.Contains(b.body, "已由 "+winner) {
		t.Fatalf("the loser is not told who approved (%s):\n%s", winner, b.body)
	}
}

// TestAbsoluteExpiry: a session kept busy still ends after a working day.
func TestAbsoluteExpiry(t *testing.T) {
	f := startConsole(t, nil)
	c := newClient(t, f.url)
	c.login(staffName, staffPass)
	for elapsed := time.Duration(0); elapsed < DefaultAbsolute-time.Hour; elapsed += 20 * time.Minute {
		f.clock.add(20 * time.Minute)
		if resp, _ := c.get("/review/"); resp.Request.URL.Path != "/review/" {
			t.Fatalf("busy session ended after %v", elapsed)
		}
	}
	f.clock.add(time.Hour + time.Minute)
	if resp, _ := c.get("/review/"); resp.Request.URL.Path != "/login" {
		t.Fatal("session outlived the absolute limit")
	}
}

// TestForwardedFor: X-Forwarded-For names the client only when the request
// comes from the trusted proxy; otherwise a client cannot dodge the
// per-address lockout by inventing addresses.
func TestForwardedFor(t *testing.T) {
	for _, tc := range []struct {
		proxy  string
		locked bool // the fourth attempt, from a "new" forwarded address, is locked out
	}{
		{"", true},           // no proxy: the header is ignored, one address
		{"192.0.2.9", true},  // the peer is not the proxy: ignored
		{"127.0.0.1", false}, // the proxy: each forwarded address counts apart
	} {
		f := startConsole(t, func(c *Config) { c.AddressFailures = 3; c.Proxy = tc.proxy })
		try := func(i int, name, pw string) int {
			form := url.Values{"name": {name}, "password": {pw}}
			req, _ := http.NewRequest("POST", f.url+"/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i))
			c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		for i, name := range []string{"a", "b", "c"} {
			try(i, name, "x")
		}
		got := try(99, staffName, staffPass) == http.StatusTooManyRequests
		if got != tc.locked {
			t.Errorf("proxy %q: locked %v, want %v", tc.proxy, got, tc.locked)
		}
	}
}

// TestDeletedAccountLoggedOut: kjjr console deluser ends a live session at
// its next request.
func TestDeletedAccountLoggedOut(t *testing.T) {
	f := startConsole(t, nil)
	c := newClient(t, f.url)
	c.login(staffName, staffPass)
	if resp, _ := c.get("/review/"); resp.Request.URL.Path != "/review/" {
		t.Fatal("not logged in")
	}
	st, _ := LoadStaff(StaffFile(f.bare))
	if err := st.Delete(staffName); err != nil {
		t.Fatal(err)
	}
	if resp, _ := c.get("/review/"); resp.Request.URL.Path != "/login" {
		t.Fatal("a deleted account keeps its session")
	}
}

// TestPasswordChangeLogsOut: kjjr console passwd ends the account's live
// sessions at their next request (a stolen session does not outlive the
// new password), and the new password logs in.
func TestPasswordChangeLogsOut(t *testing.T) {
	f := startConsole(t, nil)
	c := newClient(t, f.url)
	c.login(staffName, staffPass)
	if resp, _ := c.get("/review/"); resp.Request.URL.Path != "/review/" {
		t.Fatal("not logged in")
	}
	st, _ := LoadStaff(StaffFile(f.bare))
	if err := st.SetPassword(staffName, "a new long passphrase 2026"); err != nil {
		t.Fatal(err)
	}
	if resp, _ := c.get("/review/"); resp.Request.URL.Path != "/login" {
		t.Fatal("the session outlived the password change")
	}
	c2 := newClient(t, f.url)
	c2.login(staffName, "a new long passphrase 2026")
	if resp, _ := c2.get("/review/"); resp.Request.URL.Path != "/review/" {
		t.Fatal("the new password does not log in")
	}
}

// TestApproveRefusedChangesNothing: a branch that also touches another
// institution's record is marked on its page, and 通过 is refused with
// review.Approve's message; main and the branch stay.
func TestApproveRefusedChangesNothing(t *testing.T) {
	f := startConsole(t, nil)
	tip := f.submit("beta", monthly("beta", "2026-04", at("2026-05-05 10:00"), 8, "50"), "institutions/alpha/index.md")
	before := f.mainTip("%H")
	c := newClient(t, f.url)
	c.login(staffName, staffPass)
	_, page := c.get("/review/submit/beta/2026-04")
	if !strings.Contains(page, `id="refused"`) || !strings.Contains(page, "institutions/alpha/index.md") {
		t.Fatalf("page does not mark the entry approval would refuse:\n%s", page)
	}
	resp, body := c.post("/review/submit/beta/2026-04/approve", url.Values{"csrf": {find(t, csrfRE, page)}, "tip": {find(t, tipRE, page)}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "未执行") {
		t.Fatalf("approve of a refused branch: %d\n%s", resp.StatusCode, body)
	}
	if f.mainTip("%H") != before {
		t.Fatal("main moved")
	}
	if got := gitCmd(t, f.bare, nil, "rev-parse", "submit/beta/2026-04"); got != tip {
		t.Fatal("branch moved")
	}
	log, _ := os.ReadFile(AuditFile(f.bare))
	if !strings.Contains(string(log), `"event":"refused"`) || !strings.Contains(string(log), "approve submit/beta/2026-04") {
		t.Errorf("refusal not in the audit log:\n%s", log)
	}
}
