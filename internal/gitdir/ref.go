package gitdir

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/storage"
)

// LockTimeout is how long Update and Delete keep trying to take a lock
// that someone else holds before they give up with a *LockedError. C git
// waits 100 ms for a ref lock (core.filesRefLockTimeout) and 1 s for
// packed-refs.lock (core.packedRefsTimeout); a live lock is held for
// milliseconds.
const LockTimeout = time.Second

// LockedError is returned when a lock file exists: another git or kjjr
// process is moving the ref, or one was killed while it did and left the
// lock behind. Its message is for the operator, in Chinese.
type LockedError struct {
	Ref  plumbing.ReferenceName // the ref that was to move
	Path string                 // the lock file
}

// Error says which lock stands in the way and what to do, in Chinese.
func (e *LockedError) Error() string {
	return fmt.Sprintf("无法更新 %s：锁文件 %s 已存在，另一个 git 或 kjjr 进程正在更新它。请稍后重试；"+
		"如果确认没有 git 或 kjjr 进程在运行（锁文件是被中断的进程留下的），请删除该锁文件（rm '%s'）后重试",
		e.Ref, e.Path, e.Path)
}

// Read returns the value of ref name in gitDir as git resolves it: the
// loose file <gitDir>/<name> if there is one, else its line in
// packed-refs. A missing ref is plumbing.ErrReferenceNotFound; a loose
// file that does not hold a hash (empty, a symbolic ref, garbage) is an
// error naming the file.
func Read(gitDir string, name plumbing.ReferenceName) (plumbing.Hash, error) {
	if err := name.Validate(); err != nil || !strings.HasPrefix(name.String(), "refs/") {
		return plumbing.ZeroHash, fmt.Errorf("invalid ref name %q", name)
	}
	p := refPath(gitDir, name)
	b, err := os.ReadFile(p)
	switch {
	case err == nil:
		h, ok := parseHash(strings.TrimSpace(string(b)))
		if !ok {
			return plumbing.ZeroHash, fmt.Errorf("broken ref file %s (not a commit hash: %q; git refuses it too): set it with git update-ref, or delete it", p, truncate(b, 80))
		}
		return h, nil
	case errors.Is(err, fs.ErrNotExist), isDir(err), errors.Is(err, syscall.ENOTDIR):
		// No loose ref (a directory of that name holds other refs, or a
		// ref is where a directory would be): look in packed-refs.
	default:
		return plumbing.ZeroHash, fmt.Errorf("read ref: %w", err)
	}
	return readPacked(gitDir, name)
}

// Update moves ref name in gitDir to h if its value is old (plumbing.
// ZeroHash: if it does not exist), by the protocol in the package doc.
// A different value is an error wrapping storage.ErrReferenceHasChanged,
// a lock held elsewhere a *LockedError.
func Update(gitDir string, name plumbing.ReferenceName, h, old plumbing.Hash) error {
	if h.IsZero() {
		return fmt.Errorf("update %s: zero hash (use Delete)", name)
	}
	l, err := lockRef(gitDir, name)
	if err != nil {
		return err
	}
	defer l.unlock()
	if err := l.check(old); err != nil {
		return err
	}
	if err := l.commit([]byte(h.String()+"\n"), l.ref); err != nil {
		return fmt.Errorf("update %s: %w", name, err)
	}
	return nil
}

// Delete removes ref name from gitDir if its value is old, from
// packed-refs and as a loose file, by the protocol in the package doc.
// A missing ref or a different value is an error wrapping
// storage.ErrReferenceHasChanged, a lock held elsewhere a *LockedError.
func Delete(gitDir string, name plumbing.ReferenceName, old plumbing.Hash) error {
	if old.IsZero() {
		return fmt.Errorf("delete %s: no expected value", name)
	}
	l, err := lockRef(gitDir, name)
	if err != nil {
		return err
	}
	defer l.unlock()
	if err := l.check(old); err != nil {
		return err
	}
	if err := removePacked(gitDir, name); err != nil {
		return fmt.Errorf("delete %s: %w", name, err)
	}
	if err := os.Remove(l.ref); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete %s: %w", name, err)
	}
	l.unlock()
	// Empty directories left under refs/heads/ (submit/<slug>/) go, as git
	// removes them; one that another writer just filled stays.
	stop := filepath.Join(gitDir, "refs")
	for d := filepath.Dir(l.ref); strings.HasPrefix(d, stop+string(filepath.Separator)) && filepath.Dir(d) != stop; d = filepath.Dir(d) {
		if os.Remove(d) != nil {
			break
		}
	}
	return nil
}

// CheckUnlocked returns a *LockedError if <gitDir>/<name>.lock exists
// now. It lets a command refuse before it does anything else (write a
// log, keep commits) when the ref it will move is locked; Update and
// Delete still take the lock themselves.
func CheckUnlocked(gitDir string, name plumbing.ReferenceName) error {
	p := refPath(gitDir, name) + ".lock"
	if _, err := os.Lstat(p); err == nil {
		return &LockedError{Ref: name, Path: p}
	}
	return nil
}

// lock is a held lock file.
type lock struct {
	name plumbing.ReferenceName
	ref  string   // the file the lock guards
	path string   // ref + ".lock"; "" once renamed or removed
	own  string   // its ownership file, or ""
	f    *os.File // the lock, open (and the ownership file flocked) until unlocked
	gd   string
}

// lockRef takes <gitDir>/<name>.lock.
func lockRef(gitDir string, name plumbing.ReferenceName) (*lock, error) {
	if err := name.Validate(); err != nil || !strings.HasPrefix(name.String(), "refs/") {
		return nil, fmt.Errorf("invalid ref name %q", name)
	}
	ref := refPath(gitDir, name)
	f, own, err := create(gitDir, ref+".lock", name)
	if err != nil {
		return nil, err
	}
	return &lock{name: name, ref: ref, path: ref + ".lock", own: own, f: f, gd: gitDir}, nil
}

// create creates lock file p exclusively (see createOwned), creating
// missing directories, and retries for LockTimeout while it exists,
// removing it at once if a killed kjjr left it.
func create(gitDir, p string, name plumbing.ReferenceName) (*os.File, string, error) {
	deadline := time.Now().Add(LockTimeout)
	wait := time.Millisecond
	for {
		f, own, err := createOwned(gitDir, p)
		switch {
		case err == nil:
			return f, own, nil
		case errors.Is(err, fs.ErrNotExist):
			// A missing directory, or one that a Delete just removed.
			if err := os.MkdirAll(filepath.Dir(p), 0o777); err != nil {
				return nil, "", fmt.Errorf("lock %s: %w", name, err)
			}
			if time.Now().After(deadline) {
				return nil, "", fmt.Errorf("lock %s: %w", name, err)
			}
			continue
		case !errors.Is(err, fs.ErrExist):
			return nil, "", fmt.Errorf("lock %s: %w", name, err)
		}
		if removeDead(gitDir, p) {
			continue
		}
		if time.Now().After(deadline) {
			return nil, "", &LockedError{Ref: name, Path: p}
		}
		time.Sleep(wait)
		if wait < 50*time.Millisecond {
			wait *= 2
		}
	}
}

// check compares the ref's current value with old.
func (l *lock) check(old plumbing.Hash) error {
	cur, err := Read(l.gd, l.name)
	switch {
	case errors.Is(err, plumbing.ErrReferenceNotFound):
		cur = plumbing.ZeroHash
	case err != nil:
		return fmt.Errorf("update %s: %w", l.name, err)
	}
	if cur != old {
		return fmt.Errorf("%s is at %s, expected %s: %w", l.name, short(cur), short(old), storage.ErrReferenceHasChanged)
	}
	return nil
}

// commit writes data into the lock, syncs it and renames it to target.
// The lock stays open, and its ownership flocked, until unlock.
func (l *lock) commit(data []byte, target string) error {
	if _, err := l.f.Write(data); err != nil {
		return err
	}
	if err := l.f.Sync(); err != nil {
		return err
	}
	if err := os.Rename(l.path, target); err != nil {
		return err
	}
	l.path = ""
	syncDir(filepath.Dir(target))
	l.unlock()
	return nil
}

// unlock removes the lock unless it was renamed, then its ownership file,
// and only then closes it (which releases the flock: a lock whose
// ownership file is not flocked may be taken for a dead process's).
func (l *lock) unlock() {
	if l.path != "" {
		_ = os.Remove(l.path)
		l.path = ""
	}
	if l.own != "" {
		_ = os.Remove(l.own)
		l.own = ""
	}
	if l.f != nil {
		_ = l.f.Close()
		l.f = nil
	}
}

// readPacked looks name up in <gitDir>/packed-refs.
func readPacked(gitDir string, name plumbing.ReferenceName) (plumbing.Hash, error) {
	b, err := os.ReadFile(filepath.Join(gitDir, "packed-refs"))
	if errors.Is(err, fs.ErrNotExist) {
		return plumbing.ZeroHash, plumbing.ErrReferenceNotFound
	}
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("read packed-refs: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if h, n, ok := packedLine(sc.Text()); ok && n == name.String() {
			return h, nil
		}
	}
	if err := sc.Err(); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("read packed-refs: %w", err)
	}
	return plumbing.ZeroHash, plumbing.ErrReferenceNotFound
}

// packedLine parses "<hex> <name>" (comments and "^" peel lines are not).
func packedLine(line string) (plumbing.Hash, string, bool) {
	hx, n, ok := strings.Cut(line, " ")
	if !ok || line == "" || line[0] == '#' || line[0] == '^' {
		return plumbing.ZeroHash, "", false
	}
	h, ok := parseHash(hx)
	return h, n, ok
}

// removePacked rewrites packed-refs without name (and its peel line) under
// packed-refs.lock, when it is there.
func removePacked(gitDir string, name plumbing.ReferenceName) error {
	pr := filepath.Join(gitDir, "packed-refs")
	if _, err := readPacked(gitDir, name); errors.Is(err, plumbing.ErrReferenceNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	f, own, err := create(gitDir, pr+".lock", name)
	if err != nil {
		return err
	}
	l := &lock{name: name, ref: pr, path: pr + ".lock", own: own, f: f, gd: gitDir}
	defer l.unlock()
	b, err := os.ReadFile(pr) // read again under the lock
	if err != nil {
		return fmt.Errorf("read packed-refs: %w", err)
	}
	var out bytes.Buffer
	skipping := false
	for _, line := range strings.SplitAfter(string(b), "\n") {
		if skipping && strings.HasPrefix(line, "^") {
			continue
		}
		_, n, ok := packedLine(strings.TrimRight(line, "\n"))
		skipping = ok && n == name.String()
		if !skipping {
			out.WriteString(line)
		}
	}
	return l.commit(out.Bytes(), pr)
}

// refPath is the loose file of name.
func refPath(gitDir string, name plumbing.ReferenceName) string {
	return filepath.Join(gitDir, filepath.FromSlash(name.String()))
}

// parseHash parses 40 lower- or upper-case hex digits.
func parseHash(s string) (plumbing.Hash, bool) {
	if len(s) != 40 {
		return plumbing.ZeroHash, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return plumbing.ZeroHash, false
		}
	}
	return plumbing.NewHash(s), true
}

func isDir(err error) bool {
	var pe *fs.PathError
	return errors.As(err, &pe) && errors.Is(pe.Err, syscall.EISDIR)
}

func short(h plumbing.Hash) string {
	if h.IsZero() {
		return "(none)"
	}
	return h.String()[:12]
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		b = b[:n]
	}
	return string(b)
}

// syncDir makes a rename in dir durable (best effort: not every system
// can sync a directory).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
