package inbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"kjjr/content"
	"kjjr/sheet"
)

// destination of a handled message.
type destination int

const (
	destStay       destination = iota // leave in the watched mailbox (temporary failure)
	destProcessed                     // committed
	destQuarantine                    // quarantined or rejected
)

// engine is the mail-independent part of the worker: one raw message in,
// a commit or a quarantine record out.
type engine struct {
	store    *gitStore
	index    *ingestIndex
	stateDir string
	queue    receiptQueue
	log      *slog.Logger
	now      func() time.Time
	lookup   func(string) ([]string, error)
	parse    func([]byte, *sheet.Options) (*content.Report, error)
	looks    func([]byte) bool
	// beforeCAS is a test hook run between reading a ref and swapping it.
	beforeCAS func()

	mu   sync.Mutex
	snap *snapshot
	// qUsed is the quarantine's size on disk, -1 until counted.
	qUsed int64
}

func newEngine(repoDir string, opts *Options) (*engine, error) {
	opts = opts.withDefaults()
	st, err := openStore(repoDir)
	if err != nil {
		return nil, err
	}
	stateDir := filepath.Join(st.gitDir, "kjjr")
	ix, err := openIndex(stateDir, st, opts.logger())
	if err != nil {
		return nil, err
	}
	e := &engine{
		store: st, index: ix, stateDir: stateDir,
		queue: opts.queue, log: opts.logger(), now: opts.Now, lookup: opts.LookupTXT,
		parse: opts.parse, looks: opts.looks, beforeCAS: opts.beforeCAS, qUsed: -1,
	}
	if e.queue == nil {
		e.queue = nopQueue{}
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.parse == nil {
		e.parse = sheet.Parse
	}
	if e.looks == nil {
		e.looks = sheet.Looks
	}
	return e, nil
}

func (e *engine) close() error { return e.index.close() }

// snapshotNow returns main's snapshot, reloaded when main moved.
func (e *engine) snapshotNow() (*snapshot, error) {
	tip, err := e.store.mainTip()
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.snap != nil && e.snap.main == tip {
		return e.snap, nil
	}
	s, err := e.store.loadSnapshot()
	if err != nil {
		return nil, err
	}
	e.snap = s
	return s, nil
}

func (e *engine) analyzer(s *snapshot) *analyzer {
	return &analyzer{snap: s.repo, now: e.now(), lookup: e.lookup, parse: e.parse, looks: e.looks}
}

// quickID computes a message's identity from its header alone.
func quickID(raw []byte) identity {
	mid := ""
	if ent, err := message.Read(bytes.NewReader(raw)); ent != nil {
		h := mail.Header{Header: ent.Header}
		if id, err := h.MessageID(); err == nil {
			mid = id
		}
		_ = err
	}
	return identify(raw, mid)
}

// handled is what became of one message.
type handled struct {
	dest      destination
	duplicate bool
	branch    string
	commit    plumbing.Hash
	qid       string
	reasons   []string
	rejected  bool // a registered sender's submission, rejected with a receipt
}

// handle ingests one raw message. It is idempotent: a message handled
// before (even half-way, before a crash) is recognised by its identity
// and gets no second commit, record or receipt.
func (e *engine) handle(ctx context.Context, raw []byte, receivedAt time.Time) (handled, error) {
	snap, err := e.snapshotNow()
	if err != nil {
		return handled{}, err
	}
	if receivedAt.IsZero() {
		receivedAt = e.now()
	}
	if h, ok, err := e.route(snap, raw, receivedAt); ok {
		return h, err // an objection or an expert's workbook (objection.go)
	}
	id := quickID(raw)
	if ent, ok := e.index.lookup(id.Hash()); ok {
		// Committed before: make sure it is pushed and its receipt queued.
		if err := e.store.push(ctx, plumbing.NewBranchReferenceName(ent.Branch)); err != nil {
			return handled{}, err
		}
		pl := e.analyzer(snap).analyze(raw, receivedAt, nil)
		if pl.out == outAccept && pl.suppress == "" {
			e.queueReceipt(pl.receipt(ent.Branch))
		}
		return handled{dest: destProcessed, duplicate: true, branch: ent.Branch, commit: ent.Commit}, nil
	}
	if rec, err := readQuarantine(e.stateDir, id.QuarantineID()); err == nil {
		if rec.Receipt {
			pl := e.analyzer(snap).analyze(raw, receivedAt, nil)
			if pl.out == outReject {
				e.queueReceipt(pl.receipt(""))
			}
		}
		return handled{dest: destQuarantine, duplicate: true, qid: rec.ID, reasons: rec.Reasons}, nil
	}

	pl := e.analyzer(snap).analyze(raw, receivedAt, nil)
	return e.apply(ctx, pl)
}

// apply writes what analyze decided.
func (e *engine) apply(ctx context.Context, pl *plan) (handled, error) {
	switch pl.out {
	case outRetry:
		e.log.Warn("inbox: temporary failure, message left for later", "from", pl.p.From, "reason", pl.reasons)
		return handled{dest: destStay, reasons: pl.reasons}, nil
	case outAccept:
		if pl.app != nil {
			return e.commitApplication(ctx, pl)
		}
		// The commit must not be cut in half by a cancelled context.
		ctx = context.WithoutCancel(ctx)
		branch := pl.branch()
		ch, err := e.commitPlan(pl)
		if err != nil {
			return handled{}, err
		}
		if err := e.store.push(ctx, plumbing.NewBranchReferenceName(branch)); err != nil {
			return handled{}, err
		}
		if err := e.index.add(pl.id.Hash(), ch, branch); err != nil {
			return handled{}, fmt.Errorf("write index: %w", err)
		}
		if pl.suppress == "" {
			e.queueReceipt(pl.receipt(branch))
		}
		e.log.Info("inbox: committed", "branch", branch, "commit", ch.String()[:12], "from", pl.p.From)
		return handled{dest: destProcessed, branch: branch, commit: ch}, nil
	default:
		rec := recordOf(pl)
		if err := e.storeQuarantine(rec, pl.id, pl.raw, e.analyzer(e.snap).limits().MaxMessage); err != nil {
			return handled{}, err
		}
		if pl.out == outReject {
			e.queueReceipt(pl.receipt(""))
		}
		e.log.Info("inbox: quarantined", "id", rec.ID, "reason", rec.Reason, "from", pl.p.From)
		return handled{dest: destQuarantine, qid: rec.ID, reasons: pl.reasons, rejected: pl.out == outReject}, nil
	}
}

// queueReceipt hands a receipt to the outbox. A receipt that cannot be
// queued (an address the outbox refuses) is logged, not fatal: the commit
// or record is made and the message must still be filed away.
func (e *engine) queueReceipt(r *receipt) {
	if err := e.queue.queue(r); err != nil {
		e.log.Error("inbox: receipt not queued", "to", r.To, "err", err)
	}
}

func (e *engine) commitPlan(pl *plan) (plumbing.Hash, error) {
	from := e.snap.repo.Site.Inbox.ReceiptFrom
	if from == "" {
		from = "kjjr@localhost"
	}
	when := pl.p.Date
	if when.IsZero() {
		when = pl.receivedAt
	}
	now := e.now()
	s := &submission{
		Branch:    plumbing.NewBranchReferenceName(pl.branch()),
		Files:     pl.files,
		Author:    object.Signature{Name: pl.inst.Name, Email: pl.p.From, When: when},
		Committer: object.Signature{Name: "kjjr inbox", Email: from, When: now},
		Message:   pl.commitMessage(),
	}
	if s.Author.Email == "" {
		s.Author.Email = "unknown@invalid"
	}
	return e.store.commit(s, e.beforeCAS)
}

// Release ingests a quarantined message as if sent by the institution
// slug, after a person checked it (`kjjr review release`): the sender and
// DKIM checks are skipped, everything else applies. It returns the review
// branch. The record is marked released; the message stays in the
// quarantine mailbox. A message whose content is unusable is not
// released: the error lists the reasons (Simplified Chinese).
//
// The quarantine keeps only the header of a stranger's message: its body
// is then fetched from the quarantine mailbox of opts.IMAP (found by
// Message-ID and size, checked against the record's identity), within
// max_message_mib. Without opts.IMAP.Addr such a record is not released
// and the error (a *ReleaseError) says what to do.
func Release(ctx context.Context, repoDir, id, slug string, opts *Options) (string, error) {
	e, err := newEngine(repoDir, opts)
	if err != nil {
		return "", err
	}
	defer e.close()
	if _, err := e.openOutbox(opts.withDefaults()); err != nil {
		return "", err
	}
	rec, err := readQuarantine(e.stateDir, id)
	if err != nil {
		return "", fmt.Errorf("quarantine record %s: %w", id, err)
	}
	snap, err := e.snapshotNow()
	if err != nil {
		return "", err
	}
	inst := snap.repo.Institution(slug)
	if inst == nil {
		return "", fmt.Errorf("机构 %s 不存在（main 分支上没有 institutions/%s/index.md）", slug, slug)
	}
	if rec.Released != "" {
		return rec.Released, nil
	}
	a := e.analyzer(snap)
	raw, err := e.quarantinedMessage(ctx, rec, opts.withDefaults(), a.limits().MaxMessage)
	if err != nil {
		return "", err
	}
	pl := a.analyze(raw, rec.ReceivedAt, inst)
	pl.keySuffix = " released"
	if pl.out != outAccept {
		return "", &ReleaseError{Reasons: pl.reasons}
	}
	if ent, ok := e.index.lookup(pl.id.Hash()); ok {
		return ent.Branch, nil
	}
	h, err := e.apply(ctx, pl)
	if err != nil {
		return "", err
	}
	rec.Released, rec.ReleasedAt, rec.ReleasedAs = h.branch, e.now(), slug
	if err := updateQuarantine(e.stateDir, rec); err != nil {
		return h.branch, fmt.Errorf("mark %s released: %w", id, err)
	}
	return h.branch, nil
}

// ReleaseError lists why a quarantined message cannot be released.
type ReleaseError struct{ Reasons []string }

// Error lists the reasons, separated by "；".
func (e *ReleaseError) Error() string {
	s := "无法放行："
	for i, r := range e.Reasons {
		if i > 0 {
			s += "；"
		}
		s += r
	}
	return s
}

// quarantinedMessage returns the raw message of rec: message.eml when the
// quarantine keeps it, else the message in the IMAP quarantine mailbox
// whose identity is rec's.
func (e *engine) quarantinedMessage(ctx context.Context, rec *QuarantineRecord, opts *Options, max int64) ([]byte, error) {
	if rec.keptFile() == "message.eml" {
		raw, err := os.ReadFile(filepath.Join(quarantineDir(e.stateDir), rec.ID, "message.eml"))
		if err == nil {
			return raw, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("quarantined message %s: %w", rec.ID, err)
		}
	}
	if rec.Size > max {
		return nil, &ReleaseError{Reasons: []string{tooLargeReason(rec.Size, max) + "（邮件正文没有下载，不能放行）"}}
	}
	if opts.IMAP.Addr == "" {
		return nil, &ReleaseError{Reasons: []string{fmt.Sprintf("隔离区没有这封邮件的正文（未登记发件人的邮件只保存邮件头，或原邮件已按隔离区容量删除）。"+
			"请用 --imap-addr 等参数（或 KJJR_IMAP_ADDR）指定收件邮箱，从“%s”文件夹取回原邮件；"+
			"或者先在机构 index.md 的 report_senders 中登记该地址，再把邮件从“%s”移回收件箱，kjjr inbox 会重新处理", opts.IMAP.Quarantine, opts.IMAP.Quarantine)}}
	}
	if err := checkTLS(opts.IMAP.TLS, opts.IMAP.Addr); err != nil {
		return nil, fmt.Errorf("imap: %w", err)
	}
	w := &Worker{opts: opts, eng: e}
	s, err := w.dial(ctx)
	if err != nil {
		return nil, err
	}
	defer s.close()
	if _, err := s.c.Select(opts.IMAP.Quarantine, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		return nil, fmt.Errorf("imap: select %s: %w", opts.IMAP.Quarantine, err)
	}
	crit := &imap.SearchCriteria{}
	if rec.MessageID != "" {
		crit.Header = []imap.SearchCriteriaHeaderField{{Key: "Message-ID", Value: rec.MessageID}}
	}
	if rec.Size > 0 {
		crit.Larger, crit.Smaller = rec.Size-1, rec.Size+1
	}
	sd, err := s.c.UIDSearch(crit, nil).Wait()
	if err == nil && len(sd.AllUIDs()) == 0 && rec.MessageID != "" && rec.Size > 0 {
		// A server may count the size differently (line endings).
		crit.Larger, crit.Smaller = 0, 0
		sd, err = s.c.UIDSearch(crit, nil).Wait()
	}
	if err != nil {
		return nil, fmt.Errorf("imap: search %s: %w", opts.IMAP.Quarantine, err)
	}
	for _, uid := range sd.AllUIDs() {
		pv, ok, err := fetchPreview(s.c, uid)
		if err != nil {
			return nil, err
		}
		if !ok || pv.size > max {
			continue
		}
		hdr := pv.header[:headerEnd(pv.header)]
		hid := identity{HeaderSHA256: sha256hex(hdr), Size: pv.size}
		raw, _, ok, err := fetchBody(s.c, uid, max)
		if err != nil {
			return nil, err
		}
		if !ok || raw == nil {
			continue
		}
		if hid.QuarantineID() == rec.ID || identify(raw, walkMessage(hdr, Limits{}).MessageID).QuarantineID() == rec.ID {
			return raw, nil
		}
	}
	return nil, &ReleaseError{Reasons: []string{fmt.Sprintf("在邮箱“%s”文件夹中找不到这封邮件（%s）：它可能已被删除或移走；请把原邮件移回该文件夹后重试", opts.IMAP.Quarantine, rec.MessageID)}}
}
