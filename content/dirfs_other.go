//go:build !unix

package content

import "os"

func readFile(path string) ([]byte, error) { return os.ReadFile(path) }
