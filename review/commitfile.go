package review

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage"
	gitdiff "github.com/go-git/go-git/v5/utils/diff"
	"github.com/sergi/go-diff/diffmatchpatch"

	"kjjr/content"
	"kjjr/content/gitfs"
	"kjjr/internal/gitdir"
	"kjjr/internal/safetext"
)

// CodeNoChange is the Code of a CommitFile that would change nothing.
const CodeNoChange = "no_change"

// FileChange is a proposed new content of one file on main, checked the
// way `kjjr check` and `kjjr review approve` check main: what PrepareFile
// returns for staff to look at before CommitFile.
type FileChange struct {
	Path string
	Base plumbing.Hash // the main commit the change applies to
	Old  []byte        // the file on Base (nil: a new file)
	New  []byte
	Blob plumbing.Hash // the git blob hash of New
	Diff []DiffLine    // Old to New, line by line
	// NewErrors are the errors of content.Check on the changed tree that
	// main does not have (content.NewErrors): any one of them blocks the
	// commit. Kept counts the errors main already had that remain: they are
	// not the change's and do not block it.
	NewErrors content.Diagnostics
	Kept      int

	tree plumbing.Hash // the changed tree
}

// Changed reports whether the change changes the file.
func (c *FileChange) Changed() bool { return c.Old == nil || !bytes.Equal(c.Old, c.New) }

// DiffLine is one line of a line diff: Op is ' ' (kept), '-' (removed)
// or '+' (added); Text has no line break.
type DiffLine struct {
	Op   byte
	Text string
}

// LineDiff returns the line diff of a to b.
func LineDiff(a, b string) []DiffLine {
	var out []DiffLine
	for _, d := range gitdiff.DoWithTimeout(a, b, 2*time.Second) {
		op := byte(' ')
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			op = '-'
		case diffmatchpatch.DiffInsert:
			op = '+'
		}
		text := strings.TrimSuffix(d.Text, "\n")
		for _, l := range strings.Split(text, "\n") {
			out = append(out, DiffLine{Op: op, Text: l})
		}
	}
	return out
}

// validContentPath reports whether p is a path CommitFile may write: a
// slash-separated path below the content root, not in a hidden directory.
func validContentPath(p string) bool {
	if !fs.ValidPath(p) || p == "." || !strings.HasSuffix(p, ".md") || !safetext.Clean(p) {
		return false
	}
	for _, part := range strings.Split(p, "/") {
		if strings.HasPrefix(part, ".") {
			return false
		}
	}
	return true
}

// MainFile returns main's tip and the file at path in its tree (nil when
// there is none).
func (r *Repo) MainFile(p string) (plumbing.Hash, []byte, error) {
	ref, c, err := r.mainCommit()
	if err != nil {
		return plumbing.ZeroHash, nil, err
	}
	t, err := c.Tree()
	if err != nil {
		return plumbing.ZeroHash, nil, fmt.Errorf("review: main tree: %w", err)
	}
	e := entryAt(t, p)
	if e == nil || e.Mode != filemode.Regular {
		return ref.Hash(), nil, nil
	}
	data, err := blobBytes(r.Git, e.Hash)
	if err != nil {
		return plumbing.ZeroHash, nil, fmt.Errorf("review: read %s: %w", p, err)
	}
	return ref.Hash(), data, nil
}

// CheckMain refuses (CodeConcurrent) when main is not at seen, the main
// commit the staff member saw: the message says who moved it, with what.
func (r *Repo) CheckMain(seen plumbing.Hash) error {
	ref, _, err := r.mainCommit()
	if err != nil {
		return err
	}
	if ref.Hash() != seen {
		return r.moved(ref.Hash())
	}
	return nil
}

// moved is the refusal when main is no longer where the staff member saw
// it: who moved it to now.
func (r *Repo) moved(now plumbing.Hash) error {
	who := ""
	if c, err := r.Git.CommitObject(now); err == nil {
		subj, _, _ := strings.Cut(c.Message, "\n")
		who = fmt.Sprintf("（现为 %s：%s %s，“%s”）", now.String()[:12], safetext.Line(c.Author.Name, 60),
			c.Author.When.In(content.CST).Format("2006-01-02 15:04"), safetext.Line(subj, 80))
	}
	return refuse(CodeConcurrent, "main 在您打开页面之后已被更新%s，本次修改未提交：请重新打开页面，在最新内容上修改。", who)
}

// PrepareFile computes the change of the file at p (a content path such
// as institutions/<slug>/index.md or results/<year>.md) to data on main
// as of base, the main commit the staff member saw, and checks the
// changed tree as Approve checks a merge: content.Load and Repo.Check as
// of now, on every record except the reports of institutions other than
// the one p belongs to (a change to one institution's record or to a
// results file cannot change what Check says about them). It refuses
// (CodeConcurrent) when main is no longer at base. Nothing is committed;
// the new blob and trees are written to the object store (unreferenced
// until CommitFile).
func (r *Repo) PrepareFile(p string, data []byte, base plumbing.Hash, now time.Time) (*FileChange, error) {
	if !validContentPath(p) {
		return nil, fmt.Errorf("review: invalid content path %q", p)
	}
	ref, mainC, err := r.mainCommit()
	if err != nil {
		return nil, err
	}
	if ref.Hash() != base {
		return nil, r.moved(ref.Hash())
	}
	mt, err := mainC.Tree()
	if err != nil {
		return nil, fmt.Errorf("review: main tree: %w", err)
	}
	fc := &FileChange{Path: p, Base: base, New: data}
	if e := entryAt(mt, p); e != nil {
		if e.Mode != filemode.Regular {
			return nil, refuse(CodeConflict, "main 上的 %s 不是普通文件，不能在这里修改：请用 git 处理", p)
		}
		if fc.Old, err = blobBytes(r.Git, e.Hash); err != nil {
			return nil, fmt.Errorf("review: read %s: %w", p, err)
		}
	}
	fc.Diff = LineDiff(string(fc.Old), string(data))
	obj := r.Git.Storer.NewEncodedObject()
	obj.SetType(plumbing.BlobObject)
	w, err := obj.Writer()
	if err != nil {
		return nil, fmt.Errorf("review: blob: %w", err)
	}
	_, _ = w.Write(data)
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("review: blob: %w", err)
	}
	if fc.Blob, err = r.Git.Storer.SetEncodedObject(obj); err != nil {
		return nil, fmt.Errorf("review: write blob: %w", err)
	}
	th, err := r.applyEdits(mt, "", map[string]edit{p: {&object.TreeEntry{Mode: filemode.Regular, Hash: fc.Blob}}})
	if err != nil {
		return nil, err
	}
	nt, err := r.Git.TreeObject(th)
	if err != nil {
		return nil, fmt.Errorf("review: new tree: %w", err)
	}
	slug := ""
	if parts := strings.Split(p, "/"); len(parts) >= 2 && parts[0] == "institutions" {
		slug = parts[1]
	}
	today := content.DateOf(now)
	after, _ := content.Load(onlyReportsOf(gitfs.New(r.Git.Storer, nt, now), slug), nil)
	errs := after.Check(today).Errors()
	if len(errs) > 0 {
		before, _ := content.Load(onlyReportsOf(gitfs.New(r.Git.Storer, mt, mainC.Committer.When), slug), nil)
		fc.NewErrors = content.NewErrors(before.Check(today), errs)
		fc.Kept = len(errs) - len(fc.NewErrors)
	}
	fc.tree = th
	return fc, nil
}

// FileCommit is the outcome of CommitFile.
type FileCommit struct {
	Change  *FileChange
	Commit  plumbing.Hash // the new commit, now main
	OldMain plumbing.Hash
	// Worktree is as in Approval: "bare", "updated" or "not_checked_out".
	Worktree string
}

// CommitFile commits data as the file at p on main, on top of base (the
// main commit the staff member saw), with by as author and committer and
// msg as the message. It refuses, changing nothing, when main is no
// longer at base (CodeConcurrent), when the change brings in an error
// that main does not have (CodeCheckFailed, the same rule as Approve and
// the push gate), when it changes nothing (CodeNoChange), and when a
// checked-out main has local changes (CodeDirty). Main moves by
// compare-and-swap from base under git's lock (internal/gitdir), as
// Approve moves it; a checked-out main's working tree gets the file
// afterwards. Use it for the staff's own edits of records on main (the
// console's 机构 and 考核 pages); submissions go through Approve.
func (r *Repo) CommitFile(p string, data []byte, base plumbing.Hash, msg string, by object.Signature, now time.Time) (*FileCommit, error) {
	fc, err := r.PrepareFile(p, data, base, now)
	if err != nil {
		return nil, err
	}
	return r.CommitChange(fc, msg, by, now)
}

// CommitChange commits fc, as PrepareFile returned it (and the staff
// member saw it), by the rules of CommitFile: it is refused if fc adds an
// error or changes nothing, and main moves only if it is still at
// fc.Base.
func (r *Repo) CommitChange(fc *FileChange, msg string, by object.Signature, now time.Time) (*FileCommit, error) {
	p, base := fc.Path, fc.Base
	if fc.tree.IsZero() {
		return nil, fmt.Errorf("review: commit %s: not a change from PrepareFile", p)
	}
	if !fc.Changed() {
		return nil, refuse(CodeNoChange, "%s 没有改动，未提交", p)
	}
	if len(fc.NewErrors) > 0 {
		return nil, refuse(CodeCheckFailed, "修改后的内容未通过校验（kjjr check），未提交：\n%s", fc.NewErrors.Error())
	}
	ref, mainC, err := r.mainCommit()
	if err != nil {
		return nil, err
	}
	if ref.Hash() != base {
		return nil, r.moved(ref.Hash())
	}
	wtMode := "bare"
	var wt *git.Worktree
	if !r.Bare {
		head, err := r.Git.Storer.Reference(plumbing.HEAD)
		if err == nil && head.Type() == plumbing.SymbolicReference && head.Target() == MainBranch {
			if wt, err = r.Git.Worktree(); err != nil {
				return nil, fmt.Errorf("review: worktree: %w", err)
			}
			mt, err := mainC.Tree()
			if err != nil {
				return nil, fmt.Errorf("review: main tree: %w", err)
			}
			if err := r.checkClean(wt, mt, []string{p}); err != nil {
				return nil, err
			}
			wtMode = "updated"
		} else {
			wtMode = "not_checked_out"
		}
	}
	sig := object.Signature{Name: by.Name, Email: by.Email, When: now}
	c := &object.Commit{Author: sig, Committer: sig, Message: msg, TreeHash: fc.tree, ParentHashes: []plumbing.Hash{base}}
	obj := r.Git.Storer.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		return nil, fmt.Errorf("review: encode commit: %w", err)
	}
	ch, err := r.Git.Storer.SetEncodedObject(obj)
	if err != nil {
		return nil, fmt.Errorf("review: write commit: %w", err)
	}
	if err := gitdir.Update(r.GitDir, MainBranch, ch, base); err != nil {
		var locked *gitdir.LockedError
		if errors.As(err, &locked) {
			return nil, refuse(CodeLocked, "未提交 %s：%s", p, locked.Error())
		}
		if errors.Is(err, storage.ErrReferenceHasChanged) {
			if now, rerr := gitdir.Read(r.GitDir, MainBranch); rerr == nil {
				return nil, r.moved(now)
			}
			return nil, refuse(CodeConcurrent, "main 在您打开页面之后已被更新，本次修改未提交：请重新打开页面，在最新内容上修改。")
		}
		return nil, fmt.Errorf("review: move main: %w", err)
	}
	out := &FileCommit{Change: fc, Commit: ch, OldMain: base, Worktree: wtMode}
	if wt != nil {
		nt, err := r.Git.TreeObject(fc.tree)
		if err == nil {
			err = r.updateWorktree(wt, nt, []string{p})
		}
		if err != nil {
			return out, fmt.Errorf("review: main moved to %s but the working tree could not be updated (run `git reset --keep main` to bring it up to date): %w", ch, err)
		}
	}
	return out, nil
}
