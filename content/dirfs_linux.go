//go:build linux

package content

import (
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// noOpenat2 is set once openat2 turned out missing (Linux before 5.6).
var noOpenat2 atomic.Bool

// openBeneath opens root/name with openat2 and RESOLVE_NO_SYMLINKS: a
// symbolic link anywhere in the path is ELOOP. root has no links (see
// DirFS). ok is false when openat2 is not there to do it.
func openBeneath(root, name string, flags int) (fd int, err error, ok bool) {
	if noOpenat2.Load() {
		return -1, nil, false
	}
	how := &unix.OpenHow{Flags: uint64(flags), Resolve: unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS}
	for {
		fd, err = unix.Openat2(unix.AT_FDCWD, root+"/"+name, how)
		if err != unix.EINTR && err != unix.EAGAIN {
			break
		}
	}
	switch err {
	case unix.ENOSYS:
		noOpenat2.Store(true)
		return -1, nil, false
	case unix.EPERM:
		return -1, nil, false // a seccomp filter that refuses openat2
	}
	return fd, err, true
}
