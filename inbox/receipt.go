package inbox

import (
	"net/mail"
	"strings"
	"time"

	"kjjr/content"
)

// receiptFile mirrors outbox.ReceiptFile (CONTRACTS.md section 3).
type receiptFile struct {
	Name   string
	Size   int64
	SHA256 string
	Kept   bool
	Note   string
}

// receipt mirrors outbox.Receipt (CONTRACTS.md section 3); the worker
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
	Accepted    bool
	Branch      string
	Files       []receiptFile
	Problems    []string
}

// receiptQueue takes receipts durably and idempotently by Key (the outbox).
type receiptQueue interface {
	queue(r *receipt) error
}

// nopQueue drops receipts (no outbox configured).
type nopQueue struct{}

func (nopQueue) queue(*receipt) error { return nil }

// suppressReply reports whether a message must get no reply at all:
// auto-replies, bounces, bulk or list mail, an empty return path.
var suppressReply = func(h mail.Header) (string, bool) {
	if v := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); v != "" && v != "no" {
		return "Auto-Submitted: " + v, true
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Precedence"))) {
	case "bulk", "junk", "list", "auto_reply":
		return "Precedence: " + h.Get("Precedence"), true
	}
	if rp, ok := h["Return-Path"]; ok && len(rp) > 0 && strings.TrimSpace(strings.Trim(strings.TrimSpace(rp[0]), "<>")) == "" {
		return "empty Return-Path", true
	}
	if h.Get("X-Autoreply") != "" || h.Get("X-Autorespond") != "" || h.Get("List-Id") != "" {
		return "auto-reply or list header", true
	}
	ct := strings.ToLower(h.Get("Content-Type"))
	if strings.Contains(ct, "multipart/report") {
		return "delivery or read report", true
	}
	return "", false
}
