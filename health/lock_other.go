//go:build !unix

package health

// lockFile is a no-op where flock is missing.
func lockFile(path string) (unlock func(), err error) { return func() {}, nil }
