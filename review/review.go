// Package review is the staff side of the submission branches the inbox
// writes (the contract is package submission's: branch names, trailers,
// paths, what is pending and what a branch may change): it lists the
// pending refs/heads/submit/<slug>/<period> branches with what a reviewer
// should look at, shows one in full with every entry it touches, approves
// one by a --no-ff merge into main computed from git objects alone (no
// working tree, no index) after submission.Check accepts every entry, and
// rejects one, keeping its commits under refs/kjjr/rejected/ and the reason
// in <gitdir>/kjjr/rejections.log. Staff's own commits on main go through
// one mechanism: PrepareEdit (files written as blobs, other commits
// merged, onto the main commit the staff member saw) shows the errors the
// change would bring in, and Commit commits it by the same rules as an
// approval: no new check error, a checked-out main clean and then updated,
// main moved by compare-and-swap from the commit the staff member saw, the
// staff member as author and committer. The console's edits of one record
// (an institution's index.md, a year's results file) use it through
// PrepareFile and CommitChange (with a line diff); the round commands of
// package selection (decision, announcement, filing) use it directly.
//
// Plain git keeps working at every step: a branch merged by hand with
// `git merge --no-ff submit/…` is seen as merged, and nothing here is needed
// to approve.
package review

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"kjjr/content"
	"kjjr/content/gitfs"
	"kjjr/internal/gitdir"
	"kjjr/submission"
)

// MainBranch is the branch that holds what staff approved.
const MainBranch = submission.MainRef

// Error is a refusal with a message for staff (Simplified Chinese, saying
// what is wrong and how to fix it). Nothing was changed when it is returned.
type Error struct {
	Code string // stable identifier for tests and scripts: not_git, not_kjjr, not_submission, …
	Msg  string
	// Paths are, for CodeDirty, the files of a checked-out main in the
	// way (with a note in Chinese), for a caller that words its own refusal.
	Paths []string
}

func (e *Error) Error() string { return e.Msg }

func refuse(code, format string, args ...any) error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// Codes of Error.
const (
	CodeNotGit        = "not_git"
	CodeNotKjjr       = "not_kjjr"
	CodeNoMain        = "no_main"
	CodeNotSubmission = "not_submission"
	CodeNoBranch      = "no_branch"
	CodeMerged        = "merged"
	CodeConflict      = "conflict"
	CodeCheckFailed   = "check_failed"
	CodeDirty         = "dirty"
	CodeNoApprover    = "no_approver"
	CodeConcurrent    = "concurrent"
	CodeNoReason      = "no_reason"
	CodeMoved         = "moved"  // the branch has a newer commit than the one the reviewer saw
	CodeLocked        = "locked" // a git lock file stands in the way (gitdir.LockedError)
)

// CodeOf returns the Code of a refusal, or "" for another error.
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// Repo is a content repo opened for review. Close it when done.
type Repo struct {
	Dir    string // the directory given to Open
	GitDir string // .git of a non-bare repo, or the bare repo itself
	Bare   bool
	Git    *git.Repository
	st     *filesystem.Storage
}

// Open opens the content repo at dir (bare or not). It refuses a directory
// that is not a git repository, and a repository whose main branch has no
// site.yaml (not a kjjr content repo).
//
// The pack files stay open until Close: go-git otherwise opens and closes
// the pack for every object it reads, which made an approval on a
// 5000-institution repo spend half its time in open(2) and lstat(2).
func Open(dir string) (*Repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("review: %w", err)
	}
	r := &Repo{Dir: abs}
	if fi, err := os.Stat(filepath.Join(abs, ".git")); err == nil {
		r.GitDir = filepath.Join(abs, ".git")
		if !fi.IsDir() {
			// A linked worktree or submodule: ".git" is a file "gitdir: PATH".
			if b, err := os.ReadFile(r.GitDir); err == nil {
				if p, ok := strings.CutPrefix(strings.TrimSpace(string(b)), "gitdir: "); ok {
					if !filepath.IsAbs(p) {
						p = filepath.Join(abs, p)
					}
					r.GitDir = p
				}
			}
		}
	} else {
		r.Bare = true
		r.GitDir = abs
	}
	// What git.PlainOpen does, with the pack files kept open.
	var wt billy.Filesystem
	if !r.Bare {
		wt = osfs.New(abs)
	}
	if fi, err := os.Stat(r.GitDir); err != nil || !fi.IsDir() {
		return nil, refuse(CodeNotGit, "%s 不是 git 仓库：请用 --repo 指向内容仓库（kjjr init DIR 可新建一个）", dir)
	}
	// gitdir's storage lists refs past the lock files a killed git leaves.
	r.st = gitdir.Storage(r.GitDir, filesystem.Options{KeepDescriptors: true})
	g, err := git.Open(r.st, wt)
	if err != nil {
		_ = r.st.Close()
		return nil, refuse(CodeNotGit, "%s 不是 git 仓库：请用 --repo 指向内容仓库（kjjr init DIR 可新建一个）", dir)
	}
	r.Git = g
	ok := false
	defer func() {
		if !ok {
			_ = r.Close()
		}
	}()
	main, err := g.Reference(MainBranch, true)
	if err != nil {
		return nil, refuse(CodeNoMain, "%s 没有 main 分支：kjjr 的内容仓库以 main 为已审核的内容（可用 git branch -m main 改名）", dir)
	}
	c, err := g.CommitObject(main.Hash())
	if err != nil {
		return nil, fmt.Errorf("review: main commit: %w", err)
	}
	t, err := c.Tree()
	if err != nil {
		return nil, fmt.Errorf("review: main tree: %w", err)
	}
	if _, err := t.FindEntry("site.yaml"); err != nil {
		return nil, refuse(CodeNotKjjr, "%s 的 main 分支没有 site.yaml：这不是 kjjr 内容仓库（kjjr init DIR 可新建一个）", dir)
	}
	ok = true
	return r, nil
}

// Close closes the repository's open pack files. The Repo must not be
// used after.
func (r *Repo) Close() error {
	if r.st == nil {
		return nil
	}
	if err := r.st.Close(); err != nil {
		return fmt.Errorf("review: close %s: %w", r.GitDir, err)
	}
	return nil
}

// StateDir returns <gitdir>/kjjr, where kjjr keeps state outside the content tree.
func (r *Repo) StateDir() string { return filepath.Join(r.GitDir, "kjjr") }

// mainCommit returns the commit main points at.
func (r *Repo) mainCommit() (*plumbing.Reference, *object.Commit, error) {
	ref, err := r.Git.Reference(MainBranch, true)
	if err != nil {
		return nil, nil, refuse(CodeNoMain, "没有 main 分支")
	}
	c, err := r.Git.CommitObject(ref.Hash())
	if err != nil {
		return nil, nil, fmt.Errorf("review: main commit: %w", err)
	}
	return ref, c, nil
}

// LoadMain loads the approved content (the tree of main) with content.Load.
func (r *Repo) LoadMain() (*content.Repo, error) {
	fsys, _, err := gitfs.Rev(r.Git, string(MainBranch))
	if err != nil {
		return nil, fmt.Errorf("review: %w", err)
	}
	return content.Load(fsys, nil)
}

// parseBranch parses a submission branch name (submission.ParseBranch)
// into a refusal for staff.
func parseBranch(name string) (submission.Branch, error) {
	b, err := submission.ParseBranch(name)
	if err != nil {
		return b, refuse(CodeNotSubmission, "%s", err.Error())
	}
	return b, nil
}

func blobBytes(g *git.Repository, h plumbing.Hash) ([]byte, error) {
	b, err := g.BlobObject(h)
	if err != nil {
		return nil, err
	}
	rd, err := b.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	return io.ReadAll(rd)
}

// fileAt returns the entry at path in the tree of c, or nil.
func entryAt(t *object.Tree, path string) *object.TreeEntry {
	e, err := t.FindEntry(path)
	if err != nil {
		return nil
	}
	return e
}

// decodeReport reads and decodes the report at path of tree t.
func decodeReport(g *git.Repository, t *object.Tree, path string) (*content.Report, content.Diagnostics, plumbing.Hash) {
	e := entryAt(t, path)
	if e == nil {
		return nil, content.Diagnostics{{File: path, Message: "报送分支上没有这份报告文件"}}, plumbing.ZeroHash
	}
	data, err := blobBytes(g, e.Hash)
	if err != nil {
		return nil, content.Diagnostics{{File: path, Message: fmt.Sprintf("无法读取：%v", err)}}, e.Hash
	}
	rep := new(content.Report)
	ds := content.DecodeRecord(path, data, rep)
	if ds.HasErrors() {
		return rep, ds, e.Hash
	}
	return rep, ds, e.Hash
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
