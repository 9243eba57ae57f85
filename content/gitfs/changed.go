package gitfs

import (
	"fmt"

	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// ChangedInstitutions compares two content trees by hashes. When all that
// differs between a and b is inside some directories institutions/<slug>
// — every other entry of the root and of institutions/ the same (names,
// modes, hashes: no institution added or removed), and in each changed
// directory index.md the same entry (same blob and mode, or absent from
// both) — it returns those slugs (none when the trees are the same) and
// true; otherwise false. Such a change touches only the institutions' own
// reports, inspections and evidence: the push gate checks it on those
// institutions alone (package publish) and a build from git renders it
// from them alone (package site); each states why that is sound.
func ChangedInstitutions(s storer.EncodedObjectStorer, a, b *object.Tree) (map[string]bool, bool, error) {
	ia, ib, ok := sameBut(a, b, "institutions")
	if !ok {
		return nil, false, nil
	}
	ta, err := object.GetTree(s, ia.Hash)
	if err != nil {
		return nil, false, fmt.Errorf("gitfs: tree %s: %w", ia.Hash, err)
	}
	tb, err := object.GetTree(s, ib.Hash)
	if err != nil {
		return nil, false, fmt.Errorf("gitfs: tree %s: %w", ib.Hash, err)
	}
	if len(ta.Entries) != len(tb.Entries) {
		return nil, false, nil
	}
	changed := map[string]bool{}
	for i := range tb.Entries {
		ea, eb := &ta.Entries[i], &tb.Entries[i]
		if ea.Name != eb.Name || ea.Mode != eb.Mode {
			return nil, false, nil
		}
		if ea.Hash == eb.Hash {
			continue
		}
		if eb.Mode != filemode.Dir {
			return nil, false, nil
		}
		da, err := object.GetTree(s, ea.Hash)
		if err != nil {
			return nil, false, fmt.Errorf("gitfs: tree %s: %w", ea.Hash, err)
		}
		db, err := object.GetTree(s, eb.Hash)
		if err != nil {
			return nil, false, fmt.Errorf("gitfs: tree %s: %w", eb.Hash, err)
		}
		if !sameEntry(da, db, "index.md") {
			return nil, false, nil
		}
		changed[eb.Name] = true
	}
	return changed, true, nil
}

// sameBut reports whether the trees a and b have the same entries (names,
// modes, hashes, in the same order) except the one named name, which
// both have as a directory; it returns that entry of each.
func sameBut(a, b *object.Tree, name string) (ea, eb *object.TreeEntry, ok bool) {
	if len(a.Entries) != len(b.Entries) {
		return nil, nil, false
	}
	for i := range a.Entries {
		x, y := &a.Entries[i], &b.Entries[i]
		if x.Name != y.Name || x.Mode != y.Mode {
			return nil, nil, false
		}
		if x.Name == name {
			ea, eb = x, y
		} else if x.Hash != y.Hash {
			return nil, nil, false
		}
	}
	return ea, eb, ea != nil && ea.Mode == filemode.Dir
}

// sameEntry reports whether the trees a and b have the same entry named
// name (same mode and hash), or both none.
func sameEntry(a, b *object.Tree, name string) bool {
	find := func(t *object.Tree) *object.TreeEntry {
		for i := range t.Entries {
			if t.Entries[i].Name == name {
				return &t.Entries[i]
			}
		}
		return nil
	}
	x, y := find(a), find(b)
	if x == nil || y == nil {
		return x == nil && y == nil
	}
	return x.Mode == y.Mode && x.Hash == y.Hash
}
