//go:build unix && !linux

package content

// openBeneath reports false: the tree is walked one component at a time.
func openBeneath(root, name string, flags int) (int, error, bool) { return -1, nil, false }
