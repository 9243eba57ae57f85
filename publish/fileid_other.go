//go:build !unix

package publish

import "io/fs"

// fileID is not known here: leaf directories are not shared (see
// leafObject).
func fileID(fs.FileInfo) (string, bool) { return "", false }
