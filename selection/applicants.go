package selection

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"kjjr/application"
	"kjjr/content"
	"kjjr/content/gitfs"
	"kjjr/internal/safetext"
	"kjjr/sheet"
	"kjjr/submission"
)

// Applicant is one application to a round, read from its branch
// apply/<round>/<applicant> by the contract of package submission: the
// tip's trailers (submission.ParseApplyMeta) name the slug, the tip's
// institutions/<slug>/index.md is the draft record, and its evidence
// directory holds the form (form.xlsx) and the attachments.
type Applicant struct {
	Branch   submission.ApplyBranch
	Tip      plumbing.Hash
	Slug     string               // from the Kjjr-Institution trailer
	Draft    *content.Institution // the draft record; nil when it cannot be read
	Sender   string               // the author address of the tip (the applicant's claim)
	Received time.Time            // the author time of the tip
	Commits  int                  // applications on the branch (more than 1: resubmitted)
	// Registered is true when Slug is an institution on main (the
	// application was taken as theirs).
	Registered bool
	// Attachments are the evidence files besides the form, by their
	// original (cleaned) names.
	Attachments []string
	// Checks is the pre-check of 第二条 (application.Check) of the form at
	// the tip, against the round's application close; nil when it could
	// not be made (NoCheck says why).
	Checks []application.Finding
	// NoCheck says, in Chinese, why there is no pre-check (no form on the
	// branch, an unreadable form, no round record on main); "" when there
	// is one. It does not make the application unusable.
	NoCheck string
	// Problem says, in Chinese, why the application cannot be used (not an
	// inbox commit, no readable draft); "" if it can.
	Problem string

	form *application.Application // the parsed form, for the pre-check
}

// Key is the applicant's key (its USCC, or x-<hex>).
func (a *Applicant) Key() string { return a.Branch.Applicant }

// Name is the applicant's name from the draft, else its slug.
func (a *Applicant) Name() string {
	if a.Draft != nil && strings.TrimSpace(a.Draft.Name) != "" {
		return safetext.Line(a.Draft.Name, 200)
	}
	return a.Slug
}

// DraftPath is where the draft record sits on the branch.
func (a *Applicant) DraftPath() string { return "institutions/" + a.Slug + "/index.md" }

// Failed returns the pre-check findings that are not OK.
func (a *Applicant) Failed() []application.Finding { return application.Failed(a.Checks) }

// Round returns the record rounds/<round>.md of main; it refuses a round
// main does not have.
func (r *Repo) Round(round string) (*content.Round, error) {
	if err := checkRound(round); err != nil {
		return nil, err
	}
	c, err := r.mainTip()
	if err != nil {
		return nil, err
	}
	return roundRecord(c, round)
}

// Applicants lists the applications of round, one per apply branch, in
// key order, each with the pre-check of 第二条 recomputed from the form at
// its tip against the application close of rounds/<round>.md on main. A
// branch whose tip is not an application commit or has no readable draft
// is listed with a Problem: staff see it and decide.
func (r *Repo) Applicants(round string) ([]*Applicant, error) {
	if err := checkRound(round); err != nil {
		return nil, err
	}
	mainC, err := r.mainTip()
	if err != nil {
		return nil, err
	}
	mt, err := mainC.Tree()
	if err != nil {
		return nil, fmt.Errorf("selection: main tree: %w", err)
	}
	rd, rerr := roundRecord(mainC, round)
	refs, err := r.Git.References()
	if err != nil {
		return nil, fmt.Errorf("selection: list refs: %w", err)
	}
	prefix := submission.ApplyRefPrefix + round + "/"
	var out []*Applicant
	err = refs.ForEach(func(ref *plumbing.Reference) error {
		name := ref.Name().String()
		if ref.Type() != plumbing.HashReference || !strings.HasPrefix(name, prefix) {
			return nil
		}
		b, err := submission.ParseApplyBranch(name)
		if err != nil {
			return nil // not an application branch: ignored
		}
		a := readApplicant(r.Git, b, ref.Hash())
		if a.Slug != "" {
			_, err := mt.File(a.DraftPath())
			a.Registered = err == nil
		}
		if a.NoCheck == "" && rerr != nil {
			a.Checks, a.NoCheck = nil, rerr.Error()
		}
		if rd != nil && a.NoCheck == "" {
			a.Checks = a.precheck(rd.Application.To)
		}
		out = append(out, a)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("selection: list refs: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key() < out[j].Key() })
	return out, nil
}

// readApplicant reads one application branch's tip; the pre-check is
// left to Applicants (it needs the round), the parsed form kept in form.
func readApplicant(g *git.Repository, b submission.ApplyBranch, tip plumbing.Hash) *Applicant {
	a := &Applicant{Branch: b, Tip: tip, NoCheck: "申报材料无法读取"}
	c, err := g.CommitObject(tip)
	if err != nil {
		a.Problem = fmt.Sprintf("分支 %s 的提交无法读取：%v", b, err)
		return a
	}
	a.Sender, a.Received = c.Author.Email, c.Author.When
	meta, ok := submission.ParseApplyMeta(c.Message)
	if !ok {
		a.Problem = fmt.Sprintf("分支 %s 的最新提交不是收件程序写入的申报（缺少 Kjjr-Kind / Kjjr-Round / Kjjr-Applicant / Kjjr-Institution / Source-Sha256 说明行），不知道草稿在哪里", b)
		return a
	}
	a.Slug = meta.Slug
	if meta.Branch != b {
		a.Problem = fmt.Sprintf("分支 %s 的 Kjjr-Round / Kjjr-Applicant 是 %s，与分支名不符", b, meta.Branch)
	}
	for h := c; ; {
		mm, ok := submission.ParseApplyMeta(h.Message)
		if !ok || mm.Branch != meta.Branch {
			break
		}
		a.Commits++
		if len(h.ParentHashes) == 0 {
			break
		}
		if h, err = g.CommitObject(h.ParentHashes[0]); err != nil {
			break
		}
	}
	tree, err := c.Tree()
	if err != nil {
		a.Problem = fmt.Sprintf("分支 %s 的目录树无法读取：%v", b, err)
		return a
	}
	a.NoCheck = a.readForm(tree)
	data, err := readBlob(tree, a.DraftPath(), content.MaxRecordSize)
	if errors.Is(err, object.ErrFileNotFound) {
		a.Problem = fmt.Sprintf("分支 %s 上没有 %s", b, a.DraftPath())
		return a
	}
	if err != nil {
		a.Problem = fmt.Sprintf("分支 %s 上的 %s 无法读取：%v", b, a.DraftPath(), err)
		return a
	}
	var inst content.Institution
	if ds := content.DecodeRecord(a.DraftPath(), data, &inst); ds.HasErrors() && a.Problem == "" {
		a.Problem = fmt.Sprintf("分支 %s 上的草稿有误：%s", b, ds.Errors().Error())
	}
	inst.Slug = a.Slug
	a.Draft = &inst
	return a
}

// readForm lists the attachments of the application's evidence directory
// and parses its form into a.form; it returns why there is no form to
// pre-check ("" when there is one).
func (a *Applicant) readForm(tree *object.Tree) string {
	dir := a.Branch.EvidenceDir(a.Slug)
	var form []byte
	var ferr error
	if t, err := tree.Tree(dir); err == nil {
		for _, e := range t.Entries {
			if !e.Mode.IsFile() {
				continue
			}
			if e.Name == "form.xlsx" {
				form, ferr = readBlob(t, e.Name, sheet.MaxFileSize)
				continue
			}
			a.Attachments = append(a.Attachments, originalName(e.Name))
		}
	}
	if ferr != nil {
		return "申报表无法读取：" + ferr.Error()
	}
	if form == nil {
		return "分支上没有申报表（" + dir + "/form.xlsx）"
	}
	app, err := application.Parse(form)
	if err != nil {
		return "申报表无法读取：" + err.Error()
	}
	a.form = app
	return ""
}

// precheck is the pre-check of 第二条 of the form read, against closes.
func (a *Applicant) precheck(closes content.Date) []application.Finding {
	var atts []application.Attachment
	for _, n := range a.Attachments {
		atts = append(atts, application.Attachment{Name: n})
	}
	return application.Check(a.form, closes, atts)
}

// originalName strips the hash prefix of submission.EvidenceName.
func originalName(name string) string {
	if len(name) > 13 && name[12] == '-' && strings.Trim(name[:12], "0123456789abcdef") == "" {
		return name[13:]
	}
	return name
}

// readBlob reads the file at p of tree t, refusing one larger than max.
func readBlob(t *object.Tree, p string, max int64) ([]byte, error) {
	f, err := t.File(p)
	if err != nil {
		return nil, err
	}
	if f.Size > max {
		return nil, fmt.Errorf("%s: too large (%d bytes)", p, f.Size)
	}
	rd, err := f.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	return io.ReadAll(rd)
}

// loadTree loads a content tree as kjjr check does.
func loadTree(g *git.Repository, t *object.Tree, when time.Time) (*content.Repo, error) {
	repo, err := content.Load(gitfs.New(g.Storer, t, when), nil)
	if err != nil {
		return nil, fmt.Errorf("selection: load: %w", err)
	}
	return repo, nil
}
