package review

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage"

	"kjjr/content"
	"kjjr/content/gitfs"
	"kjjr/internal/gitdir"
	"kjjr/submission"
)

// Approver returns the approver from the repository's git config
// (user.name and user.email, local then global), or an error saying how
// to name one.
func (r *Repo) Approver() (object.Signature, error) {
	cfg, err := r.Git.ConfigScoped(config.GlobalScope)
	if err != nil {
		cfg, err = r.Git.Config()
	}
	if err == nil && cfg.User.Name != "" && cfg.User.Email != "" {
		return object.Signature{Name: cfg.User.Name, Email: cfg.User.Email}, nil
	}
	return object.Signature{}, refuse(CodeNoApprover, "不知道审核人是谁：请加 --by '姓名 <邮箱>'，或在仓库中设置 git config user.name 和 git config user.email")
}

// ParseApprover parses "Name <email>".
func ParseApprover(s string) (object.Signature, error) {
	s = strings.TrimSpace(s)
	i, j := strings.LastIndex(s, "<"), strings.LastIndex(s, ">")
	if i <= 0 || j != len(s)-1 || j < i+3 || !strings.Contains(s[i:j], "@") {
		return object.Signature{}, refuse(CodeNoApprover, "审核人 %q 格式不对：应写作 '姓名 <邮箱>'，例如 --by '王科长 <wang@example.gov.cn>'", s)
	}
	name := strings.TrimSpace(s[:i])
	if name == "" || strings.ContainsAny(name, "<>\n") {
		return object.Signature{}, refuse(CodeNoApprover, "审核人 %q 格式不对：应写作 '姓名 <邮箱>'", s)
	}
	return object.Signature{Name: name, Email: s[i+1 : j]}, nil
}

// Approval is the outcome of Approve.
type Approval struct {
	Submission *Submission
	Merge      plumbing.Hash // the merge commit, now main
	OldMain    plumbing.Hash
	Paths      []string // paths the merge brought into main
	// Worktree says what happened to a checked-out main: "bare" (none),
	// "updated" (the merged files were written and staged),
	// "not_checked_out" (HEAD is another branch; main moved only).
	Worktree string
}

// Approve merges the submission branch into main with a --no-ff merge
// commit by the approver, computed from git objects (a three-way tree
// merge). Nothing moves unless every check passes, in this order:
// submission.Check must accept every entry the branch adds, changes or
// deletes relative to its merge base (regular files at the report path or
// listed evidence paths, with valid names, within the inbox's limits; no
// deletion); the merge must not conflict with main; content.Load and
// Repo.Check must pass on the merged tree (errors main already had do not
// block an approval: they are not the submission's, and after the
// measures expire every check fails; new ones do); and a checked-out main
// must be clean. Then main moves by compare-and-swap, and only then are the
// merged files written into a checked-out main's working tree and staged,
// so that `git status` stays clean. The branch is deleted after the merge
// (its commits stay reachable from main).
func (r *Repo) Approve(branch string, by object.Signature, now time.Time) (*Approval, error) {
	return r.ApproveSeen(branch, plumbing.ZeroHash, by, now)
}

// ApproveSeen is Approve of the tip the approver saw: when seen is not
// zero and the branch's tip is another commit (a resubmission arrived
// after the page was shown), nothing moves and the error's code is
// CodeMoved. The merge's second parent is always the tip that was checked.
func (r *Repo) ApproveSeen(branch string, seen plumbing.Hash, by object.Signature, now time.Time) (*Approval, error) {
	s, err := r.Get(branch)
	if err != nil {
		return nil, err
	}
	if s.Merged {
		return nil, refuse(CodeMerged, "%s 已经合并进 main，无需再审核（git log main 可查看）", s.Branch)
	}
	if err := s.seen(seen); err != nil {
		return nil, err
	}
	if s.MergeBase.IsZero() {
		return nil, refuse(CodeNotSubmission, "%s 与 main 没有共同的历史：它不是从 main 建立的报送分支", s.Branch)
	}
	if err := submission.Refusal(s.ref(), s.Changes); err != nil {
		return nil, refuse(CodeNotSubmission, "%s", err.Error())
	}
	mainRef, mainC, err := r.mainCommit()
	if err != nil {
		return nil, err
	}
	tip, err := r.Git.CommitObject(s.Tip)
	if err != nil {
		return nil, fmt.Errorf("review: %w", err)
	}
	merged, paths, err := r.mergeTrees(s, mainC)
	if err != nil {
		return nil, err
	}

	// Validate the result as `kjjr check` would on main: content.Load and
	// Repo.Check of the merged tree, with every record except other
	// institutions' reports (the submission cannot change those, and
	// decoding 120,000 of them would cost a minute on a large repo). Errors that main already has (someone
	// else's record, or the measures' expiry) are not the submission's and do
	// not block it; every new error does.
	mt, err := r.Git.TreeObject(merged)
	if err != nil {
		return nil, fmt.Errorf("review: merged tree: %w", err)
	}
	today := content.DateOf(now)
	after, _ := content.Load(onlyReportsOf(gitfs.New(r.Git.Storer, mt, now), s.Slug), nil)
	newErrs := after.Check(today).Errors()
	if len(newErrs) > 0 {
		mainTree, err := mainC.Tree()
		if err != nil {
			return nil, fmt.Errorf("review: main tree: %w", err)
		}
		before, _ := content.Load(onlyReportsOf(gitfs.New(r.Git.Storer, mainTree, mainC.Committer.When), s.Slug), nil)
		newErrs = content.NewErrors(before.Check(today), newErrs)
	}
	if len(newErrs) > 0 {
		return nil, refuse(CodeCheckFailed, "合并后的内容未通过校验（kjjr check），未合并。请让机构改正后重新报送，或用 kjjr review reject 驳回：\n%s", newErrs.Error())
	}

	// A checked-out main must be clean, so that writing the merged files
	// into it loses nothing.
	wtMode := "bare"
	var wt *git.Worktree
	if !r.Bare {
		head, err := r.Git.Storer.Reference(plumbing.HEAD)
		if err == nil && head.Type() == plumbing.SymbolicReference && head.Target() == MainBranch {
			wt, err = r.Git.Worktree()
			if err != nil {
				return nil, fmt.Errorf("review: worktree: %w", err)
			}
			mainTree, err := mainC.Tree()
			if err != nil {
				return nil, fmt.Errorf("review: main tree: %w", err)
			}
			if err := r.checkClean(wt, mainTree, paths); err != nil {
				return nil, err
			}
			wtMode = "updated"
		} else {
			wtMode = "not_checked_out"
		}
	}

	msg := fmt.Sprintf("Merge branch '%s'\n\n审核通过：%s %s %s\n\n%s",
		s.Branch, s.Period.Kind.Chinese(), s.Period, s.Institution, submission.ApprovalTrailers(s.ref(), by.Name+" <"+by.Email+">"))
	sig := object.Signature{Name: by.Name, Email: by.Email, When: now}
	c := &object.Commit{Author: sig, Committer: sig, Message: msg, TreeHash: merged, ParentHashes: []plumbing.Hash{mainC.Hash, tip.Hash}}
	obj := r.Git.Storer.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		return nil, fmt.Errorf("review: encode merge: %w", err)
	}
	mh, err := r.Git.Storer.SetEncodedObject(obj)
	if err != nil {
		return nil, fmt.Errorf("review: write merge: %w", err)
	}
	// Under git's main.lock, as C git moves it (see kjjr/internal/gitdir).
	if err := gitdir.Update(r.GitDir, MainBranch, mh, mainRef.Hash()); err != nil {
		var locked *gitdir.LockedError
		if errors.As(err, &locked) {
			return nil, refuse(CodeLocked, "未合并 %s：%s", s.Branch, locked.Error())
		}
		if errors.Is(err, storage.ErrReferenceHasChanged) {
			return nil, refuse(CodeConcurrent, "main 在审核期间被别人更新了，未合并：请重新运行 kjjr review approve %s", s.Branch)
		}
		return nil, fmt.Errorf("review: move main: %w", err)
	}
	a := &Approval{Submission: s, Merge: mh, OldMain: mainC.Hash, Paths: paths, Worktree: wtMode}
	if wt != nil {
		if err := r.updateWorktree(wt, mt, paths); err != nil {
			return a, fmt.Errorf("review: main moved to %s but the working tree could not be updated (run `git reset --keep main` to bring it up to date): %w", mh, err)
		}
	}
	// The branch is merged; remove it if it still points where we merged
	// (compare-and-swap under its lock: a resubmission committed meanwhile
	// keeps the branch).
	_ = gitdir.Delete(r.GitDir, plumbing.NewBranchReferenceName(s.Branch), s.Tip)
	return a, nil
}

type edit struct {
	entry *object.TreeEntry // nil: delete
}

// mergeTrees computes the three-way merge of the branch's changes since
// its merge base (s.Changes, all accepted by submission.Check) onto main: a
// path that main changed differently since the base is a conflict.
func (r *Repo) mergeTrees(s *Submission, mainC *object.Commit) (plumbing.Hash, []string, error) {
	mt, err := mainC.Tree()
	if err != nil {
		return plumbing.ZeroHash, nil, fmt.Errorf("review: main tree: %w", err)
	}
	edits := map[string]edit{}
	var conflicts []string
	for i := range s.Changes {
		ch := &s.Changes[i]
		var from, to *object.TreeEntry
		if !ch.Added() {
			from = &object.TreeEntry{Mode: ch.OldMode, Hash: ch.OldHash}
		}
		if !ch.Deleted() {
			to = &object.TreeEntry{Mode: ch.Mode, Hash: ch.Hash}
		}
		switch cur := entryAt(mt, ch.Path); {
		case sameEntry(cur, from):
			edits[ch.Path] = edit{to}
		case sameEntry(cur, to):
			// main already has it
		default:
			conflicts = append(conflicts, ch.Path)
		}
	}
	if len(conflicts) > 0 {
		sort.Strings(conflicts)
		return plumbing.ZeroHash, nil, refuse(CodeConflict, "%s 与 main 冲突：main 上以下文件已被改动（例如有人手工编辑了同一份报告），未合并：\n  %s\n请先比较两边（git diff main %s -- %s），再决定保留哪一份：可在 main 上撤销手工修改后重新审核，或用 kjjr review reject 驳回并请机构重新报送。",
			s.Branch, strings.Join(conflicts, "\n  "), s.Branch, s.ref().ReportPath())
	}
	if len(edits) == 0 {
		return plumbing.ZeroHash, nil, refuse(CodeMerged, "%s 的内容已经在 main 上，无需合并", s.Branch)
	}
	h, err := r.applyEdits(mt, "", edits)
	if err != nil {
		return plumbing.ZeroHash, nil, err
	}
	return h, sortedKeys(edits), nil
}

func sameEntry(a, b *object.TreeEntry) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Hash == b.Hash && a.Mode == b.Mode
}

// applyEdits writes a copy of tree t (at prefix) with the edits (full
// paths) applied, bottom-up, and returns its hash.
func (r *Repo) applyEdits(t *object.Tree, prefix string, edits map[string]edit) (plumbing.Hash, error) {
	here := map[string]edit{}
	sub := map[string]map[string]edit{}
	for p, e := range edits {
		rest := strings.TrimPrefix(p, prefix)
		if name, tail, ok := strings.Cut(rest, "/"); ok {
			if sub[name] == nil {
				sub[name] = map[string]edit{}
			}
			sub[name][p] = e
			_ = tail
		} else {
			here[rest] = e
		}
	}
	var entries []object.TreeEntry
	seen := map[string]bool{}
	if t != nil {
		for _, e := range t.Entries {
			seen[e.Name] = true
			if ed, ok := here[e.Name]; ok {
				if ed.entry != nil {
					entries = append(entries, object.TreeEntry{Name: e.Name, Mode: ed.entry.Mode, Hash: ed.entry.Hash})
				}
				continue
			}
			if s, ok := sub[e.Name]; ok {
				if e.Mode != filemode.Dir {
					return plumbing.ZeroHash, refuse(CodeConflict, "main 上 %s%s 是文件，报送分支要在其下写入文件：请先在 main 上处理", prefix, e.Name)
				}
				child, err := r.Git.TreeObject(e.Hash)
				if err != nil {
					return plumbing.ZeroHash, fmt.Errorf("review: tree %s%s: %w", prefix, e.Name, err)
				}
				h, err := r.applyEdits(child, prefix+e.Name+"/", s)
				if err != nil {
					return plumbing.ZeroHash, err
				}
				if h != plumbing.ZeroHash {
					entries = append(entries, object.TreeEntry{Name: e.Name, Mode: filemode.Dir, Hash: h})
				}
				continue
			}
			entries = append(entries, e)
		}
	}
	for name, ed := range here {
		if !seen[name] && ed.entry != nil {
			entries = append(entries, object.TreeEntry{Name: name, Mode: ed.entry.Mode, Hash: ed.entry.Hash})
		}
	}
	for name, s := range sub {
		if seen[name] {
			continue
		}
		h, err := r.applyEdits(nil, prefix+name+"/", s)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		if h != plumbing.ZeroHash {
			entries = append(entries, object.TreeEntry{Name: name, Mode: filemode.Dir, Hash: h})
		}
	}
	if len(entries) == 0 && prefix != "" {
		return plumbing.ZeroHash, nil // an emptied directory disappears
	}
	sort.Sort(object.TreeEntrySorter(entries))
	nt := &object.Tree{Entries: entries}
	obj := r.Git.Storer.NewEncodedObject()
	if err := nt.Encode(obj); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("review: encode tree %s: %w", prefix, err)
	}
	h, err := r.Git.Storer.SetEncodedObject(obj)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("review: write tree %s: %w", prefix, err)
	}
	return h, nil
}

// checkClean refuses when the checked-out main has local changes: an index
// entry that differs from main's tree (staged), a tracked file that differs
// from its index entry (modified or deleted), or an untracked file where
// the merge will write. Like C git it trusts an entry whose size and mtime
// match the file and hashes only the others, so it costs a stat per tracked
// file (go-git's Worktree.Status hashes every file: minutes at 130,000).
func (r *Repo) checkClean(wt *git.Worktree, head *object.Tree, paths []string) error {
	idx, err := r.Git.Storer.Index()
	if err != nil {
		return fmt.Errorf("review: read index: %w", err)
	}
	root := wt.Filesystem.Root()
	inHead := make(map[string]plumbing.Hash, len(idx.Entries))
	tw := object.NewTreeWalker(head, true, nil) // entries only: no blob is read
	defer tw.Close()
	for {
		name, e, err := tw.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("review: walk main: %w", err)
		}
		if e.Mode != filemode.Dir && e.Mode != filemode.Submodule {
			inHead[name] = e.Hash
		}
	}
	var dirty []string
	indexed := make(map[string]bool, len(idx.Entries))
	for _, e := range idx.Entries {
		indexed[e.Name] = true
		if e.Stage != 0 {
			dirty = append(dirty, e.Name+"（未解决的冲突）")
			continue
		}
		if h, ok := inHead[e.Name]; !ok || h != e.Hash {
			dirty = append(dirty, e.Name+"（已暂存）")
			continue
		}
		fi, err := os.Lstat(filepath.Join(root, filepath.FromSlash(e.Name)))
		if err != nil {
			dirty = append(dirty, e.Name+"（已删除）")
			continue
		}
		if fi.Mode().IsRegular() && int64(e.Size) == fi.Size() && e.ModifiedAt.Equal(fi.ModTime()) {
			continue
		}
		if !fi.Mode().IsRegular() {
			continue // symlinks and the like: not what a submission touches
		}
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(e.Name)))
		if err != nil || plumbing.ComputeHash(plumbing.BlobObject, data) != e.Hash {
			dirty = append(dirty, e.Name)
		}
	}
	for name := range inHead {
		if !indexed[name] {
			dirty = append(dirty, name+"（已从暂存区删除）")
		}
	}
	for _, p := range paths {
		if indexed[p] {
			continue
		}
		if _, err := os.Lstat(filepath.Join(root, filepath.FromSlash(p))); err == nil {
			dirty = append(dirty, p+"（未跟踪，合并会覆盖它）")
		}
	}
	if len(dirty) > 0 {
		sort.Strings(dirty)
		if len(dirty) > 10 {
			dirty = append(dirty[:10], fmt.Sprintf("……共 %d 个文件", len(dirty)))
		}
		return &Error{Code: CodeDirty, Paths: dirty, Msg: fmt.Sprintf("main 已检出且工作区有未提交的修改，未合并（合并会改动工作区）：\n  %s\n请先提交（git commit）或暂存（git stash）这些修改，再重新审核。", strings.Join(dirty, "\n  "))}
	}
	return nil
}

// updateWorktree writes the merged files into the (clean) working tree and
// stages them, so that the checked-out main matches its new commit.
func (r *Repo) updateWorktree(wt *git.Worktree, merged *object.Tree, paths []string) error {
	root := wt.Filesystem.Root()
	for _, p := range paths {
		full := filepath.Join(root, filepath.FromSlash(p))
		e := entryAt(merged, p)
		if e == nil {
			if err := os.Remove(full); err != nil && !os.IsNotExist(err) {
				return err
			}
			if _, err := wt.Remove(p); err != nil {
				return err
			}
			continue
		}
		data, err := blobBytes(r.Git, e.Hash)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		if e.Mode == filemode.Executable {
			mode = 0o755
		}
		if err := os.WriteFile(full, data, mode); err != nil {
			return err
		}
		if err := wt.AddWithOptions(&git.AddOptions{Path: p, SkipStatus: true}); err != nil {
			return err
		}
	}
	return nil
}

// onlyReportsOf hides the reports of every institution but slug
// (content.HideReports).
func onlyReportsOf(fsys fs.ReadDirFS, slug string) fs.FS {
	return content.HideReports(fsys, func(s string) bool { return s != slug })
}
