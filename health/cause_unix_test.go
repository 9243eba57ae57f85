//go:build unix

package health

import "syscall"

var errNoSpace error = syscall.ENOSPC
