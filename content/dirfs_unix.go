//go:build unix

package content

import (
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// openFlags open a file of the tree: O_NOFOLLOW refuses a link as the
// last component, O_NONBLOCK keeps opening a FIFO from waiting for a
// writer (it is then refused by its type), O_NOCTTY keeps a terminal
// device from becoming the process's.
const openFlags = unix.O_RDONLY | unix.O_CLOEXEC | unix.O_NOFOLLOW | unix.O_NONBLOCK | unix.O_NOCTTY

// openFD opens name (a valid fs path) beneath d.real without following a
// symbolic link anywhere in it: on Linux with one openat2 call
// (RESOLVE_NO_SYMLINKS), elsewhere or where openat2 is missing one
// component at a time with openat(O_NOFOLLOW).
func (d dirFS) openFD(name string) (int, error) {
	if name == "." {
		return openRetry(unix.AT_FDCWD, d.real, openFlags&^unix.O_NOFOLLOW)
	}
	if fd, err, ok := openBeneath(d.real, name, openFlags); ok {
		return fd, linkErr(err)
	}
	dfd, err := openRetry(unix.AT_FDCWD, d.real, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC)
	if err != nil {
		return -1, err
	}
	for {
		i := strings.IndexByte(name, '/')
		if i < 0 {
			break
		}
		comp := name[:i]
		name = name[i+1:]
		nfd, err := openRetry(dfd, comp, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC)
		if err == unix.ENOTDIR {
			// A link to a directory is ENOTDIR on some systems.
			var st unix.Stat_t
			if unix.Fstatat(dfd, comp, &st, unix.AT_SYMLINK_NOFOLLOW) == nil && st.Mode&unix.S_IFMT == unix.S_IFLNK {
				err = unix.ELOOP
			}
		}
		unix.Close(dfd)
		if err != nil {
			return -1, linkErr(err)
		}
		dfd = nfd
	}
	fd, err := openRetry(dfd, name, openFlags)
	unix.Close(dfd)
	return fd, linkErr(err)
}

// linkErr says what ELOOP means here: a symbolic link on the way.
func linkErr(err error) error {
	if err == unix.ELOOP {
		return fmt.Errorf("symbolic link: %w", ErrNotRegular)
	}
	return err
}

func openRetry(dirfd int, name string, flags int) (int, error) {
	for {
		fd, err := unix.Openat(dirfd, name, flags, 0)
		if err != unix.EINTR {
			return fd, err
		}
	}
}

// modeErr is nil for a regular file or a directory, and otherwise says
// what the file is.
func modeErr(mode uint32) error {
	var what string
	switch mode & unix.S_IFMT {
	case unix.S_IFREG, unix.S_IFDIR:
		return nil
	case unix.S_IFLNK:
		what = "symbolic link"
	case unix.S_IFIFO:
		what = "FIFO"
	case unix.S_IFSOCK:
		what = "socket"
	case unix.S_IFCHR, unix.S_IFBLK:
		what = "device"
	default:
		what = "irregular file"
	}
	return fmt.Errorf("%s: %w", what, ErrNotRegular)
}

// open opens a regular file or a directory of the tree.
func (d dirFS) open(name string) (*os.File, error) {
	fd, err := d.openFD(name)
	if err != nil {
		return nil, err
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, err
	}
	if err := modeErr(uint32(st.Mode)); err != nil {
		unix.Close(fd)
		return nil, err
	}
	// Reads of a regular file or a directory never block: O_NONBLOCK
	// stays, and the runtime poller declines such files.
	return os.NewFile(uintptr(fd), d.dir+"/"+name), nil
}

// readFile reads the regular file name, of at most limit bytes, with
// plain system calls: open, fstat, read (until EOF, at most limit+1
// bytes), close.
func (d dirFS) readFile(name string, limit int64) ([]byte, error) {
	fd, err := d.openFD(name)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, err
	}
	if st.Mode&unix.S_IFMT == unix.S_IFDIR {
		return nil, unix.EISDIR
	}
	if err := modeErr(uint32(st.Mode)); err != nil {
		return nil, err
	}
	if st.Size > limit {
		return nil, &TooLargeError{st.Size, limit}
	}
	size := int(st.Size) + 1 // one more byte to see EOF in one read
	if size < 512 {
		size = 512
	}
	data := make([]byte, 0, size)
	for {
		n, err := unix.Read(fd, data[len(data):cap(data)])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return data, nil
		}
		data = data[:len(data)+n]
		if int64(len(data)) > limit {
			return nil, &TooLargeError{int64(len(data)), limit} // it grew while read
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
	}
}
