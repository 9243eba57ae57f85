package inbox

import (
	"path/filepath"

	"kjjr/content"
	"kjjr/outbox"
)

// outboxQueue hands receipts to package outbox.
type outboxQueue struct{ ob *outbox.Outbox }

func (q outboxQueue) queue(r *receipt) error {
	if r.App != nil {
		ar := &outbox.ApplicationReceipt{
			Key: r.Key, To: r.To, InReplyTo: r.InReplyTo, References: r.References, OrigSubject: r.OrigSubject,
			ReceivedAt: r.ReceivedAt, Applicant: r.Institution, Slug: r.Slug, Round: r.App.Round, Window: r.App.Window,
			Accepted: r.Accepted, Closed: r.App.Closed, Replaced: r.App.Replaced, Branch: r.Branch,
			Checks: r.App.Checks, Problems: r.Problems,
		}
		for _, f := range r.Files {
			ar.Files = append(ar.Files, outbox.ReceiptFile{Name: f.Name, Size: f.Size, SHA256: f.SHA256, Kept: f.Kept, Note: f.Note})
		}
		return q.ob.QueueApplicationReceipt(ar)
	}
	or := &outbox.Receipt{
		Key: r.Key, To: r.To, Cc: r.Cc, InReplyTo: r.InReplyTo, References: r.References,
		OrigSubject: r.OrigSubject, ReceivedAt: r.ReceivedAt, Institution: r.Institution, Slug: r.Slug,
		Kind: r.Kind, Period: r.Period, Due: r.Due, Accepted: r.Accepted, Branch: r.Branch, Problems: r.Problems,
	}
	for _, f := range r.Files {
		or.Files = append(or.Files, outbox.ReceiptFile{Name: f.Name, Size: f.Size, SHA256: f.SHA256, Kept: f.Kept, Note: f.Note})
	}
	return q.ob.QueueReceipt(or)
}

// openOutbox opens <gitdir>/kjjr/outbox (package outbox) for the engine's
// receipts, with the SMTP settings of the options and From, name and
// contact from main's site.yaml. Recipients are checked against the
// institution's report_senders on main as it is when each receipt is
// queued.
func (e *engine) openOutbox(opts *Options) (*outbox.Outbox, error) {
	snap, err := e.snapshotNow()
	if err != nil {
		return nil, err
	}
	latest := func(slug string) *content.Institution {
		s, err := e.snapshotNow()
		if err != nil {
			return nil
		}
		return s.repo.Institution(slug)
	}
	cfg := outbox.ConfigFor(&snap.repo.Site, latest, outbox.Server{
		Addr: opts.SMTP.Addr, User: opts.SMTP.User, Password: opts.SMTP.Password, TLS: opts.SMTP.TLS,
		Sent: outbox.IMAPConfig{
			Addr: opts.IMAP.Addr, User: opts.IMAP.User, Password: opts.IMAP.Password, TLS: opts.IMAP.TLS,
			InsecureSkipVerify: opts.IMAP.TLSConfig != nil && opts.IMAP.TLSConfig.InsecureSkipVerify,
		},
	})
	cfg.Logger, cfg.Now = opts.logger(), opts.Now
	ob, err := outbox.Open(filepath.Join(e.stateDir, "outbox"), cfg)
	if err != nil {
		return nil, err
	}
	if opts.queue == nil {
		e.queue = outboxQueue{ob}
	}
	return ob, nil
}

// openOutbox wires the outbox into the worker.
func (w *Worker) openOutbox() error {
	ob, err := w.eng.openOutbox(w.opts)
	if err != nil {
		return err
	}
	w.ob = ob
	return nil
}
