package publish

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// hookScript is a receive hook that runs kjjr at the absolute path
// recorded when it was installed.
func hookScript(exe, hook, gitDir, webroot string) string {
	return "#!/bin/sh\n# Written by `kjjr hooks install`: run it again to change it.\nexec " +
		shellQuote(exe) + " hooks " + hook + " --repo " + shellQuote(gitDir) + " --publish " + shellQuote(webroot) + "\n"
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// InstallHooks writes the pre-receive and post-receive hooks of the bare
// repo gitDir: they run `exe hooks pre-receive|post-receive --repo gitDir
// --publish webroot`. exe, gitDir and webroot are made absolute.
func InstallHooks(gitDir, exe, webroot string) error {
	var err error
	for _, p := range []*string{&gitDir, &exe, &webroot} {
		if *p, err = filepath.Abs(*p); err != nil {
			return fmt.Errorf("publish: %w", err)
		}
	}
	if fi, err := os.Stat(exe); err != nil || !fi.Mode().IsRegular() {
		return fmt.Errorf("publish: kjjr binary %s: not a file", exe)
	}
	if err := os.MkdirAll(filepath.Join(gitDir, "hooks"), 0o755); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(gitDir, "kjjr"), 0o755); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	for _, h := range []string{"pre-receive", "post-receive"} {
		p := filepath.Join(gitDir, "hooks", h)
		tmp := p + ".tmp"
		if err := os.WriteFile(tmp, []byte(hookScript(exe, h, gitDir, webroot)), 0o755); err != nil {
			return fmt.Errorf("publish: write hook: %w", err)
		}
		if err := os.Chmod(tmp, 0o755); err != nil {
			return fmt.Errorf("publish: write hook: %w", err)
		}
		if err := os.Rename(tmp, p); err != nil {
			os.Remove(tmp)
			return fmt.Errorf("publish: write hook: %w", err)
		}
	}
	return nil
}

// MainMoved reports whether updates move main to a commit (the
// post-receive hook publishes then).
func MainMoved(updates []Update) bool {
	for _, u := range updates {
		if u.Ref == MainRef && !u.New.IsZero() {
			return true
		}
	}
	return false
}
