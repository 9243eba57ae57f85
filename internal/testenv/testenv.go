// Package testenv is the project's one rule for tests that need a real
// part (the git CLI, Dovecot, root, Chromium, Java): where the part is
// missing the test is skipped, except in CI (the environment variable CI
// is "true"), where it fails, so that a CI machine missing a part cannot
// pass by skipping what it was meant to test.
//
// It is imported by tests only.
package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// InCI reports whether the tests run in CI (CI=true).
func InCI() bool { return os.Getenv("CI") == "true" }

// Missing ends the test because something it needs is missing: t.Fatal in
// CI, t.Skip elsewhere. The message says what is missing and, where it
// helps, how to install it.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if InCI() {
		t.Fatal("required in CI: " + msg)
		return
	}
	t.Skip(msg)
}

// Need ends the test as Missing does when err (the result of looking for
// what, e.g. a browser start) is not nil.
func Need(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		Missing(t, "%s not available: %v", what, err)
	}
}

// NeedTool returns the path of the executable name, or ends the test as
// Missing does.
func NeedTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, "%s not installed: %v", name, err)
	}
	return p
}

// NeedRoot ends the test as Missing does unless it runs as root.
func NeedRoot(t testing.TB, why string) {
	t.Helper()
	if os.Geteuid() != 0 {
		Missing(t, "needs root: %s", why)
	}
}
