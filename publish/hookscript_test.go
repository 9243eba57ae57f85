//go:build unix

package publish

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPostReceiveScript: the post-receive hook starts `kjjr publish
// --queued` itself, in the background and detached, only when main moved
// to a commit, and returns at once: its output streams close while the
// publish still runs (git waits for them).
func TestPostReceiveScript(t *testing.T) {
	sh := need(t, "sh")
	dir := t.TempDir()
	record := filepath.Join(dir, "args")
	// A stand-in for kjjr: records its arguments, then runs for a while.
	exe := filepath.Join(dir, "kjjr")
	writeFile(t, exe, "#!/bin/sh\necho \"$@\" >>"+shellQuote(record)+"\nsleep 3\n")
	if err := os.Chmod(exe, 0o755); err != nil {
		t.Fatal(err)
	}
	gitDir, web := filepath.Join(dir, "content.git"), filepath.Join(dir, "www")
	if err := os.MkdirAll(gitDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := InstallHooks(gitDir, exe, web); err != nil {
		t.Fatal(err)
	}
	old, commit, zero := strings.Repeat("1", 40), strings.Repeat("a", 40), strings.Repeat("0", 40)
	for _, tc := range []struct {
		name, stdin string
		publish     bool
	}{
		{"main moved", old + " " + commit + " refs/heads/main\n", true},
		{"main and a branch", old + " " + commit + " refs/heads/submit/jg00001/2026-10\n" + zero + " " + commit + " refs/heads/main\n", true},
		{"a review branch", zero + " " + commit + " refs/heads/submit/jg00001/2026-10\n", false},
		{"main deleted", old + " " + zero + " refs/heads/main\n", false},
		{"a branch named like main", old + " " + commit + " refs/heads/main2\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			os.Remove(record)
			cmd := exec.Command(sh, filepath.Join(gitDir, "hooks", "post-receive"))
			cmd.Dir = gitDir
			cmd.Stdin = strings.NewReader(tc.stdin)
			start := time.Now()
			out, err := cmd.CombinedOutput() // returns when the streams close
			took := time.Since(start)
			if err != nil {
				t.Fatalf("hook: %v\n%s", err, out)
			}
			if took > 2*time.Second {
				t.Errorf("the hook held its output streams for %v: the push would wait for the publish", took)
			}
			if !tc.publish {
				time.Sleep(200 * time.Millisecond)
				if _, err := os.Stat(record); err == nil {
					t.Fatalf("the hook started a publish")
				}
				if len(out) != 0 {
					t.Errorf("the hook said %q", out)
				}
				return
			}
			if !strings.Contains(string(out), "网站正在后台发布") {
				t.Errorf("the pusher is not told: %q", out)
			}
			var got []byte
			for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
				if got, err = os.ReadFile(record); err == nil && len(got) > 0 {
					break
				}
			}
			want := "publish --repo " + gitDir + " --to " + web + " --queued\n"
			if string(got) != want {
				t.Fatalf("the hook ran kjjr %q, want %q", got, want)
			}
		})
	}
}
