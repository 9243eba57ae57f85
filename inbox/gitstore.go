package inbox

import (
	"bytes"
	"context"
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
)

// mainRef is the branch submissions start from.
const mainRef = plumbing.ReferenceName("refs/heads/main")

// gitStore writes submissions into a content repo with the go-git object
// API only: blobs, trees bottom-up along the changed paths, one commit,
// and a compare-and-swap of the branch ref. It never touches a working
// tree or an index.
type gitStore struct {
	repo   *git.Repository
	dir    string // the repo dir as given
	gitDir string // .git of a non-bare repo, or the bare repo dir
}

// openStore opens the repo at dir (bare or not).
func openStore(dir string) (*gitStore, error) {
	gd, err := gitDirOf(dir)
	if err != nil {
		return nil, err
	}
	r, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: false})
	if err != nil {
		return nil, fmt.Errorf("open git repo %s: %w", dir, err)
	}
	return &gitStore{repo: r, dir: dir, gitDir: gd}, nil
}

// gitDirOf returns <dir>/.git for a non-bare repo, dir for a bare one.
func gitDirOf(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("repo dir %s: %w", dir, err)
	}
	if fi, err := os.Stat(filepath.Join(abs, ".git")); err == nil && fi.IsDir() {
		return filepath.Join(abs, ".git"), nil
	}
	if _, err := os.Stat(filepath.Join(abs, "HEAD")); err == nil {
		return abs, nil
	}
	return "", fmt.Errorf("%s: %w", dir, ErrNotRepo)
}

// ErrNotRepo is returned for a directory that is not a git repository.
var ErrNotRepo = errors.New("not a git repository (no .git directory, no HEAD)")

// StateDir returns <gitdir>/kjjr for a content repo dir: where the inbox
// keeps its index, quarantine and outbox.
func StateDir(repoDir string) (string, error) {
	gd, err := gitDirOf(repoDir)
	if err != nil {
		return "", err
	}
	return filepath.Join(gd, "kjjr"), nil
}

func (g *gitStore) writeBlob(data []byte) (plumbing.Hash, error) {
	obj := g.repo.Storer.NewEncodedObject()
	obj.SetType(plumbing.BlobObject)
	obj.SetSize(int64(len(data)))
	w, err := obj.Writer()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if _, err := w.Write(data); err != nil {
		w.Close()
		return plumbing.ZeroHash, err
	}
	if err := w.Close(); err != nil {
		return plumbing.ZeroHash, err
	}
	return g.repo.Storer.SetEncodedObject(obj)
}

func (g *gitStore) writeTree(entries []object.TreeEntry) (plumbing.Hash, error) {
	sort.Sort(object.TreeEntrySorter(entries))
	t := &object.Tree{Entries: entries}
	obj := g.repo.Storer.NewEncodedObject()
	if err := t.Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	return g.repo.Storer.SetEncodedObject(obj)
}

// updateTree returns the hash of tree base (zero: empty) with the blobs of
// changes (slash paths relative to base) put in place. Only the trees on
// the changed paths are read and rewritten.
func (g *gitStore) updateTree(base plumbing.Hash, changes map[string]plumbing.Hash) (plumbing.Hash, error) {
	var entries []object.TreeEntry
	if !base.IsZero() {
		t, err := object.GetTree(g.repo.Storer, base)
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("read tree %s: %w", base, err)
		}
		entries = append(entries, t.Entries...)
	}
	files := map[string]plumbing.Hash{}
	subs := map[string]map[string]plumbing.Hash{}
	for p, h := range changes {
		first, rest, deeper := strings.Cut(p, "/")
		if !deeper {
			files[first] = h
			continue
		}
		if subs[first] == nil {
			subs[first] = map[string]plumbing.Hash{}
		}
		subs[first][rest] = h
	}
	index := map[string]int{}
	for i, e := range entries {
		index[e.Name] = i
	}
	set := func(name string, mode filemode.FileMode, h plumbing.Hash) {
		if i, ok := index[name]; ok {
			entries[i] = object.TreeEntry{Name: name, Mode: mode, Hash: h}
			return
		}
		index[name] = len(entries)
		entries = append(entries, object.TreeEntry{Name: name, Mode: mode, Hash: h})
	}
	for name, h := range files {
		set(name, filemode.Regular, h)
	}
	for name, sub := range subs {
		var subBase plumbing.Hash
		if i, ok := index[name]; ok && entries[i].Mode == filemode.Dir {
			subBase = entries[i].Hash
		}
		h, err := g.updateTree(subBase, sub)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		set(name, filemode.Dir, h)
	}
	return g.writeTree(entries)
}

// submission is one commit to write.
type submission struct {
	Branch    plumbing.ReferenceName
	Files     map[string][]byte // repo-relative path -> content
	Author    object.Signature
	Committer object.Signature
	Message   string
}

// errRefRace is returned when the ref kept moving under us.
var errRefRace = errors.New("branch ref kept changing; gave up after retries")

// commit writes s as one commit on s.Branch (created from main's tip when
// missing) and moves the ref with compare-and-swap, retrying on a
// concurrent change. beforeCAS, when set, runs between reading the ref and
// the swap (tests use it to move the ref under the writer).
func (g *gitStore) commit(s *submission, beforeCAS func()) (plumbing.Hash, error) {
	blobs := make(map[string]plumbing.Hash, len(s.Files))
	for p, data := range s.Files {
		h, err := g.writeBlob(data)
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("write blob %s: %w", p, err)
		}
		blobs[p] = h
	}
	for attempt := 0; attempt < 20; attempt++ {
		old, err := g.repo.Storer.Reference(s.Branch)
		var parent plumbing.Hash
		switch {
		case errors.Is(err, plumbing.ErrReferenceNotFound):
			old = nil
			m, err := g.repo.Storer.Reference(mainRef)
			if err != nil {
				return plumbing.ZeroHash, fmt.Errorf("read %s: %w", mainRef, err)
			}
			parent = m.Hash()
		case err != nil:
			return plumbing.ZeroHash, fmt.Errorf("read %s: %w", s.Branch, err)
		default:
			parent = old.Hash()
		}
		pc, err := object.GetCommit(g.repo.Storer, parent)
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("read commit %s: %w", parent, err)
		}
		tree, err := g.updateTree(pc.TreeHash, blobs)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		c := &object.Commit{
			Author: s.Author, Committer: s.Committer, Message: s.Message,
			TreeHash: tree, ParentHashes: []plumbing.Hash{parent},
		}
		obj := g.repo.Storer.NewEncodedObject()
		if err := c.Encode(obj); err != nil {
			return plumbing.ZeroHash, fmt.Errorf("encode commit: %w", err)
		}
		ch, err := g.repo.Storer.SetEncodedObject(obj)
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("write commit: %w", err)
		}
		if beforeCAS != nil {
			beforeCAS()
		}
		newRef := plumbing.NewHashReference(s.Branch, ch)
		if old == nil {
			// Creating: make sure nobody created it meanwhile.
			if _, err := g.repo.Storer.Reference(s.Branch); err == nil {
				continue
			}
			err = g.repo.Storer.SetReference(newRef)
		} else {
			err = g.repo.Storer.CheckAndSetReference(newRef, old)
		}
		if errors.Is(err, storage.ErrReferenceHasChanged) {
			continue
		}
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("update %s: %w", s.Branch, err)
		}
		// go-git locks the ref file with flock while C git replaces it by
		// rename: an update racing with git's could land in the replaced
		// file. Read it back; if it is not ours, do it again.
		if now, err := g.repo.Storer.Reference(s.Branch); err != nil || !g.reaches(now.Hash(), ch, 64) {
			continue
		}
		return ch, nil
	}
	return plumbing.ZeroHash, errRefRace
}

// reaches reports whether commit want is from, or one of its ancestors at
// most depth commits back (someone may have committed on top already).
func (g *gitStore) reaches(from, want plumbing.Hash, depth int) bool {
	queue := []plumbing.Hash{from}
	seen := map[plumbing.Hash]bool{}
	for len(queue) > 0 && len(seen) < depth {
		h := queue[0]
		queue = queue[1:]
		if h == want {
			return true
		}
		if seen[h] {
			continue
		}
		seen[h] = true
		c, err := object.GetCommit(g.repo.Storer, h)
		if err != nil {
			continue
		}
		queue = append(queue, c.ParentHashes...)
	}
	return false
}

// hasOrigin reports whether the repo has a remote named origin.
func (g *gitStore) hasOrigin() bool {
	_, err := g.repo.Remote("origin")
	return err == nil
}

// push pushes branch to origin when the repo has one.
func (g *gitStore) push(ctx context.Context, branch plumbing.ReferenceName) error {
	if !g.hasOrigin() {
		return nil
	}
	spec := config.RefSpec(branch.String() + ":" + branch.String())
	err := g.repo.PushContext(ctx, &git.PushOptions{RemoteName: "origin", RefSpecs: []config.RefSpec{spec}})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return fmt.Errorf("push %s to origin: %w", branch.Short(), err)
	}
	return nil
}

// snapshot is what the worker needs from main: site settings and the
// institutions (report senders, names, DKIM keys), for one main commit.
type snapshot struct {
	main plumbing.Hash
	repo *content.Repo
}

// loadSnapshot reads main's tip (never a working tree): site.yaml,
// calendar/ and institutions/*/index.md only, not reports or evidence.
func (g *gitStore) loadSnapshot() (*snapshot, error) {
	fsys, h, err := gitfs.Rev(g.repo, mainRef.String())
	if err != nil {
		return nil, fmt.Errorf("read main: %w", err)
	}
	// One worker: gitfs.FS is not safe for concurrent use (go-git's
	// Tree.FindEntry fills a map lazily; parallel lookups race).
	r, _ := content.Load(&recordsFS{fsys}, &content.LoadOptions{Workers: 1})
	if _, err := fs.Stat(fsys, "site.yaml"); err != nil {
		return nil, fmt.Errorf("main has no site.yaml: %w", content.ErrNotContentRepo)
	}
	return &snapshot{main: h, repo: r}, nil
}

// mainTip returns main's current commit.
func (g *gitStore) mainTip() (plumbing.Hash, error) {
	r, err := g.repo.Storer.Reference(mainRef)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("read main: %w", err)
	}
	return r.Hash(), nil
}

// recordsFS hides what the inbox does not need from content.Load: the
// reports, inspections and evidence of every institution (all but
// index.md), which grow with the repo.
type recordsFS struct{ fs *gitfs.FS }

func (r *recordsFS) Open(name string) (fs.File, error) { return r.fs.Open(name) }

func (r *recordsFS) ReadFile(name string) ([]byte, error) { return r.fs.ReadFile(name) }

func (r *recordsFS) Stat(name string) (fs.FileInfo, error) { return r.fs.Stat(name) }

func (r *recordsFS) ReadDir(name string) ([]fs.DirEntry, error) {
	ents, err := r.fs.ReadDir(name)
	if err != nil {
		return nil, err
	}
	parts := strings.Split(name, "/")
	out := ents[:0]
	for _, e := range ents {
		keep := true
		switch {
		case name == ".":
			// Rounds, publicity and results give each institution's status
			// (announced, removed); notices are what rounds refer to.
			switch e.Name() {
			case "site.yaml", "calendar", "institutions", "rounds", "publicity", "results", "notices":
			default:
				keep = false
			}
		case len(parts) == 2 && parts[0] == "institutions":
			keep = e.Name() == "index.md"
		}
		if keep {
			out = append(out, e)
		}
	}
	return out, nil
}

// readBlobAt reads one file of a commit's tree, or nil when absent.
func (g *gitStore) readFileAt(commit plumbing.Hash, p string) ([]byte, error) {
	c, err := object.GetCommit(g.repo.Storer, commit)
	if err != nil {
		return nil, err
	}
	t, err := object.GetTree(g.repo.Storer, c.TreeHash)
	if err != nil {
		return nil, err
	}
	f, err := t.File(p)
	if err != nil {
		return nil, nil
	}
	rd, err := f.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	return io.ReadAll(rd)
}

var _ = bytes.Compare
var _ = time.Now
