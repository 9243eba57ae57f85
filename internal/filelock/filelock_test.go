package filelock_test

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"kjjr/internal/filelock"
)

// TestMain doubles as the helper process of TestOtherProcess: with
// FILELOCK_HOLD set it takes that lock, says so, and waits to be killed.
func TestMain(m *testing.M) {
	if p := os.Getenv("FILELOCK_HOLD"); p != "" {
		if _, err := filelock.TryLock(p); err != nil {
			os.Stdout.WriteString("error: " + err.Error() + "\n")
			os.Exit(1)
		}
		os.Stdout.WriteString("locked\n")
		select {}
	}
	os.Exit(m.Run())
}

func TestTryLock(t *testing.T) {
	p := filepath.Join(t.TempDir(), "inbox.lock")
	l, err := filelock.TryLock(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := filelock.TryLock(p); !errors.Is(err, filelock.ErrLocked) {
		t.Fatalf("second TryLock: %v; want ErrLocked", err)
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	if err := l.Unlock(); err != nil {
		t.Errorf("second Unlock: %v", err)
	}
	l2, err := filelock.TryLock(p)
	if err != nil {
		t.Fatalf("TryLock after Unlock: %v", err)
	}
	l2.Unlock()
}

func TestWait(t *testing.T) {
	p := filepath.Join(t.TempDir(), "lock")
	l, err := filelock.TryLock(p)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	if _, err := filelock.Wait(ctx, p); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait on a held lock: %v; want the context's deadline", err)
	}
	time.AfterFunc(100*time.Millisecond, func() { l.Unlock() })
	start := time.Now()
	l2, err := filelock.Wait(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Unlock()
	if time.Since(start) < 50*time.Millisecond {
		t.Error("Wait returned before the holder unlocked")
	}
}

// TestOtherProcess: a lock held by another process keeps this one out,
// and is released when that process is killed.
func TestOtherProcess(t *testing.T) {
	p := filepath.Join(t.TempDir(), "lock")
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), "FILELOCK_HOLD="+p)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, _ := bufio.NewReader(out).ReadString('\n')
	if line != "locked\n" {
		t.Fatalf("helper process said %q", line)
	}
	if _, err := filelock.TryLock(p); !errors.Is(err, filelock.ErrLocked) {
		t.Fatalf("TryLock while another process holds it: %v; want ErrLocked", err)
	}
	cmd.Process.Kill()
	cmd.Wait()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	l, err := filelock.Wait(ctx, p)
	if err != nil {
		t.Fatalf("lock of a killed process not released: %v", err)
	}
	l.Unlock()
}
