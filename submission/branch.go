package submission

import (
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"kjjr/content"
)

// RefPrefix is the prefix of every submission branch ref.
const RefPrefix = "refs/heads/submit/"

// MainRef is the branch that holds what staff approved.
const MainRef = plumbing.ReferenceName("refs/heads/main")

// Branch is one submission branch: an institution and a period.
type Branch struct {
	Slug   string
	Period content.Period
}

// Error is a submission that breaks the contract, with a message for
// people (Simplified Chinese: where the problem is and how to fix it).
type Error struct {
	Path string // the branch or path concerned, if any
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

// NewBranch returns the branch of slug and period, or an error when the
// slug or the period cannot name a branch.
func NewBranch(slug string, p content.Period) (Branch, error) {
	b := Branch{Slug: slug, Period: p}
	if !content.SlugPattern.MatchString(slug) || p.IsZero() {
		return Branch{}, badBranch(b.String())
	}
	return b, nil
}

// String returns the short branch name submit/<slug>/<period>.
func (b Branch) String() string { return "submit/" + b.Slug + "/" + b.Period.String() }

// Ref returns the full ref name refs/heads/submit/<slug>/<period>.
func (b Branch) Ref() plumbing.ReferenceName {
	return plumbing.ReferenceName(RefPrefix + b.Slug + "/" + b.Period.String())
}

// InstitutionDir returns institutions/<slug>, the directory the report
// lists its files relative to.
func (b Branch) InstitutionDir() string { return "institutions/" + b.Slug }

// ReportPath returns institutions/<slug>/reports/<period>.md.
func (b Branch) ReportPath() string {
	return b.InstitutionDir() + "/reports/" + b.Period.String() + ".md"
}

// EvidenceDir returns institutions/<slug>/evidence/<period>.
func (b Branch) EvidenceDir() string {
	return b.InstitutionDir() + "/evidence/" + b.Period.String()
}

// EvidencePath returns institutions/<slug>/evidence/<period>/<name>.
func (b Branch) EvidencePath(name string) string { return b.EvidenceDir() + "/" + name }

// ListedPath returns evidence/<period>/<name>, the path by which the
// report lists an evidence file (content.File.Path, relative to the
// institution directory).
func ListedPath(p content.Period, name string) string {
	return "evidence/" + p.String() + "/" + name
}

// ParseBranch parses a submission branch name, short (submit/…) or full
// (refs/heads/submit/…). The slug must match content.SlugPattern and the
// period must be spelled as content.Period.String spells it.
func ParseBranch(name string) (Branch, error) {
	short := strings.TrimPrefix(name, "refs/heads/")
	rest, ok := strings.CutPrefix(short, "submit/")
	if !ok {
		return Branch{}, badBranch(name)
	}
	slug, per, ok := strings.Cut(rest, "/")
	if !ok || !content.SlugPattern.MatchString(slug) {
		return Branch{}, badBranch(name)
	}
	p, err := content.ParsePeriod(per)
	if err != nil || p.String() != per {
		return Branch{}, badBranch(name)
	}
	return Branch{Slug: slug, Period: p}, nil
}

func badBranch(name string) error {
	return &Error{Path: name, Msg: fmt.Sprintf("%q 不是报送分支：报送分支的名称为 submit/<机构代号>/<期间>，例如 submit/abc-kejijinrong/2026-04（kjjr review 列出所有待审核的分支）", name)}
}
