package inbox

import (
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// TestGitLess: the allocation-free order is git's (object.TreeEntrySorter),
// including the dir-as-if-"/" rule (file a.b sorts before dir a; dir a
// before file a0).
func TestGitLess(t *testing.T) {
	names := []string{"a", "a.b", "a0", "a-", "a/", "ab", "b", "", "证明.pdf", "aa", "a.", "a_", "Z"}
	rng := rand.New(rand.NewPCG(3, 4))
	for round := 0; round < 200; round++ {
		var es []object.TreeEntry
		seen := map[string]bool{}
		for i := 0; i < 8; i++ {
			n := names[rng.IntN(len(names))] + names[rng.IntN(len(names))]
			if n == "" || seen[n] {
				continue
			}
			seen[n] = true
			m := filemode.Regular
			if rng.IntN(2) == 0 {
				m = filemode.Dir
			}
			es = append(es, object.TreeEntry{Name: n, Mode: m})
		}
		want := append([]object.TreeEntry(nil), es...)
		sort.Sort(object.TreeEntrySorter(want))
		got := append([]object.TreeEntry(nil), es...)
		sort.Slice(got, func(i, j int) bool { return gitLess(&got[i], &got[j]) })
		for i := range want {
			if want[i].Name != got[i].Name {
				t.Fatalf("order differs:\ngot  %v\nwant %v", got, want)
			}
		}
	}
}
