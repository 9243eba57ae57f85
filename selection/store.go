package selection

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"kjjr/content"
	"kjjr/internal/gitdir"
	"kjjr/submission"
)

// PrivateRefPrefix is the prefix of the private round refs (see the
// package doc): refs/kjjr/rounds/<round>.
const PrivateRefPrefix = "refs/kjjr/rounds/"

// PrivateRef returns the private ref of round: refs/kjjr/rounds/<round>.
func PrivateRef(round string) plumbing.ReferenceName {
	return plumbing.ReferenceName(PrivateRefPrefix + round)
}

// Error is a refusal with a message for staff, in Simplified Chinese,
// saying what is wrong and how to fix it. Nothing was changed when it is
// returned.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

func refuse(format string, args ...any) error { return &Error{Msg: fmt.Sprintf(format, args...)} }

// Repo is a content repo opened for a selection round. Close it when done.
type Repo struct {
	Dir    string // the directory given to Open, absolute
	GitDir string
	Bare   bool
	Git    *git.Repository
	st     *filesystem.Storage
}

// Open opens the content repo at dir (bare or not) through the project's
// git storage (kjjr/internal/gitdir).
func Open(dir string) (*Repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("selection: %w", err)
	}
	gd, bare, err := gitdir.Find(abs)
	if err != nil {
		return nil, refuse("%s 不是 git 仓库：请用 --repo 指向内容仓库（kjjr init DIR 可新建一个）", dir)
	}
	st := gitdir.Storage(gd, filesystem.Options{KeepDescriptors: true})
	g, err := git.Open(st, nil)
	if err != nil {
		_ = st.Close()
		return nil, refuse("%s 不是 git 仓库：请用 --repo 指向内容仓库（kjjr init DIR 可新建一个）", dir)
	}
	return &Repo{Dir: abs, GitDir: gd, Bare: bare, Git: g, st: st}, nil
}

// Close releases the repository's open files.
func (r *Repo) Close() error { return r.st.Close() }

// checkRound refuses a round name that is not a slug.
func checkRound(round string) error {
	if !content.SlugPattern.MatchString(round) {
		return refuse("%q 不是遴选批次的代号：应与 rounds/<代号>.md 的文件名一致，例如 2026-1", round)
	}
	return nil
}

// mainTip returns main's commit.
func (r *Repo) mainTip() (*object.Commit, error) {
	h, err := gitdir.Read(r.GitDir, submission.MainRef)
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return nil, refuse("仓库没有 main 分支：请先用 kjjr init 建立内容仓库")
	}
	if err != nil {
		return nil, fmt.Errorf("selection: read main: %w", err)
	}
	c, err := r.Git.CommitObject(h)
	if err != nil {
		return nil, fmt.Errorf("selection: main commit %s: %w", h, err)
	}
	return c, nil
}

// loadMain loads main's content as kjjr check does.
func (r *Repo) loadMain() (*content.Repo, *object.Commit, error) {
	c, err := r.mainTip()
	if err != nil {
		return nil, nil, err
	}
	t, err := c.Tree()
	if err != nil {
		return nil, nil, fmt.Errorf("selection: main tree: %w", err)
	}
	repo, err := loadTree(r.Git, t, c.Committer.When)
	return repo, c, err
}

// privateTree returns the tip and tree of the round's private ref; both
// nil when it does not exist yet.
func (r *Repo) privateTree(round string) (*object.Commit, *object.Tree, error) {
	h, err := gitdir.Read(r.GitDir, PrivateRef(round))
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("selection: read %s: %w", PrivateRef(round), err)
	}
	c, err := r.Git.CommitObject(h)
	if err != nil {
		return nil, nil, fmt.Errorf("selection: %s: %w", PrivateRef(round), err)
	}
	t, err := c.Tree()
	if err != nil {
		return nil, nil, fmt.Errorf("selection: %s tree: %w", PrivateRef(round), err)
	}
	return c, t, nil
}

// privateFiles returns the files of the private tree under dir (path ->
// content), in path order.
func (r *Repo) privateFiles(round, dir string) (map[string][]byte, error) {
	_, t, err := r.privateTree(round)
	if err != nil || t == nil {
		return map[string][]byte{}, err
	}
	out := map[string][]byte{}
	sub, err := t.Tree(dir)
	if errors.Is(err, object.ErrDirectoryNotFound) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("selection: %s: %w", dir, err)
	}
	it := sub.Files()
	defer it.Close()
	for {
		f, err := it.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("selection: %s: %w", dir, err)
		}
		s, err := f.Contents()
		if err != nil {
			return nil, fmt.Errorf("selection: %s/%s: %w", dir, f.Name, err)
		}
		out[dir+"/"+f.Name] = []byte(s)
	}
	return out, nil
}

// addPrivate commits files (path -> content; nil content deletes) onto
// the round's private ref, by sig, and moves the ref by compare-and-swap
// (gitdir.Update). A writer that moved the ref meanwhile (the inbox
// recording an objection while staff add a workbook) makes it start again
// from the new tip: additions never depend on each other.
func (r *Repo) addPrivate(round string, files map[string][]byte, sig object.Signature, msg string) (plumbing.Hash, error) {
	for attempt := 0; ; attempt++ {
		tip, t, err := r.privateTree(round)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		edits := map[string]*object.TreeEntry{}
		for p, data := range files {
			if data == nil {
				edits[p] = nil
				continue
			}
			h, err := writeBlob(r.Git, data)
			if err != nil {
				return plumbing.ZeroHash, err
			}
			edits[p] = &object.TreeEntry{Mode: filemode.Regular, Hash: h}
		}
		th, err := editTree(r.Git, t, "", edits)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		c := &object.Commit{Author: sig, Committer: sig, Message: msg, TreeHash: th}
		old := plumbing.ZeroHash
		if tip != nil {
			c.ParentHashes = []plumbing.Hash{tip.Hash}
			old = tip.Hash
		}
		ch, err := writeCommit(r.Git, c)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		err = gitdir.Update(r.GitDir, PrivateRef(round), ch, old)
		if err == nil {
			return ch, nil
		}
		if errors.Is(err, storage.ErrReferenceHasChanged) && attempt < maxAttempts {
			// Someone else added meanwhile: wait a little (jittered, so
			// that writers racing each other spread out) and redo.
			time.Sleep(time.Duration(1+rand.IntN(1+min(attempt, 20))) * time.Millisecond)
			continue
		}
		var locked *gitdir.LockedError
		if errors.As(err, &locked) {
			return plumbing.ZeroHash, refuse("未保存：%s", locked.Error())
		}
		return plumbing.ZeroHash, fmt.Errorf("selection: move %s: %w", PrivateRef(round), err)
	}
}

func writeBlob(g *git.Repository, data []byte) (plumbing.Hash, error) {
	obj := g.Storer.NewEncodedObject()
	obj.SetType(plumbing.BlobObject)
	w, err := obj.Writer()
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("selection: write blob: %w", err)
	}
	if _, err := w.Write(data); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("selection: write blob: %w", err)
	}
	if err := w.Close(); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("selection: write blob: %w", err)
	}
	h, err := g.Storer.SetEncodedObject(obj)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("selection: write blob: %w", err)
	}
	return h, nil
}

func writeCommit(g *git.Repository, c *object.Commit) (plumbing.Hash, error) {
	obj := g.Storer.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("selection: encode commit: %w", err)
	}
	h, err := g.Storer.SetEncodedObject(obj)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("selection: write commit: %w", err)
	}
	return h, nil
}

// editTree writes a copy of tree t (at prefix; nil: empty) with edits
// (full slash paths; a nil entry deletes) applied, and returns its hash;
// ZeroHash for a directory that ends up empty (prefix != "").
func editTree(g *git.Repository, t *object.Tree, prefix string, edits map[string]*object.TreeEntry) (plumbing.Hash, error) {
	here := map[string]*object.TreeEntry{}
	sub := map[string]map[string]*object.TreeEntry{}
	for p, e := range edits {
		rest := strings.TrimPrefix(p, prefix)
		if name, _, ok := strings.Cut(rest, "/"); ok {
			if sub[name] == nil {
				sub[name] = map[string]*object.TreeEntry{}
			}
			sub[name][p] = e
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
				if ed != nil {
					entries = append(entries, object.TreeEntry{Name: e.Name, Mode: ed.Mode, Hash: ed.Hash})
				}
				continue
			}
			if s, ok := sub[e.Name]; ok {
				var child *object.Tree
				if e.Mode == filemode.Dir {
					c, err := g.TreeObject(e.Hash)
					if err != nil {
						return plumbing.ZeroHash, fmt.Errorf("selection: tree %s%s: %w", prefix, e.Name, err)
					}
					child = c
				}
				h, err := editTree(g, child, prefix+e.Name+"/", s)
				if err != nil {
					return plumbing.ZeroHash, err
				}
				if !h.IsZero() {
					entries = append(entries, object.TreeEntry{Name: e.Name, Mode: filemode.Dir, Hash: h})
				}
				continue
			}
			entries = append(entries, e)
		}
	}
	for name, ed := range here {
		if !seen[name] && ed != nil {
			entries = append(entries, object.TreeEntry{Name: name, Mode: ed.Mode, Hash: ed.Hash})
		}
	}
	for name, s := range sub {
		if seen[name] {
			continue
		}
		h, err := editTree(g, nil, prefix+name+"/", s)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		if !h.IsZero() {
			entries = append(entries, object.TreeEntry{Name: name, Mode: filemode.Dir, Hash: h})
		}
	}
	if len(entries) == 0 && prefix != "" {
		return plumbing.ZeroHash, nil
	}
	sort.Sort(object.TreeEntrySorter(entries))
	nt := &object.Tree{Entries: entries}
	obj := g.Storer.NewEncodedObject()
	if err := nt.Encode(obj); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("selection: encode tree %s: %w", prefix, err)
	}
	h, err := g.Storer.SetEncodedObject(obj)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("selection: write tree %s: %w", prefix, err)
	}
	return h, nil
}

// maxAttempts bounds how often addPrivate starts again after losing a
// race for the ref; each attempt is one tree and commit, milliseconds.
const maxAttempts = 200

// signature returns "Name <email>" as a git signature at now.
func signature(by object.Signature, now time.Time) object.Signature {
	by.When = now
	return by
}
