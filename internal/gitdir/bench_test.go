package gitdir

import (
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// BenchmarkUpdate compares one compare-and-swap of a branch by Update
// (lock file, fsync, rename, directory fsync) with go-git's
// CheckAndSetReference (flock, rewrite in place, no fsync), which it
// replaces.
func BenchmarkUpdate(b *testing.B) {
	dir, base := newRepo(b)
	c1 := commitOn(b, dir, base, "one")
	vals := [2]plumbing.Hash{base, c1}
	ref := plumbing.ReferenceName("refs/heads/submit/bench/2026-10")
	b.Run("gitdir.Update", func(b *testing.B) {
		if err := Update(dir, ref, base, plumbing.ZeroHash); err != nil {
			b.Fatal(err)
		}
		for i := 0; i < b.N; i++ {
			if err := Update(dir, ref, vals[(i+1)%2], vals[i%2]); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		if err := Delete(dir, ref, vals[b.N%2]); err != nil {
			b.Fatal(err)
		}
	})
	b.Run("go-git.CheckAndSetReference", func(b *testing.B) {
		st2 := Storage(dir, filesystem.Options{})
		if err := st2.SetReference(plumbing.NewHashReference(ref, base)); err != nil {
			b.Fatal(err)
		}
		for i := 0; i < b.N; i++ {
			if err := st2.CheckAndSetReference(plumbing.NewHashReference(ref, vals[(i+1)%2]), plumbing.NewHashReference(ref, vals[i%2])); err != nil {
				b.Fatal(err)
			}
		}
	})
}
