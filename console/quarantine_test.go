package console

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// writeRecord puts a quarantine record in the inbox's on-disk layout
// (<gitdir>/kjjr/quarantine/<id>/record.json beside header.eml).
func writeRecord(t *testing.T, gitDir, id, record, header string) {
	t.Helper()
	dir := filepath.Join(gitDir, "kjjr", "quarantine", id)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "record.json"), []byte(record), 0o644); err != nil {
		t.Fatal(err)
	}
	if header != "" {
		if err := os.WriteFile(filepath.Join(dir, "header.eml"), []byte(header), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const (
	qStranger = "1111111111aaaaaaaaaa"
	qAlpha    = "2222222222bbbbbbbbbb"
	qDone     = "3333333333cccccccccc"
)

// quarantineFixture holds three records: a stranger's (header only), one
// from alpha's registered address with a failed DKIM check, and one
// released already.
func quarantineFixture(t *testing.T) *consoleFixture {
	f := startConsole(t, nil)
	writeRecord(t, f.bare, qStranger, `{"id":"`+qStranger+`","received_at":"2026-05-04T10:00:00+08:00","from":"new@beta.example.com",`+
		`"subject":"四月报表","reason":"unknown_sender","reasons":["发件人 new@beta.example.com 未登记为任何机构的报送邮箱"],`+
		`"files":[{"name":"乙四月报表.xlsx","size":12345}],"size":20000,"stored":"header","receipt":false}`,
		"From: 新同事 <new@beta.example.com>\r\nSubject: =?UTF-8?B?5Zub5pyI5oql6KGo?=\r\nX-Evil: <script>alert(1)</script>\u202e\r\n\r\n")
	writeRecord(t, f.bare, qAlpha, `{"id":"`+qAlpha+`","received_at":"2026-05-04T11:00:00+08:00","from":"report@alpha.example.com",`+
		`"subject":"报表","reason":"dkim_fail","reasons":["DKIM 签名无效"],"institution":"alpha","size":3000,"stored":"header","receipt":false}`,
		"From: report@alpha.example.com\r\n\r\n")
	writeRecord(t, f.bare, qDone, `{"id":"`+qDone+`","received_at":"2026-05-03T11:00:00+08:00","from":"x@gamma.example.com",`+
		`"subject":"报表","reason":"unknown_sender","reasons":["未登记"],"size":3000,"stored":"header","receipt":false,`+
		`"released":"submit/gamma/2026-04","released_at":"2026-05-04T12:00:00+08:00","released_as":"gamma"}`, "From: x@gamma.example.com\r\n\r\n")
	return f
}

// qState is what a refused quarantine action must leave as it was: main,
// the branches, the records and the outbox.
func qState(t *testing.T, f *consoleFixture) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(gitCmd(t, f.bare, nil, "for-each-ref", "--format=%(refname) %(objectname)"))
	for _, dir := range []string{"quarantine", "outbox"} {
		filepath.WalkDir(filepath.Join(f.bare, "kjjr", dir), func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			data, _ := os.ReadFile(p)
			b.WriteString("\n" + p + "\n" + string(data))
			return nil
		})
	}
	return b.String()
}

var csrfOf = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// TestQuarantinePage shows one record: reasons, the header block escaped,
// the attachments by name, the roster to release to and the sender to
// register.
func TestQuarantinePage(t *testing.T) {
	f := quarantineFixture(t)
	c := newClient(t, f.url)
	c.login(staffName, staffPass)
	_, list := c.get("/quarantine/")
	if !strings.Contains(list, `href="/quarantine/`+qStranger+`"`) {
		t.Fatalf("the list does not link the record:\n%s", list)
	}
	resp, page := c.get("/quarantine/" + qStranger)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, want := range []string{"未登记为任何机构的报送邮箱", "乙四月报表.xlsx", "X-Evil: &lt;script&gt;alert(1)&lt;/script&gt;",
		"=?UTF-8?B?5Zub5pyI5oql6KGo?=", `<option value="beta">乙融资服务中心（beta）</option>`, `id="add_sender"`, "new@beta.example.com 登记为该机构的报送邮箱",
		`id="release"`, `id="delete"`} {
		if !strings.Contains(page, want) {
			t.Errorf("record page lacks %q", want)
		}
	}
	if strings.Contains(page, "<script>") || strings.Contains(page, "\u202e") {
		t.Error("the header is shown unescaped or with a bidi override")
	}
	// alpha's record preselects alpha.
	if _, page := c.get("/quarantine/" + qAlpha); !strings.Contains(page, `<option value="alpha" selected>`) {
		t.Error("the record's institution is not preselected")
	}
	// A released record offers no action.
	if _, page := c.get("/quarantine/" + qDone); strings.Contains(page, `id="release"`) || !strings.Contains(page, "submit/gamma/2026-04") {
		t.Error("a released record still offers 放行, or does not name its branch")
	}
	for _, id := range []string{"nope", ".tmp-x", "..%2F" + qStranger} {
		if resp, _ := c.get("/quarantine/" + id); resp.StatusCode != http.StatusNotFound {
			t.Errorf("/quarantine/%s: status %d, want 404", id, resp.StatusCode)
		}
	}
}

// TestQuarantineRefusals: every refused 放行 or 删除 changes nothing (refs,
// records, outbox).
func TestQuarantineRefusals(t *testing.T) {
	f := quarantineFixture(t)
	c := newClient(t, f.url)
	c.login(staffName, staffPass)
	_, page := c.get("/quarantine/" + qStranger)
	tok := find(t, csrfOf, page)
	before := qState(t, f)
	for _, tc := range []struct {
		name, path string
		form       url.Values
		status     int
		says       string
	}{
		{"release without token", "/quarantine/" + qStranger + "/release", url.Values{"institution": {"beta"}}, http.StatusForbidden, "校验码"},
		{"release with a wrong token", "/quarantine/" + qStranger + "/release", url.Values{"csrf": {tok + "x"}, "institution": {"beta"}}, http.StatusForbidden, "校验码"},
		{"delete without token", "/quarantine/" + qStranger + "/delete", url.Values{}, http.StatusForbidden, "校验码"},
		{"no institution", "/quarantine/" + qStranger + "/release", url.Values{"csrf": {tok}}, http.StatusUnprocessableEntity, "请从名单中选择"},
		{"unknown institution", "/quarantine/" + qStranger + "/release", url.Values{"csrf": {tok}, "institution": {"delta"}}, http.StatusUnprocessableEntity, "请从名单中选择"},
		{"slug as a path", "/quarantine/" + qStranger + "/release", url.Values{"csrf": {tok}, "institution": {"../alpha"}}, http.StatusUnprocessableEntity, "请从名单中选择"},
		{"body not kept, no mailbox", "/quarantine/" + qStranger + "/release", url.Values{"csrf": {tok}, "institution": {"beta"}, "add_sender": {"1"}}, http.StatusUnprocessableEntity, "隔离区没有这封邮件的正文"},
		{"sender belongs to another", "/quarantine/" + qAlpha + "/release", url.Values{"csrf": {tok}, "institution": {"beta"}, "add_sender": {"1"}}, http.StatusConflict, "已属于"},
		{"released already", "/quarantine/" + qDone + "/release", url.Values{"csrf": {tok}, "institution": {"gamma"}}, http.StatusConflict, "已于"},
		{"no such record", "/quarantine/nope/release", url.Values{"csrf": {tok}, "institution": {"beta"}}, http.StatusNotFound, "已没有这封邮件"},
		{"delete a path", "/quarantine/..%2F" + qStranger + "/delete", url.Values{"csrf": {tok}}, http.StatusNotFound, ""},
		{"delete no such record", "/quarantine/nope/delete", url.Values{"csrf": {tok}}, http.StatusNotFound, "已没有这封邮件"},
	} {
		resp, body := c.post(tc.path, tc.form)
		if resp.StatusCode != tc.status || !strings.Contains(body, tc.says) {
			t.Errorf("%s: status %d, want %d saying %q:\n%s", tc.name, resp.StatusCode, tc.status, tc.says, body)
		}
		if after := qState(t, f); after != before {
			t.Fatalf("%s changed the repo or the quarantine:\n%s\n---\n%s", tc.name, before, after)
		}
	}
	audit, _ := os.ReadFile(AuditFile(f.bare))
	if n := strings.Count(string(audit), `"event":"refused"`); n < 10 {
		t.Errorf("%d refusals in the audit log, want every one", n)
	}
}

// TestQuarantineDeleteTwice: 删除 removes the record once; the second
// submission of the same form is refused and says so.
func TestQuarantineDeleteTwice(t *testing.T) {
	f := quarantineFixture(t)
	c := newClient(t, f.url)
	c.login(staffName, staffPass)
	_, page := c.get("/quarantine/" + qStranger)
	tok := find(t, csrfOf, page)
	resp, body := c.post("/quarantine/"+qStranger+"/delete", url.Values{"csrf": {tok}})
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/quarantine/" || !strings.Contains(body, "已删除隔离邮件 "+qStranger) {
		t.Fatalf("delete: %d at %s:\n%s", resp.StatusCode, resp.Request.URL.Path, body)
	}
	if _, err := os.Stat(filepath.Join(f.bare, "kjjr", "quarantine", qStranger)); !os.IsNotExist(err) {
		t.Fatalf("record still on disk: %v", err)
	}
	before := qState(t, f)
	resp, body = c.post("/quarantine/"+qStranger+"/delete", url.Values{"csrf": {tok}})
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "可能已被删除") {
		t.Errorf("second delete: %d:\n%s", resp.StatusCode, body)
	}
	if qState(t, f) != before {
		t.Error("the second delete changed something")
	}
	audit, _ := os.ReadFile(AuditFile(f.bare))
	if !strings.Contains(string(audit), `"event":"delete_quarantine"`) || !strings.Contains(string(audit), qStranger+" from new@beta.example.com") {
		t.Errorf("the delete is not in the audit log:\n%s", audit)
	}
}
