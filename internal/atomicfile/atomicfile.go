// Package atomicfile replaces files so that a reader sees either the old
// content or the new one, never a mix or a truncated file: the new bytes
// go to a temporary file in the same directory, which is then renamed over
// the target. It is the project's one way to write a file atomically.
//
// Durable writes (WriteFile, File.Commit) also flush the temporary file to
// disk before the rename and the directory after it, so that the new
// content survives a power cut once they return. Files that can be
// rebuilt (caches, generated output) may skip both flushes with
// WriteFileNoSync or File.CommitNoSync: after a crash they hold the old
// content, the new one, or (on some file systems) nothing.
//
// It builds on every platform Go supports. On Windows the rename is
// MoveFileEx with MOVEFILE_REPLACE_EXISTING, which fails while another
// process holds the target open; there is no directory flush there.
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// WriteFile atomically and durably replaces (or creates) path with data,
// with permissions perm.
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	return writeFile(path, data, perm, true)
}

// WriteFileNoSync is WriteFile without the flushes to disk, for files that
// can be rebuilt.
func WriteFileNoSync(path string, data []byte, perm fs.FileMode) error {
	return writeFile(path, data, perm, false)
}

func writeFile(path string, data []byte, perm fs.FileMode, durable bool) error {
	f, err := create(path, perm)
	if err != nil {
		return err
	}
	defer f.Abort()
	if _, err := f.f.Write(data); err != nil { // unbuffered: one write
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.commit(durable)
}

// File is a pending replacement of a file: write to it, then Commit (or
// Abort). Writes are buffered.
type File struct {
	f    *os.File
	w    *bufio.Writer
	path string
	perm fs.FileMode
	done bool
}

// Create starts replacing path: it creates a temporary file beside it.
// Call Abort (deferred) to remove it if Commit is not reached.
func Create(path string, perm fs.FileMode) (*File, error) {
	f, err := create(path, perm)
	if err != nil {
		return nil, err
	}
	f.w = bufio.NewWriterSize(f.f, 64<<10)
	return f, nil
}

// create is Create without a buffer (f.w is nil).
func create(path string, perm fs.FileMode) (*File, error) {
	// A short name of its own (a long target name may leave no room for
	// a suffix), ending in .tmp so that watchers (kjjr serve, editors)
	// ignore it.
	f, err := os.CreateTemp(filepath.Dir(path), ".kjjr-*.tmp")
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	return &File{f: f, path: path, perm: perm}, nil
}

// flush writes out the buffer, if any.
func (f *File) flush() error {
	if f.w == nil {
		return nil
	}
	return f.w.Flush()
}

// Write writes p to the temporary file.
func (f *File) Write(p []byte) (int, error) {
	n, err := f.w.Write(p)
	if err != nil {
		return n, fmt.Errorf("write %s: %w", f.path, err)
	}
	return n, nil
}

// WriteString writes s to the temporary file.
func (f *File) WriteString(s string) (int, error) {
	n, err := f.w.WriteString(s)
	if err != nil {
		return n, fmt.Errorf("write %s: %w", f.path, err)
	}
	return n, nil
}

// WriteByte writes c to the temporary file.
func (f *File) WriteByte(c byte) error {
	if err := f.w.WriteByte(c); err != nil {
		return fmt.Errorf("write %s: %w", f.path, err)
	}
	return nil
}

// Commit flushes the temporary file to disk, renames it over the target
// and flushes the directory.
func (f *File) Commit() error { return f.commit(true) }

// CommitNoSync renames the temporary file over the target without
// flushing anything to disk, for files that can be rebuilt.
func (f *File) CommitNoSync() error { return f.commit(false) }

func (f *File) commit(durable bool) error { return f.finish(durable, os.Rename) }

// CommitNew is Commit without replacing: it links the flushed temporary
// file at the target only if nothing is there yet, and returns an error
// wrapping fs.ErrExist otherwise (even when another process creates the
// target at the same moment). The temporary file is removed either way.
func (f *File) CommitNew() error {
	return f.finish(true, func(tmp, path string) error {
		err := os.Link(tmp, path)
		os.Remove(tmp)
		return err
	})
}

// finish writes out and closes the temporary file (flushed to disk if
// durable), then puts it in place with place(tmp, target).
func (f *File) finish(durable bool, place func(tmp, path string) error) error {
	if f.done {
		return fmt.Errorf("write %s: %w", f.path, os.ErrClosed)
	}
	f.done = true
	err := f.flush()
	if err == nil {
		err = f.f.Chmod(f.perm)
	}
	if err == nil && durable {
		err = f.f.Sync()
	}
	if cerr := f.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = place(f.f.Name(), f.path)
	}
	if err != nil {
		os.Remove(f.f.Name())
		return fmt.Errorf("write %s: %w", f.path, err)
	}
	if durable {
		if err := SyncDir(filepath.Dir(f.path)); err != nil {
			return fmt.Errorf("write %s: %w", f.path, err)
		}
	}
	return nil
}

// Abort removes the temporary file, unless Commit was called. It is safe
// to defer.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.f.Close()
	os.Remove(f.f.Name())
}

// SyncDir flushes a directory's entries (a rename, a new link) to disk.
// Where directories cannot be flushed (Windows) it does nothing.
func SyncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil // a directory handle cannot be flushed; NTFS journals renames
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) && !errors.Is(err, errors.ErrUnsupported) {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
