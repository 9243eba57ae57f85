//go:build linux

package site

import (
	"encoding/binary"
	"io/fs"
	"syscall"
)

// dirStamp is what changes when an entry of a directory is added, removed
// or renamed: its modification and change times, inode and link count.
type dirStamp [32]byte

// statDir returns the stamp of the directory p. An error wrapping
// fs.ErrNotExist or syscall.ENOTDIR means there is no such directory.
func statDir(p string) (dirStamp, error) {
	var st syscall.Stat_t
	var d dirStamp
	if err := syscall.Lstat(p, &st); err != nil {
		return d, &fs.PathError{Op: "lstat", Path: p, Err: err}
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFDIR {
		return d, &fs.PathError{Op: "lstat", Path: p, Err: syscall.ENOTDIR}
	}
	binary.LittleEndian.PutUint64(d[0:], uint64(st.Mtim.Sec)*1e9+uint64(st.Mtim.Nsec))
	binary.LittleEndian.PutUint64(d[8:], uint64(st.Ctim.Sec)*1e9+uint64(st.Ctim.Nsec))
	binary.LittleEndian.PutUint64(d[16:], uint64(st.Ino))
	binary.LittleEndian.PutUint64(d[24:], uint64(st.Nlink))
	return d, nil
}
