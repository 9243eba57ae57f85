package selection

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage"

	"kjjr/content"
	"kjjr/internal/gitdir"
	"kjjr/submission"
)

// mainEdit is one change of main made by a staff command: files to write
// (path -> content, or a blob already in the repo), merged parents, the
// message.
type mainEdit struct {
	files   map[string][]byte
	blobs   map[string]plumbing.Hash
	parents []plumbing.Hash // besides main
	msg     string
	by      object.Signature
	now     time.Time
}

// MainChange is what a command did to main.
type MainChange struct {
	Commit, OldMain plumbing.Hash
	Paths           []string
	// Worktree is "bare" (no work tree), "updated" (main is checked out:
	// the files were written and staged) or "not_checked_out".
	Worktree string
}

// commitMain writes the edit onto main: the new tree must pass content.Load
// and Repo.Check without errors that main does not already have (as kjjr
// review approve), a checked-out main must be clean where the edit writes,
// then main moves by compare-and-swap (gitdir.Update) and a checked-out
// main's files are written and staged.
func (r *Repo) commitMain(e *mainEdit, mainC *object.Commit) (*MainChange, error) {
	mt, err := mainC.Tree()
	if err != nil {
		return nil, fmt.Errorf("selection: main tree: %w", err)
	}
	edits := map[string]*object.TreeEntry{}
	for p, data := range e.files {
		h, err := writeBlob(r.Git, data)
		if err != nil {
			return nil, err
		}
		edits[p] = &object.TreeEntry{Mode: filemode.Regular, Hash: h}
	}
	for p, h := range e.blobs {
		edits[p] = &object.TreeEntry{Mode: filemode.Regular, Hash: h}
	}
	th, err := editTree(r.Git, mt, "", edits)
	if err != nil {
		return nil, err
	}
	nt, err := r.Git.TreeObject(th)
	if err != nil {
		return nil, fmt.Errorf("selection: new tree: %w", err)
	}
	today := content.DateOf(e.now)
	after, err := loadTree(r.Git, nt, e.now)
	if err != nil {
		return nil, err
	}
	newErrs := after.Check(today).Errors()
	if len(newErrs) > 0 {
		before, err := loadTree(r.Git, mt, mainC.Committer.When)
		if err != nil {
			return nil, err
		}
		newErrs = content.NewErrors(before.Check(today), newErrs)
	}
	if len(newErrs) > 0 {
		return nil, refuse("写入后的内容未通过校验（kjjr check），main 未改动：\n%s", newErrs.Error())
	}
	paths := make([]string, 0, len(edits))
	for p := range edits {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	mode, wt, err := r.checkWorktree(mt, paths)
	if err != nil {
		return nil, err
	}
	sig := e.by
	sig.When = e.now
	c := &object.Commit{Author: sig, Committer: sig, Message: e.msg, TreeHash: th, ParentHashes: append([]plumbing.Hash{mainC.Hash}, e.parents...)}
	ch, err := writeCommit(r.Git, c)
	if err != nil {
		return nil, err
	}
	if err := gitdir.Update(r.GitDir, submission.MainRef, ch, mainC.Hash); err != nil {
		var locked *gitdir.LockedError
		if errors.As(err, &locked) {
			return nil, refuse("main 未改动：%s", locked.Error())
		}
		if errors.Is(err, storage.ErrReferenceHasChanged) {
			return nil, refuse("main 在此期间被别人更新了，未改动：请重新运行本命令")
		}
		return nil, fmt.Errorf("selection: move main: %w", err)
	}
	mc := &MainChange{Commit: ch, OldMain: mainC.Hash, Paths: paths, Worktree: mode}
	if wt != nil {
		if err := r.updateWorktree(wt, nt, paths); err != nil {
			return mc, fmt.Errorf("selection: main moved to %s but the working tree could not be updated (run `git reset --keep main`): %w", ch, err)
		}
	}
	return mc, nil
}

// checkWorktree returns how main is checked out, and when it is, its
// work tree after making sure that every path the edit writes is, on
// disk, absent or as main has it (nothing of the staff member's is
// overwritten).
func (r *Repo) checkWorktree(mt *object.Tree, paths []string) (string, *git.Worktree, error) {
	if r.Bare {
		return "bare", nil, nil
	}
	head, err := r.Git.Storer.Reference(plumbing.HEAD)
	if err != nil || head.Type() != plumbing.SymbolicReference || head.Target() != submission.MainRef {
		return "not_checked_out", nil, nil
	}
	g, err := git.Open(r.st, osfs.New(r.Dir))
	if err != nil {
		return "", nil, fmt.Errorf("selection: worktree: %w", err)
	}
	wt, err := g.Worktree()
	if err != nil {
		return "", nil, fmt.Errorf("selection: worktree: %w", err)
	}
	var dirty []string
	for _, p := range paths {
		data, err := os.ReadFile(filepath.Join(r.Dir, filepath.FromSlash(p)))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		f, ferr := mt.File(p)
		if ferr != nil {
			dirty = append(dirty, p+"（未跟踪）")
			continue
		}
		s, ferr := f.Contents()
		if err != nil || ferr != nil || !bytes.Equal(data, []byte(s)) {
			dirty = append(dirty, p)
		}
	}
	if len(dirty) > 0 {
		return "", nil, refuse("main 已检出且以下文件有未提交的修改，main 未改动：\n  %s\n请先提交（git commit）或暂存（git stash）这些修改后重试。", strings.Join(dirty, "\n  "))
	}
	return "updated", wt, nil
}

func (r *Repo) updateWorktree(wt *git.Worktree, t *object.Tree, paths []string) error {
	for _, p := range paths {
		f, err := t.File(p)
		if err != nil {
			return err
		}
		s, err := f.Contents()
		if err != nil {
			return err
		}
		full := filepath.Join(r.Dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full, []byte(s), 0o644); err != nil {
			return err
		}
		if err := wt.AddWithOptions(&git.AddOptions{Path: p, SkipStatus: true}); err != nil {
			return err
		}
	}
	return nil
}

// readMainFile returns a file of main's tree.
func readMainFile(mainC *object.Commit, p string) ([]byte, error) {
	t, err := mainC.Tree()
	if err != nil {
		return nil, err
	}
	f, err := t.File(p)
	if err != nil {
		return nil, err
	}
	s, err := f.Contents()
	return []byte(s), err
}

// roundRecord reads rounds/<round>.md of main, decoded.
func roundRecord(mainC *object.Commit, round string) (*content.Round, error) {
	p := "rounds/" + round + ".md"
	data, err := readMainFile(mainC, p)
	if err != nil {
		return nil, refuse("main 上没有 %s：请先建立该遴选批次的记录（标题、遴选通知、申报起止日期）", p)
	}
	var rd content.Round
	if ds := content.DecodeRecord(p, data, &rd); ds.HasErrors() {
		return nil, refuse("%s 有误，请先改正（kjjr check）：\n%s", p, ds.Errors().Error())
	}
	rd.Slug = round
	return &rd, nil
}

func encodeRound(rd *content.Round) ([]byte, error) {
	b, err := content.EncodeRecord(rd, rd.Body)
	if err != nil {
		return nil, fmt.Errorf("selection: encode round: %w", err)
	}
	return b, nil
}
