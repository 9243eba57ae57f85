package inbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"path/filepath"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"kjjr/internal/filelock"
)

// Worker fetches the watched mailbox and ingests every message in it. One
// Worker runs per repo at a time (a lock file in <gitdir>/kjjr enforces it).
type Worker struct {
	opts *Options
	eng  *engine
	lock *filelock.Lock
	ob   outboxRunner
}

// outboxRunner is the part of the outbox the worker drives.
type outboxRunner interface {
	Flush(ctx context.Context) error
	Run(ctx context.Context)
}

// Stats count what one pass did.
type Stats struct {
	Seen        int // messages in the watched mailbox
	Committed   int // new commits
	Quarantined int // new quarantine records (rejected or quarantined)
	Rejected    int // of Quarantined, rejections of a registered sender's submission
	Duplicates  int // already ingested before: filed away, nothing new
	Left        int // left in the mailbox (temporary failure)
}

// String summarises s for logs.
func (s Stats) String() string {
	return fmt.Sprintf("%d messages: %d committed, %d quarantined, %d duplicates, %d left", s.Seen, s.Committed, s.Quarantined, s.Duplicates, s.Left)
}

// ErrLocked is returned by NewWorker when another worker holds the repo.
var ErrLocked = errors.New("another kjjr inbox is already running on this repo")

// NewWorker opens the content repo at repoDir (bare or not; its main
// branch must hold site.yaml) for ingesting mail.
func NewWorker(repoDir string, opts *Options) (*Worker, error) {
	opts = opts.withDefaults()
	if err := checkTLS(opts.IMAP.TLS, opts.IMAP.Addr); err != nil {
		return nil, fmt.Errorf("imap: %w", err)
	}
	eng, err := newEngine(repoDir, opts)
	if err != nil {
		return nil, err
	}
	lf, err := filelock.TryLock(filepath.Join(eng.stateDir, "inbox.lock"))
	if errors.Is(err, filelock.ErrLocked) {
		eng.close()
		return nil, ErrLocked
	}
	if err != nil {
		eng.close()
		return nil, err
	}
	w := &Worker{opts: opts, eng: eng, lock: lf}
	if err := w.openOutbox(); err != nil {
		w.Close()
		return nil, err
	}
	if _, err := eng.snapshotNow(); err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

// Close releases the repo.
func (w *Worker) Close() error {
	err := w.eng.close()
	if w.lock != nil {
		w.lock.Unlock()
	}
	return err
}

// checkTLS refuses plain-text connections except to loopback.
func checkTLS(mode, addr string) error {
	switch mode {
	case "tls", "starttls":
		return nil
	case "none":
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			host = addr
		}
		if host == "localhost" {
			return nil
		}
		if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
			return nil
		}
		return fmt.Errorf("TLS mode none is only allowed for a loopback address, not %q", addr)
	}
	return fmt.Errorf("unknown TLS mode %q (want tls, starttls or none)", mode)
}

// session is one IMAP connection.
type session struct {
	c       *imapclient.Client
	changed chan struct{} // something changed in the selected mailbox
	idle    bool
}

func (w *Worker) dial(ctx context.Context) (*session, error) {
	cfg := w.opts.IMAP
	if cfg.Addr == "" {
		return nil, errors.New("imap: no server address (--imap-addr or KJJR_IMAP_ADDR)")
	}
	s := &session{changed: make(chan struct{}, 1)}
	o := &imapclient.Options{
		TLSConfig:   cfg.TLSConfig,
		WordDecoder: wordDecoder,
		Dialer:      &net.Dialer{Timeout: 30 * time.Second},
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					select {
					case s.changed <- struct{}{}:
					default:
					}
				}
			},
		},
	}
	var c *imapclient.Client
	var err error
	switch cfg.TLS {
	case "tls":
		c, err = imapclient.DialTLS(cfg.Addr, o)
	case "starttls":
		c, err = imapclient.DialStartTLS(cfg.Addr, o)
	default:
		c, err = imapclient.DialInsecure(cfg.Addr, o)
	}
	if err != nil {
		return nil, fmt.Errorf("imap: connect %s: %w", cfg.Addr, err)
	}
	s.c = c
	if err := c.Login(cfg.User, cfg.Password).Wait(); err != nil {
		c.Close()
		return nil, fmt.Errorf("imap: login as %s: %w", cfg.User, err)
	}
	caps := c.Caps()
	if len(caps) == 0 {
		if caps, err = c.Capability().Wait(); err != nil {
			c.Close()
			return nil, fmt.Errorf("imap: capability: %w", err)
		}
	}
	// NetEase (163/126) refuses SELECT until the client says who it is.
	if caps.Has(imap.CapID) {
		if _, err := c.ID(&imap.IDData{Name: "kjjr", Version: "1", Vendor: "kjjr"}).Wait(); err != nil {
			w.eng.log.Warn("imap: ID command failed", "err", err)
		}
	}
	s.idle = caps.Has(imap.CapIdle)
	for _, mb := range []string{cfg.Processed, cfg.Quarantine} {
		if err := ensureMailbox(c, mb); err != nil {
			c.Close()
			return nil, err
		}
	}
	return s, nil
}

// ensureMailbox creates mb when it does not exist. go-imap encodes the
// name in modified UTF-7 (已处理 is &XfJZBHQG-).
func ensureMailbox(c *imapclient.Client, mb string) error {
	l, err := c.List("", mb, nil).Collect()
	if err != nil {
		return fmt.Errorf("imap: list %s: %w", mb, err)
	}
	if len(l) > 0 {
		return nil
	}
	if err := c.Create(mb, nil).Wait(); err != nil {
		var ie *imap.Error
		if errors.As(err, &ie) && ie.Code == imap.ResponseCodeAlreadyExists {
			return nil
		}
		return fmt.Errorf("imap: create mailbox %s: %w", mb, err)
	}
	return nil
}

func (s *session) close() {
	if s == nil || s.c == nil {
		return
	}
	done := make(chan struct{})
	go func() {
		_ = s.c.Logout().Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
	}
	s.c.Close()
}

// RunOnce processes what is in the mailbox now, then returns. Queued
// receipts are flushed when an SMTP server is configured.
func (w *Worker) RunOnce(ctx context.Context) (Stats, error) {
	start := w.eng.now()
	s, err := w.dial(ctx)
	if err != nil {
		w.report(start, Stats{}, err)
		return Stats{}, err
	}
	defer s.close()
	st, err := w.pass(ctx, s)
	w.report(start, st, err)
	if w.ob != nil && w.opts.SMTP.Addr != "" {
		if ferr := w.ob.Flush(ctx); ferr != nil {
			w.eng.log.Warn("outbox: flush failed; receipts stay queued", "err", ferr)
		}
	}
	return st, err
}

// report hands one pass to Options.OnPass.
func (w *Worker) report(start time.Time, st Stats, err error) {
	if w.opts.OnPass != nil {
		w.opts.OnPass(PassReport{Start: start, End: w.eng.now(), Stats: st, Err: err,
			Server: w.opts.IMAP.Addr, Mailbox: w.opts.IMAP.Mailbox})
	}
}

// pass handles every message of the watched mailbox once.
func (w *Worker) pass(ctx context.Context, s *session) (Stats, error) {
	var st Stats
	if err := w.eng.index.reconcile(w.eng.store); err != nil {
		return st, fmt.Errorf("reconcile index: %w", err)
	}
	sel, err := s.c.Select(w.opts.IMAP.Mailbox, nil).Wait()
	if err != nil {
		return st, fmt.Errorf("imap: select %s: %w", w.opts.IMAP.Mailbox, err)
	}
	if sel.UIDValidity == 0 {
		w.eng.log.Debug("imap: server reports UIDVALIDITY 0; identities do not depend on UIDs")
	}
	if sel.NumMessages == 0 {
		return st, nil
	}
	sd, err := s.c.UIDSearch(&imap.SearchCriteria{}, nil).Wait()
	if err != nil {
		return st, fmt.Errorf("imap: search: %w", err)
	}
	uids := sd.AllUIDs()
	st.Seen = len(uids)
	for _, uid := range uids {
		if ctx.Err() != nil {
			return st, nil
		}
		set := imap.UIDSetNum(uid)
		h, gone, err := w.handleUID(ctx, s, uid)
		if err != nil {
			var ie *imapErr
			if errors.As(err, &ie) {
				return st, err // the connection is in doubt
			}
			// One message that cannot be handled now (a push that fails, a
			// repo problem) must not hold up the others: it stays in the
			// mailbox and is tried again on the next pass.
			w.eng.log.Error("inbox: message left in the mailbox", "uid", uid, "err", err)
			st.Left++
			continue
		}
		if gone {
			continue // expunged meanwhile
		}
		var dest string
		switch h.dest {
		case destStay:
			st.Left++
			continue
		case destProcessed:
			dest = w.opts.IMAP.Processed
			if !h.duplicate {
				st.Committed++
			}
		case destQuarantine:
			dest = w.opts.IMAP.Quarantine
			if !h.duplicate {
				st.Quarantined++
				if h.rejected {
					st.Rejected++
				}
			}
		}
		if h.duplicate {
			st.Duplicates++
		}
		// Only now, with the commit or record durable, does the message leave.
		if _, err := s.c.Move(set, dest).Wait(); err != nil {
			return st, fmt.Errorf("imap: move uid %d to %s: %w", uid, dest, err)
		}
	}
	return st, nil
}

// imapErr marks a failed IMAP command: the pass stops and the session is
// re-opened.
type imapErr struct{ err error }

func (e *imapErr) Error() string { return e.err.Error() }
func (e *imapErr) Unwrap() error { return e.err }

// handleUID handles one message in two steps: its size and header first
// (screen), its body only when screen asks for it, read from the
// connection into one buffer of the announced size. gone is true when
// the message was expunged meanwhile.
func (w *Worker) handleUID(ctx context.Context, s *session, uid imap.UID) (h handled, gone bool, err error) {
	pv, ok, err := fetchPreview(s.c, uid)
	if err != nil || !ok {
		return handled{}, !ok, err
	}
	h, max, err := w.eng.screen(ctx, pv)
	if err != nil || max == 0 {
		return h, false, err
	}
	raw, size, ok, err := fetchBody(s.c, uid, max)
	switch {
	case err != nil:
		return handled{}, false, err
	case !ok:
		return handled{}, true, nil
	case raw == nil: // larger than the server said: decided on the size read
		pv.size = size
		h, _, err = w.eng.screen(ctx, pv)
		return h, false, err
	}
	h, err = w.eng.handle(ctx, raw, pv.receivedAt)
	return h, false, err
}

// fetchPreview reads a message's INTERNALDATE, RFC822.SIZE and header
// block (at most maxHeaderBytes of it, with BODY.PEEK: the \Seen flag
// stays as it was). ok is false when the message is gone.
func fetchPreview(c *imapclient.Client, uid imap.UID) (pv preview, ok bool, err error) {
	sec := &imap.FetchItemBodySection{Specifier: imap.PartSpecifierHeader, Peek: true,
		Partial: &imap.SectionPartial{Offset: 0, Size: maxHeaderBytes}}
	cmd := c.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{UID: true, InternalDate: true, RFC822Size: true,
		BodySection: []*imap.FetchItemBodySection{sec}})
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		ok = true // the client passes on only the UID asked for
		for item := msg.Next(); item != nil; item = msg.Next() {
			switch it := item.(type) {
			case imapclient.FetchItemDataInternalDate:
				pv.receivedAt = it.Time
			case imapclient.FetchItemDataRFC822Size:
				pv.size = it.Size
			case imapclient.FetchItemDataBodySection:
				if it.Literal != nil && pv.header == nil {
					if pv.header, err = io.ReadAll(io.LimitReader(it.Literal, maxHeaderBytes)); err != nil {
						cmd.Close()
						return preview{}, false, &imapErr{fmt.Errorf("imap: fetch header of uid %d: %w", uid, err)}
					}
				}
			}
		}
	}
	if err := cmd.Close(); err != nil {
		return preview{}, false, &imapErr{fmt.Errorf("imap: fetch header of uid %d: %w", uid, err)}
	}
	return pv, ok, nil
}

// fetchBody reads a whole message of at most max bytes into one buffer
// of the size the server announces. A larger literal is not read into
// memory: raw is nil and size says how large it is. ok is false when the
// message is gone.
func fetchBody(c *imapclient.Client, uid imap.UID, max int64) (raw []byte, size int64, ok bool, err error) {
	sec := &imap.FetchItemBodySection{Peek: true}
	cmd := c.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{sec}})
	defer cmd.Close()
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		for item := msg.Next(); item != nil; item = msg.Next() {
			it, isBody := item.(imapclient.FetchItemDataBodySection)
			if !isBody || it.Literal == nil || ok {
				continue
			}
			ok = true
			size = it.Literal.Size()
			if size > max {
				continue // drained by the client, not kept
			}
			raw = make([]byte, size)
			if _, err := io.ReadFull(it.Literal, raw); err != nil {
				return nil, 0, false, &imapErr{fmt.Errorf("imap: fetch uid %d: %w", uid, err)}
			}
		}
	}
	if err := cmd.Close(); err != nil {
		return nil, 0, false, &imapErr{fmt.Errorf("imap: fetch uid %d: %w", uid, err)}
	}
	return raw, size, ok, nil
}

// Run processes the mailbox until ctx is done: a pass, then IDLE (or a
// poll every PollInterval) until something arrives, again. A lost
// connection is re-opened with capped, jittered exponential backoff. On
// cancellation it finishes the message at hand (never half a submission)
// and returns nil.
func (w *Worker) Run(ctx context.Context) error {
	if w.ob != nil {
		go w.ob.Run(ctx)
	}
	failures := 0
	for ctx.Err() == nil {
		err := w.runSession(ctx, &failures)
		if ctx.Err() != nil {
			return nil
		}
		failures++
		d := backoff(failures, w.opts.MaxBackoff)
		w.eng.log.Warn("inbox: connection lost; reconnecting", "err", err, "in", d.Round(time.Millisecond))
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(d):
		}
	}
	return nil
}

// backoff is 1s, 2s, 4s, ... capped at max, with jitter in [d/2, d].
func backoff(n int, max time.Duration) time.Duration {
	d := time.Second
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

func (w *Worker) runSession(ctx context.Context, failures *int) error {
	start := w.eng.now()
	s, err := w.dial(ctx)
	if err != nil {
		w.report(start, Stats{}, err)
		return err
	}
	defer s.close()
	for {
		st, err := w.pass(ctx, s)
		w.report(start, st, err)
		if err != nil {
			return err
		}
		*failures = 0
		if st.Seen > 0 {
			w.eng.log.Info("inbox: pass done", "stats", st.String())
		}
		if ctx.Err() != nil {
			return nil
		}
		if err := w.wait(ctx, s); err != nil {
			return err
		}
		if ctx.Err() != nil {
			return nil
		}
		start = w.eng.now()
	}
}

// wait blocks until the mailbox changes, PollInterval passes or ctx ends.
func (w *Worker) wait(ctx context.Context, s *session) error {
	timer := time.NewTimer(w.opts.PollInterval)
	defer timer.Stop()
	if !s.idle {
		select {
		case <-ctx.Done():
		case <-timer.C:
		case <-s.c.Closed():
			return errors.New("imap: connection closed")
		}
		return nil
	}
	select {
	case <-s.changed: // arrived during the pass
		return nil
	default:
	}
	idle, err := s.c.Idle()
	if err != nil {
		return fmt.Errorf("imap: idle: %w", err)
	}
	closed := false
	select {
	case <-ctx.Done():
	case <-timer.C:
	case <-s.changed:
	case <-s.c.Closed():
		closed = true
	}
	if closed {
		return errors.New("imap: connection closed")
	}
	if err := idle.Close(); err != nil {
		return fmt.Errorf("imap: end idle: %w", err)
	}
	if err := idle.Wait(); err != nil {
		return fmt.Errorf("imap: idle: %w", err)
	}
	return nil
}
