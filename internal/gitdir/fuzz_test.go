package gitdir

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// FuzzPackedRefs: whatever packed-refs holds, Read and Delete do not
// panic; a ref found there and deleted is gone afterwards (every line of
// it), and every other line is kept as it was.
func FuzzPackedRefs(f *testing.F) {
	h1, h2 := strings.Repeat("1", 40), strings.Repeat("2", 40)
	f.Add("# pack-refs with: peeled fully-peeled sorted \n"+h1+" refs/heads/main\n"+h2+" refs/heads/submit/a/2026-10\n^"+h1+"\n", "refs/heads/submit/a/2026-10")
	f.Add(h1+" refs/heads/main", "refs/heads/main")
	f.Add(h1+" refs/heads/main\n"+h2+" refs/heads/main\n", "refs/heads/main")
	f.Add("garbage\n\x00\n"+h1+" refs/tags/v1\n", "refs/tags/v1")
	f.Fuzz(func(t *testing.T, packed, name string) {
		ref := plumbing.ReferenceName(name)
		if ref.Validate() != nil || !strings.HasPrefix(name, "refs/") || strings.ContainsAny(name, "\n\r") {
			return
		}
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "packed-refs"), []byte(packed), 0o644); err != nil {
			t.Fatal(err)
		}
		h, err := Read(dir, ref)
		if err != nil {
			return
		}
		if err := Delete(dir, ref, h); err != nil {
			t.Fatalf("delete %s at %s: %v", ref, h, err)
		}
		after, _ := os.ReadFile(filepath.Join(dir, "packed-refs"))
		if strings.Count(string(after), "\n") > strings.Count(packed, "\n") {
			t.Fatalf("packed-refs grew:\n%q\n%q", packed, after)
		}
		for _, l := range strings.SplitAfter(string(after), "\n") {
			if l != "" && !strings.Contains(packed, l) {
				t.Fatalf("line %q not in the original", l)
			}
		}
		if locks, _ := filepath.Glob(filepath.Join(dir, "*.lock")); len(locks) > 0 {
			t.Fatalf("locks left: %v", locks)
		}
		if _, err := Read(dir, ref); !errors.Is(err, plumbing.ErrReferenceNotFound) {
			t.Fatalf("read after delete: %v, want not found", err)
		}
	})
}
