//go:build !unix

package outbox

import "context"

// lockDir is a no-op where flock is missing: run one sender per state dir.
func lockDir(ctx context.Context, dir string) (unlock func(), err error) { return func() {}, nil }
