//go:build unix

package publish

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

// Spawn starts exe with args in the background, detached from the caller
// (a session of its own, no standard streams shared), so that a
// post-receive hook returns to the pusher at once: git waits for the
// hook's output streams to close.
func Spawn(exe string, args ...string) error {
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	defer null.Close()
	cmd := exec.Command(exe, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = null, null, null
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("publish: start %s: %w", exe, err)
	}
	return cmd.Process.Release()
}
