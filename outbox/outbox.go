package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/mail"
	"os"
	"strings"
	"sync"
	"time"

	"kjjr/content"
)

// Config is how the outbox reaches its SMTP submission server and what it
// says in every mail.
type Config struct {
	Addr     string // host:port of the SMTP submission server
	User     string // SMTP AUTH PLAIN user; empty: no authentication
	Password string
	TLS      string // "tls" | "starttls" | "none" ("none" refused unless Addr is loopback)
	From     string // From address (site.yaml inbox.receipt_from)

	// AppendSent, when set, stores a copy of every sent mail in the
	// mailbox's Sent folder (see IMAPSentAppender). A failure is logged and
	// retried a few times; it never causes a second SMTP delivery.
	AppendSent func(ctx context.Context, msg []byte) error

	// FromName is the display name of From, e.g. 晋中市科学技术局; optional.
	// It is written as one encoded word, so it reads back exactly.
	FromName string
	// Inbox is where reports are sent (site.yaml inbox.address): reminders
	// and receipts name it; "" says 报送邮箱 without an address.
	Inbox string
	// Contact is the bureau's contact printed at the end of every mail
	// (site.yaml contact); its Email, when set, also becomes Reply-To.
	Contact content.Contact
	// Senders, when set, returns the report_senders of an institution by
	// slug; QueueReceipt and QueueReminder then refuse any recipient that
	// is not one of them, so no institution's addresses leak to another.
	Senders func(slug string) []string

	// Logger receives one line per delivery; nil: slog.Default().
	Logger *slog.Logger
	// Now is the clock; nil: time.Now. Tests set it.
	Now func() time.Time
	// Timeout bounds one SMTP connection attempt and each command; 0: 60s.
	Timeout time.Duration
	// InsecureSkipVerify turns off certificate checks (tests only).
	InsecureSkipVerify bool
}

// Retry policy for temporary failures.
const (
	backoffBase = time.Minute
	backoffCap  = time.Hour
	giveUpAfter = 72 * time.Hour
	copyTries   = 5
	// pollEvery is how often Run looks for mail queued by other processes.
	pollEvery = 30 * time.Second
)

// Outbox is a durable queue of outgoing mail in a state directory. It is
// safe for concurrent use, and several processes may queue into one state
// directory at once; sending is serialised by a lock file.
type Outbox struct {
	dir  string
	cfg  Config
	log  *slog.Logger
	mu   sync.Mutex // serialises Flush within the process
	kick chan struct{}
}

// Open opens (creating it if needed) the outbox whose state lives in
// stateDir (<gitdir>/kjjr/outbox). cfg may be nil for an outbox that only
// queues and lists; Flush then fails.
func Open(stateDir string, cfg *Config) (*Outbox, error) {
	if stateDir == "" {
		return nil, errors.New("outbox: empty state directory")
	}
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	o := &Outbox{dir: stateDir, kick: make(chan struct{}, 1)}
	if cfg != nil {
		o.cfg = *cfg
		if o.cfg.From != "" {
			a, err := parseAddr(o.cfg.From)
			if err != nil {
				return nil, fmt.Errorf("outbox: From: %w", err)
			}
			o.cfg.From = a
		}
		switch o.cfg.TLS {
		case "", "tls", "starttls":
		case "none":
			if o.cfg.Addr != "" && !isLoopback(o.cfg.Addr) {
				return nil, fmt.Errorf("outbox: --smtp-tls none is only allowed for a loopback address, not %q", o.cfg.Addr)
			}
		default:
			return nil, fmt.Errorf("outbox: TLS mode %q, want tls, starttls or none", o.cfg.TLS)
		}
	}
	o.log = o.cfg.Logger
	if o.log == nil {
		o.log = slog.Default()
	}
	return o, nil
}

// Dir returns the state directory.
func (o *Outbox) Dir() string { return o.dir }

func (o *Outbox) now() time.Time {
	if o.cfg.Now != nil {
		return o.cfg.Now()
	}
	return time.Now()
}

// IsLoopback reports whether addr (host:port) names a loopback host, the
// only place plain (TLS "none") SMTP and IMAP are allowed to go.
func IsLoopback(addr string) bool { return isLoopback(addr) }

func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// parseAddr returns the bare address of s ("Name <a@b>" or "a@b"), or a
// clear error.
func parseAddr(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("empty address")
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return "", fmt.Errorf("invalid address %q: %v", s, err)
	}
	at := strings.LastIndexByte(a.Address, '@')
	if at <= 0 || at == len(a.Address)-1 {
		return "", fmt.Errorf("invalid address %q: no domain", s)
	}
	if strings.ContainsAny(a.Address, " \t\r\n<>") {
		return "", fmt.Errorf("invalid address %q", s)
	}
	return a.Address, nil
}

// recipients validates and de-duplicates to and cc (case-insensitively),
// checking them against the institution's senders when Config.Senders is set.
func (o *Outbox) recipients(slug string, to []string, cc []string) (toOut, ccOut []string, err error) {
	seen := map[string]bool{}
	var allowed map[string]bool
	if o.cfg.Senders != nil {
		allowed = map[string]bool{}
		for _, s := range o.cfg.Senders(slug) {
			allowed[strings.ToLower(strings.TrimSpace(s))] = true
		}
	}
	add := func(list []string, out *[]string, field string) error {
		for _, s := range list {
			a, err := parseAddr(s)
			if err != nil {
				return fmt.Errorf("outbox: %s: %w", field, err)
			}
			k := strings.ToLower(a)
			if allowed != nil && !allowed[k] {
				return fmt.Errorf("outbox: %s: %s is not a report sender of institution %q", field, a, slug)
			}
			if seen[k] {
				continue
			}
			seen[k] = true
			*out = append(*out, a)
		}
		return nil
	}
	if err := add(to, &toOut, "To"); err != nil {
		return nil, nil, err
	}
	if err := add(cc, &ccOut, "Cc"); err != nil {
		return nil, nil, err
	}
	if len(toOut) == 0 {
		return nil, nil, errors.New("outbox: no recipient")
	}
	return toOut, ccOut, nil
}

// QueueReceipt records the receipt r durably, once per r.Key: queueing the
// same Key again is a no-op (nil error). It does no network I/O. It
// refuses invalid recipient addresses with an error naming them.
func (o *Outbox) QueueReceipt(r *Receipt) error {
	if r == nil || strings.TrimSpace(r.Key) == "" {
		return errors.New("outbox: receipt without a Key")
	}
	to, cc, err := o.recipients(r.Slug, []string{r.To}, r.Cc)
	if err != nil {
		return err
	}
	return o.queue("receipt:"+r.Key, "receipt", r.Slug, time.Time{}, func() (string, string, error) {
		return o.composeReceipt(r, to[0], cc)
	}, append(to, cc...))
}

// QueueReminder records the reminder r durably, once per r.Key (see
// ReminderKey): queueing the same Key again is a no-op. No network I/O.
func (o *Outbox) QueueReminder(r *Reminder) error {
	if r == nil {
		return errors.New("outbox: nil reminder")
	}
	key := r.Key
	if key == "" {
		key = ReminderKey(r.Slug, r.Period, r.Stage)
	}
	to, _, err := o.recipients(r.Slug, r.To, nil)
	if err != nil {
		return err
	}
	return o.queue(key, "reminder", r.Slug, r.Expires(), func() (string, string, error) {
		return o.composeReminder(r, key, to)
	}, to)
}

func (o *Outbox) queue(key, kind, slug string, expires time.Time, compose func() (subject, msg string, err error), rcpt []string) error {
	if o.cfg.From == "" {
		return errors.New("outbox: no From address configured (site.yaml inbox.receipt_from)")
	}
	has, err := o.Has(key)
	if err != nil || has {
		return err
	}
	subject, msg, err := compose()
	if err != nil {
		return err
	}
	now := o.now()
	e := &entry{
		Key: key, Kind: kind, Slug: slug, Subject: subject, From: o.cfg.From,
		Rcpt: rcpt, Message: msg, State: StateQueued, Queued: now, NextAttempt: now,
		Expires: expires,
	}
	// Two processes may queue the same Key at once, and a sender may pick
	// up the first while the second writes: create the file without
	// replacing one that appeared meanwhile.
	if err := o.create(e); err != nil {
		return err
	}
	select {
	case o.kick <- struct{}{}:
	default:
	}
	return nil
}

// backoff returns the wait before attempt n+1 after n failures: doubling
// from a minute, capped at an hour, with jitter in [d/2, d).
func backoff(n int) time.Duration {
	d := backoffBase
	for i := 1; i < n && d < backoffCap; i++ {
		d *= 2
	}
	if d > backoffCap {
		d = backoffCap
	}
	return d/2 + rand.N(d/2)
}

// Flush tries once to send every queued mail that is due (its backoff has
// passed), over one SMTP connection, and retries pending Sent-folder
// copies. It waits for the state directory's sender lock (another process
// may be flushing). It returns an error when some due mail could not be
// sent; such mail stays queued for a later Flush unless the failure was
// permanent. Nothing queued is ever dropped.
func (o *Outbox) Flush(ctx context.Context) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	unlock, err := lockDir(ctx, o.dir)
	if err != nil {
		return err
	}
	defer unlock()
	_, err = o.flushLocked(ctx)
	return err
}

// flushLocked does one pass and returns when the next queued mail is due
// (zero if none).
func (o *Outbox) flushLocked(ctx context.Context) (time.Time, error) {
	es, loadErr := o.all()
	now := o.now()
	var due, copies []*entry
	var errs []error
	if loadErr != nil {
		errs = append(errs, loadErr)
	}
	for _, e := range es {
		switch e.State {
		case StateSending:
			// We hold the lock, so whoever wrote "sending" is gone.
			e.State = StateUnconfirmed
			e.LastError = "sender stopped after the final dot was due; not resent (see package doc)"
			o.log.Warn("outbox: delivery unconfirmed, not resending", "key", e.Key, "subject", e.Subject, "rcpt", e.Rcpt)
			if err := o.save(e); err != nil {
				errs = append(errs, err)
			}
		case StateQueued:
			if !e.Expires.IsZero() && !now.Before(e.Expires) {
				e.State = StateExpired
				o.log.Info("outbox: expired before it could be sent", "key", e.Key)
				if err := o.save(e); err != nil {
					errs = append(errs, err)
				}
				continue
			}
			if !now.Before(e.NextAttempt) {
				due = append(due, e)
			}
		case StateSent:
			if e.Copy == copyPending && o.cfg.AppendSent != nil {
				copies = append(copies, e)
			}
		}
	}
	if len(due) > 0 && o.cfg.Addr == "" {
		// Nowhere to send: leave the mail untouched (no attempt counted) for
		// a process that has a server.
		return time.Time{}, errors.Join(append(errs, fmt.Errorf("%w: %d mail(s) stay queued", ErrNoServer, len(due)))...)
	}
	if len(due) > 0 {
		errs = append(errs, o.sendAll(ctx, due))
		for _, e := range due {
			if e.State == StateSent && e.Copy == copyPending {
				copies = append(copies, e)
			}
		}
	}
	for _, e := range copies {
		o.appendCopy(ctx, e)
	}
	var next time.Time
	for _, e := range due {
		if e.State == StateQueued && (next.IsZero() || e.NextAttempt.Before(next)) {
			next = e.NextAttempt
		}
	}
	for _, e := range es {
		if e.State == StateQueued && now.Before(e.NextAttempt) && (next.IsZero() || e.NextAttempt.Before(next)) {
			next = e.NextAttempt
		}
	}
	return next, errors.Join(errs...)
}

// ErrNoServer is returned by Flush when mail is due but Config.Addr is
// empty: the mail stays queued, untouched, for a process with a server.
var ErrNoServer = errors.New("outbox: no SMTP server configured")

// Run flushes until ctx is done: right away, whenever this process queues
// a mail, when the next retry is due, and every 30 seconds for mail queued
// by other processes. Errors are logged. It never blocks QueueReceipt.
func (o *Outbox) Run(ctx context.Context) {
	warnedNoServer := false
	for {
		o.mu.Lock()
		var next time.Time
		unlock, err := lockDir(ctx, o.dir)
		if err == nil {
			next, err = o.flushLocked(ctx)
			unlock()
		}
		o.mu.Unlock()
		switch {
		case err == nil || ctx.Err() != nil:
		case errors.Is(err, ErrNoServer):
			if !warnedNoServer {
				o.log.Warn("outbox: no SMTP server configured; mail stays queued", "dir", o.dir)
				warnedNoServer = true
			}
		default:
			o.log.Warn("outbox: flush", "err", err)
		}
		wait := pollEvery
		if !next.IsZero() {
			if d := next.Sub(o.now()); d < wait {
				wait = max(d, time.Second)
			}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-o.kick:
		case <-t.C:
		}
		t.Stop()
	}
}

// fail records a failed attempt on e: permanent (5xx) failures end it,
// temporary ones schedule a retry, for up to three days after the first
// failure.
func (o *Outbox) fail(e *entry, err error, permanent bool) error {
	now := o.now()
	e.Attempts++
	e.LastError = err.Error()
	if e.FirstFail.IsZero() {
		e.FirstFail = now
	}
	switch {
	case permanent:
		e.State = StateFailed
		o.log.Warn("outbox: permanently refused", "key", e.Key, "rcpt", e.Rcpt, "err", err)
	case now.Sub(e.FirstFail) >= giveUpAfter:
		e.State = StateFailed
		e.LastError = fmt.Sprintf("gave up after %d attempts: %v", e.Attempts, err)
		o.log.Warn("outbox: giving up", "key", e.Key, "attempts", e.Attempts, "err", err)
	default:
		e.NextAttempt = now.Add(backoff(e.Attempts))
		o.log.Info("outbox: will retry", "key", e.Key, "attempt", e.Attempts, "next", e.NextAttempt.Format(time.RFC3339), "err", err)
	}
	return o.save(e)
}

func (o *Outbox) appendCopy(ctx context.Context, e *entry) {
	msg := "Date: " + e.Date + "\r\n" + e.Message
	err := o.cfg.AppendSent(ctx, []byte(msg))
	e.CopyTries++
	switch {
	case err == nil:
		e.Copy = copyDone
		e.CopyError = ""
	case e.CopyTries >= copyTries:
		e.Copy = copyFailed
		e.CopyError = err.Error()
		o.log.Warn("outbox: Sent-folder copy failed, giving up", "key", e.Key, "err", err)
	default:
		e.CopyError = err.Error()
		o.log.Info("outbox: Sent-folder copy failed, will retry", "key", e.Key, "err", err)
	}
	if err := o.save(e); err != nil {
		o.log.Warn("outbox: save", "key", e.Key, "err", err)
	}
}
