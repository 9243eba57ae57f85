//go:build unix

package health

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// Disk measures the file system holding path. Total counts the blocks
// available to unprivileged users plus those in use, as df does, so
// Percent matches df's Use%.
func Disk(path string) (DiskUsage, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return DiskUsage{}, fmt.Errorf("health: statfs %s: %w", path, err)
	}
	bs := uint64(st.Bsize)
	used := (uint64(st.Blocks) - uint64(st.Bfree)) * bs
	free := uint64(st.Bavail) * bs
	return DiskUsage{Path: path, Total: used + free, Free: free}, nil
}
