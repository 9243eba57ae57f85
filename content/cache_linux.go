//go:build linux

package content

import (
	"io/fs"
	"syscall"
)

// sysStamp returns a file's change time (ns) and inode number: neither can
// be set back by a program, unlike the modification time.
func sysStamp(fi fs.FileInfo) (ctime int64, ino uint64) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0
	}
	return int64(st.Ctim.Sec)*1e9 + int64(st.Ctim.Nsec), uint64(st.Ino)
}
