// Package filelock takes exclusive advisory locks on files, the project's
// one way to keep two processes (two inbox workers, two outbox senders)
// off the same state directory. The operating system drops a lock when
// the process holding it dies, so a crash never leaves a stale lock behind.
//
// On Linux, macOS and the BSDs it is flock(2) on the whole file; on
// Windows, LockFileEx on the file's first byte. Elsewhere taking a lock
// fails with an error wrapping errors.ErrUnsupported. Locks are advisory:
// they keep out only processes that take the same lock.
package filelock

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"
)

// ErrLocked is returned by TryLock when another process (or another Lock
// in this one) holds the lock.
var ErrLocked = errors.New("file is locked by another process")

// Lock is a held lock. The lock file itself is left in place on Unlock:
// removing it would race with a process about to lock it.
type Lock struct {
	f *os.File
}

// TryLock takes the exclusive lock on path, creating the file (mode 0600)
// if needed, or returns an error wrapping ErrLocked at once if it is held.
func TryLock(path string) (*Lock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := tryLock(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return &Lock{f: f}, nil
}

// Wait takes the exclusive lock on path like TryLock, but waits while it
// is held, until ctx is done (then it returns ctx.Err()).
func Wait(ctx context.Context, path string) (*Lock, error) {
	for {
		l, err := TryLock(path)
		if !errors.Is(err, ErrLocked) {
			return l, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Unlock releases the lock and closes the file. It may be called more
// than once.
func (l *Lock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := unlock(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	if err != nil {
		return fmt.Errorf("unlock: %w", err)
	}
	return nil
}
