package site

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserFormLinks: as a visitor, on the default site at the root and
// on the fixture under its sub-path, the selection notice, an institution
// page (如何报送), the 报送指南 and the 网站地图 each link the blank monthly
// sheet, and the link downloads exactly the sheet kjjr template writes;
// the institution page's 报送指南 link opens the guide, which names the
// 报送邮箱.
func TestBrowserFormLinks(t *testing.T) {
	tb := newTab(t)
	blank := blankTemplate(t)
	sites := []struct {
		base  string
		pages []string
		inst  string
		inbox string
	}{
		{serveDefault(t), []string{"notices/2025-04-15-selection-round-1/", "institutions/jinchuang-capital/", "baosong/", "sitemap/"},
			"institutions/jinchuang-capital/", "mailto:baosong@example.gov.cn"},
		{serveSite(t), []string{"institutions/alpha/", "baosong/", "sitemap/"}, "institutions/alpha/", ""},
	}
	for _, s := range sites {
		for _, p := range s.pages {
			tb.do(t, chromedp.Navigate(s.base+p), chromedp.WaitReady(chromedp.CSS("footer")))
			hrefs := eval[[]string](t, tb, `[...document.querySelectorAll('main a[href$="kaohebiao.xlsx"]')].map(a => a.href)`)
			if len(hrefs) == 0 {
				t.Errorf("%s%s: no link to the blank monthly sheet", s.base, p)
				continue
			}
			for _, h := range hrefs {
				if !strings.HasPrefix(h, s.base) {
					t.Errorf("%s: link %s leaves the site's base %s", p, h, s.base)
				}
				resp, err := http.Get(h)
				if err != nil {
					t.Fatal(err)
				}
				got, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK || !bytes.Equal(got, blank) {
					t.Errorf("%s: %s gives %s, %d bytes; want the %d bytes of the template", p, h, resp.Status, len(got), len(blank))
				}
			}
			if strings.HasPrefix(p, "notices/") {
				if txt := eval[string](t, tb, `[...document.querySelectorAll("article li")].map(l => l.textContent).join("\n")`); strings.Contains(txt, "考核表（请向主办单位索取）") {
					t.Errorf("%s: the sheet is still 请向主办单位索取:\n%s", p, txt)
				}
			}
		}
		tb.do(t, chromedp.Navigate(s.base+s.inst), chromedp.WaitReady(chromedp.CSS("footer")),
			chromedp.Click(chromedp.CSS(`#h-howto ~ p a[href$="baosong/"]`)),
			chromedp.WaitReady(chromedp.CSS("#h-contact")))
		if h1 := eval[string](t, tb, `document.querySelector("h1").textContent`); h1 != "报送指南" {
			t.Errorf("the 报送指南 link of %s opened %q", s.inst, h1)
		}
		if s.inbox != "" {
			if n := eval[int](t, tb, `document.querySelectorAll('main a[href="`+s.inbox+`"]').length`); n == 0 {
				t.Errorf("the guide does not link %s", s.inbox)
			}
		}
		if errs := tb.takeErrors(); len(errs) > 0 {
			t.Errorf("%v", errs)
		}
	}
}
