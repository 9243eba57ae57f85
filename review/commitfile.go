package review

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"sort"
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

// CodeNoChange is the Code of a commit on main that would change nothing.
const CodeNoChange = "no_change"

// MainEdit is a proposed commit on main: files written (as blobs) onto the
// main commit the staff member saw, and other commits merged, checked the
// way `kjjr check` and `kjjr review approve` check main. PrepareEdit
// makes it, Repo.Commit commits it. It is the one mechanism by which a
// staff command edits main (the console's edits through PrepareFile, the
// round commands of package selection).
type MainEdit struct {
	Base    plumbing.Hash   // the main commit the change applies to
	Parents []plumbing.Hash // merged besides Base (none: a plain commit)
	Paths   []string        // the paths written, sorted
	// NewErrors are the errors of content.Check on the changed tree that
	// main does not have (content.NewErrors): any one of them blocks the
	// commit. Kept counts the errors main already had that remain: they are
	// not the change's and do not block it.
	NewErrors content.Diagnostics
	Kept      int

	tree     plumbing.Hash // the changed tree
	baseTree plumbing.Hash
}

// Empty reports whether the change would make a commit identical in
// content to Base and merge nothing.
func (c *MainEdit) Empty() bool { return c.tree == c.baseTree && len(c.Parents) == 0 }

// FileChange is a proposed new content of one file on main, checked the
// way `kjjr check` and `kjjr review approve` check main: what PrepareFile
// returns for staff to look at before CommitFile.
type FileChange struct {
	MainEdit
	Path string
	Old  []byte // the file on Base (nil: a new file)
	New  []byte
	Blob plumbing.Hash // the git blob hash of New
	Diff []DiffLine    // Old to New, line by line
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

// validChangePath reports whether p is a path PrepareEdit may write: a
// slash-separated path below the content root, not in a hidden directory.
func validChangePath(p string) bool {
	if !fs.ValidPath(p) || p == "." || !safetext.Clean(p) {
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

// WriteBlob writes data to the object store as a blob (unreferenced until
// a commit takes it) and returns its hash, for PrepareEdit.
func (r *Repo) WriteBlob(data []byte) (plumbing.Hash, error) {
	obj := r.Git.Storer.NewEncodedObject()
	obj.SetType(plumbing.BlobObject)
	w, err := obj.Writer()
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("review: blob: %w", err)
	}
	if _, err := w.Write(data); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("review: blob: %w", err)
	}
	if err := w.Close(); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("review: blob: %w", err)
	}
	h, err := r.Git.Storer.SetEncodedObject(obj)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("review: write blob: %w", err)
	}
	return h, nil
}

// PrepareEdit computes the change of main, as of base (the main commit
// the staff member saw), that writes files (path -> a blob already in the
// object store, as regular files) and merges parents, and checks the
// changed tree as Approve checks a merge: content.Load and Repo.Check as
// of now. When every path is an institution's (institutions/<slug>/...) or
// a results file (results/...), the reports of the institutions it does
// not touch are left out of both checks (such a change cannot change what
// Check says about them); any other path checks everything. It refuses
// (CodeConcurrent) when main is no longer at base, and (CodeConflict) when
// a path is, on main, something other than a regular file. Nothing is
// committed: the new trees are written to the object store, unreferenced
// until Commit.
func (r *Repo) PrepareEdit(files map[string]plumbing.Hash, parents []plumbing.Hash, base plumbing.Hash, now time.Time) (*MainEdit, error) {
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
	ch := &MainEdit{Base: base, Parents: append([]plumbing.Hash(nil), parents...), baseTree: mt.Hash}
	edits := make(map[string]edit, len(files))
	slugs := map[string]bool{}
	hide := true
	for p, h := range files {
		if !validChangePath(p) {
			return nil, fmt.Errorf("review: invalid content path %q", p)
		}
		if e := entryAt(mt, p); e != nil && e.Mode != filemode.Regular {
			return nil, refuse(CodeConflict, "main 上的 %s 不是普通文件，不能在这里修改：请用 git 处理", p)
		}
		edits[p] = edit{&object.TreeEntry{Mode: filemode.Regular, Hash: h}}
		ch.Paths = append(ch.Paths, p)
		switch parts := strings.Split(p, "/"); {
		case len(parts) >= 3 && parts[0] == "institutions":
			slugs[parts[1]] = true
		case parts[0] == "results":
		default:
			hide = false
		}
	}
	sort.Strings(ch.Paths)
	if ch.tree, err = r.applyEdits(mt, "", edits); err != nil {
		return nil, err
	}
	nt, err := r.Git.TreeObject(ch.tree)
	if err != nil {
		return nil, fmt.Errorf("review: new tree: %w", err)
	}
	scope := func(fsys fs.ReadDirFS) fs.FS {
		if !hide {
			return fsys
		}
		return content.HideReports(fsys, func(s string) bool { return !slugs[s] })
	}
	today := content.DateOf(now)
	after, _ := content.Load(scope(gitfs.New(r.Git.Storer, nt, now)), nil)
	errs := after.Check(today).Errors()
	if len(errs) > 0 {
		before, _ := content.Load(scope(gitfs.New(r.Git.Storer, mt, mainC.Committer.When)), nil)
		ch.NewErrors = content.NewErrors(before.Check(today), errs)
		ch.Kept = len(errs) - len(ch.NewErrors)
	}
	return ch, nil
}

// PrepareFile computes the change of the file at p (a content path such
// as institutions/<slug>/index.md or results/<year>.md) to data on main
// as of base, the main commit the staff member saw, by PrepareEdit:
// checked on every record except the reports of institutions other than
// the one p belongs to. It refuses (CodeConcurrent) when main is no longer
// at base. Nothing is committed; the new blob and trees are written to the
// object store (unreferenced until CommitChange).
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
	fc := &FileChange{Path: p, New: data}
	if e := entryAt(mt, p); e != nil {
		if e.Mode != filemode.Regular {
			return nil, refuse(CodeConflict, "main 上的 %s 不是普通文件，不能在这里修改：请用 git 处理", p)
		}
		if fc.Old, err = blobBytes(r.Git, e.Hash); err != nil {
			return nil, fmt.Errorf("review: read %s: %w", p, err)
		}
	}
	fc.Diff = LineDiff(string(fc.Old), string(data))
	if fc.Blob, err = r.WriteBlob(data); err != nil {
		return nil, err
	}
	ch, err := r.PrepareEdit(map[string]plumbing.Hash{p: fc.Blob}, nil, base, now)
	if err != nil {
		return nil, err
	}
	fc.MainEdit = *ch
	return fc, nil
}

// MainCommit is what a commit on main did.
type MainCommit struct {
	Commit  plumbing.Hash // the new commit, now main
	OldMain plumbing.Hash
	Paths   []string // the paths written, sorted
	// Worktree is "bare" (no work tree), "updated" (main is checked out:
	// the files were written and staged) or "not_checked_out".
	Worktree string
}

// FileCommit is the outcome of CommitFile.
type FileCommit struct {
	Change *FileChange
	MainCommit
}

// CommitFile commits data as the file at p on main, on top of base (the
// main commit the staff member saw), with by as author and committer and
// msg as the message: PrepareFile, then CommitChange. Use it for the
// staff's own edits of records on main (the console's 机构 and 考核
// pages); submissions go through Approve.
func (r *Repo) CommitFile(p string, data []byte, base plumbing.Hash, msg string, by object.Signature, now time.Time) (*FileCommit, error) {
	fc, err := r.PrepareFile(p, data, base, now)
	if err != nil {
		return nil, err
	}
	return r.CommitChange(fc, msg, by, now)
}

// CommitChange commits fc, as PrepareFile returned it (and the staff
// member saw it), by the rules of Commit; a change that leaves the file
// as it is is refused (CodeNoChange).
func (r *Repo) CommitChange(fc *FileChange, msg string, by object.Signature, now time.Time) (*FileCommit, error) {
	if fc.tree.IsZero() {
		return nil, fmt.Errorf("review: commit %s: not a change from PrepareFile", fc.Path)
	}
	if !fc.Changed() {
		return nil, refuse(CodeNoChange, "%s 没有改动，未提交", fc.Path)
	}
	mc, err := r.Commit(&fc.MainEdit, msg, by, now)
	if mc == nil {
		return nil, err
	}
	return &FileCommit{Change: fc, MainCommit: *mc}, err
}

// Commit commits ch, as PrepareEdit returned it, on main, with by as
// author and committer at now and msg as the message; the commit's
// parents are ch.Base then ch.Parents. It refuses, changing nothing, when
// the change brings in an error that main does not have (CodeCheckFailed,
// the same rule as Approve and the push gate), when it changes nothing
// (CodeNoChange), when main is no longer at ch.Base (CodeConcurrent: who
// moved it is said), when a checked-out main has local changes (CodeDirty,
// as Approve), and when git's lock on main is held (CodeLocked). Main
// moves by compare-and-swap from ch.Base under git's lock
// (internal/gitdir), as Approve moves it; a checked-out main's working
// tree gets the written files, staged, afterwards. When that last step
// fails, main has moved: the MainCommit is returned with the error.
func (r *Repo) Commit(ch *MainEdit, msg string, by object.Signature, now time.Time) (*MainCommit, error) {
	base := ch.Base
	if ch.tree.IsZero() {
		return nil, fmt.Errorf("review: commit: not a change from PrepareEdit")
	}
	if len(ch.NewErrors) > 0 {
		return nil, refuse(CodeCheckFailed, "修改后的内容未通过校验（kjjr check），未提交：\n%s", ch.NewErrors.Error())
	}
	if ch.Empty() {
		return nil, refuse(CodeNoChange, "没有改动，未提交")
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
			if err := r.checkClean(wt, mt, ch.Paths); err != nil {
				return nil, err
			}
			wtMode = "updated"
		} else {
			wtMode = "not_checked_out"
		}
	}
	sig := object.Signature{Name: by.Name, Email: by.Email, When: now}
	c := &object.Commit{Author: sig, Committer: sig, Message: msg, TreeHash: ch.tree, ParentHashes: append([]plumbing.Hash{base}, ch.Parents...)}
	obj := r.Git.Storer.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		return nil, fmt.Errorf("review: encode commit: %w", err)
	}
	h, err := r.Git.Storer.SetEncodedObject(obj)
	if err != nil {
		return nil, fmt.Errorf("review: write commit: %w", err)
	}
	if err := gitdir.Update(r.GitDir, MainBranch, h, base); err != nil {
		var locked *gitdir.LockedError
		if errors.As(err, &locked) {
			return nil, refuse(CodeLocked, "未提交：%s", locked.Error())
		}
		if errors.Is(err, storage.ErrReferenceHasChanged) {
			if now, rerr := gitdir.Read(r.GitDir, MainBranch); rerr == nil {
				return nil, r.moved(now)
			}
			return nil, refuse(CodeConcurrent, "main 在您打开页面之后已被更新，本次修改未提交：请重新打开页面，在最新内容上修改。")
		}
		return nil, fmt.Errorf("review: move main: %w", err)
	}
	out := &MainCommit{Commit: h, OldMain: base, Paths: ch.Paths, Worktree: wtMode}
	if wt != nil {
		nt, err := r.Git.TreeObject(ch.tree)
		if err == nil {
			err = r.updateWorktree(wt, nt, ch.Paths)
		}
		if err != nil {
			return out, fmt.Errorf("review: main moved to %s but the working tree could not be updated (run `git reset --keep main` to bring it up to date): %w", h, err)
		}
	}
	return out, nil
}
