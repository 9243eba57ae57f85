package outbox

import (
	"context"
	"errors"
	"net/mail"
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
	FromName string
	// Contact is the bureau's contact printed at the end of every mail
	// (site.yaml contact); its Email, when set, also becomes Reply-To.
	Contact content.Contact

	// Logger receives one line per delivery attempt; nil: slog.Default().
	Logger Logger
	// Now is the clock; nil: time.Now. Tests set it.
	Now func() time.Time
}

// Logger is the subset of *slog.Logger the outbox uses.
type Logger interface {
	Info(msg string, args ...any)
	Warn(msg string, args ...any)
}

// Outbox is a durable queue of outgoing mail in a state directory.
type Outbox struct {
	dir string
	cfg Config
}

// Open opens (creating it if needed) the outbox whose state lives in
// stateDir (<gitdir>/kjjr/outbox). cfg may be nil for an outbox that only
// queues (Flush then fails until a config is given).
func Open(stateDir string, cfg *Config) (*Outbox, error) {
	o := &Outbox{dir: stateDir}
	if cfg != nil {
		o.cfg = *cfg
	}
	return o, errors.New("outbox: not yet implemented")
}

// QueueReceipt records the receipt r durably, once per r.Key: queueing the
// same Key again is a no-op. It does no network I/O. It refuses invalid
// recipient addresses.
func (o *Outbox) QueueReceipt(r *Receipt) error { return errors.New("outbox: not yet implemented") }

// Flush tries to send every queued mail that is due.
func (o *Outbox) Flush(ctx context.Context) error { return errors.New("outbox: not yet implemented") }

// Run flushes in a loop until ctx is done.
func (o *Outbox) Run(ctx context.Context) { <-ctx.Done() }

// SuppressReply reports whether an incoming message must get no reply
// (auto-reply, bounce, Precedence bulk/junk/list, empty Return-Path), and why.
func SuppressReply(h mail.Header) (reason string, suppress bool) { return "", false }
