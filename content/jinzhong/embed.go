// Package jinzhong is the default content repo of kjjr, embedded in the
// binary: the measures of 晋中市科技局 as a policy notice, one selection
// round through all six steps of 第三条, its publicity and announcement,
// invented institutions with their reports, an inspection and the 2025
// assessment. Everything except the text of the measures and the official
// holiday calendars is sample data (示例数据), marked so in site.yaml.
package jinzhong

import (
	"embed"
	"io/fs"
)

//go:generate go run generate.go

//go:embed site.yaml calendar notices rounds publicity institutions results
var files embed.FS

// FS returns the default content repo as a read-only file system rooted at
// the repo's top (site.yaml, calendar/, notices/, …).
func FS() fs.FS { return files }
