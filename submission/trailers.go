package submission

import (
	"strings"
	"unicode"
)

// Trailer keys of the contract.
const (
	KeyInstitution = "Kjjr-Institution"
	KeyPeriod      = "Kjjr-Period"
	KeyKind        = "Kjjr-Kind"
	KeyMessageID   = "Message-Id"
	KeySourceSHA   = "Source-Sha256"
	KeyBodySHA     = "Body-Sha256"
	KeyDKIM        = "DKIM"
	KeyApprovedBy  = "Approved-By"
)

// Trailer is one "Key: value" line of a trailer block.
type Trailer struct {
	Key, Value string
}

// FormatTrailers returns the trailer block of ts, one "Key: value\n" line
// each, in order. Line breaks and other control characters in a value
// become spaces and the value is trimmed, so that the block parses back
// with ParseTrailers. A trailer with an invalid key or an empty value is
// left out, and so is a second trailer with the same key.
func FormatTrailers(ts ...Trailer) string {
	var b strings.Builder
	seen := map[string]bool{}
	for _, t := range ts {
		v := oneLine(t.Value)
		if !validKey(t.Key) || v == "" || seen[t.Key] {
			continue
		}
		seen[t.Key] = true
		b.WriteString(t.Key)
		b.WriteString(": ")
		b.WriteString(v)
		b.WriteByte('\n')
	}
	return b.String()
}

func oneLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == '\u0085' {
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

func validKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' && i > 0) {
			return false
		}
	}
	return true
}

// ParseTrailers returns the trailers of a commit message, by key, with
// values trimmed. The rule is strict: the trailers are the last paragraph
// of the message, after at least one other paragraph, and only when every
// line of it is "Key: value" with a valid key (ASCII letters, digits,
// hyphens) appearing once. Anything else means no trailers: the result is
// empty, never partial.
func ParseTrailers(msg string) map[string]string {
	out := map[string]string{}
	lines := strings.Split(strings.ReplaceAll(msg, "\r\n", "\n"), "\n")
	end := len(lines)
	for end > 0 && strings.TrimSpace(lines[end-1]) == "" {
		end--
	}
	start := end
	for start > 0 && strings.TrimSpace(lines[start-1]) != "" {
		start--
	}
	if start == end || start == 0 {
		return out // no block, or the whole message is one paragraph
	}
	for _, line := range lines[start:end] {
		k, v, ok := strings.Cut(line, ": ")
		if !ok || !validKey(k) {
			return map[string]string{}
		}
		if _, dup := out[k]; dup {
			return map[string]string{}
		}
		out[k] = strings.TrimSpace(v)
	}
	return out
}

// Meta is what an inbox commit says about itself in its trailers.
type Meta struct {
	Branch       Branch
	MessageID    string // without angle brackets; may be empty
	SourceSHA256 string // of the raw message
	BodySHA256   string
	DKIM         string
}

// Trailers returns the trailer block of an inbox commit.
func (m *Meta) Trailers() string {
	ts := []Trailer{
		{KeyInstitution, m.Branch.Slug},
		{KeyPeriod, m.Branch.Period.String()},
		{KeyKind, m.Branch.Period.Kind.String()},
	}
	if id := strings.Trim(oneLine(m.MessageID), "<>"); id != "" {
		ts = append(ts, Trailer{KeyMessageID, "<" + id + ">"})
	}
	ts = append(ts, Trailer{KeySourceSHA, m.SourceSHA256}, Trailer{KeyBodySHA, m.BodySHA256}, Trailer{KeyDKIM, m.DKIM})
	return FormatTrailers(ts...)
}

// ParseMeta reads the trailers of an inbox commit. ok is false when the
// message has no valid Kjjr-Institution and Kjjr-Period or no
// Source-Sha256: the commit is not the inbox's.
func ParseMeta(msg string) (m Meta, ok bool) {
	t := ParseTrailers(msg)
	b, ok := BranchOf(t)
	if !ok || t[KeySourceSHA] == "" {
		return Meta{}, false
	}
	return Meta{Branch: b, MessageID: strings.Trim(t[KeyMessageID], "<>"), SourceSHA256: t[KeySourceSHA], BodySHA256: t[KeyBodySHA], DKIM: t[KeyDKIM]}, true
}

// BranchOf returns the submission branch that the Kjjr-Institution and
// Kjjr-Period trailers name, and whether they name a valid one.
func BranchOf(t map[string]string) (Branch, bool) {
	b, err := ParseBranch("submit/" + t[KeyInstitution] + "/" + t[KeyPeriod])
	if err != nil {
		return Branch{}, false
	}
	return b, true
}

// ApprovalTrailers returns the trailer block of an approval's merge
// commit: the approver ("Name <email>") and the submission.
func ApprovalTrailers(b Branch, approver string) string {
	return FormatTrailers(
		Trailer{KeyApprovedBy, approver},
		Trailer{KeyInstitution, b.Slug},
		Trailer{KeyPeriod, b.Period.String()},
	)
}
