package content

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestWalkCompare: walkCompare orders paths as fs.WalkDir visits them,
// component by component.
func TestWalkCompare(t *testing.T) {
	names := []string{"a", "a-b", "a.b", "a0", "b", "B", "ab", "报告", "a b"}
	rng := rand.New(rand.NewPCG(1, 2))
	var paths []string
	for range 2000 {
		parts := make([]string, 1+rng.IntN(4))
		for i := range parts {
			parts[i] = names[rng.IntN(len(names))]
		}
		paths = append(paths, strings.Join(parts, "/"))
	}
	byParts := slices.Clone(paths)
	slices.SortFunc(byParts, func(a, b string) int { return slices.Compare(strings.Split(a, "/"), strings.Split(b, "/")) })
	slices.SortFunc(paths, walkCompare)
	if !slices.Equal(paths, byParts) {
		t.Error("walkCompare does not sort paths component by component")
	}
}

func TestCacheIndexFind(t *testing.T) {
	var c cacheIndex
	for _, p := range []string{"a/1.md", "a/2.md", "a/3.md", "a-b/1.md", "b/1.md"} {
		c = append(c, &cacheEntry{Path: p})
	}
	// Files in walk order: one new (a/2a.md), one removed (a/3.md).
	prev := -1
	for _, f := range []struct {
		path string
		want int
	}{{"a/1.md", 0}, {"a/2.md", 1}, {"a/2a.md", -1}, {"a-b/1.md", 3}, {"b/1.md", 4}, {"c.md", -1}} {
		if got := c.find(f.path, &prev); got != f.want {
			t.Errorf("find(%s) = %d, want %d", f.path, got, f.want)
		}
	}
	prev = 3 // a wrong hint costs a search, not a wrong answer
	if got := c.find("a/2.md", &prev); got != 1 {
		t.Errorf("find(a/2.md) after a wrong hint = %d", got)
	}
	if got := cacheIndex(nil).find("a/1.md", &prev); got != -1 {
		t.Errorf("find in an empty cache = %d", got)
	}
}
