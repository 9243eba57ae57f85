package outbox

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// IMAPConfig is the IMAP account whose Sent folder gets a copy of every
// sent mail (the same settings as kjjr inbox: --imap-addr, KJJR_IMAP_USER,
// KJJR_IMAP_PASSWORD, --imap-tls).
type IMAPConfig struct {
	Addr     string // host:port
	User     string
	Password string
	TLS      string // "tls" | "starttls" | "none" (loopback only)
	// Mailbox names the Sent folder; "" finds it: the mailbox with the
	// \Sent special-use attribute, else one named Sent, Sent Messages,
	// Sent Items or 已发送 (in any case).
	Mailbox            string
	InsecureSkipVerify bool // tests only
}

// sentNames are the usual names of a Sent folder when the server does not
// mark it with \Sent (RFC 6154).
var sentNames = []string{"Sent", "Sent Messages", "Sent Items", "已发送", "Sent Mail"}

// IMAPSentAppender returns a Config.AppendSent function that logs in to
// the IMAP account and APPENDs the mail, flagged \Seen, to its Sent
// folder. When the account has no Sent folder it does nothing (nil error):
// some providers (QQ, 163) save submitted mail to Sent themselves.
func IMAPSentAppender(cfg IMAPConfig) func(ctx context.Context, msg []byte) error {
	return func(ctx context.Context, msg []byte) error {
		c, err := dialIMAP(ctx, cfg)
		if err != nil {
			return err
		}
		defer c.Close()
		stop := context.AfterFunc(ctx, func() { c.Close() })
		defer stop()
		if err := c.Login(cfg.User, cfg.Password).Wait(); err != nil {
			return fmt.Errorf("imap login as %s: %w", cfg.User, err)
		}
		caps, err := c.Capability().Wait()
		if err != nil {
			return fmt.Errorf("imap capability: %w", err)
		}
		if caps.Has(imap.CapID) {
			// NetEase (163/126) want an ID before most commands.
			c.ID(&imap.IDData{Name: "kjjr", Vendor: "kjjr"}).Wait()
		}
		mbox, err := findSent(c, cfg.Mailbox, caps.Has(imap.CapSpecialUse))
		if err != nil || mbox == "" {
			c.Logout().Wait()
			return err
		}
		ac := c.Append(mbox, int64(len(msg)), &imap.AppendOptions{Flags: []imap.Flag{imap.FlagSeen}, Time: time.Now()})
		if _, err := ac.Write(msg); err != nil {
			return fmt.Errorf("imap append to %s: %w", mbox, err)
		}
		if err := ac.Close(); err != nil {
			return fmt.Errorf("imap append to %s: %w", mbox, err)
		}
		if _, err := ac.Wait(); err != nil {
			return fmt.Errorf("imap append to %s: %w", mbox, err)
		}
		c.Logout().Wait()
		return nil
	}
}

func dialIMAP(ctx context.Context, cfg IMAPConfig) (*imapclient.Client, error) {
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("imap address %q: %v", cfg.Addr, err)
	}
	opts := &imapclient.Options{
		TLSConfig: &tls.Config{ServerName: host, InsecureSkipVerify: cfg.InsecureSkipVerify},
		Dialer:    &net.Dialer{Timeout: 30 * time.Second},
	}
	var c *imapclient.Client
	switch cfg.TLS {
	case "", "tls":
		c, err = imapclient.DialTLS(cfg.Addr, opts)
	case "starttls":
		c, err = imapclient.DialStartTLS(cfg.Addr, opts)
	case "none":
		if !isLoopback(cfg.Addr) {
			return nil, fmt.Errorf("plain IMAP refused to non-loopback %s", cfg.Addr)
		}
		c, err = imapclient.DialInsecure(cfg.Addr, opts)
	default:
		return nil, fmt.Errorf("imap TLS mode %q, want tls, starttls or none", cfg.TLS)
	}
	if err != nil {
		return nil, fmt.Errorf("imap connect %s: %w", cfg.Addr, err)
	}
	if err := c.WaitGreeting(); err != nil {
		c.Close()
		return nil, fmt.Errorf("imap greeting: %w", err)
	}
	return c, ctx.Err()
}

// findSent returns the Sent mailbox's name, or "" when there is none.
func findSent(c *imapclient.Client, want string, specialUse bool) (string, error) {
	var opts *imap.ListOptions
	if specialUse {
		opts = &imap.ListOptions{ReturnSpecialUse: true}
	}
	list, err := c.List("", "*", opts).Collect()
	if err != nil {
		return "", fmt.Errorf("imap list: %w", err)
	}
	if want != "" {
		for _, l := range list {
			if l.Mailbox == want {
				return want, nil
			}
		}
		return "", errors.New("imap: no mailbox " + want)
	}
	for _, l := range list {
		for _, a := range l.Attrs {
			if a == imap.MailboxAttrSent {
				return l.Mailbox, nil
			}
		}
	}
	for _, n := range sentNames {
		for _, l := range list {
			if strings.EqualFold(l.Mailbox, n) {
				return l.Mailbox, nil
			}
		}
	}
	return "", nil
}
