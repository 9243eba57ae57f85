package gitdir

import (
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"github.com/go-git/go-billy/v5"
)

// gitFS is the file system go-git's storage sees: the git directory, with
// ref listing and temporary files fixed as the package doc says.
type gitFS struct {
	billy.Filesystem
	mu    sync.Mutex
	temps map[string]bool // temporary files created and not yet closed or renamed
}

func newFS(fs billy.Filesystem) *gitFS {
	return &gitFS{Filesystem: fs, temps: map[string]bool{}}
}

// ReadDir lists a directory. Under refs/ it leaves out what C git does not
// take for a ref when it lists loose refs: a name that is not a valid ref
// name component (above all <ref>.lock, which a git killed mid-update
// leaves behind) and an empty file (git "ignoring broken ref"). go-git
// reads every file under refs/ as a ref and fails the whole listing on
// either ("ref file is empty", naming no file).
func (f *gitFS) ReadDir(dir string) ([]os.FileInfo, error) {
	ents, err := f.Filesystem.ReadDir(dir)
	if err != nil {
		return ents, err
	}
	d := path.Clean(filepath.ToSlash(dir))
	if d != "refs" && !strings.HasPrefix(d, "refs/") {
		return ents, nil
	}
	out := ents[:0]
	for _, e := range ents {
		if !validComponent(e.Name()) || (!e.IsDir() && e.Size() == 0) {
			continue
		}
		out = append(out, e)
	}
	return out, nil
}

// validComponent reports whether name may be one component of a ref name
// (git check-ref-format).
func validComponent(name string) bool {
	if name == "" || name[0] == '.' || strings.HasSuffix(name, ".lock") || strings.HasSuffix(name, ".") ||
		strings.Contains(name, "..") || strings.Contains(name, "@{") || name == "@" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c < 0x20 || c == 0x7f || strings.IndexByte(" ~^:?*[\\", c) >= 0 {
			return false
		}
	}
	return true
}

// TempFile creates a temporary file (go-git writes every loose object and
// pack into one under objects/pack/ before renaming it into place). The
// file removes itself when a write or its Close fails, and when renaming
// it fails: go-git gives such a file up without removing it, so a full
// disk left one more partial tmp_obj_* behind on every retry.
func (f *gitFS) TempFile(dir, prefix string) (billy.File, error) {
	tf, err := f.Filesystem.TempFile(dir, prefix)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	f.temps[tf.Name()] = true
	f.mu.Unlock()
	return &tempFile{File: tf, fs: f}, nil
}

// Rename renames a file; a temporary file that cannot be renamed into
// place is removed.
func (f *gitFS) Rename(from, to string) error {
	err := f.Filesystem.Rename(from, to)
	f.mu.Lock()
	temp := f.temps[from]
	delete(f.temps, from)
	f.mu.Unlock()
	if err != nil && temp {
		_ = f.Filesystem.Remove(from)
	}
	return err
}

// Remove removes a file.
func (f *gitFS) Remove(name string) error {
	f.mu.Lock()
	delete(f.temps, name)
	f.mu.Unlock()
	return f.Filesystem.Remove(name)
}

// Chmod changes a file's mode when the underlying file system can (go-git
// makes loose objects read-only with it).
func (f *gitFS) Chmod(name string, mode os.FileMode) error {
	if c, ok := f.Filesystem.(billy.Chmod); ok {
		return c.Chmod(name, mode)
	}
	return nil
}

// abandon closes and removes a temporary file that can no longer become
// an object.
func (f *gitFS) abandon(tf billy.File) {
	_ = tf.Close()
	f.mu.Lock()
	delete(f.temps, tf.Name())
	f.mu.Unlock()
	_ = f.Filesystem.Remove(tf.Name())
}

// tempFile is a temporary file that removes itself when writing it fails.
type tempFile struct {
	billy.File
	fs     *gitFS
	failed bool
}

func (t *tempFile) Write(p []byte) (int, error) {
	if t.failed {
		return 0, os.ErrClosed
	}
	n, err := t.File.Write(p)
	if err != nil {
		t.failed = true
		t.fs.abandon(t.File)
	}
	return n, err
}

func (t *tempFile) Close() error {
	if t.failed {
		return os.ErrClosed
	}
	err := t.File.Close()
	if err != nil {
		t.failed = true
		t.fs.abandon(t.File)
	}
	return err
}
