package publish

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// pendingPath is the flag a post-receive hook sets: main moved, publish it.
func pendingPath(gitDir string) string { return filepath.Join(gitDir, "kjjr", "publish.pending") }

// Request marks gitDir's main as to be published (the post-receive hook
// calls it before starting RunQueued in the background).
func Request(gitDir string) error {
	if err := os.MkdirAll(filepath.Join(gitDir, "kjjr"), 0o755); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	if err := os.WriteFile(pendingPath(gitDir), []byte(time.Now().UTC().Format(time.RFC3339Nano)+"\n"), 0o644); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	return nil
}

// RunQueued publishes gitDir's ref into webroot for as long as requests
// are pending, and records each publish (Record). When another process
// is already doing so it returns at once: that process sees the request
// after its current build and publishes again. Pushes that arrive during
// a build are thus coalesced into one publish of the newest main.
func RunQueued(gitDir, webroot string, opts *Options) error {
	lockPath := filepath.Join(gitDir, "kjjr", "publish.lock")
	if err := os.MkdirAll(filepath.Dir(lockPath), 0o755); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	// What the publishes removed is deleted once no request waits, and
	// outside the lock: a push meanwhile is published at once.
	o := Options{}
	if opts != nil {
		o = *opts
	}
	o.keepTrash = true
	defer emptyTrash(webroot)
	var last error
	for {
		unlock, ok, err := tryLock(lockPath)
		if err != nil {
			return err
		}
		if !ok {
			return last // the holder publishes what is pending
		}
		for pending(gitDir) {
			if err := os.Remove(pendingPath(gitDir)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				unlock()
				return fmt.Errorf("publish: %w", err)
			}
			start := time.Now()
			res, err := Publish(gitDir, webroot, &o)
			last = err
			if rerr := Record(gitDir, webroot, start, res, err); rerr != nil && last == nil {
				last = rerr
			}
		}
		unlock()
		// A request made after the last check whose own RunQueued found
		// the lock still held: take it again and publish.
		if !pending(gitDir) {
			return last
		}
	}
}

func pending(gitDir string) bool {
	_, err := os.Stat(pendingPath(gitDir))
	return err == nil
}
