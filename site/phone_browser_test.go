package site

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"kjjr/content"
	"kjjr/content/jinzhong"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"
)

// phoneCheck is run in the page: it returns what a visitor on a phone would
// see wrong. The page must not scroll sideways; no element may reach past
// the screen edge except inside a .scroll container (a wide table that
// scrolls in its own box, which then shows a hint); and the site title
// must not break into a strip of a few characters or leave one alone.
const phoneCheck = `(() => {
  const w = document.documentElement.clientWidth, out = [];
  if (document.documentElement.scrollWidth > w) out.push("page is " + document.documentElement.scrollWidth + "px wide on a " + w + "px screen");
  for (const e of document.querySelectorAll("body *")) {
    if (e.closest(".scroll") || e.closest(".skip") || e.closest("svg")) continue;
    const r = e.getBoundingClientRect();
    if (r.width > 0 && r.right > w + 1) { out.push(e.tagName.toLowerCase() + (e.className ? "." + e.className : "") + " ends at " + Math.round(r.right) + "px: " + (e.textContent || "").trim().slice(0, 30)); break; }
  }
  for (const s of document.querySelectorAll(".scroll")) {
    if (s.scrollWidth > s.clientWidth + 1 && !(s.previousElementSibling && s.previousElementSibling.classList.contains("scroll-hint") && getComputedStyle(s.previousElementSibling).display !== "none"))
      out.push("a wide table scrolls with no hint: " + (s.textContent || "").trim().slice(0, 20));
  }
  const t = document.querySelector(".brand .title");
  if (t && t.firstChild) {
    const lines = new Map(), text = t.firstChild;
    for (let i = 0; i < text.length; i++) {
      const rg = document.createRange(); rg.setStart(text, i); rg.setEnd(text, i + 1);
      const top = Math.round(rg.getBoundingClientRect().top);
      lines.set(top, (lines.get(top) || 0) + 1);
    }
    const counts = [...lines.values()];
    if (counts.length > 1 && (counts[counts.length - 1] < 2 || Math.min(...counts) < 4)) out.push("site title breaks badly: " + counts.join("/") + " characters per line");
  }
  return out;
})()`

// serveDefault builds the embedded default dataset (its long site title
// and real-length names and addresses) and serves it at the root.
func serveDefault(t *testing.T) string {
	t.Helper()
	repo, err := content.Load(jinzhong.FS(), nil)
	if err != nil {
		t.Fatal(err)
	}
	dir, _ := buildTo(t, repo)
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)
	return srv.URL + "/"
}

var defaultPages = []string{
	"", "institutions/", "institutions/jinchuang-capital/", "institutions/jinchuang-capital/reports/2025-10.html",
	"notices/", "notices/2025-04-15-selection-round-1/", "publicity/", "rounds/", "results/", "statistics/", "data/", "search/", "baosong/",
}

func TestBrowserPhoneWidths(t *testing.T) {
	tb := newTab(t)
	sites := []struct {
		base  string
		pages []string
	}{{serveSite(t), mainPages}, {serveDefault(t), defaultPages}}
	for _, width := range []int64{320, 360, 390} {
		for _, large := range []bool{false, true} {
			name := fmt.Sprintf("%dpx", width)
			if large {
				name += "/大字版"
			}
			t.Run(name, func(t *testing.T) {
				tb.do(t, chromedp.Emulate(device.Info{
					Name: name, UserAgent: device.IPhone12.String(),
					Width: width, Height: 800, Scale: 2, Mobile: true, Touch: true,
				}))
				for _, site := range sites {
					for _, p := range site.pages {
						tb.do(t, chromedp.Navigate(site.base+p), chromedp.WaitReady(chromedp.CSS("footer")))
						isLarge := eval[bool](t, tb, `document.documentElement.classList.contains("large")`)
						if large != isLarge { // as a visitor does: the 大字版 button (remembered across pages)
							tb.do(t, chromedp.Click(chromedp.CSS("#textsize")))
							if eval[bool](t, tb, `document.documentElement.classList.contains("large")`) != large {
								t.Fatalf("%s: the 大字版 button did not switch the text size", p)
							}
						}
						for _, problem := range eval[[]string](t, tb, phoneCheck) {
							t.Errorf("%s at %s: %s", p, name, problem)
						}
					}
				}
				tb.takeErrors()
			})
		}
	}
}

// TestBrowserShareMetadata: a link passed on in a chat shows what the page
// is. Every page has a description of its own (an institution's names its
// institution and status; a notice's is its first sentence), the Open
// Graph title, description and URL, and an icon that loads.
func TestBrowserShareMetadata(t *testing.T) {
	tb := newTab(t)
	base := serveDefault(t)
	meta := `(n) => { const e = document.querySelector('meta[name="' + n + '"], meta[property="' + n + '"]'); return e ? e.content : ""; }`
	descs := map[string]string{}
	for _, p := range defaultPages {
		tb.do(t, chromedp.Navigate(base+p), chromedp.WaitReady(chromedp.CSS("footer")))
		got := eval[map[string]string](t, tb, `(() => { const m = `+meta+`; return {
			desc: m("description"), title: m("og:title"), odesc: m("og:description"), url: m("og:url"),
			canonical: (document.querySelector('link[rel="canonical"]') || {}).href || "",
			h1: (document.querySelector("h1") || {}).textContent || "",
			icon: (document.querySelector('link[rel="apple-touch-icon"]') || {}).href || "" }; })()`)
		if got["desc"] == "" || got["desc"] != got["odesc"] || got["title"] == "" {
			t.Errorf("%s: description %q, og:description %q, og:title %q", p, got["desc"], got["odesc"], got["title"])
		}
		if got["url"] == "" || got["url"] != got["canonical"] {
			t.Errorf("%s: og:url %q, canonical %q", p, got["url"], got["canonical"])
		}
		if prev, ok := descs[got["desc"]]; ok {
			t.Errorf("%s has the same description as %s: %q", p, prev, got["desc"])
		}
		descs[got["desc"]] = p
		if len([]rune(got["desc"])) > maxDesc {
			t.Errorf("%s: description of %d characters", p, len([]rune(got["desc"])))
		}
		resp, err := http.Get(got["icon"])
		if err != nil || resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
			t.Errorf("%s: icon %s: %v %v", p, got["icon"], err, resp)
		}
		if resp != nil {
			resp.Body.Close()
		}
		if errs := tb.takeErrors(); len(errs) > 0 {
			t.Errorf("%s: %v", p, errs)
		}
	}
	tb.do(t, chromedp.Navigate(base+"institutions/jinchuang-capital/"), chromedp.WaitReady(chromedp.CSS("footer")))
	if d := eval[string](t, tb, `document.querySelector('meta[name="description"]').content`); !strings.Contains(d, "山西晋创科技资本管理有限公司") || !strings.Contains(d, "当前状态") {
		t.Errorf("institution description %q names neither the institution nor its status", d)
	}
}
