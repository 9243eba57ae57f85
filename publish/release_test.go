//go:build unix

package publish

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"kjjr/internal/progid"
)

// objectNames lists the entries of web's objects directory.
func objectNames(t *testing.T, web string) map[string]bool {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(web, "objects"))
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]bool{}
	for _, e := range ents {
		m[e.Name()] = true
	}
	return m
}

// TestPublishAfterOneChange: a publish after one institution changed
// makes exactly one new object (and its symlink); every institution of
// the new release is a hard link to its object's symlink, so the release
// costs no new inode per institution; and a web root whose objects have
// no symlink yet (made by an older kjjr) gets them on the next publish.
func TestPublishAfterOneChange(t *testing.T) {
	repo := contentRepo(t)
	web := t.TempDir()
	now := day(t, "2026-06-15")
	r1, err := Publish(repo, web, &Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	before := objectNames(t, web)
	slug := "jiexiu-xinke"
	edit(t, repo, "institutions/"+slug+"/index.md", "\n\n新增一段说明文字：对象测试。\n")
	r2, err := Publish(repo, web, &Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	// New objects: the changed institution's, and those of the other
	// pages' leaf directories whose bytes changed; each with its symlink.
	after := objectNames(t, web)
	prev, next := filepath.Join(web, "releases", r1.Release.ID), filepath.Join(web, "releases", r2.Release.ID)
	var inst []string
	for name := range after {
		if before[name] || strings.HasSuffix(name, linkSuffix) {
			continue
		}
		if !after[name+linkSuffix] {
			t.Errorf("new object %s has no symlink", name)
		}
		if top, _, ok := strings.Cut(name, "."); ok {
			leaf := strings.TrimSuffix(strings.TrimPrefix(name, top+"."), name[strings.LastIndex(name, "-"):])
			rel := filepath.Join(top, leaf)
			if maps.Equal(snapshot(t, filepath.Join(prev, rel)), snapshot(t, filepath.Join(next, rel))) {
				t.Errorf("new object %s for %s, whose pages did not change", name, rel)
			}
			continue
		}
		inst = append(inst, name)
	}
	if len(inst) != 1 || !strings.HasPrefix(inst[0], slug+"-") {
		t.Fatalf("after a change of %s the publish added institution objects %v, want one of %s", slug, inst, slug)
	}
	checkLinks(t, web, r2.Release.ID)
	// A notice's directory (files only, two levels down) is an object
	// too, shared the same way.
	notices, err := filepath.Glob(filepath.Join(next, "notices", "*"))
	if err != nil {
		t.Fatal(err)
	}
	shared := 0
	for _, p := range notices {
		if fi := lstat(t, p); fi.Mode().IsRegular() {
			continue // notices/index.html, the feed
		}
		target, err := os.Readlink(p)
		if err != nil {
			t.Errorf("%s is not a link to an object: %v", p, err)
			continue
		}
		if !os.SameFile(lstat(t, p), lstat(t, filepath.Join(web, "objects", filepath.Base(target)+linkSuffix))) {
			t.Errorf("%s is not a hard link to its object's symlink", p)
		}
		if _, err := os.Stat(filepath.Join(p, "index.html")); err != nil {
			t.Error(err)
		}
		shared++
	}
	if shared == 0 {
		t.Error("no notice's directory is an object")
	}

	// Objects of an older kjjr had no symlink: the next publish makes them.
	for name := range objectNames(t, web) {
		if strings.HasSuffix(name, linkSuffix) {
			if err := os.Remove(filepath.Join(web, "objects", name)); err != nil {
				t.Fatal(err)
			}
		}
	}
	edit(t, repo, "institutions/"+slug+"/index.md", "\n\n再改一次。\n")
	r3, err := Publish(repo, web, &Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	checkLinks(t, web, r3.Release.ID)
	// The older releases still serve every institution.
	for _, id := range []string{r1.Release.ID, r2.Release.ID} {
		ents, err := os.ReadDir(filepath.Join(web, "releases", id, "institutions"))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			if e.Type()&os.ModeSymlink == 0 {
				continue
			}
			if _, err := os.Stat(filepath.Join(web, "releases", id, "institutions", e.Name(), "index.html")); err != nil {
				t.Errorf("release %s: %v", id, err)
			}
		}
	}
}

// checkLinks checks that every institution of release id is a hard link
// to the symlink of the object it names, which holds the institution's
// pages.
func checkLinks(t *testing.T, web, id string) {
	t.Helper()
	dir := filepath.Join(web, "releases", id, "institutions")
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range ents {
		p := filepath.Join(dir, e.Name())
		target, err := os.Readlink(p)
		if err != nil {
			continue // institutions/index.html
		}
		n++
		obj := filepath.Base(target)
		if !strings.HasPrefix(obj, e.Name()+"-") {
			t.Errorf("%s links %s", e.Name(), target)
		}
		if !os.SameFile(lstat(t, p), lstat(t, filepath.Join(web, "objects", obj+linkSuffix))) {
			t.Errorf("release %s: institutions/%s is not a hard link to objects/%s%s", id, e.Name(), obj, linkSuffix)
		}
		if _, err := os.Stat(filepath.Join(p, "index.html")); err != nil {
			t.Errorf("release %s: %v", id, err)
		}
	}
	if n == 0 {
		t.Fatalf("release %s links no institution", id)
	}
}

func lstat(t *testing.T, p string) os.FileInfo {
	t.Helper()
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi
}

// TestVersionNamesTheBuild: a release records the build of kjjr that made
// it by its build ID, so that a publish by another build (which may
// render differently) is not taken for "nothing changed", even when
// neither build carries version information.
func TestVersionNamesTheBuild(t *testing.T) {
	id := progid.ID()
	if id == "" {
		t.Fatal("no id for the running program")
	}
	if v := version(); !strings.HasSuffix(v, " "+id) {
		t.Fatalf("version() = %q, does not name the build %q", v, id)
	}
}

// TestPruneToTrash: pruning moves the old releases and the objects only
// they used into the trash, under the lock, and emptyTrash deletes them
// afterwards; Publish leaves no trash behind.
func TestPruneToTrash(t *testing.T) {
	repo := contentRepo(t)
	web := t.TempDir()
	now := day(t, "2026-06-15")
	var ids []string
	for i := 0; i < 3; i++ {
		edit(t, repo, "institutions/jiexiu-xinke/index.md", "\n\n第"+string(rune('一'+i))+"次。\n")
		r, err := Publish(repo, web, &Options{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.Release.ID)
	}
	objs := objectNames(t, web)
	removed, err := prune(web, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(removed, ids[:2]) {
		t.Fatalf("prune removed %v, want %v", removed, ids[:2])
	}
	kept, err := Releases(web)
	if err != nil || !slices.Equal(kept, ids[2:]) {
		t.Fatalf("releases %v (%v), want %v", kept, err, ids[2:])
	}
	// Two objects of jiexiu-xinke (and their symlinks) were used only by
	// the removed releases.
	var gone []string
	for name := range objs {
		if !objectNames(t, web)[name] && !strings.HasSuffix(name, linkSuffix) {
			gone = append(gone, name)
		}
	}
	if len(gone) < 2 {
		t.Errorf("prune removed objects %v, want at least the two of jiexiu-xinke the removed releases used", gone)
	}
	bins, err := os.ReadDir(filepath.Join(web, "trash"))
	if err != nil || len(bins) != 1 {
		t.Fatalf("trash: %v (%v), want one directory", bins, err)
	}
	inBin, err := os.ReadDir(filepath.Join(web, "trash", bins[0].Name()))
	if err != nil || len(inBin) != 2+len(gone) {
		t.Fatalf("in the trash: %v (%v), want the 2 releases and the %d objects removed", inBin, err, len(gone))
	}
	checkLinks(t, web, ids[2])
	emptyTrash(web)
	if ents, _ := os.ReadDir(filepath.Join(web, "trash")); len(ents) != 0 {
		t.Fatalf("trash not emptied: %v", ents)
	}
	// Publish empties the trash itself.
	for i := 0; i < 2; i++ {
		edit(t, repo, "institutions/jiexiu-xinke/index.md", "\n\n再一次。\n")
		if _, err := Publish(repo, web, &Options{Now: now, Keep: 1}); err != nil {
			t.Fatal(err)
		}
	}
	if ents, _ := os.ReadDir(filepath.Join(web, "trash")); len(ents) != 0 {
		t.Fatalf("Publish left %d entries in the trash", len(ents))
	}
}

// TestCollectUnrecordedRelease: a release whose object list was not
// written (a publish stopped half way) keeps every object it links, the
// other pages' directories as well as the institutions.
func TestCollectUnrecordedRelease(t *testing.T) {
	repo := contentRepo(t)
	web := t.TempDir()
	now := day(t, "2026-06-15")
	var ids []string
	for i := 0; i < 2; i++ {
		edit(t, repo, "institutions/jiexiu-xinke/index.md", "\n\n第"+string(rune('一'+i))+"次。\n")
		r, err := Publish(repo, web, &Options{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.Release.ID)
	}
	if err := os.Remove(filepath.Join(web, "releases", ids[1]+".objects")); err != nil {
		t.Fatal(err)
	}
	if _, err := prune(web, 1); err != nil {
		t.Fatal(err)
	}
	rel := filepath.Join(web, "releases", ids[1])
	links := 0
	for _, top := range []string{"institutions", "notices", "rounds", "publicity", "results"} {
		ents, err := os.ReadDir(filepath.Join(rel, top))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			if e.Type()&os.ModeSymlink == 0 {
				continue
			}
			links++
			if _, err := os.Stat(filepath.Join(rel, top, e.Name(), "index.html")); err != nil {
				t.Errorf("release %s lost an object: %v", ids[1], err)
			}
		}
	}
	if links == 0 {
		t.Fatal("no links in the release")
	}
}
