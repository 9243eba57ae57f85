//go:build unix

package publish

import (
	"io/fs"
	"strconv"
	"syscall"
)

// fileID names the file fi describes by its device and inode numbers;
// ok is false where the system does not say.
func fileID(fi fs.FileInfo) (id string, ok bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return "", false
	}
	return strconv.FormatUint(uint64(st.Dev), 10) + ":" + strconv.FormatUint(uint64(st.Ino), 10), true
}
