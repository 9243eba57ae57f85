package outbox

import (
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
	Key         string // identity of the original message (Message-ID + body sha256, or raw sha256): one receipt per Key, ever
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
	Accepted    bool
	Branch      string // review branch when accepted
	Files       []ReceiptFile
	Problems    []string // Chinese, each with where (融资明细!G7) and how to fix
}
