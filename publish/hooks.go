package publish

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// hookScript is a receive hook that runs kjjr at the absolute path
// recorded when it was installed. The pre-receive hook is `kjjr hooks
// pre-receive`. The post-receive hook starts `kjjr publish --queued` in the
// background itself when main moved to a commit (MainMoved), detached
// from the push (a session of its own where setsid exists, hangups
// ignored, no standard stream shared: git waits for the hook's streams
// to close), and returns: one process start less between the push and
// the publish than running `kjjr hooks post-receive`, which does the same.
func hookScript(exe, hook, gitDir, webroot string) string {
	head := "#!/bin/sh\n# Written by `kjjr hooks install`: run it again to change it.\n"
	if hook != "post-receive" {
		return head + "exec " + shellQuote(exe) + " hooks " + hook + " --repo " + shellQuote(gitDir) + " --publish " + shellQuote(webroot) + "\n"
	}
	return head + `# When main moved to a commit, publish it in the background: the push
# does not wait (kjjr publish --status shows the result).
moved=
while read -r old new ref; do
	case "$ref:$new" in
	` + string(MainRef) + `:*[!0]*) moved=1 ;;
	esac
done
[ -n "$moved" ] || exit 0
detach=
command -v setsid >/dev/null 2>&1 && detach=setsid
trap '' HUP
$detach ` + shellQuote(exe) + " publish --repo " + shellQuote(gitDir) + " --to " + shellQuote(webroot) + ` --queued </dev/null >/dev/null 2>&1 &
echo "kjjr：main 已更新，网站正在后台发布（kjjr publish --status 查看结果）。" >&2
`
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// InstallHooks writes the pre-receive and post-receive hooks of the bare
// repo gitDir: pre-receive runs `exe hooks pre-receive --repo gitDir
// --publish webroot`, post-receive starts `exe publish --repo gitDir --to
// webroot --queued` in the background when main moved. exe, gitDir and
// webroot are made absolute.
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
