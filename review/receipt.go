package review

import (
	"fmt"
	"path/filepath"

	"kjjr/content"
	"kjjr/outbox"
)

// RejectReceipt is what QueueRejectReceipt did with the receipt of a rejection.
type RejectReceipt struct {
	Queued bool           // the receipt is in the outbox
	To     string         // its recipient (the sender, when registered)
	Sender string         // the rejected submission's sender
	Outbox *outbox.Outbox // the outbox it was queued in (nil when not queued)
	Config *outbox.Config // the outbox's configuration (with srv)
}

// QueueRejectReceipt queues the receipt of a rejection (回执) in the
// outbox at <gitdir>/kjjr/outbox, to the sender and the institution's other
// report_senders only; a sender who is not registered for the institution
// gets nothing (Queued false, nil error: staff must tell the institution
// another way). Queueing the same rejection twice queues one receipt.
// Sending is the caller's (Outbox.Flush) or a running kjjr inbox's.
func (r *Repo) QueueRejectReceipt(rej *Rejection, srv outbox.Server) (*RejectReceipt, error) {
	out := &RejectReceipt{Sender: rej.Sender}
	inst, err := r.Institution(rej.Institution)
	if err != nil {
		return out, err
	}
	to, cc, ok := outbox.ReceiptRecipients(inst, rej.Sender)
	if !ok {
		return out, nil
	}
	out.To = to
	site, _ := r.LoadSite()
	cfg := outbox.ConfigFor(site, func(slug string) *content.Institution {
		if slug == inst.Slug {
			return inst
		}
		return nil
	}, srv)
	out.Config = cfg
	ob, err := outbox.Open(filepath.Join(r.StateDir(), "outbox"), cfg)
	if err != nil {
		return out, fmt.Errorf("review: open outbox: %w", err)
	}
	p, _ := content.ParsePeriod(rej.Period)
	rc := &outbox.Receipt{
		Key: "reject:" + rej.Branch + ":" + rej.Tip, To: to, Cc: cc, InReplyTo: rej.MessageID,
		OrigSubject: p.Kind.Chinese() + " " + rej.Period + " " + rej.Name, ReceivedAt: rej.ReceivedAt,
		Institution: rej.Name, Slug: rej.Institution, Kind: p.Kind, Period: p, Accepted: false,
		Problems: []string{"经审核未予通过：" + rej.Reason + "。请按上述意见修改后重新发送。"},
	}
	if rej.MessageID != "" {
		rc.References = []string{rej.MessageID}
	}
	if err := ob.QueueReceipt(rc); err != nil {
		return out, fmt.Errorf("review: queue receipt: %w", err)
	}
	out.Queued, out.Outbox = true, ob
	return out, nil
}
