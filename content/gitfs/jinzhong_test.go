package gitfs_test

import (
	"io/fs"

	"kjjr/content/jinzhong"
)

func jinzhongFS() fs.FS { return jinzhong.FS() }
