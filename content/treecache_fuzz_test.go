package content

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzTreeCache: a damaged tree cache file never panics and is refused or
// read; what is read writes back to a file that reads the same.
func FuzzTreeCache(f *testing.F) {
	c := &TreeCache{mode: treeMode{compliance: true}, subtrees: map[string]*subtree{}}
	inst := &Institution{Name: "甲\t\"机构\"", ShortName: "甲", Meta: Meta{Slug: "alpha", File: "institutions/alpha/index.md"}}
	rep := &Report{Kind: "monthly", Period: Period{Kind: Monthly, Year: 2026, Month: 4}, ReceivedAt: "2026-05-08T10:00:00+08:00", Meta: Meta{Slug: "2026-04", File: "institutions/alpha/reports/2026-04.md"}}
	inst.Reports = []*Report{rep}
	c.subtrees["alpha 0123"] = &subtree{slug: "alpha", hash: "0123", inst: inst, diags: Diagnostics{
		{File: "institutions/alpha/x.md", Severity: Warning, Message: "x\ny"},
		{File: "institutions/alpha/reports/2026-05.md", Line: 3, Field: "period", Message: "坏"},
	}}
	c.subtrees["beta 4567"] = &subtree{slug: "beta", hash: "4567", diags: Diagnostics{{File: "institutions/beta/index.md", Line: 2, Message: "坏"}}}
	c.histKey = "k"
	c.hist = map[string][]Event{"alpha": {{Date: Date{Year: 2025, Month: 1, Day: 2}, Kind: EventAnnounced, Round: "r1", Ref: "rounds/r1.md"}}, "beta": nil}
	c.histDiags = Diagnostics{{File: "rounds/r1.md", Line: 1, Message: "坏"}}
	seed := filepath.Join(f.TempDir(), "seed")
	if err := c.WriteFile(seed); err != nil {
		f.Fatal(err)
	}
	data, err := os.ReadFile(seed)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte("kjjr-tree-cache 1\nS\tzz\tab\t0\n"))
	f.Add([]byte("kjjr-tree-cache 1\nS\tzz\tab\t1\ni\tn\t\"\"\nr\t2025-04\t=\t=\tx\nW\t0\t1\tf\t\t\"m\"\n"))
	f.Add([]byte("kjjr-tree-cache 1\nK\t\"\\x\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parseTreeCache(string(data))
		if err != nil {
			return
		}
		p := filepath.Join(t.TempDir(), "c")
		if err := c.WriteFile(p); err != nil {
			t.Fatal(err)
		}
		again, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		d, err := parseTreeCache(string(again))
		if err != nil {
			t.Fatalf("written cache does not read: %v\n%q", err, again)
		}
		if !reflect.DeepEqual(c.subtrees, d.subtrees) || c.histKey != d.histKey || !reflect.DeepEqual(c.hist, d.hist) || !reflect.DeepEqual(c.histDiags, d.histDiags) {
			t.Fatalf("cache changed on a round trip:\n%q\n%q", data, again)
		}
	})
}

// TestTreeCacheRoundTrip: a written cache reads back.
func TestTreeCacheRoundTrip(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c")
	c := &TreeCache{mode: treeMode{compliance: true}, subtrees: map[string]*subtree{"a h": {slug: "a", hash: "h",
		inst: &Institution{Name: "名", Meta: Meta{Slug: "a", File: "institutions/a/index.md"}}}}}
	if err := c.WriteFile(p); err != nil {
		t.Fatal(err)
	}
	d := ReadTreeCache(p)
	if len(d.subtrees) != 1 || d.subtrees["a h"].inst.Name != "名" {
		t.Errorf("read back %+v", d.subtrees)
	}
}
