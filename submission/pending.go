package submission

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage"
)

// Ref is a submission branch ref: its parsed name and its tip.
type Ref struct {
	Branch Branch
	Tip    plumbing.Hash
}

// Refs returns the local submission branches (refs/heads/submit/…, hash
// refs whose names parse), sorted by name. Refs that do not parse as
// submission branches are skipped; remote-tracking refs are not branches
// of this repository and are not listed.
func Refs(st storage.Storer) ([]Ref, error) {
	it, err := st.IterReferences()
	if err != nil {
		return nil, fmt.Errorf("submission: list refs: %w", err)
	}
	defer it.Close()
	var out []Ref
	err = it.ForEach(func(ref *plumbing.Reference) error {
		n := ref.Name().String()
		if ref.Type() != plumbing.HashReference || !strings.HasPrefix(n, RefPrefix) {
			return nil
		}
		if b, err := ParseBranch(n); err == nil {
			out = append(out, Ref{Branch: b, Tip: ref.Hash()})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("submission: list refs: %w", err)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Branch.Ref() < out[b].Branch.Ref() })
	return out, nil
}

// Reach returns the commits main has merged, as far back as needed for
// tips no older than oldest: the commits on main's first-parent chain back
// to a day before oldest (clock skew), and the other parents of each (the
// tips that a merge, by kjjr or by `git merge --no-ff`, brought in). A tip
// in the set is merged. Reading the whole history is never needed.
func Reach(st storage.Storer, main *object.Commit, oldest time.Time) map[plumbing.Hash]bool {
	reach := map[plumbing.Hash]bool{}
	c := main
	cutoff := oldest.Add(-24 * time.Hour)
	for c != nil {
		reach[c.Hash] = true
		for _, p := range c.ParentHashes[min(1, len(c.ParentHashes)):] {
			reach[p] = true
		}
		if c.Committer.When.Before(cutoff) || len(c.ParentHashes) == 0 {
			break
		}
		next, err := object.GetCommit(st, c.ParentHashes[0])
		if err != nil {
			break
		}
		c = next
	}
	return reach
}

// Approved reports whether main's tree already holds, at the branch's
// report path, the same report blob as the tip's tree.
func Approved(b Branch, tip, main *object.Tree) bool {
	te, err := tip.FindEntry(b.ReportPath())
	if err != nil {
		return false
	}
	me, err := main.FindEntry(b.ReportPath())
	return err == nil && te.Hash == me.Hash
}

// Pending returns the pending submissions (see the package doc): the local
// submission branches whose tips main has not merged and whose report
// main does not already hold. It reads refs, the tips' report entries and
// main's recent first-parent history; no report is decoded.
func Pending(st storage.Storer) (map[Branch]bool, error) {
	mref, err := st.Reference(MainRef)
	if err != nil {
		return nil, fmt.Errorf("submission: no main branch: %w", err)
	}
	main, err := object.GetCommit(st, mref.Hash())
	if err != nil {
		return nil, fmt.Errorf("submission: main commit: %w", err)
	}
	mt, err := main.Tree()
	if err != nil {
		return nil, fmt.Errorf("submission: main tree: %w", err)
	}
	refs, err := Refs(st)
	if err != nil {
		return nil, err
	}
	oldest := main.Committer.When
	var cands []Ref
	for _, r := range refs {
		tip, err := object.GetCommit(st, r.Tip)
		if err != nil {
			continue
		}
		t, err := tip.Tree()
		if err != nil {
			continue
		}
		if Approved(r.Branch, t, mt) {
			continue
		}
		if tip.Committer.When.Before(oldest) {
			oldest = tip.Committer.When
		}
		cands = append(cands, r)
	}
	set := map[Branch]bool{}
	if len(cands) > 0 {
		reach := Reach(st, main, oldest)
		for _, r := range cands {
			if !reach[r.Tip] {
				set[r.Branch] = true
			}
		}
	}
	return set, nil
}
