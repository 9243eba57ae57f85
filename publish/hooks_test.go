//go:build unix

package publish

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	kjjrOnce sync.Once
	kjjrPath string
	kjjrErr  error
)

// kjjrBinary builds cmd/kjjr once per test run: the hooks run it.
func kjjrBinary(t testing.TB) string {
	t.Helper()
	need(t, "go")
	kjjrOnce.Do(func() {
		dir, err := os.MkdirTemp("", "kjjr-bin-")
		if err != nil {
			kjjrErr = err
			return
		}
		kjjrPath = filepath.Join(dir, "kjjr")
		out, err := exec.Command("go", "build", "-o", kjjrPath, "kjjr/cmd/kjjr").CombinedOutput()
		if err != nil {
			kjjrErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if kjjrErr != nil {
		t.Fatal(kjjrErr)
	}
	return kjjrPath
}

// kjjr runs the built binary and returns its exit code and output.
func kjjr(t testing.TB, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(kjjrBinary(t), args...)
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), string(out)
	} else if err != nil {
		t.Fatal(err)
	}
	return 0, string(out)
}

// gitTry runs git in dir and returns its combined output and whether it
// succeeded.
func gitTry(t testing.TB, dir string, args ...string) (string, bool) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
	out, err := cmd.CombinedOutput()
	return string(out), err == nil
}

// server is a bare repo with the hooks installed, a web root, and a clone
// to push from.
type server struct {
	bare, web, work string
}

func newServer(t *testing.T) *server {
	t.Helper()
	src := contentRepo(t)
	root := t.TempDir()
	s := &server{bare: filepath.Join(root, "content.git"), web: filepath.Join(root, "www"), work: filepath.Join(root, "work")}
	git(t, root, "clone", "-q", "--bare", src, s.bare)
	git(t, root, "clone", "-q", "file://"+s.bare, s.work)
	if code, out := kjjr(t, "hooks", "install", "--repo", s.bare, "--publish", s.web); code != 0 {
		t.Fatalf("hooks install: %d\n%s", code, out)
	}
	if code, out := kjjr(t, "publish", "--repo", s.bare, "--to", s.web); code != 0 {
		t.Fatalf("first publish: %d\n%s", code, out)
	}
	t.Cleanup(func() { s.idle(t) })
	return s
}

// idle waits until no background publish runs (the lock is free and
// nothing is pending).
func (s *server) idle(t testing.TB) {
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		unlock, ok, err := tryLock(filepath.Join(s.bare, "kjjr", "publish.lock"))
		if err == nil && ok {
			unlock()
			if !pending(s.bare) {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Error("the background publish did not finish")
}

func (s *server) main(t testing.TB) string { return git(t, s.bare, "rev-parse", "refs/heads/main") }

func (s *server) refs(t testing.TB) string { return git(t, s.bare, "for-each-ref") }

// waitLive waits until the live release is of commit and returns how long.
func (s *server) waitLive(t testing.TB, commit string, start time.Time) time.Duration {
	t.Helper()
	for time.Since(start) < 10*time.Minute {
		if r, err := Current(s.web); err == nil && r.Commit == commit {
			return time.Since(start)
		}
		time.Sleep(5 * time.Millisecond)
	}
	st, _ := os.ReadFile(LogPath(s.bare))
	t.Fatalf("commit %s never went live; publish.log:\n%s", commit, st)
	return 0
}

func writeFile(t testing.TB, p, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestHooksRefuse: each bad push is refused with a Chinese message the
// pusher sees, and no ref of the server moves.
func TestHooksRefuse(t *testing.T) {
	s := newServer(t)
	inst := filepath.Join(s.work, "institutions", "jiexiu-xinke", "index.md")
	cases := []struct {
		name string
		prep func(t *testing.T)
		push []string
		want string
	}{
		{"non-fast-forward", func(t *testing.T) {
			git(t, s.work, "commit", "-q", "--amend", "-m", "rewritten")
		}, []string{"push", "-q", "--force", "origin", "main"}, "改写 main 的历史"},
		{"delete main", func(t *testing.T) {}, []string{"push", "-q", "origin", ":main"}, "不能删除 main"},
		{"symlink", func(t *testing.T) {
			if err := os.Symlink("/etc/passwd", filepath.Join(s.work, "notices", "passwd.md")); err != nil {
				t.Fatal(err)
			}
			git(t, s.work, "add", "-A")
			git(t, s.work, "commit", "-q", "-m", "symlink")
		}, []string{"push", "-q", "origin", "main"}, "符号链接"},
		{"gitlink", func(t *testing.T) {
			head := git(t, s.work, "rev-parse", "HEAD")
			git(t, s.work, "update-index", "--add", "--cacheinfo", "160000,"+head+",vendor")
			git(t, s.work, "commit", "-q", "-m", "gitlink")
		}, []string{"push", "-q", "origin", "main"}, "gitlink"},
		{"unsafe name", func(t *testing.T) {
			writeFile(t, filepath.Join(s.work, "notices", "a\u202eb.md"), "x\n")
			git(t, s.work, "add", "-A")
			git(t, s.work, "commit", "-q", "-m", "bidi")
		}, []string{"push", "-q", "origin", "main"}, "不允许出现在内容仓库中"},
		{"check errors", func(t *testing.T) {
			writeFile(t, inst, "---\nname: [broken\n---\n")
			git(t, s.work, "commit", "-q", "-am", "broken")
		}, []string{"push", "-q", "origin", "main"}, "未通过校验"},
		{"bad submission branch", func(t *testing.T) {
			git(t, s.work, "checkout", "-q", "-b", "submit/jiexiu-xinke/2026-05")
			b, _ := os.ReadFile(inst)
			writeFile(t, inst, string(b)+"\n改了机构信息。\n")
			git(t, s.work, "commit", "-q", "-am", "not a report")
		}, []string{"push", "-q", "origin", "submit/jiexiu-xinke/2026-05"}, "不能作为报送合并"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			git(t, s.work, "checkout", "-q", "-f", "main")
			git(t, s.work, "reset", "-q", "--hard", "origin/main")
			git(t, s.work, "clean", "-qfdx")
			before := s.refs(t)
			c.prep(t)
			out, ok := gitTry(t, s.work, c.push...)
			if ok {
				t.Fatalf("push accepted:\n%s", out)
			}
			if !strings.Contains(out, "remote: ") || !strings.Contains(out, c.want) {
				t.Errorf("the pusher saw:\n%s\nwant a remote message with %q", out, c.want)
			}
			if after := s.refs(t); after != before {
				t.Errorf("refs moved:\n%s\nwas:\n%s", after, before)
			}
		})
	}
	git(t, s.bare, "fsck", "--strict", "--no-progress")
}

// TestHooksPublish: a good push over file:// is on the site; two pushes
// in quick succession end with the last one live; the status shows it.
func TestHooksPublish(t *testing.T) {
	s := newServer(t)
	inst := filepath.Join(s.work, "institutions", "jiexiu-xinke", "index.md")
	b, _ := os.ReadFile(inst)
	writeFile(t, inst, string(b)+"\n第一次推送的说明。\n")
	git(t, s.work, "commit", "-q", "-am", "first")
	start := time.Now()
	out, ok := gitTry(t, s.work, "push", "origin", "main")
	if !ok {
		t.Fatalf("push refused:\n%s", out)
	}
	pushed := time.Since(start)
	took := s.waitLive(t, s.main(t), start)
	t.Logf("push returned after %v, live after %v", pushed, took)
	page, _ := os.ReadFile(filepath.Join(s.web, "current", "institutions", "jiexiu-xinke", "index.html"))
	if !bytes.Contains(page, []byte("第一次推送的说明")) {
		t.Error("the pushed change is not on the site")
	}

	// Two quick pushes: the last one ends live.
	for i, text := range []string{"第二次", "第三次"} {
		writeFile(t, inst, string(b)+"\n"+text+"推送。\n")
		git(t, s.work, "commit", "-q", "-am", fmt.Sprint("push ", i))
		if out, ok := gitTry(t, s.work, "push", "-q", "origin", "main"); !ok {
			t.Fatalf("push refused:\n%s", out)
		}
	}
	s.waitLive(t, s.main(t), start)
	s.idle(t)
	if r, _ := Current(s.web); r == nil || r.Commit != s.main(t) {
		t.Fatalf("after two quick pushes the live release is %+v, want main %s", r, s.main(t))
	}
	st, err := ReadStatus(s.bare)
	if err != nil || !st.Last.OK {
		t.Fatalf("status %+v, %v", st, err)
	}
	code, out := kjjr(t, "publish", "--status", "--repo", s.bare)
	if code != 0 || !strings.Contains(out, "当前版本") || !strings.Contains(out, st.Last.Release) {
		t.Errorf("kjjr publish --status: %d\n%s", code, out)
	}
	if log, err := os.ReadFile(LogPath(s.bare)); err != nil || len(bytes.Split(bytes.TrimSpace(log), []byte("\n"))) < 2 {
		t.Errorf("publish.log: %v\n%s", err, log)
	}
}

// TestHooksGitDaemon: the same gate and publish through git daemon on
// loopback (git:// with receive-pack enabled).
func TestHooksGitDaemon(t *testing.T) {
	s := newServer(t)
	// Pushed objects stay a pack in the quarantine (the gate reads packs
	// there as well as loose objects).
	git(t, s.bare, "config", "receive.unpackLimit", "1")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	d := exec.Command("git", "daemon", "--reuseaddr", "--listen=127.0.0.1", fmt.Sprint("--port=", port),
		"--base-path="+filepath.Dir(s.bare), "--export-all", "--enable=receive-pack", filepath.Dir(s.bare))
	// Its own process group, killed whole at the end (it forks a child
	// per connection); its output is not the test's.
	d.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(-d.Process.Pid, syscall.SIGKILL); d.Wait() })
	url := fmt.Sprintf("git://127.0.0.1:%d/content.git", port)
	for i := 0; ; i++ {
		if _, ok := gitTry(t, s.work, "ls-remote", url); ok {
			break
		}
		if i > 200 {
			t.Fatal("git daemon did not start")
		}
		time.Sleep(25 * time.Millisecond)
	}
	inst := filepath.Join(s.work, "institutions", "jiexiu-xinke", "index.md")
	b, _ := os.ReadFile(inst)

	writeFile(t, inst, "---\nname: [broken\n---\n")
	git(t, s.work, "commit", "-q", "-am", "broken")
	before := s.refs(t)
	if out, ok := gitTry(t, s.work, "push", url, "HEAD:main"); ok || !strings.Contains(out, "未通过校验") {
		t.Fatalf("bad push over git://: ok=%v\n%s", ok, out)
	}
	if s.refs(t) != before {
		t.Fatal("refs moved after a refused push")
	}
	git(t, s.work, "reset", "-q", "--hard", "HEAD~1")
	writeFile(t, inst, string(b)+"\n经 git daemon 推送。\n")
	git(t, s.work, "commit", "-q", "-am", "via daemon")
	start := time.Now()
	if out, ok := gitTry(t, s.work, "push", url, "HEAD:main"); !ok {
		t.Fatalf("push over git://:\n%s", out)
	}
	s.waitLive(t, s.main(t), start)
	page, _ := os.ReadFile(filepath.Join(s.web, "current", "institutions", "jiexiu-xinke", "index.html"))
	if !bytes.Contains(page, []byte("经 git daemon 推送")) {
		t.Error("the change pushed over git:// is not on the site")
	}
}

// FuzzParseUpdates: hook input never panics, and what parses has valid
// hashes and a ref.
func FuzzParseUpdates(f *testing.F) {
	f.Add("0000000000000000000000000000000000000000 1111111111111111111111111111111111111111 refs/heads/main\n")
	f.Add("a b c\n")
	f.Add("")
	f.Add("0000000000000000000000000000000000000000 1111111111111111111111111111111111111111\n")
	f.Fuzz(func(t *testing.T, in string) {
		us, err := ParseUpdates(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, u := range us {
			if u.Ref == "" {
				t.Fatalf("update without a ref from %q", in)
			}
		}
	})
}
