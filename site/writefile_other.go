//go:build !unix

package site

import "os"

func createFile(p string, data []byte) error { return os.WriteFile(p, data, 0o644) }
