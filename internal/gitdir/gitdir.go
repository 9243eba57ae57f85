// Package gitdir is how kjjr reads and changes a git directory that C git,
// other tools and crashed processes share with it. Everything in kjjr that
// opens a repository for go-git or moves a ref goes through here.
//
// # Moving a ref
//
// Update and Delete move one ref by compare-and-swap under the same lock as
// C git's files backend, so that C git and kjjr exclude each other:
//
//  1. The lock <gitdir>/<ref>.lock is created exclusively (missing
//     directories first): by link(2) of a new file that kjjr keeps
//     flocked, which fails exactly like git's
//     open(O_CREAT|O_EXCL) when the lock exists (O_CREAT|O_EXCL itself
//     where hard links or flock are missing). If it exists, someone else
//     holds the ref: the attempt is repeated for LockTimeout, then given
//     up with a *LockedError. A lock is never taken over, however old it
//     is (C git does not either, and only the operator can tell a stale
//     lock from a live one), with one exception: a lock that kjjr can
//     prove a killed kjjr process left (its flocked file is the lock, and
//     the flock is free) is removed, so that a restarted inbox worker goes
//     on by itself. See owner.go.
//  2. While the lock is held, the ref's current value is read (the loose
//     file <gitdir>/<ref>, else its line in <gitdir>/packed-refs) and
//     compared with the value the caller expects. A different value is an
//     error wrapping storage.ErrReferenceHasChanged; nothing is written.
//  3. Update writes "<hex>\n" into the lock, fsyncs it, and renames it over
//     <gitdir>/<ref>. The loose file now wins over any packed-refs line,
//     as in git. Delete removes the ref's line from packed-refs under
//     <gitdir>/packed-refs.lock (written, fsynced, renamed the same way),
//     then the loose file, then the lock.
//
// A process killed at any step leaves the ref as it was (or, after the
// rename, as it should be) and at most a lock file. git and kjjr both
// refuse to pass a lock that git left until it is deleted; the
// *LockedError message says so, in Chinese, with the lock's path.
//
// # Reading refs and writing objects
//
// Storage opens a git directory for go-git with two differences from
// go-git's own: listing refs skips what C git skips (names that are not
// valid ref names, such as <ref>.lock left by a killed git, and empty
// files), and an object write that fails (a full disk) removes its
// temporary file instead of leaving objects/pack/tmp_obj_* behind.
package gitdir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// ErrNotRepo is returned for a directory that is not a git repository.
var ErrNotRepo = errors.New("not a git repository (no .git directory, no HEAD)")

// Find returns the git directory of the repository at dir: dir/.git for a
// work tree (or the directory a ".git" file names, for a linked work tree
// or submodule), dir itself for a bare repository. bare reports the
// latter. A directory that is neither is ErrNotRepo.
func Find(dir string) (gitDir string, bare bool, err error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", false, fmt.Errorf("repo dir %s: %w", dir, err)
	}
	dotGit := filepath.Join(abs, ".git")
	if fi, err := os.Stat(dotGit); err == nil {
		if fi.IsDir() {
			return dotGit, false, nil
		}
		b, err := os.ReadFile(dotGit)
		if err != nil {
			return "", false, fmt.Errorf("read %s: %w", dotGit, err)
		}
		p, ok := strings.CutPrefix(strings.TrimSpace(string(b)), "gitdir: ")
		if !ok {
			return "", false, fmt.Errorf("%s: no \"gitdir: \" line: %w", dotGit, ErrNotRepo)
		}
		if !filepath.IsAbs(p) {
			p = filepath.Join(abs, p)
		}
		return filepath.Clean(p), false, nil
	}
	if _, err := os.Stat(filepath.Join(abs, "HEAD")); err == nil {
		if fi, err := os.Stat(filepath.Join(abs, "objects")); err == nil && fi.IsDir() {
			return abs, true, nil
		}
	}
	return "", false, fmt.Errorf("%s: %w", dir, ErrNotRepo)
}

// Storage returns go-git's storage of gitDir as described in the package
// doc (lock files skipped when listing refs, failed object writes cleaned
// up), with an LRU object cache and the options o.
func Storage(gitDir string, o filesystem.Options) *filesystem.Storage {
	return filesystem.NewStorageWithOptions(newFS(osfs.New(gitDir)), cache.NewObjectLRUDefault(), o)
}

// Open opens the repository at dir (bare or not) through Storage, without
// its work tree: for code that reads objects and refs only. It returns
// the repository and its git directory.
func Open(dir string) (*git.Repository, string, error) {
	r, gd, _, err := open(dir, filesystem.Options{})
	return r, gd, err
}

// OpenKeep is Open for code that reads many objects in one go (a build
// from git): the pack files stay open, rather than being opened again for
// every object read, until done is called.
func OpenKeep(dir string) (r *git.Repository, gitDir string, done func(), err error) {
	r, gd, st, err := open(dir, filesystem.Options{KeepDescriptors: true})
	if err != nil {
		return nil, "", nil, err
	}
	return r, gd, func() { st.Close() }, nil
}

func open(dir string, o filesystem.Options) (*git.Repository, string, *filesystem.Storage, error) {
	gd, _, err := Find(dir)
	if err != nil {
		return nil, "", nil, err
	}
	st := Storage(gd, o)
	r, err := git.Open(st, nil)
	if err != nil {
		st.Close()
		return nil, "", nil, fmt.Errorf("open git repo %s: %w", dir, err)
	}
	return r, gd, st, nil
}
