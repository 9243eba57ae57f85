package inbox

import (
	"time"

	"kjjr/content"
	"kjjr/outbox"
)

// receiptFile mirrors outbox.ReceiptFile, field for field.
type receiptFile struct {
	Name   string
	Size   int64
	SHA256 string
	Kept   bool
	Note   string
}

// receipt mirrors outbox.Receipt, field for field; the worker
// fills it and hands it to a receiptQueue.
type receipt struct {
	Key         string
	To          string
	Cc          []string
	InReplyTo   string
	References  []string
	OrigSubject string
	ReceivedAt  time.Time
	Institution string
	Slug        string
	Kind        content.PeriodKind
	Period      content.Period
	Due         content.Due
	Accepted    bool
	Branch      string
	Files       []receiptFile
	Problems    []string
	// App is set for the receipt of an application (outbox.ApplicationReceipt).
	App *appReceipt
}

// appReceipt is what an application's receipt adds.
type appReceipt struct {
	Round    string
	Window   content.Window
	Closed   bool
	Replaced bool
	Checks   []string
}

// receiptQueue takes receipts durably and idempotently by Key (the outbox).
type receiptQueue interface {
	queue(r *receipt) error
}

// nopQueue drops receipts (no outbox configured).
type nopQueue struct{}

func (nopQueue) queue(*receipt) error { return nil }

// suppressReply reports whether a message must get no reply at all
// (outbox.SuppressReply: auto-replies, bounces, bulk or list mail, an empty
// return path).
var suppressReply = outbox.SuppressReply
