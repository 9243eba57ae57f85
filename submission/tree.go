package submission

import (
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// CheckTree returns the entries that tip adds or changes relative to base
// (nil: every entry of tip) that no content tree may hold anywhere, each
// with its Problem: a symlink or gitlink (or any mode other than a regular
// file, executable or not, or a directory), a name CheckFileName refuses
// (and everything below such a directory), and a tree `git fsck --strict`
// would refuse (duplicate entries, wrong order). It is the entry check of
// Check without the submission's path and size rules, for a push to main
// (package publish's pre-receive hook). Entries base already had do not
// count: they are not the push's. It returns an error only when git
// objects cannot be read.
func CheckTree(st storer.EncodedObjectStorer, base, tip *object.Tree) ([]Change, error) {
	w := &walker{st: st}
	if err := w.diff(base, tip, "", ""); err != nil {
		return nil, err
	}
	var bad []Change
	for _, c := range w.out {
		if c.Problem == "" && !c.Deleted() {
			switch c.Mode {
			case filemode.Regular, filemode.Executable, filemode.Dir:
			default:
				c.Problem = modeProblem(c.Mode)
			}
		}
		if c.Problem != "" {
			bad = append(bad, c)
		}
	}
	return bad, nil
}
