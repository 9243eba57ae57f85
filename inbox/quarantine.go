package inbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"kjjr/internal/atomicfile"
)

// ReasonBadSender is the quarantine reason of a message that does not have
// exactly one From field holding exactly one valid mailbox: who sent it
// cannot be known, so it is untrusted and gets no receipt.
const ReasonBadSender = "bad_sender"

// QuarantineRecord is <gitdir>/kjjr/quarantine/<id>/record.json: a message
// that did not become a commit, with why. Unknown senders, DKIM failures
// and auto-replies (Receipt false) and rejected messages of trusted
// senders (Reason "rejected", Receipt true).
//
// Beside it, Stored says what is kept of the message: "message" is
// message.eml, the raw message byte for byte, kept only for a registered
// sender's message within max_message_mib; "header" is header.eml, its
// header block alone (a stranger's message, one over the limit, or one
// whose header cannot be read: the body was never fetched); "" is
// nothing (the message expired, see Expired). Records written before
// Stored existed hold message.eml.
type QuarantineRecord struct {
	ID          string           `json:"id"`
	ReceivedAt  time.Time        `json:"received_at"`
	From        string           `json:"from"`
	Subject     string           `json:"subject"`
	MessageID   string           `json:"message_id,omitempty"`
	SHA256      string           `json:"sha256"`      // of the raw message
	BodySHA256  string           `json:"body_sha256"` // of the bytes after the header block
	Reason      string           `json:"reason"`      // unknown_sender, bad_sender, dkim_fail, auto_reply, empty, rejected
	Reasons     []string         `json:"reasons"`     // Simplified Chinese, for staff (and the receipt)
	Institution string           `json:"institution,omitempty"`
	Kind        string           `json:"kind,omitempty"`   // monthly, half_year, annual when known
	Period      string           `json:"period,omitempty"` // when known
	DKIM        string           `json:"dkim,omitempty"`
	Files       []QuarantineFile `json:"files,omitempty"`
	// Size is the message's size in bytes (the server's RFC822.SIZE when
	// the body was not fetched).
	Size int64 `json:"size"`
	// Stored is what is kept beside the record: "message", "header" or "".
	Stored string `json:"stored"`
	// Expired is when the stored message was removed to keep the
	// quarantine within site.yaml inbox.quarantine_budget_mib.
	Expired time.Time `json:"expired,omitempty"`
	// Receipt tells whether the sender was sent a receipt (rejections of
	// trusted senders only).
	Receipt bool `json:"receipt"`
	// Released is set by Release: the branch the message was committed to.
	Released   string    `json:"released,omitempty"`
	ReleasedAt time.Time `json:"released_at,omitempty"`
	ReleasedAs string    `json:"released_as,omitempty"` // institution slug
}

// QuarantineFile is one attachment of a quarantined message.
type QuarantineFile struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256,omitempty"`
}

func quarantineDir(stateDir string) string { return filepath.Join(stateDir, "quarantine") }

// recordOf builds the quarantine record of a plan.
func recordOf(pl *plan) *QuarantineRecord {
	r := &QuarantineRecord{
		ID:         pl.id.QuarantineID(),
		ReceivedAt: pl.receivedAt,
		From:       pl.p.From,
		Subject:    pl.p.Subject,
		MessageID:  bracket(pl.p.MessageID),
		SHA256:     pl.id.RawSHA256,
		BodySHA256: pl.id.BodySHA256,
		Reason:     pl.code,
		Reasons:    pl.reasons,
		DKIM:       pl.dkim.String(),
		Receipt:    pl.out == outReject,
	}
	if r.From == "" {
		r.From = pl.p.FromRaw // a From that names no single mailbox, as sent (cleaned)
	}
	if pl.dkim.Status == "" {
		r.DKIM = ""
	}
	if pl.inst != nil && pl.code != ReasonUnknownSender {
		r.Institution = pl.inst.Slug
	}
	if pl.kind != 0 {
		r.Kind = pl.kind.String()
	}
	if !pl.period.IsZero() {
		r.Period = pl.period.String()
	}
	for _, pt := range pl.p.Parts {
		r.Files = append(r.Files, QuarantineFile{Name: pt.Name, Size: pt.Size, SHA256: pt.SHA256})
	}
	return r
}

// What a quarantine record keeps of its message (QuarantineRecord.Stored).
const (
	storedMessage = "message"
	storedHeader  = "header"
)

// storedFile is the file name of what a record keeps, "" for nothing.
func storedFile(stored string) string {
	switch stored {
	case storedMessage:
		return "message.eml"
	case storedHeader:
		return "header.eml"
	}
	return ""
}

// keepsBody tells whether the raw message of a record may be stored: only
// for a registered sender (the record names an institution) and within
// max bytes. A stranger's message is never stored whole, whatever its size.
func keepsBody(rec *QuarantineRecord, id identity, raw []byte, max int64) bool {
	return id.HeaderSHA256 == "" && rec.Institution != "" && int64(len(raw)) <= max
}

// writeQuarantine stores the record and what it keeps of raw (the whole
// message when rec.Stored is "message", else its header block, at most
// maxHeaderBytes) atomically: a temp dir renamed into place, so a crash
// leaves either nothing or both. It returns the bytes written.
func writeQuarantine(stateDir string, rec *QuarantineRecord, raw []byte) (int64, error) {
	qd := quarantineDir(stateDir)
	if err := os.MkdirAll(qd, 0o755); err != nil {
		return 0, fmt.Errorf("create quarantine dir: %w", err)
	}
	final := filepath.Join(qd, rec.ID)
	if _, err := os.Stat(filepath.Join(final, "record.json")); err == nil {
		return 0, nil // already there (a duplicate)
	}
	keep := raw
	if rec.Stored != storedMessage {
		rec.Stored = storedHeader
		keep = raw[:headerEnd(raw)]
		if len(keep) > maxHeaderBytes {
			keep = keep[:maxHeaderBytes]
		}
	}
	tmp, err := os.MkdirTemp(qd, ".tmp-"+rec.ID+"-")
	if err != nil {
		return 0, fmt.Errorf("create quarantine record: %w", err)
	}
	defer os.RemoveAll(tmp)
	js, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return 0, fmt.Errorf("encode quarantine record: %w", err)
	}
	js = append(js, '\n')
	if err := os.WriteFile(filepath.Join(tmp, storedFile(rec.Stored)), keep, 0o644); err != nil {
		return 0, fmt.Errorf("write quarantined message: %w", err)
	}
	if err := os.WriteFile(filepath.Join(tmp, "record.json"), js, 0o644); err != nil {
		return 0, fmt.Errorf("write quarantine record: %w", err)
	}
	_ = os.RemoveAll(final) // a torn leftover without record.json
	if err := os.Rename(tmp, final); err != nil {
		return 0, fmt.Errorf("store quarantine record: %w", err)
	}
	return int64(len(keep) + len(js)), nil
}

// readQuarantine reads one record, or an error wrapping os.ErrNotExist.
func readQuarantine(stateDir, id string) (*QuarantineRecord, error) {
	if id == "" || filepath.Base(id) != id || id[0] == '.' {
		return nil, fmt.Errorf("quarantine id %q: %w", id, os.ErrNotExist)
	}
	data, err := os.ReadFile(filepath.Join(quarantineDir(stateDir), id, "record.json"))
	if err != nil {
		return nil, err
	}
	var r QuarantineRecord
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("quarantine record %s: %w", id, err)
	}
	return &r, nil
}

// updateQuarantine rewrites a record atomically.
func updateQuarantine(stateDir string, rec *QuarantineRecord) error {
	js, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(quarantineDir(stateDir), rec.ID, "record.json"), append(js, '\n'), 0o644)
}

// ListQuarantine returns every quarantine record of the repo whose git dir
// is gitDir (".git" of a non-bare repo, or the bare repo), oldest first.
// A missing quarantine is an empty list.
func ListQuarantine(gitDir string) ([]QuarantineRecord, error) {
	stateDir := filepath.Join(gitDir, "kjjr")
	ents, err := os.ReadDir(quarantineDir(stateDir))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list quarantine: %w", err)
	}
	var out []QuarantineRecord
	for _, e := range ents {
		if !e.IsDir() || e.Name()[0] == '.' {
			continue
		}
		r, err := readQuarantine(stateDir, e.Name())
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].ReceivedAt.Equal(out[j].ReceivedAt) {
			return out[i].ReceivedAt.Before(out[j].ReceivedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}
