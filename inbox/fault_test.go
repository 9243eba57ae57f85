package inbox

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"kjjr/internal/testenv"
	"kjjr/outbox"
)

const faultChildEnv = "KJJR_INBOX_FAULT_CHILD"

// faultChild is the worker process the fault test kills: it ingests until
// the mailbox is empty, then exits 0.
func faultChild() int {
	opts := testOptions(nil)
	opts.queue = nil // the real outbox (queue only: no SMTP)
	opts.IMAP = IMAPConfig{Addr: os.Getenv("KJJR_T_ADDR"), User: os.Getenv("KJJR_T_USER"), Password: "pw", TLS: "none"}
	var w *Worker
	var err error
	for i := 0; i < 100; i++ {
		if w, err = NewWorker(os.Getenv("KJJR_T_REPO"), opts); !errors.Is(err, ErrLocked) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	for {
		st, err := w.RunOnce(context.Background())
		if err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			return 1
		}
		if st.Seen == 0 {
			return 0
		}
	}
}

// TestFaultSIGKILL kills the worker (a child process) at random moments
// while it ingests 200 messages, restarts it, and repeats; at the end
// every message has exactly one commit or quarantine record, sits in the
// processed or quarantine mailbox, and has at most one receipt.
func TestFaultSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	d := dovecot(t)
	user := d.account(t)
	testenv.NeedTool(t, "git")
	dir := newFixtureRepo(t, true, fixtureFiles(t, ""))
	c := dovecotClient(t, d.Addr, user)

	type instInfo struct{ slug, name, uscc, sender string }
	insts := []instInfo{
		{"jinchuang-capital", "山西晋创科技资本管理有限公司", "91140702MA0JQ7N36C", "report@jinchuang-capital.example.com"},
		{"kechuang-rongzi", "晋中科创融资服务有限公司", "91140702MA0H4K2T95", "baosong@kechuang-rongzi.example.cn"},
	}
	sheets := map[string][]byte{}
	accepted := map[string]bool{} // message id -> expected to be committed
	const total = 200
	for i := 0; i < total; i++ {
		id := fmt.Sprintf("fault-%03d@kjjr.test", i)
		var raw []byte
		switch {
		case i%20 == 7: // unknown sender
			raw = compose("x <x@unknown.example.net>", "月报", id, testNow, "月报", nil)
		case i%20 == 13: // trusted, no sheet: rejected
			raw = compose(insts[0].sender, "你好", id, testNow, "没有附件", nil)
		default:
			in := insts[i%2]
			m := 5 + (i/2)%17 // 2025-06 .. 2026-10, after the announcement
			per := fmt.Sprintf("%d-%02d", 2025+m/12, 1+m%12)
			key := in.slug + per
			if sheets[key] == nil {
				sheets[key] = makeSheet(t, sheetSpec{Name: in.name, USCC: in.uscc, Period: per})
			}
			raw = compose(in.sender, per+" 月报", id, testNow, "月报", []attachment{{Name: per + "考核表.xlsx", Type: xlsxType, Data: sheets[key]}})
			accepted[id] = true
		}
		appendMsg(t, c, "INBOX", raw)
	}

	child := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), faultChildEnv+"=1", "KJJR_T_REPO="+dir, "KJJR_T_ADDR="+d.Addr, "KJJR_T_USER="+user)
		var errb strings.Builder
		cmd.Stderr = &errb
		cmd.Stdout = &errb
		return cmd
	}
	start := time.Now()
	kills := 0
	for time.Since(start) < 12*time.Second {
		cmd := child()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("worker failed: %v\n%s", err, cmd.Stderr)
			}
		case <-time.After(time.Duration(50+rand.IntN(500)) * time.Millisecond):
			cmd.Process.Signal(syscall.SIGKILL)
			<-done
			kills++
			continue
		}
		break // the worker finished on its own
	}
	// Once more without interruption (hang guard: 3 minutes).
	cmd := child()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	timer := time.AfterFunc(3*time.Minute, func() { cmd.Process.Kill() })
	if err := cmd.Wait(); err != nil {
		t.Fatalf("final worker: %v\n%s", err, cmd.Stderr)
	}
	timer.Stop()
	t.Logf("%d SIGKILLs in %v", kills, time.Since(start).Round(time.Second))
	if kills < 5 {
		t.Errorf("only %d kills: the test did not interrupt the worker enough", kills)
	}

	// Every accepted message: exactly one commit.
	r, err := git.PlainOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	main, _ := r.Reference(mainRef, false)
	commits := map[string]int{}
	refs, _ := r.References()
	refs.ForEach(func(ref *plumbing.Reference) error {
		if !strings.HasPrefix(ref.Name().String(), "refs/heads/submit/") {
			return nil
		}
		for h := ref.Hash(); h != main.Hash(); {
			cm, err := object.GetCommit(r.Storer, h)
			if err != nil {
				t.Fatalf("%s: %v", ref.Name(), err)
			}
			commits[strings.Trim(trailers(cm.Message)["Message-Id"], "<>")]++
			h = cm.ParentHashes[0]
		}
		return nil
	})
	recs, err := ListQuarantine(dir)
	if err != nil {
		t.Fatal(err)
	}
	quarantined := map[string]int{}
	for _, q := range recs {
		quarantined[strings.Trim(q.MessageID, "<>")]++
	}
	for i := 0; i < total; i++ {
		id := fmt.Sprintf("fault-%03d@kjjr.test", i)
		if accepted[id] && (commits[id] != 1 || quarantined[id] != 0) {
			t.Errorf("%s: %d commits, %d quarantine records; want 1 commit", id, commits[id], quarantined[id])
		}
		if !accepted[id] && (commits[id] != 0 || quarantined[id] != 1) {
			t.Errorf("%s: %d commits, %d quarantine records; want 1 record", id, commits[id], quarantined[id])
		}
	}
	nAcc := len(accepted)
	for mb, want := range map[string]int{"INBOX": 0, "已处理": nAcc, "待核查": total - nAcc} {
		if n := mailboxCount(t, c, mb); n != want {
			t.Errorf("%s holds %d, want %d", mb, n, want)
		}
	}
	// Receipts: one per accepted or rejected message (not the unknown senders).
	ob, err := outbox.Open(dir+"/kjjr/outbox", nil)
	if err != nil {
		t.Fatal(err)
	}
	es, err := ob.List()
	if err != nil {
		t.Fatal(err)
	}
	wantReceipts := nAcc + total/20
	if len(es) != wantReceipts {
		t.Errorf("%d receipts queued, want %d", len(es), wantReceipts)
	}
	gitCLI(t, dir, "fsck", "--strict", "--no-progress")
}
