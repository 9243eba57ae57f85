package gitdir

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Lock files that kjjr creates carry a proof of ownership, so that a kjjr
// process killed while it holds one does not block every later kjjr
// (the inbox worker is restarted after a crash and must go on) while a
// lock of C git's is never taken over:
//
//   - A new, empty file <gitdir>/kjjr/reflocks/<hex of the lock's
//     path>.<random> is created, which the process keeps locked with
//     flock(2) for as long as it holds the ref lock.
//   - The ref lock is then created by link(2) of that file to
//     <ref>.lock, which, like open(2) with O_CREAT|O_EXCL, fails with
//     EEXIST when the lock exists: C git and kjjr exclude each other the
//     same way.
//   - Finding a lock in place, kjjr looks for such a file of the same lock
//     that no live process holds (flock succeeds) and that is the lock
//     (same inode): that lock was left by a killed kjjr and is removed.
//     Any other lock, above all every lock that C git creates, is waited
//     for and then reported as a *LockedError.
//
// Where hard links or flock(2) are not available, locks are created with
// O_CREAT|O_EXCL alone and a killed kjjr's lock, like git's, waits for the
// operator.

// ownDir is where kjjr keeps the files that prove it owns a lock.
func ownDir(gitDir string) string { return filepath.Join(gitDir, "kjjr", "reflocks") }

// ownPrefix is the name prefix of the ownership files of lock p.
func ownPrefix(gitDir, p string) string {
	rel, err := filepath.Rel(gitDir, p)
	if err != nil {
		rel = p
	}
	return hex.EncodeToString([]byte(filepath.ToSlash(rel))) + "."
}

// createOwned creates lock p exclusively as described above and returns
// it open for writing and the path of its ownership file ("" when the
// lock was created with O_EXCL alone). An existing lock is fs.ErrExist.
func createOwned(gitDir, p string) (*os.File, string, error) {
	var rnd [8]byte
	_, _ = rand.Read(rnd[:])
	own := filepath.Join(ownDir(gitDir), ownPrefix(gitDir, p)+hex.EncodeToString(rnd[:]))
	f, err := os.OpenFile(own, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
	if errors.Is(err, fs.ErrNotExist) {
		if os.MkdirAll(ownDir(gitDir), 0o777) == nil {
			f, err = os.OpenFile(own, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		}
	}
	if err == nil && !flockFile(f) {
		f.Close()
		os.Remove(own)
		err = errors.ErrUnsupported
	}
	if err != nil {
		return createPlain(p)
	}
	err = os.Link(own, p)
	if err == nil {
		return f, own, nil
	}
	f.Close()
	os.Remove(own)
	if errors.Is(err, fs.ErrExist) || errors.Is(err, fs.ErrNotExist) {
		return nil, "", err
	}
	return createPlain(p) // no hard links here
}

// createPlain creates lock p with O_CREAT|O_EXCL.
func createPlain(p string) (*os.File, string, error) {
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
	return f, "", err
}

// removeDead removes lock p if a killed kjjr process left it, and the
// ownership files that killed processes left for it. It reports whether
// p was removed.
func removeDead(gitDir, p string) bool {
	prefix := ownPrefix(gitDir, p)
	ents, err := os.ReadDir(ownDir(gitDir))
	if err != nil {
		return false
	}
	removed := false
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), prefix) {
			continue
		}
		own := filepath.Join(ownDir(gitDir), e.Name())
		f, err := os.OpenFile(own, os.O_RDWR, 0)
		if err != nil {
			continue
		}
		if !tryFlockFile(f) {
			f.Close() // its process is alive
			continue
		}
		fi, err1 := f.Stat()
		li, err2 := os.Lstat(p)
		if err1 == nil && err2 == nil && os.SameFile(fi, li) {
			if os.Remove(p) == nil {
				removed = true
			}
		}
		os.Remove(own)
		f.Close()
	}
	return removed
}
