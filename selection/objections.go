package selection

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing/object"

	"kjjr/content"
	"kjjr/internal/safetext"
)

// LateDays is how many days after a 公示 ends mail to its objection
// address is still taken as a (late) objection to it. Later mail to that
// address is no objection: the inbox handles it as any other mail.
const LateDays = 30

// MaxObjectionText bounds the text of an objection kept (runes).
const MaxObjectionText = 20000

// Objection is one mail to a 公示's objection address, kept on the round's
// private ref as objections/<id>.json. It is never published.
type Objection struct {
	ID          string           `json:"id"` // first 16 hex digits of SourceSHA256
	Round       string           `json:"round"`
	Publicity   string           `json:"publicity"`
	From        string           `json:"from"` // the sender's address
	FromName    string           `json:"from_name,omitempty"`
	Subject     string           `json:"subject"`
	Text        string           `json:"text"`
	Attachments []AttachmentInfo `json:"attachments,omitempty"`
	MessageID   string           `json:"message_id,omitempty"`
	ReceivedAt  time.Time        `json:"received_at"`
	// Late is set for mail after the 公示 ended: recorded, not admissible.
	Late         bool   `json:"late"`
	SourceSHA256 string `json:"source_sha256"`
}

// AttachmentInfo is an attachment of an objection, by name (the file
// itself stays in the mailbox's 已处理 folder with the mail).
type AttachmentInfo struct {
	Name string `json:"name"`
	Size int64  `json:"size"`
}

// Window is the 公示 a mail to an objection address belongs to.
type Window struct {
	Publicity *content.Publicity
	Late      bool // received after the 公示's last day
}

// ObjectionWindow returns the 公示 that mail received at to one of rcpt
// objects to: the latest 公示 whose objection_contact.email is among rcpt
// and which has started by the day of at, as long as that day is at most
// LateDays after its end. ok is false when the mail is no objection. Mail
// that is also addressed to the inbox's report address (site.yaml
// inbox.address) is a report, never an objection, and so is mail to an
// objection address that is the report address itself.
func ObjectionWindow(repo *content.Repo, rcpt []string, at time.Time) (w Window, ok bool) {
	day := content.DateOf(at)
	want := map[string]bool{}
	for _, a := range rcpt {
		a = strings.ToLower(strings.TrimSpace(a))
		if a != "" && strings.EqualFold(a, strings.TrimSpace(repo.Site.Inbox.Address)) {
			return Window{}, false // also sent to the report address: a report, not an objection
		}
		want[a] = true
	}
	for _, p := range repo.Publicities {
		addr := strings.ToLower(strings.TrimSpace(p.ObjectionContact.Email))
		if addr == "" || !want[addr] || strings.EqualFold(addr, repo.Site.Inbox.Address) || p.Start.IsZero() || p.End.IsZero() {
			continue
		}
		if day.Before(p.Start) || day.After(p.End.AddDays(LateDays)) {
			continue
		}
		if w.Publicity == nil || p.Start.After(w.Publicity.Start) {
			w = Window{Publicity: p, Late: day.After(p.End)}
		}
	}
	return w, w.Publicity != nil
}

// RecordObjection keeps o on the private ref of o.Round, committed by the
// inbox (committer) at now. Its text is cleaned again here (safetext,
// bounded), whoever made it. A second delivery of the same mail (the same
// ID) is not recorded twice: dup is true and nothing is written.
func (r *Repo) RecordObjection(o *Objection, committer object.Signature, now time.Time) (dup bool, err error) {
	if err := checkRound(o.Round); err != nil {
		return false, err
	}
	if len(o.ID) != 16 || strings.Trim(o.ID, "0123456789abcdef") != "" {
		return false, errors.New("selection: objection without a valid id")
	}
	o.Subject = safetext.Line(o.Subject, 200)
	o.FromName = safetext.Line(o.FromName, 100)
	o.From = safetext.Line(o.From, 254)
	o.MessageID = safetext.Line(o.MessageID, 300)
	o.Text = safetext.Block(o.Text, MaxObjectionText)
	for i := range o.Attachments {
		o.Attachments[i].Name = safetext.Line(o.Attachments[i].Name, 200)
	}
	p := "objections/" + o.ID + ".json"
	if _, t, err := r.privateTree(o.Round); err != nil {
		return false, err
	} else if t != nil {
		if _, err := t.File(p); err == nil {
			return true, nil
		}
	}
	js, err := json.MarshalIndent(o, "", "  ")
	if err != nil {
		return false, fmt.Errorf("selection: encode objection: %w", err)
	}
	kind := "异议"
	if o.Late {
		kind = "逾期异议"
	}
	_, err = r.addPrivate(o.Round, map[string][]byte{p: append(js, '\n')}, signature(committer, now),
		fmt.Sprintf("%s：%s\n\nKjjr-Round: %s\n", kind, o.ID, o.Round))
	return false, err
}

// Objections returns the objections kept for round, oldest first.
func (r *Repo) Objections(round string) ([]*Objection, error) {
	if err := checkRound(round); err != nil {
		return nil, err
	}
	files, err := r.privateFiles(round, "objections")
	if err != nil {
		return nil, err
	}
	var out []*Objection
	for p, data := range files {
		var o Objection
		if err := json.Unmarshal(data, &o); err != nil {
			return nil, fmt.Errorf("selection: %s on %s: %w", p, PrivateRef(round), err)
		}
		out = append(out, &o)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].ReceivedAt.Equal(out[j].ReceivedAt) {
			return out[i].ReceivedAt.Before(out[j].ReceivedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// ObjectionRule is the 公示 rule every objection receipt states: as the
// sample 公示 says, objections are made in writing, under one's real name,
// with evidence.
const ObjectionRule = objectionRule
