//go:build !unix

package gitdir

import "os"

// flockFile reports false: without flock(2), locks are created with
// O_CREAT|O_EXCL alone.
func flockFile(*os.File) bool { return false }

// tryFlockFile reports false: no lock is ever taken for a dead process's.
func tryFlockFile(*os.File) bool { return false }
