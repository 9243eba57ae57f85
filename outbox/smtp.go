package outbox

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// dial connects and authenticates to the submission server.
func (o *Outbox) dial(ctx context.Context) (*smtp.Client, error) {
	if o.cfg.Addr == "" {
		return nil, errors.New("no SMTP server configured (--smtp-addr)")
	}
	timeout := o.cfg.Timeout
	if timeout == 0 {
		timeout = 60 * time.Second
	}
	host, _, err := net.SplitHostPort(o.cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("SMTP address %q: %v", o.cfg.Addr, err)
	}
	tc := &tls.Config{ServerName: host, InsecureSkipVerify: o.cfg.InsecureSkipVerify}
	d := &net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", o.cfg.Addr)
	if err != nil {
		return nil, err
	}
	var c *smtp.Client
	switch o.cfg.TLS {
	case "", "tls":
		c = smtp.NewClient(tls.Client(conn, tc))
	case "starttls":
		c, err = smtp.NewClientStartTLS(conn, tc)
		if err != nil {
			conn.Close()
			return nil, err
		}
	case "none":
		if !isLoopback(o.cfg.Addr) {
			conn.Close()
			return nil, fmt.Errorf("plain SMTP refused to non-loopback %s", o.cfg.Addr)
		}
		c = smtp.NewClient(conn)
	default:
		conn.Close()
		return nil, fmt.Errorf("TLS mode %q", o.cfg.TLS)
	}
	c.CommandTimeout = timeout
	c.SubmissionTimeout = timeout
	if err := c.Hello(helloName(o.cfg.From)); err != nil {
		c.Close()
		return nil, err
	}
	if o.cfg.User != "" {
		if err := c.Auth(sasl.NewPlainClient("", o.cfg.User, o.cfg.Password)); err != nil {
			c.Close()
			return nil, fmt.Errorf("SMTP AUTH PLAIN as %s: %w", o.cfg.User, err)
		}
	}
	return c, nil
}

// helloName is the EHLO name: the From domain (a submission server does
// not check it; it is better than "localhost").
func helloName(from string) string {
	if i := strings.LastIndexByte(from, '@'); i >= 0 && i < len(from)-1 {
		return from[i+1:]
	}
	return "localhost"
}

// smtpCode returns the reply code of err when the server sent one.
func smtpCode(err error) int {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return se.Code
	}
	return 0
}

// sendAll sends each due entry over one connection.
func (o *Outbox) sendAll(ctx context.Context, due []*entry) error {
	c, err := o.dial(ctx)
	if err != nil {
		// Even a refused login is temporary here: it is the bureau's
		// configuration to fix, so keep retrying until the give-up time.
		var errs []error
		for _, e := range due {
			errs = append(errs, o.fail(e, fmt.Errorf("connect %s: %w", o.cfg.Addr, err), false))
		}
		return errors.Join(append(errs, fmt.Errorf("outbox: %d mail(s) not sent: connect %s: %w", len(due), o.cfg.Addr, err))...)
	}
	defer c.Close()
	var errs []error
	broken := false
	for i, e := range due {
		if ctx.Err() != nil {
			break
		}
		if broken {
			c.Close()
			c, err = o.dial(ctx)
			if err != nil {
				for _, e := range due[i:] {
					errs = append(errs, o.fail(e, fmt.Errorf("connect %s: %w", o.cfg.Addr, err), false))
				}
				errs = append(errs, fmt.Errorf("outbox: connect %s: %w", o.cfg.Addr, err))
				break
			}
			broken = false
		}
		if err := o.sendOne(ctx, c, e); err != nil {
			errs = append(errs, fmt.Errorf("outbox: %s: %w", e.Key, err))
			if smtpCode(err) == 0 {
				broken = true
			} else {
				c.Reset()
			}
		}
	}
	c.Quit()
	return errors.Join(errs...)
}

// sendOne runs one SMTP transaction for e, following the protocol of the
// package doc, and records the outcome. The returned error is the
// delivery failure (already recorded), or a failure to record.
func (o *Outbox) sendOne(ctx context.Context, c *smtp.Client, e *entry) error {
	if err := c.Mail(e.From, nil); err != nil {
		return o.failSMTP(e, fmt.Errorf("MAIL FROM: %w", err))
	}
	var accepted, refused []string
	for _, r := range e.Rcpt {
		if err := c.Rcpt(r, nil); err != nil {
			if code := smtpCode(err); code >= 500 {
				refused = append(refused, fmt.Sprintf("%s (%v)", r, err))
				continue
			}
			return o.failSMTP(e, fmt.Errorf("RCPT TO %s: %w", r, err))
		}
		accepted = append(accepted, r)
	}
	if len(accepted) == 0 {
		e.Refused = refused
		err := fmt.Errorf("every recipient refused: %s", strings.Join(refused, "; "))
		if serr := o.fail(e, err, true); serr != nil {
			return errors.Join(err, serr)
		}
		return &smtp.SMTPError{Code: 550, Message: err.Error()}
	}
	w, err := c.Data()
	if err != nil {
		return o.failSMTP(e, fmt.Errorf("DATA: %w", err))
	}
	date := o.now().Format(time.RFC1123Z)
	if _, err := w.Write([]byte("Date: " + date + "\r\n" + e.Message)); err != nil {
		// The "." was not sent: the server discards the mail.
		return o.failSMTP(e, fmt.Errorf("DATA: %w", err))
	}
	e.State = StateSending
	e.Sending = o.now()
	e.Date = date
	e.Refused = refused
	if err := o.save(e); err != nil {
		// Not recorded as sending: do not send the dot.
		c.Close()
		e.State = StateQueued
		return err
	}
	if sendingHook != nil {
		sendingHook(e.Key)
	}
	err = w.Close()
	if err != nil {
		var op *net.OpError
		switch {
		case smtpCode(err) != 0:
			// The server answered the "." with a refusal: not delivered.
			e.State = StateQueued
			return o.failSMTP(e, fmt.Errorf("end of DATA: %w", err))
		case errors.As(err, &op) && op.Op == "write":
			// The "." could not be written: not delivered.
			e.State = StateQueued
			return o.failSMTP(e, fmt.Errorf("end of DATA: %w", err))
		default:
			// The "." went out but no reply came: the server may have the
			// mail. Never send it again.
			e.State = StateUnconfirmed
			e.LastError = fmt.Sprintf("no reply after the final dot: %v", err)
			o.log.Warn("outbox: delivery unconfirmed, not resending", "key", e.Key, "err", err)
			if serr := o.save(e); serr != nil {
				return serr
			}
			return err
		}
	}
	e.State = StateSent
	e.Sent = o.now()
	e.LastError = ""
	if o.cfg.AppendSent != nil {
		e.Copy = copyPending
	}
	if err := o.save(e); err != nil {
		return err
	}
	o.log.Info("outbox: sent", "key", e.Key, "rcpt", accepted, "subject", e.Subject)
	if len(refused) > 0 {
		o.log.Warn("outbox: some recipients refused", "key", e.Key, "refused", refused)
	}
	return nil
}

// sendingHook, when set (tests), runs right after "sending" is recorded.
var sendingHook func(key string)

func (o *Outbox) failSMTP(e *entry, err error) error {
	code := smtpCode(err)
	permanent := code >= 500
	if serr := o.fail(e, err, permanent); serr != nil {
		return errors.Join(err, serr)
	}
	return err
}
