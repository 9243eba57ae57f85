//go:build !unix

package health

import "errors"

// Disk is not measured here.
func Disk(path string) (DiskUsage, error) {
	return DiskUsage{}, errors.New("health: disk usage is not measured on this system")
}
