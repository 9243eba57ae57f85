// Package readall reads a whole file into a string without the second
// copy of string(os.ReadFile(p)): the caches and manifests that kjjr reads
// on every build are megabytes at thousands of institutions, and their
// parsers keep substrings of the one string rather than allocating each
// field.
package readall

import (
	"io"
	"os"
	"strings"
)

// String returns the contents of the file p.
func String(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var b strings.Builder
	if fi, err := f.Stat(); err == nil {
		b.Grow(int(fi.Size()) + 1)
	}
	if _, err := io.Copy(&b, f); err != nil {
		return "", err
	}
	return b.String(), nil
}
