package content

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzTreeCacheFull: a damaged full tree cache file never panics and is
// refused or read; what is read loads into subtrees whose records all
// sit in their own institution's directory.
func FuzzTreeCacheFull(f *testing.F) {
	inst := &Institution{Name: "甲机构", ShortName: "甲", Meta: Meta{Slug: "alpha", File: "institutions/alpha/index.md"}}
	rep := &Report{Kind: "monthly", Period: Period{Kind: Monthly, Year: 2026, Month: 4}, ReceivedAt: "2026-05-08T10:00:00+08:00",
		Meta: Meta{Slug: "2026-04", File: "institutions/alpha/reports/2026-04.md"}}
	ts := []*task{
		{job: job{path: inst.File, kind: kindInstitution, slug: "alpha", name: "index"}, res: decoded{rec: inst}},
		{job: job{path: rep.File, kind: kindReport, slug: "alpha", name: "2026-04"}, res: decoded{rec: rep}},
	}
	c := &TreeCache{mode: treeMode{public: true}, subtrees: map[string]*subtree{}}
	c.subtrees["alpha 0123"] = &subtree{slug: "alpha", hash: "0123", index: "4567", ts: ts, inst: inst}
	seed := filepath.Join(f.TempDir(), "seed")
	if err := c.WriteFile(seed); err != nil {
		f.Fatal(err)
	}
	data, err := os.ReadFile(seed)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte(treeCacheFullMagic + "\n" + mustKey(true) + "\nS\x02{}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "c")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		c := ReadTreeCache(p)
		for _, st := range c.subtrees {
			for _, tk := range st.ts {
				if tk.res.rec == nil || tk.slug != st.slug {
					t.Fatalf("subtree %s holds %s", st.slug, tk.path)
				}
			}
		}
	})
}
