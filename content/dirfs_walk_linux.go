//go:build linux

package content

import (
	"bytes"
	"encoding/binary"
	"io/fs"
	"slices"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// walk is classify for a DirFS on Linux: the same files in the same order
// as fs.WalkDir, but each directory is opened relative to its parent and
// each file stat'ed relative to its directory (fstatat), instead of the
// kernel resolving the whole path again for every file and directory. On
// a repo of 130,000 files that halves the walk. A directory it cannot
// open or read, or whose entries lack their type, is walked with
// fs.WalkDir instead, which reports the problem exactly as classify does
// without this. It reports false, having done nothing, when the root is
// not a directory it can open.
func (d dirFS) walk(c *classifier, stat bool, start time.Time) bool {
	fd, err := openDir(unix.AT_FDCWD, d.dir, 0) // the root may be a symbolic link
	if err != nil {
		return false
	}
	w := &dirWalker{fsys: d, c: c, stat: stat, start: start, buf: make([]byte, 16<<10), open: new(atomic.Int64)}
	w.dir(fd, ".", 0)
	return true
}

// maxOpenDirs bounds the directories kept open for the decoders to stat
// files in: past it, the walk stats them itself. A variable for tests.
var maxOpenDirs int64 = 256

// dirHandle is an open directory shared by the walk and the decoders that
// stat its files (job.dir); the last to release it closes it.
type dirHandle struct {
	fd   int
	refs atomic.Int32
	open *atomic.Int64 // directories open, to decrement on close
}

func (h *dirHandle) release() {
	if h.refs.Add(-1) == 0 {
		unix.Close(h.fd)
		h.open.Add(-1)
	}
}

// stamp stats the file name of the directory (see stampOf) and releases h.
func (h *dirHandle) stamp(name string, start time.Time) (fileStamp, bool) {
	defer h.release()
	return fstatStamp(h.fd, name, start)
}

func fstatStamp(dirfd int, name string, start time.Time) (fileStamp, bool) {
	var st unix.Stat_t
	if err := unix.Fstatat(dirfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fileStamp{}, false
	}
	return stampOfStat(&st, start)
}

type dirWalker struct {
	fsys   dirFS
	c      *classifier
	stat   bool
	start  time.Time
	buf    []byte       // getdents
	levels []dirEntries // entries of the directories being walked, by depth
	open   *atomic.Int64
}

// dirEntries are the entries of one directory: names in one buffer.
type dirEntries struct {
	names []byte
	ents  []dirEnt
}

type dirEnt struct {
	off, len int
	typ      uint8
}

func (l *dirEntries) name(e dirEnt) []byte { return l.names[e.off : e.off+e.len] }

// openDir opens the directory name (relative to dirfd) for reading its entries.
func openDir(dirfd int, name string, flags int) (int, error) {
	for {
		fd, err := unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC|flags, 0)
		if err != unix.EINTR {
			return fd, err
		}
	}
}

// dir walks the directory open as fd, at path rel, and closes fd once
// it and the decoders are done with it.
func (w *dirWalker) dir(fd int, rel string, depth int) {
	h := &dirHandle{fd: fd, open: w.open}
	h.refs.Store(1)
	w.open.Add(1)
	defer h.release()
	if depth == len(w.levels) {
		w.levels = append(w.levels, dirEntries{})
	}
	l := &w.levels[depth]
	if !w.read(fd, l) {
		w.c.walkDir(w.fsys, rel, w.stat)
		return
	}
	for _, e := range l.ents {
		var p string
		if rel == "." {
			p = string(l.name(e))
		} else {
			p = rel + "/" + string(l.name(e))
		}
		base := p[len(p)-e.len:]
		isDir := e.typ == unix.DT_DIR
		j, ok, skip := w.c.visit(p, base, direntType(e.typ))
		if isDir {
			if skip {
				continue
			}
			if cfd, err := openDir(fd, base, unix.O_NOFOLLOW); err != nil {
				w.c.walkDir(w.fsys, p, w.stat)
			} else {
				w.dir(cfd, p, depth+1)
			}
			// The deeper walk may have grown w.levels.
			l = &w.levels[depth]
			continue
		}
		if !ok {
			continue
		}
		if w.stat {
			// The decoders stat files in parallel, while the walk goes on.
			if w.open.Load() < maxOpenDirs {
				h.refs.Add(1)
				j.dir = h
			} else {
				j.stamp, j.cache = fstatStamp(fd, base, w.start)
			}
		}
		w.c.emit(j)
	}
}

// read reads the entries of the directory fd into l, sorted by name as
// os.ReadDir sorts them. It reports false on an error or when an entry's
// type is unknown (a file system without d_type).
func (w *dirWalker) read(fd int, l *dirEntries) bool {
	l.names, l.ents = l.names[:0], l.ents[:0]
	for {
		n, err := unix.Getdents(fd, w.buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return false
		}
		if n <= 0 {
			break
		}
		// struct linux_dirent64: ino u64, off s64, reclen u16, type u8, name (NUL-terminated).
		for b := w.buf[:n]; len(b) > 0; {
			if len(b) < 19 {
				return false
			}
			reclen := int(binary.NativeEndian.Uint16(b[16:]))
			if reclen < 19 || reclen > len(b) {
				return false
			}
			rec := b[:reclen]
			b = b[reclen:]
			ino := binary.NativeEndian.Uint64(rec)
			name := rec[19:]
			if i := bytes.IndexByte(name, 0); i >= 0 {
				name = name[:i]
			}
			if ino == 0 || string(name) == "." || string(name) == ".." {
				continue
			}
			typ := rec[18]
			if typ == unix.DT_UNKNOWN {
				return false
			}
			l.ents = append(l.ents, dirEnt{len(l.names), len(name), typ})
			l.names = append(l.names, name...)
		}
	}
	slices.SortFunc(l.ents, func(a, b dirEnt) int { return bytes.Compare(l.name(a), l.name(b)) })
	return true
}

// direntType is the fs type of a directory entry's d_type.
func direntType(t uint8) fs.FileMode {
	switch t {
	case unix.DT_DIR:
		return fs.ModeDir
	case unix.DT_REG:
		return 0
	case unix.DT_LNK:
		return fs.ModeSymlink
	case unix.DT_FIFO:
		return fs.ModeNamedPipe
	case unix.DT_SOCK:
		return fs.ModeSocket
	case unix.DT_CHR:
		return fs.ModeDevice | fs.ModeCharDevice
	case unix.DT_BLK:
		return fs.ModeDevice
	}
	return fs.ModeIrregular
}

// stampOfStat is stampOf for what fstatat returned.
func stampOfStat(st *unix.Stat_t, start time.Time) (fileStamp, bool) {
	mtime := time.Unix(int64(st.Mtim.Sec), int64(st.Mtim.Nsec))
	if st.Mode&unix.S_IFMT != unix.S_IFREG || mtime.IsZero() {
		return fileStamp{}, false
	}
	s := fileStamp{Size: st.Size, MTime: mtime.UnixNano(), CTime: int64(st.Ctim.Sec)*1e9 + int64(st.Ctim.Nsec), Ino: uint64(st.Ino)}
	return s, s.trusted(start)
}
