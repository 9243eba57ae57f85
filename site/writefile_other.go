//go:build !unix

package site

import "os"

// createFile writes data to a new file at p, failing (fs.ErrExist) when p
// exists: see the unix version.
func createFile(p string, data []byte) error {
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err2 := f.Close(); err == nil {
		err = err2
	}
	return err
}
