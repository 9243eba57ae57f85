package site

import (
	"testing"

	"github.com/chromedp/chromedp"

	"kjjr/internal/webcheck"
)

// TestNuHTMLChecker validates every page of the built default dataset and
// of the test fixture with the W3C Nu HTML checker, in one JVM.
func TestNuHTMLChecker(t *testing.T) {
	def, _ := buildTo(t, defaultRepo(t))
	fix, _ := buildTo(t, loadFixture(t, "basic.txtar"))
	xss, _ := buildTo(t, loadFixture(t, "xss.txtar"))
	for _, m := range webcheck.Nu(t, def, fix, xss) {
		t.Error(m)
	}
}

// TestAxeAccessibility runs axe-core in Chromium on the main page types
// and fails on any serious or critical violation (WCAG 2.x A and AA
// rules and best practices).
func TestAxeAccessibility(t *testing.T) {
	axeJS := webcheck.AxeScript(t)
	tb := newTab(t)
	base := serveSite(t)
	for _, p := range mainPages {
		for _, large := range []bool{false, true} {
			tb.do(t, chromedp.Navigate(base+p), chromedp.WaitReady(chromedp.CSS("footer")))
			if large {
				if p != "" && p != "institutions/alpha/" {
					continue
				}
				tb.do(t, chromedp.Click(chromedp.CSS("#textsize")))
			}
			vs, err := webcheck.Axe(tb.ctx, axeJS)
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			for _, v := range vs {
				if v.Serious() {
					t.Errorf("%s (large text %v): %s", p, large, v)
				} else {
					t.Logf("%s: %s", p, v)
				}
			}
		}
	}
}
