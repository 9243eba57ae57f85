package outbox

import "kjjr/content"

// Server is where an outbox sends: the SMTP submission server and,
// optionally, the IMAP account whose Sent folder keeps a copy of each mail.
type Server struct {
	Addr     string // host:port of the SMTP submission server; "" queues only
	User     string // SMTP AUTH PLAIN user; "" for none
	Password string
	TLS      string // "tls" | "starttls" | "none" (loopback only)
	// Sent is the IMAP account for copies; they are kept only when both
	// Sent.Addr and Addr are set.
	Sent IMAPConfig
}

// DefaultFrom is the From address when site.yaml has no
// inbox.receipt_from.
const DefaultFrom = "kjjr@localhost"

// ConfigFor is the one place an outbox's configuration is made from a
// content repo: the server's settings; From (site.yaml
// inbox.receipt_from, else DefaultFrom), its display name (bureau), the
// address reports go to (inbox.address) and the contact printed in every
// mail (contact) from site; and Senders, the
// report_senders of the institution that institution returns for a slug
// (nil: none, so every recipient is refused). institution is called for
// each mail queued, so a caller whose register changes while it runs (the
// inbox worker) passes a lookup of its latest copy. Logger and Now are
// left for the caller.
func ConfigFor(site *content.Site, institution func(slug string) *content.Institution, srv Server) *Config {
	cfg := &Config{
		Addr: srv.Addr, User: srv.User, Password: srv.Password, TLS: srv.TLS,
		From: site.Inbox.ReceiptFrom, FromName: site.Bureau, Contact: site.Contact,
		Inbox: site.Inbox.Address,
		Senders: func(slug string) []string {
			inst := institution(slug)
			if inst == nil {
				return nil
			}
			out := make([]string, 0, len(inst.ReportSenders))
			for _, s := range inst.ReportSenders {
				out = append(out, s.Email)
			}
			return out
		},
	}
	if cfg.From == "" {
		cfg.From = DefaultFrom
	}
	if srv.Sent.Addr != "" && srv.Addr != "" {
		cfg.AppendSent = IMAPSentAppender(srv.Sent)
	}
	return cfg
}
