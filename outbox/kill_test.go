package outbox

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary act as a sender process for TestSIGKILL.
func TestMain(m *testing.M) {
	if os.Getenv("KJJR_OUTBOX_CHILD") == "1" {
		os.Exit(childMain())
	}
	os.Exit(m.Run())
}

const killKeys = 10

func killKey(i int) string { return fmt.Sprintf("k%02d", i) }

// childMain queues killKeys receipts (again: queueing is idempotent) and
// flushes, as the inbox does after each message. With
// KJJR_OUTBOX_SELFKILL=<key> it SIGKILLs itself right after recording
// "sending" for that key, before the final dot.
func childMain() int {
	cfg := &Config{Addr: os.Getenv("KJJR_OUTBOX_ADDR"), TLS: "none", From: testFrom, Timeout: 20 * time.Second,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	o, err := Open(os.Getenv("KJJR_OUTBOX_DIR"), cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if k := os.Getenv("KJJR_OUTBOX_SELFKILL"); k != "" {
		sendingHook = func(key string) {
			if key == "receipt:"+k {
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
				select {}
			}
		}
	}
	for i := 0; i < killKeys; i++ {
		r := sampleReceipt(killKey(i))
		r.To, r.Cc = fmt.Sprintf("sender%d@alpha.example.com", i), nil
		if err := o.QueueReceipt(r); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	if err := o.Flush(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// TestSIGKILL kills the sending process at three points of a flush and
// restarts it: no receipt is ever delivered twice, and every receipt is
// delivered except the one killed in the documented window between
// recording "sending" and writing the final dot.
func TestSIGKILL(t *testing.T) {
	srv := startServer(t, serverOpts{})
	dir := filepath.Join(t.TempDir(), "outbox")
	var mu sync.Mutex
	var cur *exec.Cmd
	kill := func() {
		mu.Lock()
		defer mu.Unlock()
		cur.Process.Signal(syscall.SIGKILL)
	}
	run := func(selfKill string) (killed bool) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // hang guard
		defer cancel()
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "KJJR_OUTBOX_CHILD=1", "KJJR_OUTBOX_DIR="+dir,
			"KJJR_OUTBOX_ADDR="+srv.Addr, "KJJR_OUTBOX_SELFKILL="+selfKill)
		cmd.Stderr = os.Stderr
		mu.Lock()
		cur = cmd
		err := cmd.Start()
		mu.Unlock()
		if err != nil {
			t.Fatal(err)
		}
		err = cmd.Wait()
		if err == nil {
			return false
		}
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			return true
		}
		t.Fatalf("child failed: %v", err)
		return false
	}
	id := func(i int) string { return messageID("receipt", killKey(i), testFrom) }

	// 1. Killed after the server read all of k02 up to the dot, before it replied.
	srv.setHooks(nil, func(d delivered) error {
		if headerOf(d.Data, "Message-Id") == "<"+id(2)+">" {
			kill()
		}
		return nil
	})
	if !run("") {
		t.Fatal("round 1: child was not killed")
	}
	// 2. Killed at the third RCPT (k05: k02 is unconfirmed and skipped), before "sending".
	n := 0
	srv.setHooks(func(string) error {
		if n++; n == 3 {
			kill()
		}
		return nil
	}, nil)
	if !run("") {
		t.Fatal("round 2: child was not killed")
	}
	// 3. The child kills itself between recording "sending" for k07 and the dot.
	srv.setHooks(nil, nil)
	if !run(killKey(7)) {
		t.Fatal("round 3: child was not killed")
	}
	// 4. Runs to the end.
	if run("") {
		t.Fatal("round 4 killed")
	}
	count := map[string]int{}
	for _, m := range srv.Msgs() {
		count[headerOf(m.Data, "Message-Id")]++
	}
	o, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	es, err := o.List()
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]State{}
	for _, e := range es {
		states[e.Key] = e.State
	}
	for i := 0; i < killKeys; i++ {
		c, st := count["<"+id(i)+">"], states["receipt:"+killKey(i)]
		switch i {
		case 2:
			if c != 1 || st != StateUnconfirmed {
				t.Errorf("%s (killed before the reply to the dot): delivered %d, state %s; want 1, unconfirmed", killKey(i), c, st)
			}
		case 7:
			if c != 0 || st != StateUnconfirmed {
				t.Errorf("%s (killed before the dot): delivered %d, state %s; want 0, unconfirmed", killKey(i), c, st)
			}
		default:
			if c != 1 || st != StateSent {
				t.Errorf("%s: delivered %d, state %s; want exactly once, sent", killKey(i), c, st)
			}
		}
	}
	t.Logf("deliveries by Message-ID: %v", count)
}
