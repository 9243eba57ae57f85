package review

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestApproveGitHoldsLock: while C git holds refs/heads/main.lock (a
// prepared `git update-ref --stdin` transaction, the new value written
// into the lock), approve refuses with a
// Chinese message naming the lock, and main stays where it was. Once git
// is done and gone, approval goes through.
func TestApproveGitHoldsLock(t *testing.T) {
	for _, bare := range []bool{true, false} {
		t.Run(fmt.Sprintf("bare=%v", bare), func(t *testing.T) {
			f := newFixture(t, bare)
			tip := f.submit("beta", monthly("2026-04", at("2026-05-06 09:00"), 5, "50", false), nil)
			old := f.head("refs/heads/main")
			runGit(t, f.dir, "--version") // skips without git
			cmd := execGit(f.dir, "update-ref", "--stdin")
			in, _ := cmd.StdinPipe()
			out, _ := cmd.StdoutPipe()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(in, "start\nupdate refs/heads/main %s %s\nprepare\n", tip, old)
			buf := make([]byte, 64)
			if n, _ := io.ReadAtLeast(out, buf, len("start: ok\nprepare: ok\n")); !strings.Contains(string(buf[:n]), "prepare: ok") {
				t.Fatalf("git did not take the lock: %q", buf[:n])
			}
			lock := filepath.Join(f.r.GitDir, "refs", "heads", "main.lock")
			if _, err := os.Stat(lock); err != nil {
				t.Fatalf("git holds no %s: %v", lock, err)
			}
			_, err := f.r.Approve("submit/beta/2026-04", approver, at("2026-05-20 10:00"))
			if err == nil || CodeOf(err) != CodeLocked || !strings.Contains(err.Error(), lock) || !strings.Contains(err.Error(), "锁文件") {
				t.Errorf("approve while git holds main: %v (code %q), want a refusal naming %s", err, CodeOf(err), lock)
			}
			fmt.Fprintf(in, "abort\n")
			in.Close()
			cmd.Wait()
			if f.head("refs/heads/main") != old || f.head("refs/heads/submit/beta/2026-04").IsZero() {
				t.Fatal("the refusal moved refs")
			}
			if !bare {
				if st := runGit(t, f.dir, "status", "--porcelain"); st != "" {
					t.Errorf("the refusal touched the work tree:\n%s", st)
				}
			}
			if _, err := f.r.Approve("submit/beta/2026-04", approver, at("2026-05-20 10:00")); err != nil {
				t.Fatalf("approve after git is done: %v", err)
			}
			f.git("fsck", "--strict")
		})
	}
}

// TestReviewPastLocks: empty lock files that a killed git left (on main
// and on a submission branch) stop neither opening the repo nor listing
// the submissions or what is pending; they are not listed as branches.
func TestReviewPastLocks(t *testing.T) {
	f := newFixture(t, true)
	f.submit("beta", monthly("2026-04", at("2026-05-06 09:00"), 5, "50", false), nil)
	for _, l := range []string{"refs/heads/main.lock", "refs/heads/submit/beta/2026-04.lock"} {
		if err := os.WriteFile(filepath.Join(f.dir, filepath.FromSlash(l)), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r, err := Open(f.dir)
	if err != nil {
		t.Fatalf("open with lock files: %v", err)
	}
	defer r.Close()
	subs, err := r.List()
	if err != nil {
		t.Fatalf("list with lock files: %v", err)
	}
	if len(subs) != 1 || subs[0].Branch != "submit/beta/2026-04" {
		t.Errorf("listed %d: %+v", len(subs), subs)
	}
	pending, err := r.Pending()
	if err != nil {
		t.Fatalf("pending with lock files: %v", err)
	}
	if !pending("beta", mustPeriod("2026-04")) {
		t.Error("beta 2026-04 not pending")
	}
}

// TestRejectPastLock: a lock on the submission branch (left by a killed
// git, holding the value it was writing) stops reject before it records
// anything, as git would refuse to delete the branch; without the lock,
// reject goes through.
func TestRejectPastLock(t *testing.T) {
	f := newFixture(t, true)
	tip := f.submit("beta", monthly("2026-04", at("2026-05-06 09:00"), 5, "50", true), nil)
	lock := filepath.Join(f.r.GitDir, "refs", "heads", "submit", "beta", "2026-04.lock")
	if err := os.WriteFile(lock, []byte(tip.String()+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := f.r.Reject("submit/beta/2026-04", "融资明细缺少放款日期", "王审核", at("2026-05-20 10:00"))
	if CodeOf(err) != CodeLocked || !strings.Contains(err.Error(), lock) {
		t.Fatalf("reject past a lock: %v, want a refusal naming %s", err, lock)
	}
	if f.head("refs/heads/submit/beta/2026-04") != tip {
		t.Fatal("the branch moved past git's lock")
	}
	if log, _ := f.r.Rejections(); len(log) != 0 {
		t.Errorf("a refused rejection was recorded: %+v", log)
	}
	os.Remove(lock)
	if _, err := f.r.Reject("submit/beta/2026-04", "融资明细缺少放款日期", "王审核", at("2026-05-20 10:00")); err != nil {
		t.Fatal(err)
	}
	if !f.head("refs/heads/submit/beta/2026-04").IsZero() {
		t.Error("branch still there")
	}
	f.git("fsck", "--strict")
}
