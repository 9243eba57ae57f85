package health

import (
	"context"
	"time"

	"kjjr/internal/filelock"
)

// lockFile holds the exclusive lock on path (internal/filelock) until
// unlock; writers of the record wait for each other at most a minute.
func lockFile(path string) (unlock func(), err error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l, err := filelock.Wait(ctx, path)
	if err != nil {
		return nil, err
	}
	return func() { l.Unlock() }, nil
}
