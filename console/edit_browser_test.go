package console

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserEditInstitution adds a report sender to an institution in a
// real browser: the preview shows the diff and the check result, and
// 提交 makes a commit on main authored by the staff member. A refused
// edit (an invalid address, an emptied office address) changes nothing
// and says why in Chinese, with no 提交 button.
func TestBrowserEditInstitution(t *testing.T) {
	f := startConsole(t, nil)
	before := f.mainTip("%H")
	tb := newTab(t)
	tb.login(t, f.url, staffName, staffPass)

	tb.do(t, chromedp.Click(chromedp.CSS(`nav a[href="/institutions/"]`)), chromedp.WaitVisible(chromedp.CSS("#roster")),
		chromedp.SendKeys(chromedp.CSS("#q"), "乙融资"), chromedp.Click(chromedp.CSS("#search")),
		// The search is a navigation: wait for what only its page has.
		chromedp.WaitVisible(chromedp.CSS(`#count[data-q="乙融资"]`)))
	if n := tb.text(t, "#count"); !strings.Contains(n, "匹配的 1 家") {
		t.Fatalf("search: %q", n)
	}
	tb.do(t, chromedp.Click(chromedp.CSS(`#roster a[href="/institutions/beta"]`)), chromedp.WaitVisible(chromedp.CSS("#sender_email_1")),
		chromedp.SendKeys(chromedp.CSS("#sender_email_1"), "li@beta.example.com"),
		chromedp.SendKeys(chromedp.CSS("#sender_name_1"), "李会计"),
		chromedp.Click(chromedp.CSS("#preview")), chromedp.WaitVisible(chromedp.CSS("#checkok")))
	if d := tb.text(t, "#diff"); !strings.Contains(d, "+   - name: 李会计") || !strings.Contains(d, "+     email: li@beta.example.com") {
		t.Fatalf("diff: %q", d)
	}
	if f.mainTip("%H") != before {
		t.Fatal("preview moved main")
	}
	tb.do(t, chromedp.Click(chromedp.CSS("#commit")), chromedp.WaitVisible(chromedp.CSS("#flash")))
	if fl := tb.text(t, "#flash"); !strings.Contains(fl, "已提交") || !strings.Contains(fl, staffName) {
		t.Fatalf("flash: %q", fl)
	}
	if got := f.mainTip("%an <%ae>|%P"); got != staffName+" <"+staffEmail+">|"+before {
		t.Fatalf("main's tip %q, want a commit on %s by %s", got, before, staffName)
	}
	if out := gitCmd(t, f.bare, nil, "show", "main:institutions/beta/index.md"); !strings.Contains(out, "  - name: 李会计\n    email: li@beta.example.com") {
		t.Fatalf("index.md on main:\n%s", out)
	}
	gitCmd(t, f.bare, nil, "fsck", "--strict")

	// Refused: an invalid address and an emptied required field.
	after := f.mainTip("%H")
	tb.do(t, chromedp.WaitVisible(chromedp.CSS("#sender_email_2")),
		chromedp.SendKeys(chromedp.CSS("#sender_email_2"), "王会计 at beta"),
		chromedp.Clear(chromedp.CSS("#office_address")),
		chromedp.Click(chromedp.CSS("#preview")), chromedp.WaitVisible(chromedp.CSS("#newerrors")))
	errs := tb.text(t, "#newerrors")
	for _, want := range []string{"不能提交", "不是有效的邮箱地址", "office.address", "缺少必填字段"} {
		if !strings.Contains(errs, want) {
			t.Errorf("refusal lacks %q: %q", want, errs)
		}
	}
	ctx, cancel := chromedpTimeout(tb)
	defer cancel()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#commit").length`))
	if err != nil || n != 0 {
		t.Fatalf("a 提交 button is offered for a change that breaks check (%d, %v)", n, err)
	}
	if f.mainTip("%H") != after {
		t.Fatal("a refused edit moved main")
	}
	tb.checkErrors(t)
}

// TestBrowserAssess sets a grade on the 考核 page and commits
// results/2026.md as the staff member.
func TestBrowserAssess(t *testing.T) {
	f := startConsole(t, nil)
	before := f.mainTip("%H")
	tb := newTab(t)
	tb.login(t, f.url, staffName, staffPass)
	tb.do(t, chromedp.Click(chromedp.CSS(`nav a[href="/assess/"]`)), chromedp.WaitVisible(chromedp.CSS("#years")),
		chromedp.Click(chromedp.CSS(`#years a[href="/assess/2026"]`)), chromedp.WaitVisible(chromedp.CSS("#grades")),
		chromedp.SetValue(chromedp.CSS(`select[name="grade:alpha"]`), "优秀"),
		chromedp.SendKeys(chromedp.CSS(`input[name="notes:alpha"]`), "全年按时报送"),
		chromedp.Click(chromedp.CSS("#preview")), chromedp.WaitVisible(chromedp.CSS("#checkok")))
	if d := tb.text(t, "#diff"); !strings.Contains(d, "grade: 优秀") {
		t.Fatalf("diff: %q", d)
	}
	tb.do(t, chromedp.Click(chromedp.CSS("#commit")), chromedp.WaitVisible(chromedp.CSS("#flash")))
	if fl := tb.text(t, "#flash"); !strings.Contains(fl, "已提交 2026 年度考核结果") {
		t.Fatalf("flash: %q", fl)
	}
	if got := f.mainTip("%an <%ae>|%P"); got != staffName+" <"+staffEmail+">|"+before {
		t.Fatalf("main's tip %q", got)
	}
	out := gitCmd(t, f.bare, nil, "show", "main:results/2026.md")
	if !strings.Contains(out, "institution: alpha\n    grade: 优秀\n    notes: 全年按时报送") {
		t.Fatalf("results/2026.md:\n%s", out)
	}
	gitCmd(t, f.bare, nil, "fsck", "--strict")
	tb.checkErrors(t)
}

func chromedpTimeout(tb *tab) (context.Context, context.CancelFunc) {
	return context.WithTimeout(tb.ctx, 30*time.Second)
}
