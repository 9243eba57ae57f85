package selection

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"kjjr/content"
	"kjjr/content/gitfs"
	"kjjr/internal/safetext"
	"kjjr/submission"
)

// Applicant is one application to a round, read from its branch
// apply/<round>/<applicant> (the contract is package submission's): the
// tip's Kjjr-Institution trailer names the slug, and the tip's
// institutions/<slug>/index.md is the draft record.
type Applicant struct {
	Branch submission.ApplyBranch
	Tip    plumbing.Hash
	Slug   string               // from the Kjjr-Institution trailer
	Draft  *content.Institution // the draft record; nil when it cannot be read
	// Problem says, in Chinese, why the draft cannot be read ("" if it can).
	Problem string
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

// Applicants lists the applications of round, one per apply branch, in
// key order. A branch whose tip has no valid Kjjr-Institution trailer or
// no readable draft is listed with a Problem: staff see it and decide.
func (r *Repo) Applicants(round string) ([]*Applicant, error) {
	if err := checkRound(round); err != nil {
		return nil, err
	}
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
		out = append(out, readApplicant(r.Git, b, ref.Hash()))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("selection: list refs: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key() < out[j].Key() })
	return out, nil
}

func readApplicant(g *git.Repository, b submission.ApplyBranch, tip plumbing.Hash) *Applicant {
	a := &Applicant{Branch: b, Tip: tip}
	c, err := g.CommitObject(tip)
	if err != nil {
		a.Problem = fmt.Sprintf("分支 %s 的提交无法读取：%v", b, err)
		return a
	}
	t := submission.ParseTrailers(c.Message)
	a.Slug = t[submission.KeyInstitution]
	if !content.SlugPattern.MatchString(a.Slug) {
		a.Problem = fmt.Sprintf("分支 %s 的最新提交没有有效的 Kjjr-Institution 说明行，不知道草稿在哪里", b)
		a.Slug = ""
		return a
	}
	if rd := t[submission.KeyRound]; rd != "" && rd != b.Round {
		a.Problem = fmt.Sprintf("分支 %s 的 Kjjr-Round 是 %q，与分支名不符", b, rd)
	}
	tree, err := c.Tree()
	if err != nil {
		a.Problem = fmt.Sprintf("分支 %s 的目录树无法读取：%v", b, err)
		return a
	}
	f, err := tree.File(a.DraftPath())
	if err != nil {
		a.Problem = fmt.Sprintf("分支 %s 上没有 %s", b, a.DraftPath())
		return a
	}
	if f.Size > content.MaxRecordSize {
		a.Problem = fmt.Sprintf("分支 %s 上的 %s 过大", b, a.DraftPath())
		return a
	}
	s, err := f.Contents()
	if err != nil {
		a.Problem = fmt.Sprintf("分支 %s 上的 %s 无法读取：%v", b, a.DraftPath(), err)
		return a
	}
	var inst content.Institution
	if ds := content.DecodeRecord(a.DraftPath(), []byte(s), &inst); ds.HasErrors() {
		a.Problem = fmt.Sprintf("分支 %s 上的草稿有误：%s", b, ds.Errors().Error())
	}
	inst.Slug = a.Slug
	a.Draft = &inst
	return a
}

// loadTree loads a content tree as kjjr check does.
func loadTree(g *git.Repository, t *object.Tree, when time.Time) (*content.Repo, error) {
	repo, err := content.Load(gitfs.New(g.Storer, t, when), nil)
	if err != nil {
		return nil, fmt.Errorf("selection: load: %w", err)
	}
	return repo, nil
}
