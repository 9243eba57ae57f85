package content

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
)

// DirFS returns the content repo in directory dir as an fs.FS for Load.
//
// It reads only what is inside the repo and only regular files and
// directories: no symbolic link is followed, in the last component of a
// name or in any directory on the way (a link in the repo could publish
// /etc/passwd, a private report or .git/config), and a FIFO, device or
// socket is never opened for reading (a FIFO would block for ever,
// /dev/zero never end). Such an entry is an error wrapping ErrNotRegular.
// The directory dir itself may be reached through links.
//
// It is also the fast way to read a repo: a file costs a few system
// calls (open, fstat, read, close; no poller registration as with
// os.DirFS), which matters for a repo of 100,000 reports, and Load walks
// the tree with fewer system calls still on Linux (dirFS.walk). Names
// follow fs.ValidPath.
func DirFS(dir string) fs.FS {
	real := dir
	if abs, err := filepath.Abs(dir); err == nil {
		real = abs
		if r, err := filepath.EvalSymlinks(abs); err == nil {
			real = r
		}
	}
	return dirFS{dir: dir, real: real}
}

type dirFS struct {
	dir  string // as given, for messages and the walk
	real string // absolute, symbolic links resolved: names are looked up beneath it
}

// ErrNotRegular is the error (wrapped) for a content-repo entry that is
// neither a regular file nor a directory where one is read: a symbolic
// link, a FIFO, a device or a socket.
var ErrNotRegular = errors.New("not a regular file (symbolic link, FIFO, device or socket)")

// ErrTooLarge is the error (wrapped, as a *TooLargeError) for a file
// larger than its reader's limit.
var ErrTooLarge = errors.New("file too large")

// TooLargeError is a file larger than the limit it was read with, found
// before its bytes were read when the file system tells sizes.
type TooLargeError struct {
	Size  int64 // the size found (at least Limit+1)
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("file too large: %d bytes, limit %d", e.Size, e.Limit)
}

// Is makes errors.Is(err, ErrTooLarge) true.
func (e *TooLargeError) Is(target error) bool { return target == ErrTooLarge }

// ReadRegular reads the file name of fsys if it is a regular file of at
// most limit bytes: a symbolic link, FIFO, device or socket is an error
// wrapping ErrNotRegular, a larger file a *TooLargeError. The size is
// checked before reading (fstat), and no more than limit+1 bytes are ever
// read, so a file that grows meanwhile cannot make it read more. On a
// DirFS no link is followed anywhere in name (see DirFS); on a tree that
// has links (fs.ReadLinkFS, as os.DirFS) the entry itself must be a
// regular file before it is opened (Lstat: a FIFO is never opened); on
// another tree (embed.FS, a git tree) what Stat reports is trusted.
func ReadRegular(fsys fs.FS, name string, limit int64) ([]byte, error) {
	if d, ok := fsys.(dirFS); ok {
		data, err := d.readFile(name, limit)
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: name, Err: err}
		}
		return data, nil
	}
	if rl, ok := fsys.(fs.ReadLinkFS); ok {
		fi, err := rl.Lstat(name)
		if err != nil {
			return nil, err
		}
		if !fi.Mode().IsRegular() && !fi.IsDir() {
			return nil, &fs.PathError{Op: "read", Path: name, Err: ErrNotRegular}
		}
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		if fi.IsDir() {
			return nil, &fs.PathError{Op: "read", Path: name, Err: errIsDir}
		}
		return nil, &fs.PathError{Op: "read", Path: name, Err: ErrNotRegular}
	}
	if fi.Size() > limit {
		return nil, &fs.PathError{Op: "read", Path: name, Err: &TooLargeError{fi.Size(), limit}}
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &fs.PathError{Op: "read", Path: name, Err: &TooLargeError{int64(len(data)), limit}}
	}
	return data, nil
}

var errIsDir = errors.New("is a directory")

// maxReadFile bounds DirFS.ReadFile, which has no limit of its own.
const maxReadFile = 1 << 30

// Open implements fs.FS: a regular file or a directory, never through a link.
func (d dirFS) Open(name string) (fs.File, error) {
	if !validName(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	f, err := d.open(name)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return f, nil
}

// Stat implements fs.StatFS.
func (d dirFS) Stat(name string) (fs.FileInfo, error) {
	f, err := d.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: unwrapPathError(err)}
	}
	return fi, nil
}

// ReadFile implements fs.ReadFileFS (regular files only, up to 1 GiB).
func (d dirFS) ReadFile(name string) ([]byte, error) {
	if !validName(name) {
		return nil, &fs.PathError{Op: "readfile", Path: name, Err: fs.ErrInvalid}
	}
	data, err := d.readFile(name, maxReadFile)
	if err != nil {
		return nil, &fs.PathError{Op: "readfile", Path: name, Err: err}
	}
	return data, nil
}

// ReadDir implements fs.ReadDirFS: the entries sorted by name, with their
// types as the directory gives them (a link is listed as a link).
func (d dirFS) ReadDir(name string) ([]fs.DirEntry, error) {
	f, err := d.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rd, ok := f.(fs.ReadDirFile)
	if !ok {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errors.New("not implemented")}
	}
	list, err := rd.ReadDir(-1)
	sort.Slice(list, func(i, j int) bool { return list[i].Name() < list[j].Name() })
	if err != nil {
		return list, &fs.PathError{Op: "readdir", Path: name, Err: unwrapPathError(err)}
	}
	return list, nil
}

// validName is fs.ValidPath plus, on Windows, no separators or drive
// letters inside a component (os.DirFS's rule).
func validName(name string) bool {
	if !fs.ValidPath(name) {
		return false
	}
	if runtime.GOOS == "windows" && strings.ContainsAny(name, `\:`) {
		return false
	}
	return true
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}

// The tree's files are *os.File: directories list their entries.
var _ fs.ReadDirFile = (*os.File)(nil)
