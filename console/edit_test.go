package console

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var rosterLinkRE = regexp.MustCompile(`<a href="/institutions/[a-z0-9]`)

var previewRE = regexp.MustCompile(`name="preview" value="([0-9a-f]{40})"`)

// instFormValues are the fields of the edit form as the page shows them.
func instFormValues(t *testing.T, body string) url.Values {
	t.Helper()
	v := formFields(body)
	v.Set("csrf", find(t, csrfRE, body))
	v.Set("tip", find(t, tipRE, body))
	return v
}

// formFields returns the inputs, textareas and the county of the edit form.
func formFields(body string) url.Values {
	v := url.Values{}
	for _, m := range regexp.MustCompile(`<input id="[^"]*" name="([a-z_]+)" value="([^"]*)"`).FindAllStringSubmatch(body, -1) {
		v.Add(m[1], html.UnescapeString(m[2]))
	}
	for _, m := range regexp.MustCompile(`(?s)<textarea id="[^"]*" name="([a-z_]+)"[^>]*>(.*?)</textarea>`).FindAllStringSubmatch(body, -1) {
		v.Set(m[1], html.UnescapeString(m[2]))
	}
	if m := regexp.MustCompile(`(?s)<select id="office_county" name="office_county">.*?<option value="([^"]*)" selected>`).FindStringSubmatch(body); m != nil {
		v.Set("office_county", html.UnescapeString(m[1]))
	}
	return v
}

// TestRosterPaginatesAndFilters: the 机构 list stays one page long and
// finds an institution by name.
func TestRosterPaginatesAndFilters(t *testing.T) {
	f := startConsole(t, nil)
	for i := range RosterPageSize + 5 {
		f.write(fmt.Sprintf("institutions/x%03d/index.md", i), []byte(instMD(fmt.Sprintf("测试机构%03d", i), fmt.Sprintf("r%d@x.example.com", i))))
	}
	f.git("add", "-A")
	f.git("commit", "-q", "-m", "more")
	f.git("push", "-q", "content", "main")
	c := newClient(t, f.url)
	c.login(staffName, staffPass)
	_, body := c.get("/institutions/")
	if n := len(rosterLinkRE.FindAllString(body, -1)); n != RosterPageSize {
		t.Errorf("first page lists %d institutions, want %d", n, RosterPageSize)
	}
	if !strings.Contains(body, `rel="next"`) || !strings.Contains(body, "共 58 家") {
		t.Errorf("no next page or wrong count:\n%s", body)
	}
	_, body = c.get("/institutions/?page=2")
	if n := len(rosterLinkRE.FindAllString(body, -1)); n != 8 {
		t.Errorf("second page lists %d, want 8", n)
	}
	_, body = c.get("/institutions/?q=" + url.QueryEscape("乙融资"))
	if !strings.Contains(body, `href="/institutions/beta"`) || len(rosterLinkRE.FindAllString(body, -1)) != 1 {
		t.Errorf("filter by name:\n%s", body)
	}
}

// TestEditInstitutionHTTP: preview then commit adds a sender on main as
// the staff member; a broken edit and a stale tip change nothing.
func TestEditInstitutionHTTP(t *testing.T) {
	f := startConsole(t, nil)
	c := newClient(t, f.url)
	c.login(staffName, staffPass)
	before := f.mainTip("%H")
	_, body := c.get("/institutions/beta")
	form := instFormValues(t, body)
	if form.Get("office_address") != "榆次区示例路1号" || form["sender_email"][0] != institutions["beta"][1] {
		t.Fatalf("form does not show the record: %v", form)
	}

	// Committing without a preview shows the preview instead.
	form.Set("sender_email", institutions["beta"][1])
	form.Add("sender_email", "li@beta.example.com")
	form.Set("action", "commit")
	resp, body := c.post("/institutions/beta", form)
	if resp.StatusCode != 200 || !strings.Contains(body, "与预览时不同") || f.mainTip("%H") != before {
		t.Fatalf("commit without preview: %d\n%s", resp.StatusCode, body)
	}
	form.Set("action", "preview")
	_, body = c.post("/institutions/beta", form)
	if !strings.Contains(body, "<ins>+   - email: li@beta.example.com</ins>") || !strings.Contains(body, `id="checkok"`) || !strings.Contains(body, `id="commit"`) {
		t.Fatalf("preview lacks the diff or the check result:\n%s", body)
	}
	if !strings.Contains(body, `id="kept"`) {
		t.Error("preview does not count the errors main already has")
	}
	form.Set("preview", find(t, previewRE, body))
	form.Set("action", "commit")
	resp, body = c.post("/institutions/beta", form)
	if resp.StatusCode != 200 || !strings.Contains(body, "已提交") {
		t.Fatalf("commit: %d\n%s", resp.StatusCode, body)
	}
	if got := f.mainTip("%an <%ae>|%cn|%P"); got != staffName+" <"+staffEmail+">|"+staffName+"|"+before {
		t.Fatalf("main's tip: %s", got)
	}
	if out := gitCmd(t, f.bare, nil, "show", "main:institutions/beta/index.md"); !strings.Contains(out, "li@beta.example.com") {
		t.Fatalf("sender not on main:\n%s", out)
	}
	gitCmd(t, f.bare, nil, "fsck", "--strict")

	// The same form again (double click): refused, says who moved main.
	after := f.mainTip("%H")
	resp, body = c.post("/institutions/beta", form)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "已被更新") || !strings.Contains(body, staffName) || f.mainTip("%H") != after {
		t.Fatalf("second submit: %d\n%s", resp.StatusCode, body)
	}

	// A broken edit: previewed with the reason, no commit button, and a
	// forced commit is refused server-side.
	_, body = c.get("/institutions/beta")
	form = instFormValues(t, body)
	form.Set("office_address", "")
	form.Set("action", "preview")
	resp, body = c.post("/institutions/beta", form)
	if !strings.Contains(body, `id="newerrors"`) || !strings.Contains(body, "office.address") || !strings.Contains(body, "缺少必填字段") || strings.Contains(body, `id="commit"`) {
		t.Fatalf("broken edit preview: %d\n%s", resp.StatusCode, body)
	}
	form.Set("preview", find(t, previewRE, body))
	form.Set("action", "commit")
	resp, body = c.post("/institutions/beta", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "未提交") || f.mainTip("%H") != after {
		t.Fatalf("forced commit of a broken edit: %d\n%s", resp.StatusCode, body)
	}

	// Hostile input is cleaned, bounded and escaped.
	form.Set("office_address", "榆次区<script>alert(1)</script>\u202e路"+strings.Repeat("长", 500))
	form.Set("action", "preview")
	_, body = c.post("/institutions/beta", form)
	if strings.Contains(body, "<script>alert") || strings.Contains(body, "\u202e") {
		t.Fatalf("hostile input not escaped or cleaned:\n%s", body)
	}
	if strings.Contains(body, strings.Repeat("长", maxField)) || !strings.Contains(body, strings.Repeat("长", 50)) {
		t.Errorf("input not bounded")
	}
}

// TestEditFormsRefuseWithoutCSRF: the 机构 and 考核 forms act only with
// the session's token.
func TestEditFormsRefuseWithoutCSRF(t *testing.T) {
	f := startConsole(t, nil)
	c := newClient(t, f.url)
	c.login(staffName, staffPass)
	before := f.mainTip("%H")
	_, body := c.get("/institutions/beta")
	form := instFormValues(t, body)
	form.Add("sender_email", "li@beta.example.com")
	form.Set("action", "preview")
	_, body = c.post("/institutions/beta", form)
	form.Set("preview", find(t, previewRE, body))
	form.Set("action", "commit")
	for _, tok := range []string{"", "forged"} {
		form.Set("csrf", tok)
		for _, p := range []string{"/institutions/beta", "/assess/2026"} {
			resp, body := c.post(p, form)
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "表单校验码") {
				t.Fatalf("%s with csrf %q: %d", p, tok, resp.StatusCode)
			}
		}
	}
	if f.mainTip("%H") != before {
		t.Fatal("main moved on a forged request")
	}
}

// TestAssessHTTP sets a grade and commits results/2026.md as a draft; a
// 定稿 before the year ends is refused.
func TestAssessHTTP(t *testing.T) {
	f := startConsole(t, nil)
	c := newClient(t, f.url)
	c.login(staffName, staffPass)
	_, body := c.get("/assess/")
	if !strings.Contains(body, `href="/assess/2026"`) {
		t.Fatalf("years:\n%s", body)
	}
	_, body = c.get("/assess/2026")
	if !strings.Contains(body, `name="grade:alpha"`) || !strings.Contains(body, institutions["alpha"][0]) {
		t.Fatalf("assess page:\n%s", body)
	}
	before := f.mainTip("%H")
	form := url.Values{"csrf": {find(t, csrfRE, body)}, "tip": {find(t, tipRE, body)}, "assessed_on": {"2026-05-06"},
		"grade:alpha": {"优秀"}, "notes:alpha": {"按时报送"}, "final": {"1"}, "action": {"preview"}}
	resp, body := c.post("/assess/2026", form)
	if !strings.Contains(body, "2026年尚未结束") || strings.Contains(body, `id="commit"`) {
		t.Fatalf("final before the year ends: %d\n%s", resp.StatusCode, body)
	}
	form.Del("final")
	form.Set("grade:beta", "很好")
	resp, body = c.post("/assess/2026", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "等次“很好”无效") {
		t.Fatalf("bad grade: %d\n%s", resp.StatusCode, body)
	}
	form.Del("grade:beta")
	_, body = c.post("/assess/2026", form)
	form.Set("preview", find(t, previewRE, body))
	form.Set("action", "commit")
	resp, body = c.post("/assess/2026", form)
	if resp.StatusCode != 200 || !strings.Contains(body, "已提交 2026 年度考核结果") {
		t.Fatalf("commit: %d\n%s", resp.StatusCode, body)
	}
	if got := f.mainTip("%an|%P"); got != staffName+"|"+before {
		t.Fatalf("main's tip %s", got)
	}
	out := gitCmd(t, f.bare, nil, "show", "main:results/2026.md")
	if !strings.Contains(out, "institution: alpha\n    grade: 优秀\n    notes: 按时报送") || !strings.Contains(out, "draft: true") {
		t.Fatalf("results/2026.md:\n%s", out)
	}
	gitCmd(t, f.bare, nil, "fsck", "--strict")
	// The page now reads the file on main.
	_, body = c.get("/assess/2026")
	if !strings.Contains(body, "main 上已有") || !strings.Contains(body, `value="优秀" selected`) {
		t.Fatalf("after commit:\n%s", body)
	}
}

// TestEditPagesRefuseUnknown: an unknown institution, a path trick or a
// bad year gets a Chinese message, not a form.
func TestEditPagesRefuseUnknown(t *testing.T) {
	f := startConsole(t, nil)
	c := newClient(t, f.url)
	c.login(staffName, staffPass)
	for _, p := range []string{"/institutions/nope", "/institutions/..%2Fsite.yaml", "/institutions/alpha%2Freports", "/institutions/.hidden"} {
		resp, body := c.get(p)
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "main 上没有机构") || strings.Contains(body, `id="edit"`) {
			t.Errorf("%s: %d\n%s", p, resp.StatusCode, body)
		}
	}
	for _, p := range []string{"/assess/abc", "/assess/1999", "/assess/2024"} {
		resp, body := c.get(p)
		if resp.StatusCode != http.StatusNotFound || strings.Contains(body, `id="assess"`) {
			t.Errorf("%s: %d\n%s", p, resp.StatusCode, body)
		}
	}
}
