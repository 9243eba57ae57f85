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

// QuarantineRecord is <gitdir>/kjjr/quarantine/<id>/record.json: a message
// that did not become a commit, with why. Unknown senders, DKIM failures
// and auto-replies (Receipt false) and rejected messages of trusted
// senders (Reason "rejected", Receipt true). message.eml beside it is the
// raw message, byte for byte.
type QuarantineRecord struct {
	ID          string           `json:"id"`
	ReceivedAt  time.Time        `json:"received_at"`
	From        string           `json:"from"`
	Subject     string           `json:"subject"`
	MessageID   string           `json:"message_id,omitempty"`
	SHA256      string           `json:"sha256"`      // of the raw message
	BodySHA256  string           `json:"body_sha256"` // of the bytes after the header block
	Reason      string           `json:"reason"`      // unknown_sender, dkim_fail, auto_reply, empty, rejected
	Reasons     []string         `json:"reasons"`     // Simplified Chinese, for staff (and the receipt)
	Institution string           `json:"institution,omitempty"`
	Kind        string           `json:"kind,omitempty"`   // monthly, half_year, annual when known
	Period      string           `json:"period,omitempty"` // when known
	DKIM        string           `json:"dkim,omitempty"`
	Files       []QuarantineFile `json:"files,omitempty"`
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

// writeQuarantine stores the record and the raw message atomically: a
// temp dir renamed into place, so a crash leaves either nothing or both.
func writeQuarantine(stateDir string, rec *QuarantineRecord, raw []byte) error {
	qd := quarantineDir(stateDir)
	if err := os.MkdirAll(qd, 0o755); err != nil {
		return fmt.Errorf("create quarantine dir: %w", err)
	}
	final := filepath.Join(qd, rec.ID)
	if _, err := os.Stat(filepath.Join(final, "record.json")); err == nil {
		return nil // already there (a duplicate)
	}
	tmp, err := os.MkdirTemp(qd, ".tmp-"+rec.ID+"-")
	if err != nil {
		return fmt.Errorf("create quarantine record: %w", err)
	}
	defer os.RemoveAll(tmp)
	js, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return fmt.Errorf("encode quarantine record: %w", err)
	}
	if err := os.WriteFile(filepath.Join(tmp, "message.eml"), raw, 0o644); err != nil {
		return fmt.Errorf("write quarantined message: %w", err)
	}
	if err := os.WriteFile(filepath.Join(tmp, "record.json"), append(js, '\n'), 0o644); err != nil {
		return fmt.Errorf("write quarantine record: %w", err)
	}
	_ = os.RemoveAll(final) // a torn leftover without record.json
	if err := os.Rename(tmp, final); err != nil {
		return fmt.Errorf("store quarantine record: %w", err)
	}
	return nil
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
