package outbox

import (
	"strings"
	"time"

	"kjjr/content"
)

// ReceiptFile is one attachment of the original message as the receipt lists it.
type ReceiptFile struct {
	Name   string // the file name as sent
	Size   int64  // bytes
	SHA256 string // hex
	Kept   bool   // kept as evidence
	Note   string // why not kept, or a remark (Chinese)
}

// Receipt (回执) is what the inbox tells a sender about one message.
type Receipt struct {
	// Key is the identity of the original message (Message-ID + body
	// sha256, or raw sha256): one receipt per Key, ever. A later mail about
	// the same message (a staff rejection after review) needs its own Key,
	// e.g. "reject:" + branch + tip.
	Key         string
	To          string // the sender
	Cc          []string
	InReplyTo   string // original Message-ID (with or without angle brackets)
	References  []string
	OrigSubject string
	ReceivedAt  time.Time
	Institution string // the institution's name
	Slug        string
	Kind        content.PeriodKind
	Period      content.Period // zero if unknown
	// Due is the period's deadline (content.Repo.Deadline); zero when the
	// period is unknown. The receipt states it and, for an accepted
	// report, whether it came 按时 or 逾期 (content.Due.State).
	Due      content.Due
	Accepted bool
	Branch   string // review branch when accepted
	Files    []ReceiptFile
	Problems []string // Chinese, each with where (融资明细!G7) and how to fix
}

// ReceiptRecipients returns whom a receipt to sender goes to: To the
// sender, Cc every other report_sender of the same institution (and no
// one else). ok is false when sender is not one of inst's report_senders:
// such a message gets no receipt (no backscatter).
func ReceiptRecipients(inst *content.Institution, sender string) (to string, cc []string, ok bool) {
	if inst == nil {
		return "", nil, false
	}
	s := strings.ToLower(strings.TrimSpace(sender))
	for _, r := range inst.ReportSenders {
		a := strings.TrimSpace(r.Email)
		switch {
		case a == "":
		case strings.ToLower(a) == s:
			to, ok = a, true
		default:
			cc = append(cc, a)
		}
	}
	if !ok {
		return "", nil, false
	}
	return to, cc, true
}
