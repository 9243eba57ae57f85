package submission

import (
	"fmt"
	"math/rand/v2"
	"path"
	"sort"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/memory"
)

// TestDiffMatchesDiffTree checks that the pruned diff Check uses finds
// exactly the changes object.DiffTree finds: on random pairs of trees
// with files added, deleted, changed, made executable, turned into
// directories and back, and whole directories added and removed.
func TestDiffMatchesDiffTree(t *testing.T) {
	g, err := git.Init(memory.NewStorage(), nil)
	if err != nil {
		t.Fatal(err)
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	names := []string{"a", "b", "c", "reports", "evidence"}
	randomPath := func() string {
		n := 1 + rnd.IntN(3)
		parts := make([]string, n)
		for i := range parts {
			parts[i] = names[rnd.IntN(len(names))]
		}
		return strings.Join(parts, "/")
	}
	for round := range 300 {
		a := map[string]object.TreeEntry{}
		for range rnd.IntN(12) {
			addFile(a, randomPath(), rnd)
		}
		b := map[string]object.TreeEntry{}
		for p, e := range a {
			b[p] = e
		}
		for range rnd.IntN(5) {
			ps := keys(b)
			switch op := rnd.IntN(4); {
			case op == 0 || len(ps) == 0:
				addFile(b, randomPath(), rnd)
			case op == 1:
				delete(b, ps[rnd.IntN(len(ps))])
			case op == 2:
				p := ps[rnd.IntN(len(ps))]
				e := b[p]
				e.Mode = []filemode.FileMode{filemode.Regular, filemode.Executable, filemode.Symlink}[rnd.IntN(3)]
				b[p] = e
			default:
				addFile(b, ps[rnd.IntN(len(ps))], rnd)
			}
		}
		at, bt := writeTree(t, g, a), writeTree(t, g, b)
		want, err := object.DiffTree(at, bt)
		if err != nil {
			t.Fatal(err)
		}
		w := &walker{st: g.Storer}
		if err := w.diff(at, bt, "", ""); err != nil {
			t.Fatal(err)
		}
		var ws, gs []string
		for _, ch := range want {
			ws = append(ws, changeString(ch.From.Name, ch.From.TreeEntry, ch.To.Name, ch.To.TreeEntry))
		}
		for _, ch := range w.out {
			var from, to object.TreeEntry
			var fn, tn string
			if !ch.Added() {
				from, fn = object.TreeEntry{Name: path.Base(ch.Path), Mode: ch.OldMode, Hash: ch.OldHash}, ch.Path
			}
			if !ch.Deleted() {
				to, tn = object.TreeEntry{Name: path.Base(ch.Path), Mode: ch.Mode, Hash: ch.Hash}, ch.Path
			}
			gs = append(gs, changeString(fn, from, tn, to))
		}
		sort.Strings(ws)
		sort.Strings(gs)
		if strings.Join(ws, "\n") != strings.Join(gs, "\n") {
			t.Fatalf("round %d:\na = %v\nb = %v\nDiffTree:\n  %s\ndiffTrees:\n  %s", round, a, b, strings.Join(ws, "\n  "), strings.Join(gs, "\n  "))
		}
	}
}

func changeString(fromName string, from object.TreeEntry, toName string, to object.TreeEntry) string {
	s := func(name string, e object.TreeEntry) string {
		if name == "" {
			return "-"
		}
		return fmt.Sprintf("%s %s %s", name, e.Mode, e.Hash)
	}
	return s(fromName, from) + " => " + s(toName, to)
}

// addFile puts a file at p in files, replacing any file on its way or below
// it (a path is a file or a directory, not both).
func addFile(files map[string]object.TreeEntry, p string, rnd *rand.Rand) {
	for q := range files {
		if strings.HasPrefix(q, p+"/") || strings.HasPrefix(p, q+"/") {
			delete(files, q)
		}
	}
	var h plumbing.Hash
	h[0], h[1] = byte(rnd.IntN(3)), 1 // few distinct contents, so that equal files happen
	files[p] = object.TreeEntry{Name: path.Base(p), Mode: filemode.Regular, Hash: h}
}

// writeTree stores the tree of files (path -> entry; blobs need not exist)
// and returns it.
func writeTree(t *testing.T, g *git.Repository, files map[string]object.TreeEntry) *object.Tree {
	t.Helper()
	var write func(prefix string) plumbing.Hash
	write = func(prefix string) plumbing.Hash {
		var entries []object.TreeEntry
		dirs := map[string]bool{}
		for p, e := range files {
			rest, ok := strings.CutPrefix(p, prefix)
			if !ok {
				continue
			}
			if dir, _, isDir := strings.Cut(rest, "/"); isDir {
				dirs[dir] = true
			} else {
				entries = append(entries, e)
			}
		}
		for d := range dirs {
			entries = append(entries, object.TreeEntry{Name: d, Mode: filemode.Dir, Hash: write(prefix + d + "/")})
		}
		sort.Sort(object.TreeEntrySorter(entries))
		obj := g.Storer.NewEncodedObject()
		if err := (&object.Tree{Entries: entries}).Encode(obj); err != nil {
			t.Fatal(err)
		}
		h, err := g.Storer.SetEncodedObject(obj)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	tr, err := g.TreeObject(write(""))
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
