package inbox

import (
	"crypto/sha256"
	"encoding/hex"
	"net/mail"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing/object"

	"kjjr/outbox"
	"kjjr/selection"
)

// Objections (第三条第5项). Mail addressed (To, Cc, Delivered-To or
// X-Original-To) to the objection address of a 公示 (its
// objection_contact.email) from the 公示's first day to LateDays after its
// last is an objection, whoever sent it (package selection decides which
// 公示, selection.ObjectionWindow): it is recorded privately on the
// round's private ref (selection.Repo.RecordObjection: sender, subject,
// cleaned text, attachments by name; late when after the last day), never
// committed to a branch, never published, and acknowledged with a receipt
// stating the 公示 rule (outbox.ObjectionReceipt), or saying the window
// closed. The message then goes to the 已处理 folder, where its
// attachments stay. An objection with a From that is not one valid
// mailbox, or larger than max_message_mib, is handled as any other mail.

// objectionRecipients returns the addresses a message was sent to.
func objectionRecipients(p *parsed) []string {
	h := netHeader(p)
	var out []string
	for _, k := range []string{"To", "Cc", "Delivered-To", "X-Original-To"} {
		for _, v := range h[k] {
			l, err := mail.ParseAddressList(v)
			if err != nil {
				if a, err := mail.ParseAddress(v); err == nil {
					out = append(out, a.Address)
				}
				continue
			}
			for _, a := range l {
				out = append(out, a.Address)
			}
		}
	}
	return out
}

// objectionByHeader reports whether a message known by its header and
// size is an objection whose body is to be fetched.
func (e *engine) objectionByHeader(s *snapshot, pv preview, lim Limits) bool {
	if len(s.repo.Publicities) == 0 || pv.size > lim.MaxMessage || len(pv.header) >= maxHeaderBytes {
		return false
	}
	p := walkMessage(pv.header[:headerEnd(pv.header)], lim)
	if p.FromProblem != "" {
		return false
	}
	_, ok := selection.ObjectionWindow(s.repo, objectionRecipients(p), pv.receivedAt)
	return ok
}

// routeQueue is a receipt queue that also takes objection receipts and
// replies to experts (the outbox).
type routeQueue interface {
	queueObjection(r *outbox.ObjectionReceipt) error
	queueNotice(n *outbox.Notice) error
}

func (q outboxQueue) queueObjection(r *outbox.ObjectionReceipt) error {
	return q.ob.QueueObjectionReceipt(r)
}

func (q outboxQueue) queueNotice(n *outbox.Notice) error { return q.ob.QueueNotice(n) }

// routeByHeader reports whether a message known by its header and size is
// one of the round's mails (an objection or an expert's workbook) whose
// body is to be fetched.
func (e *engine) routeByHeader(s *snapshot, pv preview, lim Limits) bool {
	return e.objectionByHeader(s, pv, lim) || e.expertByHeader(pv, lim)
}

// route handles raw when it is one of the round's mails; ok is false when
// it is not (the caller goes on as for any mail).
func (e *engine) route(s *snapshot, raw []byte, receivedAt time.Time) (h handled, ok bool, err error) {
	if h, ok, err := e.handleObjection(s, raw, receivedAt); ok {
		return h, ok, err
	}
	return e.handleExpertWorkbook(s, raw, receivedAt)
}

// handleObjection records raw as an objection when it is one; ok is false
// when it is not (the caller goes on as for any mail).
func (e *engine) handleObjection(s *snapshot, raw []byte, receivedAt time.Time) (h handled, ok bool, err error) {
	if len(s.repo.Publicities) == 0 {
		return handled{}, false, nil
	}
	lim := e.analyzer(s).limits()
	if int64(len(raw)) > lim.MaxMessage {
		return handled{}, false, nil
	}
	// The header decides (cheap); only an objection is walked whole.
	if hp := walkMessage(raw[:headerEnd(raw)], lim); hp.FromProblem != "" || hp.From == "" {
		return handled{}, false, nil
	} else if _, ok := selection.ObjectionWindow(s.repo, objectionRecipients(hp), receivedAt); !ok {
		return handled{}, false, nil
	}
	p := walkMessage(raw, lim)
	w, ok := selection.ObjectionWindow(s.repo, objectionRecipients(p), receivedAt)
	if !ok || p.FromProblem != "" || p.From == "" {
		return handled{}, false, nil
	}
	id := identify(raw, p.MessageID)
	sum := sha256.Sum256([]byte(id.Key()))
	o := &selection.Objection{
		ID: hex.EncodeToString(sum[:8]), Round: w.Publicity.Round, Publicity: w.Publicity.Slug,
		From: p.From, FromName: p.FromName, Subject: p.Subject, Text: p.Text, MessageID: p.MessageID,
		ReceivedAt: receivedAt.UTC(), Late: w.Late, SourceSHA256: id.RawSHA256,
	}
	var names []string
	for _, pt := range p.Parts {
		if pt.Inline && strings.HasPrefix(pt.MediaType, "text/") {
			continue
		}
		o.Attachments = append(o.Attachments, selection.AttachmentInfo{Name: pt.Name, Size: pt.Size})
		names = append(names, pt.Name)
	}
	sr, err := selection.Open(e.store.gitDir)
	if err != nil {
		return handled{}, true, err
	}
	defer sr.Close()
	from := s.repo.Site.Inbox.ReceiptFrom
	if from == "" {
		from = "kjjr@localhost"
	}
	dup, err := sr.RecordObjection(o, object.Signature{Name: "kjjr inbox", Email: from}, e.now())
	if err != nil {
		return handled{}, true, err
	}
	if why, suppress := suppressReply(netHeader(p)); !suppress {
		if q, ok := e.queue.(routeQueue); ok {
			r := &outbox.ObjectionReceipt{
				Key: id.Key(), To: p.From, InReplyTo: p.MessageID, OrigSubject: p.Subject, ReceivedAt: receivedAt,
				Title: w.Publicity.Title, Start: w.Publicity.Start.Chinese(), End: w.Publicity.End.Chinese(),
				Late: w.Late, Attachments: names, Rule: selection.ObjectionRule,
			}
			if err := q.queueObjection(r); err != nil {
				e.log.Error("inbox: objection receipt not queued", "to", p.From, "err", err)
			}
		}
	} else {
		e.log.Info("inbox: objection without receipt", "why", why)
	}
	e.log.Info("inbox: objection recorded", "round", o.Round, "id", o.ID, "late", o.Late, "duplicate", dup)
	return handled{dest: destProcessed, duplicate: dup}, true, nil
}
