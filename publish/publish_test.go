//go:build unix

package publish

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"kjjr/site"
)

var releaseMeta = regexp.MustCompile(`<meta name="kjjr-release" content="([^"]+)">`)

func pageRelease(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	m := releaseMeta.FindSubmatch(b)
	if m == nil {
		t.Fatalf("%s has no release meta tag", p)
	}
	return string(m[1])
}

func inode(t *testing.T, p string) uint64 {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t).Ino
}

// TestPublishReleases: a publish makes a release that current points at;
// the next one shares unchanged files by hard links, never changes a byte
// of the previous release, and stamps the pages it rendered.
func TestPublishReleases(t *testing.T) {
	repo := contentRepo(t)
	web := t.TempDir()
	now := day(t, "2026-06-15")
	r1, err := Publish(repo, web, &Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if r1.Unchanged {
		t.Fatal("first publish reported unchanged")
	}
	cur := filepath.Join(web, "current")
	if got := pageRelease(t, filepath.Join(cur, "index.html")); got != r1.Release.ID {
		t.Fatalf("live index.html is of release %s, want %s", got, r1.Release.ID)
	}
	if _, err := os.Stat(filepath.Join(cur, ".kjjr-manifest")); err == nil {
		t.Error("the build manifest is in the release")
	}
	old := filepath.Join(web, "releases", r1.Release.ID)
	// An asset of an older kjjr (assets are named by their bytes' hash):
	// a page loaded from this release just before the switch names it.
	oldAsset := filepath.Join("assets", "site.0123456789.css")
	writeFile(t, filepath.Join(old, oldAsset), "body{}")
	before := snapshot(t, old)

	// Same commit, same date: nothing new.
	r2, err := Publish(repo, web, &Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if !r2.Unchanged || r2.Release.ID != r1.Release.ID {
		t.Fatalf("publish of the same commit and date made release %s (unchanged=%v)", r2.Release.ID, r2.Unchanged)
	}

	edit(t, repo, "institutions/jiexiu-xinke/index.md", "\n\n新增一段说明文字：发布测试。\n")
	r3, err := Publish(repo, web, &Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if r3.Unchanged || r3.Release.ID <= r1.Release.ID {
		t.Fatalf("second release %s after %s", r3.Release.ID, r1.Release.ID)
	}
	after := snapshot(t, old)
	if len(after) != len(before) {
		t.Fatalf("previous release had %d files, now %d", len(before), len(after))
	}
	for p, h := range before {
		if after[p] != h {
			t.Errorf("previous release's %s changed", p)
		}
	}
	newRel := filepath.Join(web, "releases", r3.Release.ID)
	inst := filepath.Join("institutions", "jiexiu-xinke", "index.html")
	if got := pageRelease(t, filepath.Join(cur, inst)); got != r3.Release.ID {
		t.Errorf("changed page carries release %s, want %s", got, r3.Release.ID)
	}
	b, _ := os.ReadFile(filepath.Join(cur, inst))
	if !strings.Contains(string(b), "发布测试") {
		t.Error("the live release lacks the change")
	}
	// A page the new release did not render again carries the release
	// that did: the id names the release whose build wrote the page.
	other := filepath.Join("institutions", "kechuang-rongzi", "index.html")
	if got := pageRelease(t, filepath.Join(cur, other)); got != r1.Release.ID {
		t.Errorf("unchanged page %s carries release %s, want %s (which rendered it)", other, got, r1.Release.ID)
	}
	if r3.Release.Written*3 > r3.Release.Files {
		t.Errorf("release after one institution changed wrote %d of %d files", r3.Release.Written, r3.Release.Files)
	}
	shared := 0
	for p := range before {
		if _, err := os.Stat(filepath.Join(newRel, p)); err == nil && inode(t, filepath.Join(old, p)) == inode(t, filepath.Join(newRel, p)) {
			shared++
		}
	}
	if shared == 0 {
		t.Error("no file is shared by hard link between the releases")
	}
	if inode(t, filepath.Join(old, inst)) == inode(t, filepath.Join(newRel, inst)) {
		t.Error("the changed page is shared with the previous release")
	}
	t.Logf("%d of %d files shared", shared, len(before))
	// An unchanged institution's directory is one object both releases
	// link to; the changed one's is a new object.
	link := func(rel, slug string) string {
		t.Helper()
		p, err := os.Readlink(filepath.Join(rel, "institutions", slug))
		if err != nil {
			t.Fatalf("institutions/%s is not a link to an object: %v", slug, err)
		}
		return p
	}
	if a, b := link(old, "kechuang-rongzi"), link(newRel, "kechuang-rongzi"); a != b {
		t.Errorf("unchanged institution: %s, then %s", a, b)
	}
	if a, b := link(old, "jiexiu-xinke"), link(newRel, "jiexiu-xinke"); a == b {
		t.Errorf("changed institution still links %s", a)
	}
	if inode(t, filepath.Join(old, oldAsset)) != inode(t, filepath.Join(newRel, oldAsset)) {
		t.Error("the new release does not keep the previous release's assets")
	}
	if _, err := os.Stat(filepath.Join(newRel, site.ManifestName)); err == nil {
		t.Error("the build manifest is in the new release")
	}

	// Rollback, then the status of current.
	back, err := Rollback(web)
	if err != nil {
		t.Fatal(err)
	}
	if back.ID != r1.Release.ID {
		t.Fatalf("rolled back to %s, want %s", back.ID, r1.Release.ID)
	}
	if got := pageRelease(t, filepath.Join(cur, "index.html")); got != r1.Release.ID {
		t.Fatalf("after rollback index.html is of %s", got)
	}
	if _, err := Rollback(web); err == nil {
		t.Error("rollback past the oldest release succeeded")
	}
}

// TestPublishKeep: only the last Keep releases stay.
func TestPublishKeep(t *testing.T) {
	repo := contentRepo(t)
	web := t.TempDir()
	now := day(t, "2026-06-15")
	var last string
	for i := 0; i < 4; i++ {
		edit(t, repo, "institutions/jiexiu-xinke/index.md", "\n\n第"+string(rune('一'+i))+"次。\n")
		r, err := Publish(repo, web, &Options{Now: now, Keep: 2})
		if err != nil {
			t.Fatal(err)
		}
		last = r.Release.ID
	}
	ids, err := Releases(web)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 2 || ids[1] != last {
		t.Fatalf("releases %v, want the last 2 ending with %s", ids, last)
	}
	// The objects are those the kept releases link to, and all there.
	want := map[string]bool{}
	for _, id := range ids {
		// Institutions, and the leaf directories of other pages, two
		// levels down.
		links, err := filepath.Glob(filepath.Join(web, "releases", id, "*", "*"))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range links {
			if target, err := os.Readlink(p); err == nil {
				want[filepath.Base(target)] = true
				if _, err := os.Stat(filepath.Join(p, "index.html")); err != nil {
					t.Errorf("release %s: %v", id, err)
				}
			}
		}
	}
	objs, err := os.ReadDir(filepath.Join(web, "objects"))
	if err != nil {
		t.Fatal(err)
	}
	links := map[string]bool{}
	for _, o := range objs {
		if name, ok := strings.CutSuffix(o.Name(), linkSuffix); ok {
			links[name] = true // the object's symlink
		}
	}
	for _, o := range objs {
		if strings.HasSuffix(o.Name(), linkSuffix) {
			continue
		}
		if !want[o.Name()] {
			t.Errorf("object %s is used by no kept release", o.Name())
		}
		if !links[o.Name()] {
			t.Errorf("object %s has no symlink %s%s", o.Name(), o.Name(), linkSuffix)
		}
		delete(links, o.Name())
		delete(want, o.Name())
	}
	if len(links) > 0 {
		t.Errorf("symlinks of removed objects left: %v", links)
	}
	if len(want) > 0 || len(objs) == 0 {
		t.Errorf("%d objects; missing %v", len(objs), want)
	}
}

// TestPublishRefusesErrors: content with errors is not published and
// the live release stays.
func TestPublishRefusesErrors(t *testing.T) {
	repo := contentRepo(t)
	web := t.TempDir()
	now := day(t, "2026-06-15")
	r1, err := Publish(repo, web, &Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, "institutions", "jiexiu-xinke", "index.md"), []byte("---\nname: [broken\n---\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, repo, "commit", "-q", "-am", "break")
	_, err = Publish(repo, web, &Options{Now: now})
	if _, ok := err.(*ContentError); !ok {
		t.Fatalf("publish of broken content: %v, want a ContentError", err)
	}
	cur, err := Current(web)
	if err != nil || cur.ID != r1.Release.ID {
		t.Fatalf("live release %v (%v), want %s", cur, err, r1.Release.ID)
	}
}
