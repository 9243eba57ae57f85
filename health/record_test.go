package health

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
)

func TestRecordCountsPassesAndBlanksSecrets(t *testing.T) {
	gd := t.TempDir()
	t0 := time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)
	login := func(i int) error {
		return fmt.Errorf("imap: login as kjjr with s3cret-pw: %w", &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeAuthenticationFailed, Text: "Authentication failed."})
	}
	for i := 0; i < 3; i++ {
		err := Record(gd, JobInbox, Run{Start: t0.Add(time.Duration(i) * time.Minute), End: t0.Add(time.Duration(i)*time.Minute + time.Second),
			Err: login(i), Server: "imap.example.org:993", Mailbox: "INBOX", Secrets: []string{"s3cret-pw"}})
		if err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(Path(gd))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "s3cret-pw") {
		t.Fatalf("the password is in the record:\n%s", b)
	}
	f, err := Read(gd)
	if err != nil {
		t.Fatal(err)
	}
	j := f.Jobs[JobInbox]
	if j == nil || j.Error == nil || j.Error.Cause != CauseAuth {
		t.Fatalf("cause: %+v", j)
	}
	if j.OK || j.Error == nil || j.Error.Passes != 3 || !j.Error.Since.Equal(t0.Add(time.Second)) || j.Server != "imap.example.org:993" || j.Mailbox != "INBOX" {
		t.Fatalf("record: %+v %+v", j, j.Error)
	}
	// Another cause starts a new streak.
	if err := Record(gd, JobInbox, Run{Start: t0.Add(time.Hour), End: t0.Add(time.Hour), Err: errors.New("boom")}); err != nil {
		t.Fatal(err)
	}
	f, _ = Read(gd)
	if e := f.Jobs[JobInbox].Error; e.Cause != CauseOther || e.Passes != 1 {
		t.Fatalf("new cause: %+v", e)
	}
	// A success clears it, keeps it for reading, and keeps other jobs.
	if err := Record(gd, JobRemind, Run{Start: t0, End: t0}); err != nil {
		t.Fatal(err)
	}
	if err := Record(gd, JobInbox, Run{Start: t0.Add(2 * time.Hour), End: t0.Add(2 * time.Hour), Counts: map[string]int{"fetched": 1}}); err != nil {
		t.Fatal(err)
	}
	f, _ = Read(gd)
	j = f.Jobs[JobInbox]
	if !j.OK || j.Failing() || j.Error.Cleared.IsZero() || !j.LastSuccess.Equal(t0.Add(2*time.Hour)) || f.Jobs[JobRemind] == nil {
		t.Fatalf("after success: %+v %+v", j, f.Jobs)
	}
}

// Writers in parallel (the inbox and remind run at once) lose no entry,
// and a reader never sees a half-written file.
func TestRecordConcurrent(t *testing.T) {
	gd := t.TempDir()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	readErr := make(chan error, 1)
	go func() {
		for {
			select {
			case <-stop:
				close(readErr)
				return
			default:
			}
			if _, err := Read(gd); err != nil {
				readErr <- err
				close(readErr)
				return
			}
		}
	}()
	jobs := []string{JobInbox, JobRemind, JobPublish, "a", "b", "c"}
	for _, job := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				if err := Record(gd, job, Run{Start: time.Now(), End: time.Now()}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	if err := <-readErr; err != nil {
		t.Fatalf("a reader saw a broken record: %v", err)
	}
	f, err := Read(gd)
	if err != nil || len(f.Jobs) != len(jobs) {
		t.Fatalf("jobs %v, %v", f.Jobs, err)
	}
}
