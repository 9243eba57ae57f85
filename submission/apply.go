package submission

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"kjjr/content"
)

// ApplyRefPrefix is the prefix of every application branch ref.
const ApplyRefPrefix = "refs/heads/apply/"

// Trailer keys and the Kjjr-Kind value of an application commit.
const (
	KeyRound         = "Kjjr-Round"
	KeyApplicant     = "Kjjr-Applicant"
	KindApplication  = "application"
	applicantUnknown = "x-"
)

// ApplyBranch is one application to a selection round (第三条第2项): the
// round's slug and the applicant's key, which is its USCC.
type ApplyBranch struct {
	Round     string // the round's slug, rounds/<Round>.md
	Applicant string // ApplicantKey of the application
}

// ApplicantKey returns the key an application is filed under: the
// unified social credit code as the applicant wrote it, upper-cased and
// stripped of spaces, when it is 18 characters of the code's alphabet
// (whether or not its check character is right: the eligibility
// pre-check reports that, staff decide); otherwise "x-" and the first 16
// hex digits of the SHA-256 of fallback (the sender's address), so that
// an application without a usable code is still kept, and a second one
// from the same sender replaces it.
func ApplicantKey(uscc, fallback string) string {
	c := strings.ToUpper(strings.Join(strings.Fields(uscc), ""))
	if len(c) == 18 && strings.Trim(c, "0123456789ABCDEFGHJKLMNPQRTUWXY") == "" {
		return c
	}
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(fallback))))
	return applicantUnknown + hex.EncodeToString(sum[:8])
}

// NewApplyBranch returns the application branch of round and applicant
// key, or an error when they cannot name one.
func NewApplyBranch(round, applicant string) (ApplyBranch, error) {
	a := ApplyBranch{Round: round, Applicant: applicant}
	if !content.SlugPattern.MatchString(round) || !validApplicant(applicant) {
		return ApplyBranch{}, badApplyBranch(a.String())
	}
	return a, nil
}

func validApplicant(k string) bool {
	if rest, ok := strings.CutPrefix(k, applicantUnknown); ok {
		if len(rest) != 16 {
			return false
		}
		_, err := hex.DecodeString(rest)
		return err == nil && strings.ToLower(rest) == rest
	}
	return ApplicantKey(k, "") == k
}

// String returns the short branch name apply/<round>/<applicant>.
func (a ApplyBranch) String() string { return "apply/" + a.Round + "/" + a.Applicant }

// Ref returns the full ref name refs/heads/apply/<round>/<applicant>.
func (a ApplyBranch) Ref() plumbing.ReferenceName {
	return plumbing.ReferenceName(ApplyRefPrefix + a.Round + "/" + a.Applicant)
}

// NewSlug returns the institution slug an applicant that is not yet
// registered gets: its key in lower case. Staff may choose another slug
// when the round's decision makes the record.
func (a ApplyBranch) NewSlug() string { return strings.ToLower(a.Applicant) }

// EvidenceDir returns institutions/<slug>/evidence/application-<round>,
// where an application keeps the form as sent (form.xlsx) and its
// attachments under their EvidenceName. It is under evidence/, so it is
// private as all evidence is: Load never reads it and the site never
// publishes it.
func (a ApplyBranch) EvidenceDir(slug string) string {
	return "institutions/" + slug + "/evidence/application-" + a.Round
}

// ParseApplyBranch parses an application branch name, short (apply/…)
// or full (refs/heads/apply/…).
func ParseApplyBranch(name string) (ApplyBranch, error) {
	short := strings.TrimPrefix(name, "refs/heads/")
	rest, ok := strings.CutPrefix(short, "apply/")
	if !ok {
		return ApplyBranch{}, badApplyBranch(name)
	}
	round, key, ok := strings.Cut(rest, "/")
	if !ok {
		return ApplyBranch{}, badApplyBranch(name)
	}
	return NewApplyBranch(round, key)
}

func badApplyBranch(name string) error {
	return &Error{Path: name, Msg: fmt.Sprintf("%q 不是申报分支：申报分支的名称为 apply/<遴选批次>/<统一社会信用代码>，例如 apply/2026-1/91140700MA0K00001X", name)}
}

// ApplyMeta is what an application commit says about itself in its
// trailers: the branch (Kjjr-Round, Kjjr-Applicant), the institution
// directory it writes (Kjjr-Institution) and the mail it came from.
type ApplyMeta struct {
	Branch       ApplyBranch
	Slug         string // Kjjr-Institution: the <slug> of institutions/<slug>/
	MessageID    string // without angle brackets; may be empty
	SourceSHA256 string
	BodySHA256   string
	DKIM         string
}

// Trailers returns the trailer block of an application commit:
// Kjjr-Kind: application, Kjjr-Round, Kjjr-Applicant, Kjjr-Institution,
// then Message-Id, Source-Sha256, Body-Sha256 and DKIM as Meta writes them.
func (m *ApplyMeta) Trailers() string {
	ts := []Trailer{
		{KeyKind, KindApplication},
		{KeyRound, m.Branch.Round},
		{KeyApplicant, m.Branch.Applicant},
		{KeyInstitution, m.Slug},
	}
	if id := strings.Trim(oneLine(m.MessageID), "<>"); id != "" {
		ts = append(ts, Trailer{KeyMessageID, "<" + id + ">"})
	}
	ts = append(ts, Trailer{KeySourceSHA, m.SourceSHA256}, Trailer{KeyBodySHA, m.BodySHA256}, Trailer{KeyDKIM, m.DKIM})
	return FormatTrailers(ts...)
}

// ParseApplyMeta reads the trailers of an application commit. ok is false
// unless Kjjr-Kind is application, Kjjr-Round and Kjjr-Applicant name a
// valid branch, Kjjr-Institution a valid slug and Source-Sha256 is set.
func ParseApplyMeta(msg string) (m ApplyMeta, ok bool) {
	t := ParseTrailers(msg)
	if t[KeyKind] != KindApplication || t[KeySourceSHA] == "" || !content.SlugPattern.MatchString(t[KeyInstitution]) {
		return ApplyMeta{}, false
	}
	b, err := NewApplyBranch(t[KeyRound], t[KeyApplicant])
	if err != nil {
		return ApplyMeta{}, false
	}
	return ApplyMeta{Branch: b, Slug: t[KeyInstitution], MessageID: strings.Trim(t[KeyMessageID], "<>"),
		SourceSHA256: t[KeySourceSHA], BodySHA256: t[KeyBodySHA], DKIM: t[KeyDKIM]}, true
}
