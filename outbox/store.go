package outbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"kjjr/internal/atomicfile"
	"kjjr/internal/filelock"
)

// State is where a queued mail stands.
type State string

// States of a queued mail.
const (
	StateQueued      State = "queued"      // waiting to be sent (perhaps after a failure)
	StateSending     State = "sending"     // the final "." is about to go out or went out
	StateSent        State = "sent"        // the server accepted it (250 after DATA)
	StateUnconfirmed State = "unconfirmed" // the sender died or the link broke after "sending": never resent
	StateFailed      State = "failed"      // permanently refused (5xx) or given up after retries
	StateExpired     State = "expired"     // a reminder whose moment had passed before it could go out
)

// Copy states of the IMAP Sent-folder copy.
const (
	copyPending = "pending"
	copyDone    = "done"
	copyFailed  = "failed"
)

// entry is one mail in the state directory.
type entry struct {
	Key         string    `json:"key"`
	Kind        string    `json:"kind"` // receipt | reminder
	Slug        string    `json:"slug,omitempty"`
	Subject     string    `json:"subject"`
	From        string    `json:"from"` // envelope sender
	Rcpt        []string  `json:"rcpt"`
	Message     string    `json:"message"` // RFC 5322, CRLF, without Date (added when sent)
	State       State     `json:"state"`
	Queued      time.Time `json:"queued"`
	Expires     time.Time `json:"expires,omitzero"`
	Attempts    int       `json:"attempts,omitempty"`
	FirstFail   time.Time `json:"first_fail,omitzero"` // the give-up time counts from here
	NextAttempt time.Time `json:"next_attempt,omitzero"`
	LastError   string    `json:"last_error,omitempty"`
	Refused     []string  `json:"refused,omitempty"` // recipients refused with 5xx
	Date        string    `json:"date,omitempty"`    // the Date header it was sent with
	Sending     time.Time `json:"sending,omitzero"`
	Sent        time.Time `json:"sent,omitzero"`
	Copy        string    `json:"copy,omitempty"` // Sent-folder copy: pending | done | failed
	CopyTries   int       `json:"copy_tries,omitempty"`
	CopyError   string    `json:"copy_error,omitempty"`
}

// fileName is the entry file of key: the key is free text (Message-IDs),
// so it is hashed.
func fileName(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:20]) + ".json"
}

func (o *Outbox) path(key string) string { return filepath.Join(o.dir, fileName(key)) }

func readEntry(p string) (*entry, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	var e entry
	if err := json.Unmarshal(b, &e); err != nil {
		return nil, fmt.Errorf("outbox: %s: %w", filepath.Base(p), err)
	}
	return &e, nil
}

// save writes e atomically and makes the rename durable.
func (o *Outbox) save(e *entry) error {
	b, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return fmt.Errorf("outbox: encode %q: %w", e.Key, err)
	}
	if err := atomicfile.WriteFile(o.path(e.Key), append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("outbox: write %q: %w", e.Key, err)
	}
	return nil
}

// create writes e as a new file, atomically and without replacing an
// existing one (a hard link of a synced temporary file): queueing a Key
// twice, even from two processes at once, leaves the first entry alone.
func (o *Outbox) create(e *entry) error {
	b, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return fmt.Errorf("outbox: encode %q: %w", e.Key, err)
	}
	t, err := atomicfile.Create(o.path(e.Key), 0o600)
	if err != nil {
		return fmt.Errorf("outbox: write %q: %w", e.Key, err)
	}
	defer t.Abort()
	if _, err := t.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("outbox: write %q: %w", e.Key, err)
	}
	if err := t.CommitNew(); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil
		}
		return fmt.Errorf("outbox: write %q: %w", e.Key, err)
	}
	return nil
}

// lockDir takes the exclusive sender lock of the state directory
// (<dir>/lock), waiting until ctx is done. The operating system drops it
// when the process dies.
func lockDir(ctx context.Context, dir string) (unlock func(), err error) {
	l, err := filelock.Wait(ctx, filepath.Join(dir, "lock"))
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		return nil, fmt.Errorf("outbox: %w", err)
	}
	return func() { l.Unlock() }, nil
}

// all reads every entry, oldest first. Unreadable files are skipped and
// reported in the returned error (they are never deleted).
func (o *Outbox) all() ([]*entry, error) {
	des, err := os.ReadDir(o.dir)
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	var out []*entry
	var errs []error
	for _, de := range des {
		n := de.Name()
		if de.IsDir() || !strings.HasSuffix(n, ".json") || strings.HasPrefix(n, ".") {
			continue
		}
		e, err := readEntry(filepath.Join(o.dir, n))
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
			continue
		}
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Queued.Equal(out[j].Queued) {
			return out[i].Queued.Before(out[j].Queued)
		}
		return out[i].Key < out[j].Key
	})
	return out, errors.Join(errs...)
}

// Entry is the public view of one queued or sent mail.
type Entry struct {
	Key       string
	Kind      string // "receipt" or "reminder"
	Slug      string // institution
	Subject   string
	To        []string // every envelope recipient
	State     State
	Queued    time.Time
	Sent      time.Time // when the server accepted it (zero unless sent)
	Attempts  int
	NextTry   time.Time // next attempt, for queued mail
	LastError string
	Refused   []string // recipients the server refused permanently
	// SentCopy is the state of the IMAP Sent-folder copy: "", "pending",
	// "done" or "failed".
	SentCopy string
}

// List returns every mail in the outbox, oldest first.
func (o *Outbox) List() ([]Entry, error) {
	es, err := o.all()
	out := make([]Entry, 0, len(es))
	for _, e := range es {
		out = append(out, Entry{
			Key: e.Key, Kind: e.Kind, Slug: e.Slug, Subject: e.Subject,
			To: append([]string(nil), e.Rcpt...), State: e.State, Queued: e.Queued,
			Sent: e.Sent, Attempts: e.Attempts, NextTry: e.NextAttempt,
			LastError: e.LastError, Refused: e.Refused, SentCopy: e.Copy,
		})
	}
	return out, err
}

// Has reports whether a mail with key was ever queued (in any state).
func (o *Outbox) Has(key string) (bool, error) {
	_, err := os.Stat(o.path(key))
	if err == nil {
		return true, nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return false, fmt.Errorf("outbox: %w", err)
}
