package inbox

import (
	"crypto/tls"
	"log/slog"
	"time"

	"kjjr/content"
	"kjjr/sheet"
)

// Options configure a Worker (and Release). A nil *Options means the
// defaults: no IMAP server (RunOnce and Run fail), no outgoing mail.
type Options struct {
	IMAP IMAPConfig
	// SMTP is where receipts go out; zero Addr means receipts are queued
	// in <gitdir>/kjjr/outbox but not sent.
	SMTP SMTPConfig
	// Now is the clock (processing time, commit time); nil is time.Now.
	Now func() time.Time
	// Logger receives progress in English; nil is slog.Default().
	Logger *slog.Logger
	// LookupTXT resolves DKIM keys for domains an institution does not
	// pin; nil is net.LookupTXT.
	LookupTXT func(name string) ([]string, error)
	// PollInterval is how often the mailbox is checked when the server
	// has no IDLE, and the longest an IDLE lasts. Default 1 minute.
	PollInterval time.Duration
	// MaxBackoff caps the reconnect delay. Default 5 minutes.
	MaxBackoff time.Duration
	// OnPass, when set, is called after every pass and every failed
	// attempt at one (a connection or login that fails is a failed pass),
	// from the worker's goroutine. kjjr inbox records it in the health
	// record (package health).
	OnPass func(PassReport)

	// Test hooks.
	queue     receiptQueue
	parse     func([]byte, *sheet.Options) (*content.Report, error)
	looks     func([]byte) bool
	beforeCAS func()
}

// PassReport is what one pass of the worker did.
type PassReport struct {
	Start, End time.Time
	Stats      Stats
	Err        error  // nil: the pass succeeded
	Server     string // IMAPConfig.Addr
	Mailbox    string // IMAPConfig.Mailbox
}

// IMAPConfig is the mailbox the worker watches.
type IMAPConfig struct {
	Addr     string // host:port
	User     string
	Password string
	// TLS is "tls" (implicit, port 993), "starttls" or "none"; "none" is
	// refused unless Addr is a loopback address.
	TLS       string
	TLSConfig *tls.Config // optional (tests: a private CA)
	// Mailbox is watched (default INBOX); Processed receives committed
	// messages (default 已处理) and Quarantine the rest (default 待核查).
	// Both are created when missing.
	Mailbox    string
	Processed  string
	Quarantine string
}

// SMTPConfig is the submission server (RFC 6409) that receipts and
// reminders are sent through.
type SMTPConfig struct {
	Addr     string
	User     string
	Password string
	TLS      string // tls | starttls | none (loopback only)
}

func (o *Options) logger() *slog.Logger {
	if o == nil || o.Logger == nil {
		return slog.Default()
	}
	return o.Logger
}

func (o *Options) withDefaults() *Options {
	var c Options
	if o != nil {
		c = *o
	}
	if c.IMAP.Mailbox == "" {
		c.IMAP.Mailbox = "INBOX"
	}
	if c.IMAP.Processed == "" {
		c.IMAP.Processed = "已处理"
	}
	if c.IMAP.Quarantine == "" {
		c.IMAP.Quarantine = "待核查"
	}
	if c.IMAP.TLS == "" {
		c.IMAP.TLS = "tls"
	}
	if c.PollInterval <= 0 {
		c.PollInterval = time.Minute
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 5 * time.Minute
	}
	return &c
}
