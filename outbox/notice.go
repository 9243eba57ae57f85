package outbox

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Notice is a mail to the bureau's own staff (an operations alert from
// kjjr health --notify, and its recovery notice). It never goes to an
// institution: QueueNotice does not consult Config.Senders, so the caller
// must take the addresses from staff settings (site.yaml ops.alert_to)
// and refuse any that belongs to an institution (the health package does).
type Notice struct {
	// Key makes the notice idempotent: queueing a Key again is a no-op, so
	// a caller that puts the day into the Key sends at most once a day.
	Key     string
	To      []string
	Subject string
	Body    string // plain text, lines separated by \n
}

// QueueNotice records the staff notice n durably, once per n.Key. No
// network I/O. Its entry has Kind "notice" and no Slug.
func (o *Outbox) QueueNotice(n *Notice) error {
	if n == nil || strings.TrimSpace(n.Key) == "" {
		return errors.New("outbox: notice without a Key")
	}
	to, err := staffRecipients(n.To)
	if err != nil {
		return err
	}
	key := "notice:" + n.Key
	return o.queue(key, "notice", "", time.Time{}, func() (string, string, error) {
		h, err := o.header(n.Subject, key, "notice", to, nil, "auto-generated")
		if err != nil {
			return "", "", err
		}
		var t text
		for _, l := range strings.Split(strings.TrimRight(n.Body, "\n"), "\n") {
			if l == "" {
				t.blank()
				continue
			}
			t.line(l)
		}
		msg, err := render(h, t.String())
		return n.Subject, msg, err
	}, to)
}

// staffRecipients validates and de-duplicates to (case-insensitively)
// without the institution check of Outbox.recipients.
func staffRecipients(to []string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, s := range to {
		a, err := parseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("outbox: To: %w", err)
		}
		if k := strings.ToLower(a); !seen[k] {
			seen[k] = true
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("outbox: no recipient")
	}
	return out, nil
}
