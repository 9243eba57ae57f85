package content_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"kjjr/content"
	"kjjr/content/corpus"
)

// TestTreeCacheFullFile: a full (not Compliance) tree cache written to a
// file and read back, as the next kjjr build --repo does, gives the same
// records without reading any unchanged institution from git; a Public
// cache file holds nothing private.
func TestTreeCacheFullFile(t *testing.T) {
	needGit(t)
	dir := t.TempDir()
	if err := corpus.Write(dir, &corpus.Options{Institutions: 4, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	fsys := commitAll(t, dir)
	for _, public := range []bool{true, false} {
		c := new(content.TreeCache)
		want, err := content.LoadTree(fsys, &content.TreeOptions{Public: public, Cache: c})
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(t.TempDir(), "kjjr", "cache", "tree.cache")
		if err := c.WriteFile(p); err != nil {
			t.Fatalf("public=%v: WriteFile: %v", public, err)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if private := []byte("report@" + corpus.Slug(1) + "." + corpus.Domain); public && bytes.Contains(data, private) {
			t.Errorf("a Public tree cache holds a report sender's address")
		}
		if fi, err := os.Stat(p); err == nil && fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("tree cache mode %v: readable by others", fi.Mode().Perm())
		}
		c2 := content.ReadTreeCache(p)
		cf := counting(fsys)
		got, err := content.LoadTree(cf, &content.TreeOptions{Public: public, Cache: c2})
		if err != nil {
			t.Fatal(err)
		}
		if c2.Reads() != 0 {
			t.Errorf("public=%v: %d institutions read with the cache from the file, want 0", public, c2.Reads())
		}
		for name := range cf.reads {
			if filepath.Dir(filepath.Dir(name)) == "institutions" || filepath.Dir(name) == "institutions/"+corpus.Slug(1) {
				t.Errorf("public=%v: %s read from git", public, name)
			}
		}
		sameRepo(t, want, got)
		// Stamps from git hashes: unchanged files keep theirs.
		for _, f := range []string{"site.yaml", want.Institutions[0].File, want.Institutions[0].Reports[0].File} {
			a, okA := want.AppendStamp(nil, f)
			b, okB := got.AppendStamp(nil, f)
			if !okA || !okB || !bytes.Equal(a, b) {
				t.Errorf("public=%v: stamp of %s: %x (%v), %x (%v)", public, f, a, okA, b, okB)
			}
		}
	}
	// A cache file of another kind of load, or damaged, is an empty cache.
	p := filepath.Join(t.TempDir(), "bad.cache")
	if err := os.WriteFile(p, []byte("kjjr-tree-cache-full 1\nsomething else\nS\x05xxxxx"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := content.ReadTreeCache(p)
	if _, err := content.LoadTree(fsys, &content.TreeOptions{Public: true, Cache: c}); err != nil {
		t.Fatal(err)
	}
	if c.Reads() != 4 {
		t.Errorf("damaged cache: %d institutions read, want 4", c.Reads())
	}
}

// TestLoadTreeStamps: a tree load stamps its files by git hashes, so that
// a build can tell what changed: a changed report changes the stamps of
// its institution's reports, not that of its index.md nor any other
// institution's.
func TestLoadTreeStamps(t *testing.T) {
	needGit(t)
	dir := t.TempDir()
	if err := corpus.Write(dir, &corpus.Options{Institutions: 3, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	a, err := content.LoadTree(commitAll(t, dir), nil)
	if err != nil {
		t.Fatal(err)
	}
	rep := a.Institutions[1].Reports[0].File
	f := filepath.Join(dir, filepath.FromSlash(rep))
	data, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f, append(data, "\n更多说明。\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := content.LoadTree(commitAll(t, dir), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, inst := range a.Institutions {
		for _, p := range []string{inst.File, inst.Reports[0].File, "site.yaml"} {
			sa, okA := a.AppendStamp(nil, p)
			sb, okB := b.AppendStamp(nil, p)
			if !okA || !okB {
				t.Fatalf("%s: no stamp", p)
			}
			// index.md keeps its own stamp when only a report changed.
			if changed := inst == a.Institutions[1] && p == inst.Reports[0].File; bytes.Equal(sa, sb) == changed {
				t.Errorf("%s: stamp changed %v, want %v", p, !bytes.Equal(sa, sb), changed)
			}
		}
	}
}
