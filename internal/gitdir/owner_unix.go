//go:build unix

package gitdir

import (
	"os"
	"syscall"
)

// flockFile locks f exclusively for as long as it stays open.
func flockFile(f *os.File) bool {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil
}

// tryFlockFile reports whether f could be locked: no live process holds it.
func tryFlockFile(f *os.File) bool { return flockFile(f) }
