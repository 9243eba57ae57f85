package site

import (
	"path/filepath"
	"strings"
	"testing"

	"kjjr/content"
)

// TestPublicityNotPublicBeforeStart: a publicity whose start is after the
// build date has no page, no entry in the publicity list, the search
// index, the sitemap or the open data, and no link from its round; the
// build reports its start as next_change. Built again as of the start
// date, all of it appears; as of the day before again, it goes away.
func TestPublicityNotPublicBeforeStart(t *testing.T) {
	repo := loadFixture(t, "basic.txtar")
	const title = "2025年第一批科技金融服务机构拟确定名单公示"
	const url = "publicity/2025-06-03-round-1/"
	dir := filepath.Join(t.TempDir(), "public")
	build := func(now string) (map[string]string, *Result) {
		t.Helper()
		d, _ := content.ParseDate(now)
		res, err := Build(repo, &Options{Out: dir, Now: d})
		if err != nil {
			t.Fatal(err)
		}
		return walkOut(t, dir), res
	}
	before := func(now string) {
		files, res := build(now)
		if res.NextChange.String() != "2025-06-03" || !strings.Contains(res.NextChangeReason, "公示开始") {
			t.Errorf("as of %s: next_change = %s (%s); want the publicity's start 2025-06-03", now, res.NextChange, res.NextChangeReason)
		}
		if _, ok := files[url+"index.html"]; ok {
			t.Errorf("as of %s: the publicity page exists before its start", now)
		}
		for p, s := range files {
			if strings.Contains(s, title) || strings.Contains(s, url) || strings.Contains(s, "2025-06-03-round-1") {
				t.Errorf("as of %s: %s names the publicity before its start", now, p)
			}
		}
		for _, p := range []string{"data/roster.json", "data/roster.csv"} {
			if strings.Contains(files[p], string(content.StatusPublicized)) {
				t.Errorf("as of %s: %s shows an institution as publicized", now, p)
			}
		}
		if !strings.Contains(files["rounds/2025-1/index.html"], "尚未") {
			t.Errorf("as of %s: the round page does not show the publicity step as not yet started", now)
		}
	}
	before("2025-06-02")
	files, _ := build("2025-06-03")
	for _, p := range []string{url + "index.html", "publicity/index.html", "search/index.json", "sitemap.xml", "rounds/2025-1/index.html"} {
		if !strings.Contains(files[p], "2025-06-03-round-1") && !strings.Contains(files[p], title) {
			t.Errorf("as of the start date, %s does not show the publicity", p)
		}
	}
	for _, name := range []string{"晋中阿尔法科技金融服务有限公司", "晋中贝塔"} {
		if !strings.Contains(files[url+"index.html"], name) {
			t.Errorf("as of the start date, the publicity page does not list %s", name)
		}
	}
	before("2025-06-02") // the incremental build removes what is no longer public
}
