package inbox

import (
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage"
	gitsync "github.com/go-git/go-git/v5/utils/sync"

	"kjjr/content"
	"kjjr/content/gitfs"
	"kjjr/internal/gitdir"
)

// mainRef is the branch submissions start from.
const mainRef = plumbing.ReferenceName("refs/heads/main")

// gitStore writes submissions into a content repo with the go-git object
// API only: blobs, trees bottom-up along the changed paths, one commit,
// and a compare-and-swap of the branch ref by gitdir.Update (git's
// <ref>.lock protocol). It never touches a working tree or an index.
type gitStore struct {
	mu     sync.Mutex
	trees  map[plumbing.Hash][]object.TreeEntry // decoded large trees
	repo   *git.Repository
	dir    string // the repo dir as given
	gitDir string // .git of a non-bare repo, or the bare repo dir
}

// openStore opens the repo at dir (bare or not) through gitdir: refs are
// listed past git's lock files, and failed object writes leave no
// temporary files.
func openStore(dir string) (*gitStore, error) {
	r, gd, err := gitdir.Open(dir)
	if err != nil {
		return nil, err
	}
	return &gitStore{repo: r, dir: dir, gitDir: gd}, nil
}

// gitDirOf returns <dir>/.git for a non-bare repo, dir for a bare one.
func gitDirOf(dir string) (string, error) {
	gd, _, err := gitdir.Find(dir)
	return gd, err
}

// ErrNotRepo is returned for a directory that is not a git repository.
var ErrNotRepo = gitdir.ErrNotRepo

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
	var h plumbing.Hash
	withZlibLevel(zlib.BestSpeed, func() { h, err = g.repo.Storer.SetEncodedObject(obj) })
	return h, err
}

// bigTree is the entry count from which a tree is treated as large: its
// decoded entries are cached and it is stored without compression.
const bigTree = 512

// writeTree encodes and stores a tree whose entries are in git order.
// It encodes directly (no fmt per entry) because a tree such as
// institutions/ has thousands of entries and is rewritten by every commit.
func (g *gitStore) writeTree(entries []object.TreeEntry) (plumbing.Hash, error) {
	n := 0
	for _, e := range entries {
		if strings.IndexByte(e.Name, 0) >= 0 || e.Name == "" {
			return plumbing.ZeroHash, fmt.Errorf("invalid tree entry name %q", e.Name)
		}
		n += len(e.Name) + 28
	}
	buf := make([]byte, 0, n)
	for _, e := range entries {
		buf = strconv.AppendUint(buf, uint64(e.Mode), 8)
		buf = append(buf, ' ')
		buf = append(buf, e.Name...)
		buf = append(buf, 0)
		buf = append(buf, e.Hash[:]...)
	}
	obj := g.repo.Storer.NewEncodedObject()
	obj.SetType(plumbing.TreeObject)
	obj.SetSize(int64(len(buf)))
	w, err := obj.Writer()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if _, err := w.Write(buf); err != nil {
		return plumbing.ZeroHash, err
	}
	if err := w.Close(); err != nil {
		return plumbing.ZeroHash, err
	}
	level := zlib.BestSpeed
	if len(entries) >= bigTree {
		level = zlib.NoCompression
	}
	var h plumbing.Hash
	withZlibLevel(level, func() { h, err = g.repo.Storer.SetEncodedObject(obj) })
	return h, err
}

// gitLess orders tree entries as git does: a directory sorts as if its
// name ended in "/". It does not allocate.
func gitLess(a, b *object.TreeEntry) bool {
	at := func(e *object.TreeEntry, i int) (byte, bool) {
		if i < len(e.Name) {
			return e.Name[i], true
		}
		if i == len(e.Name) && e.Mode == filemode.Dir {
			return '/', true
		}
		return 0, false
	}
	for i := 0; ; i++ {
		ac, aok := at(a, i)
		bc, bok := at(b, i)
		switch {
		case !aok || !bok:
			return !aok && bok
		case ac != bc:
			return ac < bc
		}
	}
}

// treeEntries returns a copy of a tree's entries. Large trees (institutions/
// of main, read by every new branch) are decoded once and cached.
func (g *gitStore) treeEntries(h plumbing.Hash) ([]object.TreeEntry, error) {
	g.mu.Lock()
	cached, ok := g.trees[h]
	g.mu.Unlock()
	if !ok {
		t, err := object.GetTree(g.repo.Storer, h)
		if err != nil {
			return nil, fmt.Errorf("read tree %s: %w", h, err)
		}
		cached = t.Entries
		if len(cached) >= bigTree {
			g.mu.Lock()
			if g.trees == nil || len(g.trees) >= 8 {
				g.trees = map[plumbing.Hash][]object.TreeEntry{}
			}
			g.trees[h] = cached
			g.mu.Unlock()
		}
	}
	return append(make([]object.TreeEntry, 0, len(cached)+4), cached...), nil
}

// updateTree returns the hash of tree base (zero: empty) with the blobs of
// changes (slash paths relative to base) put in place; a change to the
// zero hash removes the file, and a directory left empty is removed too
// (the zero hash is returned for an empty tree). Only the trees on
// the changed paths are read and rewritten; entries stay in git order
// (replaced in place, new ones inserted where they belong).
func (g *gitStore) updateTree(base plumbing.Hash, changes map[string]plumbing.Hash) (plumbing.Hash, error) {
	var entries []object.TreeEntry
	if !base.IsZero() {
		var err error
		if entries, err = g.treeEntries(base); err != nil {
			return plumbing.ZeroHash, err
		}
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
	find := func(name string) int {
		for i := range entries {
			if entries[i].Name == name {
				return i
			}
		}
		return -1
	}
	set := func(name string, mode filemode.FileMode, h plumbing.Hash) {
		e := object.TreeEntry{Name: name, Mode: mode, Hash: h}
		if i := find(name); i >= 0 {
			if entries[i].Mode == mode {
				entries[i] = e
				return
			}
			entries = append(entries[:i], entries[i+1:]...) // file became dir or back: re-insert
		}
		i := sort.Search(len(entries), func(i int) bool { return !gitLess(&entries[i], &e) })
		entries = append(entries, object.TreeEntry{})
		copy(entries[i+1:], entries[i:])
		entries[i] = e
	}
	remove := func(name string) {
		if i := find(name); i >= 0 {
			entries = append(entries[:i], entries[i+1:]...)
		}
	}
	for name, h := range files {
		if h.IsZero() {
			remove(name)
			continue
		}
		set(name, filemode.Regular, h)
	}
	for name, sub := range subs {
		var subBase plumbing.Hash
		if i := find(name); i >= 0 && entries[i].Mode == filemode.Dir {
			subBase = entries[i].Hash
		}
		h, err := g.updateTree(subBase, sub)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		if h.IsZero() {
			remove(name)
			continue
		}
		set(name, filemode.Dir, h)
	}
	if len(entries) == 0 {
		return plumbing.ZeroHash, nil
	}
	return g.writeTree(entries)
}

// filesUnder returns the paths (repo-relative) of every file under dir in
// the tree root; none when dir is not there.
func (g *gitStore) filesUnder(root plumbing.Hash, dir string) ([]string, error) {
	h := root
	for _, name := range strings.Split(dir, "/") {
		entries, err := g.treeEntries(h)
		if err != nil {
			return nil, err
		}
		h = plumbing.ZeroHash
		for _, e := range entries {
			if e.Name == name && e.Mode == filemode.Dir {
				h = e.Hash
			}
		}
		if h.IsZero() {
			return nil, nil
		}
	}
	var out []string
	var walk func(h plumbing.Hash, prefix string) error
	walk = func(h plumbing.Hash, prefix string) error {
		entries, err := g.treeEntries(h)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if e.Mode == filemode.Dir {
				if err := walk(e.Hash, prefix+"/"+e.Name); err != nil {
					return err
				}
				continue
			}
			out = append(out, prefix+"/"+e.Name)
		}
		return nil
	}
	return out, walk(h, dir)
}

// submission is one commit to write.
type submission struct {
	Branch plumbing.ReferenceName
	Files  map[string][]byte // repo-relative path -> content
	// Replace are directories (repo-relative) whose files at the parent
	// commit are removed unless Files writes them: an application's
	// evidence directory holds the latest application only.
	Replace   []string
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
		changes := blobs
		if len(s.Replace) > 0 {
			changes = make(map[string]plumbing.Hash, len(blobs))
			for p, h := range blobs {
				changes[p] = h
			}
			for _, dir := range s.Replace {
				old, err := g.filesUnder(pc.TreeHash, dir)
				if err != nil {
					return plumbing.ZeroHash, err
				}
				for _, p := range old {
					if _, keep := changes[p]; !keep {
						changes[p] = plumbing.ZeroHash
					}
				}
			}
		}
		tree, err := g.updateTree(pc.TreeHash, changes)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		if tree.IsZero() {
			if tree, err = g.writeTree(nil); err != nil {
				return plumbing.ZeroHash, err
			}
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
		var oldHash plumbing.Hash
		if old != nil {
			oldHash = old.Hash()
		}
		// Under git's own <ref>.lock: a lock that C git holds, or left
		// behind when killed, stops the commit with a *gitdir.LockedError
		// that says what to do; the message is tried again next pass.
		err = gitdir.Update(g.gitDir, s.Branch, ch, oldHash)
		if errors.Is(err, storage.ErrReferenceHasChanged) {
			continue
		}
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("update %s: %w", s.Branch, err)
		}
		// A writer that does not take <ref>.lock (go-git's own
		// SetReference and RemoveReference) could still undo ours. Read it
		// back; if it is not ours, do it again.
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

// useFastZlib switches the zlib levels below (benchmarks compare).
var useFastZlib = true

// withZlibLevel runs store (one SetEncodedObject) with go-git's pooled
// zlib writer at level. go-git compresses loose objects at the default
// level, and deflate dominated the cost of a commit: BestSpeed is several
// times faster for a few percent more disk, and a large tree (institutions/
// with thousands of entries, rewritten by every commit) is stored
// uncompressed so that a commit does not cost more in a larger repo. git
// gc repacks and compresses everything anyway. The pool is per P: the
// writer taken out is put back afterwards; if the goroutine moves, go-git
// merely uses another level, never a wrong result.
func withZlibLevel(level int, store func()) {
	if !useFastZlib {
		store()
		return
	}
	pool := &zlibPools[0]
	if level == zlib.NoCompression {
		pool = &zlibPools[1]
	}
	mine, _ := pool.Get().(*zlib.Writer)
	if mine == nil {
		var err error
		if mine, err = zlib.NewWriterLevel(nil, level); err != nil {
			store()
			return
		}
	}
	prev := gitsync.GetZlibWriter(nil)
	gitsync.PutZlibWriter(mine)
	store()
	pool.Put(gitsync.GetZlibWriter(nil)) // normally mine again
	gitsync.PutZlibWriter(prev)
}

// zlibPools keep the BestSpeed and NoCompression writers between objects.
var zlibPools [2]sync.Pool

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
	r, _ := content.Load(&recordsFS{fsys}, nil)
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
