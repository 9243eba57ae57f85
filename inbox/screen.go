package inbox

import (
	"context"
	"fmt"
	"time"
)

// maxHeaderBytes is the most of a message's header block that the worker
// reads before deciding about the message. Real headers are a few KiB; a
// message whose header reaches this size is quarantined unread.
const maxHeaderBytes = 256 << 10

// ReasonHeaderTooLarge is the quarantine reason of a message whose header
// block reaches maxHeaderBytes.
const ReasonHeaderTooLarge = "header_too_large"

// preview is what the worker reads of a message before its body: the
// header block (BODY.PEEK[HEADER], at most maxHeaderBytes) and the size
// the server reports (RFC822.SIZE).
type preview struct {
	header     []byte
	size       int64
	receivedAt time.Time
}

// unknownSenderReason is the reason (Chinese, for staff) of a message
// from an address that no institution lists.
func unknownSenderReason(from string) string {
	if from == "" {
		from = "（无法识别）"
	}
	return fmt.Sprintf("发件人 %s 不在任何机构的报送邮箱名单（report_senders）中", from)
}

// tooLargeReason is the reason, and the advice in the receipt, for a
// message over max_message_mib.
func tooLargeReason(size, max int64) string {
	return fmt.Sprintf("邮件大小 %s 超过上限 %s：请分成几封邮件发送，或压缩图片、扫描件后重新发送", mib(size), mib(max))
}

// screen decides about a message from its header and size alone. When the
// body is needed (a registered sender, within max_message_mib) it returns
// fetch > 0, the most bytes the body may have, and the caller fetches it
// and calls handle. Otherwise the message is quarantined with its header,
// size and reason, and never its body: a stranger's message or one from
// an unreadable header gets no receipt; a registered sender's message
// over the limit gets one (none for an auto-reply).
func (e *engine) screen(ctx context.Context, pv preview) (h handled, fetch int64, err error) {
	snap, err := e.snapshotNow()
	if err != nil {
		return handled{}, 0, err
	}
	if pv.receivedAt.IsZero() {
		pv.receivedAt = e.now()
	}
	a := e.analyzer(snap)
	lim := a.limits()
	if e.routeByHeader(snap, pv, lim) {
		return handled{}, lim.MaxMessage, nil // an objection or an expert's workbook: read it whole (objection.go)
	}
	pl := a.previewPlan(pv, lim)
	if pl == nil {
		return handled{}, lim.MaxMessage, nil
	}
	if rec, err := readQuarantine(e.stateDir, pl.id.QuarantineID()); err == nil {
		if rec.Receipt && pl.out == outReject {
			e.queueReceipt(pl.receipt("")) // the outbox drops it when queued before
		}
		return handled{dest: destQuarantine, duplicate: true, qid: rec.ID, reasons: rec.Reasons}, 0, nil
	}
	h, err = e.apply(ctx, pl)
	return h, 0, err
}

// previewPlan is the plan of a message known by its header and size, or
// nil when its body is to be fetched.
func (a *analyzer) previewPlan(pv preview, lim Limits) *plan {
	hdr := pv.header[:headerEnd(pv.header)]
	p := walkMessage(hdr, lim)
	// Only the header fields count: the body was not read.
	p.Parts, p.Text, p.Incomplete, p.TooMany = nil, "", nil, false
	pl := &plan{
		p: p, raw: hdr, receivedAt: pv.receivedAt,
		id: identity{MessageID: p.MessageID, HeaderSHA256: sha256hex(hdr), Size: pv.size},
	}
	if len(pv.header) >= maxHeaderBytes {
		pl.out, pl.code = outQuarantine, ReasonHeaderTooLarge
		pl.reasons = []string{fmt.Sprintf("邮件头超过 %s（正常邮件只有几 KiB），没有读取；邮件大小 %s", mib(maxHeaderBytes), mib(pv.size))}
		return pl
	}
	if p.FromProblem != "" { // not exactly one valid mailbox: untrusted, no receipt
		pl.out, pl.code = outQuarantine, ReasonBadSender
		pl.reasons = []string{p.FromProblem}
		return pl
	}
	inst := a.snap.InstitutionByEmail(p.From)
	if inst == nil && pv.size <= lim.MaxMessage && applicationsRelevant(a.snap, pv.receivedAt, p.Subject) {
		return nil // perhaps an application to a selection round (apply.go): read it
	}
	if inst == nil {
		pl.out, pl.code = outQuarantine, ReasonUnknownSender
		pl.reasons = []string{unknownSenderReason(p.From)}
		return pl
	}
	if pv.size <= lim.MaxMessage {
		return nil
	}
	pl.inst = inst
	if why, ok := suppressReply(netHeader(p)); ok {
		pl.suppress = why
		pl.out, pl.code = outQuarantine, ReasonAutoReply
		pl.reasons = []string{"自动回复、退信或群发邮件（" + why + "），不作为报送处理；" + tooLargeReason(pv.size, lim.MaxMessage)}
		return pl
	}
	return pl.reject(tooLargeReason(pv.size, lim.MaxMessage))
}
