//go:build !unix

package publish

// Spawn is only supported on Unix systems, where kjjr serves a site.
func Spawn(string, ...string) error { return errNoLock }
