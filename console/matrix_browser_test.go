package console

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"
)

// TestBrowserMatrixExportHistory filters 报送情况, opens a report from its
// cell, downloads 导出 Excel and reads it back with excelize, and opens a
// change from 记录, in a real browser.
func TestBrowserMatrixExportHistory(t *testing.T) {
	f := startConsole(t, nil)
	f.submit("beta", monthly("beta", "2026-04", at("2026-05-05 10:00"), 8, "50"))
	tb := newTab(t)
	tb.login(t, f.url, staffName, staffPass)

	tb.do(t, chromedp.Click(chromedp.CSS(`nav a[href="/status/"]`)), chromedp.WaitVisible(chromedp.CSS("#matrix")),
		chromedp.SendKeys(chromedp.CSS("#q"), "甲科技"), chromedp.Click(chromedp.CSS("#apply")),
		chromedp.WaitVisible(chromedp.CSS(`#matrix a[href="/report/alpha/2026-01"]`)))
	if c := tb.text(t, "#count"); !strings.Contains(c, "符合条件 1 家") {
		t.Errorf("after filtering by name: %q", c)
	}
	tb.do(t, chromedp.Click(chromedp.CSS(`#matrix a[href="/report/alpha/2026-01"]`)), chromedp.WaitVisible(chromedp.CSS("#figures")))
	if h := tb.text(t, "h1"); !strings.Contains(h, institutions["alpha"][0]) || !strings.Contains(h, "2026年1月") {
		t.Errorf("the cell opened %q", h)
	}

	dl := t.TempDir()
	yes := true
	if _, err := chromedp.CallBrowser(tb.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, BrowserContextID: chromedp.FromContext(tb.ctx).BrowserContextID,
		DownloadPath: dl, EventsEnabled: &yes}); err != nil {
		t.Fatalf("download behaviour: %v", err)
	}
	tb.do(t, chromedp.Navigate(f.url+"/status/?year=2026"), chromedp.WaitVisible(chromedp.CSS("#export")), chromedp.Click(chromedp.CSS("#export")))
	var file string
	for deadline := time.Now().Add(30 * time.Second); file == "" && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		ents, _ := os.ReadDir(dl)
		for _, e := range ents {
			if info, err := e.Info(); err == nil && info.Size() > 0 && !strings.HasSuffix(e.Name(), ".crdownload") {
				file = filepath.Join(dl, e.Name())
			}
		}
	}
	if file == "" {
		t.Fatal("the browser downloaded nothing")
	}
	time.Sleep(200 * time.Millisecond) // let the browser finish writing
	x, err := excelize.OpenFile(file)
	if err != nil {
		t.Fatalf("the download is no workbook: %v", err)
	}
	defer x.Close()
	if v, _ := x.GetCellValue(SheetMatrix, "F3"); v != "待审核" {
		t.Errorf("beta's April in the downloaded matrix: %q", v)
	}
	if v, _ := x.GetCellValue(SheetTotals, "A5"); v != "合计" {
		t.Errorf("the downloaded totals lack 合计: %q", v)
	}

	tb.do(t, chromedp.Click(chromedp.CSS(`nav a[href="/history/"]`)), chromedp.WaitVisible(chromedp.CSS("#history")),
		chromedp.Click(chromedp.CSS(`#history a`)), chromedp.WaitVisible(chromedp.CSS("#files")))
	if fl := tb.text(t, "#files"); !strings.Contains(fl, "institutions/alpha/reports/2026-01.md") {
		t.Errorf("the first commit's files: %q", fl)
	}
	tb.checkErrors(t)
}
