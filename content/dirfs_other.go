//go:build !unix

package content

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// open opens a regular file or a directory of the tree. Without openat,
// every component of the name is checked with Lstat first (no link, no
// special file), and the file opened must be the one checked.
func (d dirFS) open(name string) (*os.File, error) {
	p := d.real
	var last fs.FileInfo
	if name != "." {
		parts := strings.Split(name, "/")
		for i, c := range parts {
			p = filepath.Join(p, c)
			fi, err := os.Lstat(p)
			if err != nil {
				return nil, unwrapPathError(err)
			}
			if err := modeErr(fi.Mode()); err != nil {
				return nil, err
			}
			if i < len(parts)-1 && !fi.IsDir() {
				return nil, fmt.Errorf("%s: not a directory", c)
			}
			last = fi
		}
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, unwrapPathError(err)
	}
	if last != nil {
		fi, err := f.Stat()
		if err != nil || !os.SameFile(fi, last) {
			f.Close()
			return nil, fmt.Errorf("changed while opened: %w", ErrNotRegular)
		}
	}
	return f, nil
}

func modeErr(m fs.FileMode) error {
	var what string
	switch {
	case m.IsRegular() || m.IsDir():
		return nil
	case m&fs.ModeSymlink != 0:
		what = "symbolic link"
	case m&fs.ModeNamedPipe != 0:
		what = "FIFO"
	case m&fs.ModeSocket != 0:
		what = "socket"
	case m&fs.ModeDevice != 0:
		what = "device"
	default:
		what = "irregular file"
	}
	return fmt.Errorf("%s: %w", what, ErrNotRegular)
}

// readFile reads the regular file name, of at most limit bytes.
func (d dirFS) readFile(name string, limit int64) ([]byte, error) {
	f, err := d.open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, unwrapPathError(err)
	}
	if fi.IsDir() {
		return nil, errIsDir
	}
	if fi.Size() > limit {
		return nil, &TooLargeError{fi.Size(), limit}
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, unwrapPathError(err)
	}
	if int64(len(data)) > limit {
		return nil, &TooLargeError{int64(len(data)), limit}
	}
	return data, nil
}
