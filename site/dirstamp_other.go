//go:build !linux

package site

import (
	"errors"
	"io/fs"
)

// dirStamp is what changes when an entry of a directory is added, removed
// or renamed. Outside Linux there is none: every build lists the output
// directory.
type dirStamp [32]byte

// statDir always fails outside Linux.
func statDir(p string) (dirStamp, error) {
	return dirStamp{}, &fs.PathError{Op: "stat", Path: p, Err: errors.ErrUnsupported}
}
