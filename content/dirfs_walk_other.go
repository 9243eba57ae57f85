//go:build !linux

package content

import "time"

// walk reports false: classify walks the tree with fs.WalkDir.
func (d dirFS) walk(*classifier, bool, time.Time) bool { return false }

// dirHandle is a directory open for its files to be stat'ed (job.dir),
// never made here.
type dirHandle struct{}

func (*dirHandle) stamp(string, time.Time) (fileStamp, bool) { return fileStamp{}, false }
