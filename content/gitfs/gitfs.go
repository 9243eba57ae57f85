// Package gitfs presents a git tree as a read-only fs.FS, so that
// content.Load can read a branch, a commit or a merge result straight from
// the object store, without a working tree (staff may have one open).
// FS.TreeHash gives a directory's git hash, which makes an FS a
// content.TreeFS: content.LoadTree then skips the subtrees it has loaded
// before.
package gitfs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"sync"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// FS is a read-only view of one git tree. It implements fs.FS,
// fs.ReadDirFS, fs.ReadFileFS and fs.StatFS. It is safe for concurrent
// use: go-git's object.Tree caches lookups in an unlocked map and its
// packfile readers share file handles, so FS resolves paths itself and
// serialises object reads with a mutex (decoding by the caller, the
// expensive part of content.Load, still runs in parallel). Every file
// reports the commit time (or the zero time) as ModTime.
type FS struct {
	mu    sync.Mutex
	s     storer.EncodedObjectStorer
	tree  *object.Tree
	mtime time.Time
	// dirs caches decoded trees by directory path ("." is the root) with
	// a name index, so that a lookup in a directory of 5000 institutions
	// costs a map access, not a tree decode. Guarded by mu.
	dirs map[string]*dirIndex
}

type dirIndex struct {
	tree   *object.Tree
	byName map[string]int
}

// New returns tree, whose objects are in s (a repository's Storer), as an
// fs.FS. mtime is reported for every entry.
func New(s storer.EncodedObjectStorer, tree *object.Tree, mtime time.Time) *FS {
	return &FS{s: s, tree: tree, mtime: mtime, dirs: map[string]*dirIndex{}}
}

// Rev resolves rev (a branch such as "main", a full ref, or a commit
// hash) in repo and returns its tree as an fs.FS, with the commit's hash.
func Rev(repo *git.Repository, rev string) (*FS, plumbing.Hash, error) {
	h, err := repo.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return nil, plumbing.ZeroHash, fmt.Errorf("gitfs: resolve %q: %v", rev, err)
	}
	c, err := repo.CommitObject(*h)
	if err != nil {
		return nil, plumbing.ZeroHash, fmt.Errorf("gitfs: commit %s: %v", h, err)
	}
	t, err := c.Tree()
	if err != nil {
		return nil, plumbing.ZeroHash, fmt.Errorf("gitfs: tree of %s: %v", h, err)
	}
	return New(repo.Storer, t, c.Committer.When), *h, nil
}

func (f *FS) lookup(op, name string) (*object.TreeEntry, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	if name == "." {
		return &object.TreeEntry{Name: ".", Mode: filemode.Dir, Hash: f.tree.Hash}, nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	parent, base := path.Dir(name), path.Base(name)
	d, err := f.dirLocked(parent)
	if err != nil {
		return nil, &fs.PathError{Op: op, Path: name, Err: err}
	}
	i, ok := d.byName[base]
	if !ok {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
	}
	e := d.tree.Entries[i]
	return &e, nil
}

// dirLocked returns the decoded tree of directory dir, from the cache or
// by resolving it from its parent. f.mu must be held.
func (f *FS) dirLocked(dir string) (*dirIndex, error) {
	if d, ok := f.dirs[dir]; ok {
		return d, nil
	}
	var t *object.Tree
	if dir == "." {
		t = f.tree
	} else {
		parent, err := f.dirLocked(path.Dir(dir))
		if err != nil {
			return nil, err
		}
		i, ok := parent.byName[path.Base(dir)]
		if !ok || parent.tree.Entries[i].Mode != filemode.Dir {
			return nil, fs.ErrNotExist
		}
		t, err = object.GetTree(f.s, parent.tree.Entries[i].Hash)
		if err != nil {
			return nil, err
		}
	}
	d := &dirIndex{tree: t, byName: make(map[string]int, len(t.Entries))}
	for i, e := range t.Entries {
		d.byName[e.Name] = i
	}
	f.dirs[dir] = d
	return d, nil
}

// Open opens a file or directory of the tree.
func (f *FS) Open(name string) (fs.File, error) {
	e, err := f.lookup("open", name)
	if err != nil {
		return nil, err
	}
	info := &fileInfo{name: path.Base(name), mode: e.Mode, mtime: f.mtime}
	if e.Mode == filemode.Dir {
		ents, err := f.ReadDir(name)
		if err != nil {
			return nil, err
		}
		return &dir{info: info, entries: ents}, nil
	}
	data, err := f.readBlob(e.Hash)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	info.size = int64(len(data))
	return &file{info: info, r: bytes.NewReader(data)}, nil
}

// ReadFile reads a whole file of the tree.
func (f *FS) ReadFile(name string) ([]byte, error) {
	e, err := f.lookup("readfile", name)
	if err != nil {
		return nil, err
	}
	if e.Mode == filemode.Dir {
		return nil, &fs.PathError{Op: "readfile", Path: name, Err: errors.New("is a directory")}
	}
	data, err := f.readBlob(e.Hash)
	if err != nil {
		return nil, &fs.PathError{Op: "readfile", Path: name, Err: err}
	}
	return data, nil
}

func (f *FS) readBlob(h plumbing.Hash) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := object.GetBlob(f.s, h)
	if err != nil {
		return nil, err
	}
	r, err := b.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// ReadDir lists a directory of the tree, sorted by name.
func (f *FS) ReadDir(name string) ([]fs.DirEntry, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrInvalid}
	}
	if name != "." {
		e, err := f.lookup("readdir", name)
		if err != nil {
			return nil, err
		}
		if e.Mode != filemode.Dir {
			return nil, &fs.PathError{Op: "readdir", Path: name, Err: errors.New("not a directory")}
		}
	}
	f.mu.Lock()
	d, err := f.dirLocked(name)
	f.mu.Unlock()
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
	}
	t := d.tree
	out := make([]fs.DirEntry, 0, len(t.Entries))
	for _, e := range t.Entries {
		if e.Mode == filemode.Submodule {
			continue
		}
		fi := &fileInfo{name: e.Name, mode: e.Mode, mtime: f.mtime, hash: e.Hash, fs: f}
		if e.Mode != filemode.Dir {
			fi.size = -1
		}
		out = append(out, fi)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, nil
}

// TreeHash returns the git hash (hex) of directory dir ("." for the root),
// which names everything under it: two directories with the same hash
// hold the same files. With it FS is a content.TreeFS, so that
// content.LoadTree can skip subtrees it has decoded before.
func (f *FS) TreeHash(dir string) (string, error) {
	e, err := f.lookup("treehash", dir)
	if err != nil {
		return "", err
	}
	if e.Mode != filemode.Dir {
		return "", &fs.PathError{Op: "treehash", Path: dir, Err: errors.New("not a directory")}
	}
	return e.Hash.String(), nil
}

// Stat describes a file or directory of the tree.
func (f *FS) Stat(name string) (fs.FileInfo, error) {
	e, err := f.lookup("stat", name)
	if err != nil {
		return nil, err
	}
	fi := &fileInfo{name: path.Base(name), mode: e.Mode, mtime: f.mtime, hash: e.Hash, fs: f}
	if e.Mode != filemode.Dir {
		fi.size = -1
	}
	return fi, nil
}
