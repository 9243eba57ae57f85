package review

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"kjjr/content"
	"kjjr/content/gitfs"
	"kjjr/submission"
)

// Submission is one submission branch as a reviewer sees it.
type Submission struct {
	Branch      string         // short name: submit/<slug>/<period>
	Slug        string         // institution
	Period      content.Period //
	Kind        string         // monthly, half_year or annual
	Institution string         // name from the approved record, else the commit author's name
	Known       bool           // the institution has a record on main

	Tip     plumbing.Hash
	Base    plumbing.Hash       // the main commit the branch started from
	Commits []*object.Commit    // the branch's own commits, oldest first (more than one: a resubmission)
	Report  *content.Report     // the report at the tip (nil when it cannot be read)
	Diags   content.Diagnostics // problems decoding it
	// Previous is the report as the commit before the tip had it (a
	// resubmission), or the approved one on main when the branch replaces it.
	Previous     *content.Report
	PreviousFrom string // "resubmission" or "main"
	Trailers     map[string]string

	ReceivedAt time.Time    // the report's received_at, else the author time of the tip
	Due        content.Date // deadline from site.yaml
	Late       bool
	Merged     bool     // already in main (merged by kjjr or by plain git)
	Warnings   []string // Chinese, for the reviewer; see Warnings

	// MergeBase is the best common ancestor of the tip and main (zero when
	// they share no history), and Changes every entry the branch adds,
	// changes or deletes relative to it, each marked with what approval
	// would refuse (submission.Check). Both are filled by Get, not List.
	MergeBase plumbing.Hash
	Changes   []submission.Change

	limits submission.Limits
}

// ref returns the submission branch of s.
func (s *Submission) ref() submission.Branch {
	return submission.Branch{Slug: s.Slug, Period: s.Period}
}

// Resubmission reports whether the branch holds more than one submission.
func (s *Submission) Resubmission() bool { return len(s.Commits) > 1 }

// mainInfo is what the review list needs from main, read lazily per
// institution so that listing does not load the whole repo.
type mainInfo struct {
	r      *Repo
	ref    *plumbing.Reference
	commit *object.Commit
	tree   *object.Tree
	fsys   *gitfs.FS
	site   content.Site
	cal    *content.Calendar
	insts  map[string]*content.Institution
	// reach holds the commits on main's first-parent chain back to the
	// oldest branch base and their other parents: a tip in it is merged.
	reach map[plumbing.Hash]bool
}

func (r *Repo) newMainInfo() (*mainInfo, error) {
	ref, c, err := r.mainCommit()
	if err != nil {
		return nil, err
	}
	t, err := c.Tree()
	if err != nil {
		return nil, fmt.Errorf("review: main tree: %w", err)
	}
	m := &mainInfo{r: r, ref: ref, commit: c, tree: t, fsys: gitfs.New(r.Git.Storer, t, c.Committer.When), insts: map[string]*content.Institution{}}
	site, ds, err := content.ReadSite(m.fsys) // with Load's defaults
	if err == nil && ds.HasErrors() {
		return nil, refuse(CodeCheckFailed, "main 上的 site.yaml 有错误，请先修正：\n%s", ds.Error())
	}
	m.site = site
	m.cal, _ = content.ReadCalendar(m.fsys) // a broken calendar file is kjjr check's to report
	return m, nil
}

// institution returns the approved record of slug with its approved
// reports (decoded one by one), or nil.
func (m *mainInfo) institution(slug string) *content.Institution {
	if inst, ok := m.insts[slug]; ok {
		return inst
	}
	var inst *content.Institution
	dir := "institutions/" + slug
	if data, err := fs.ReadFile(m.fsys, dir+"/index.md"); err == nil {
		in := new(content.Institution)
		if ds := content.DecodeRecord(dir+"/index.md", data, in); !ds.HasErrors() {
			in.Slug = slug
			inst = in
			ents, _ := fs.ReadDir(m.fsys, dir+"/reports")
			for _, e := range ents {
				name := strings.TrimSuffix(e.Name(), ".md")
				p, err := content.ParsePeriod(name)
				if err != nil || e.IsDir() || path.Ext(e.Name()) != ".md" {
					continue
				}
				data, err := fs.ReadFile(m.fsys, dir+"/reports/"+e.Name())
				if err != nil {
					continue
				}
				rep := new(content.Report)
				if ds := content.DecodeRecord(dir+"/reports/"+e.Name(), data, rep); ds.HasErrors() || rep.Period != p {
					continue
				}
				inst.Reports = append(inst.Reports, rep)
			}
			sort.Slice(inst.Reports, func(a, b int) bool { return inst.Reports[a].Period.Compare(inst.Reports[b].Period) < 0 })
		}
	}
	m.insts[slug] = inst
	return inst
}

// ownCommits walks first parents from tip while the commits are
// submissions of slug and period (inbox trailers) or only touch its report
// and evidence, and returns them oldest first with the commit they grew from.
func (r *Repo) ownCommits(tip *object.Commit, slug string, p content.Period) ([]*object.Commit, plumbing.Hash) {
	var own []*object.Commit
	c := tip
	for {
		b, ok := submission.BranchOf(submission.ParseTrailers(c.Message))
		mine := ok && b.Slug == slug && b.Period == p
		if !mine || len(c.ParentHashes) != 1 {
			if len(own) == 0 {
				// Not written by the inbox: treat the tip alone as the submission.
				own = append(own, c)
				if len(c.ParentHashes) > 0 {
					return own, c.ParentHashes[0]
				}
				return own, plumbing.ZeroHash
			}
			break
		}
		own = append(own, c)
		parent, err := c.Parent(0)
		if err != nil {
			return reverse(own), c.ParentHashes[0]
		}
		c = parent
	}
	return reverse(own), c.Hash
}

func reverse(cs []*object.Commit) []*object.Commit {
	for i, j := 0, len(cs)-1; i < j; i, j = i+1, j-1 {
		cs[i], cs[j] = cs[j], cs[i]
	}
	return cs
}

// fillReach records the commits main has merged back to the oldest of
// the given times (submission.Reach).
func (m *mainInfo) fillReach(oldest time.Time) {
	m.reach = submission.Reach(m.r.Git.Storer, m.commit, oldest)
}

// List returns the submission branches not yet merged into main, by name.
func (r *Repo) List() ([]*Submission, error) {
	all, err := r.list(false)
	if err != nil {
		return nil, err
	}
	var out []*Submission
	for _, s := range all {
		if !s.Merged {
			out = append(out, s)
		}
	}
	return out, nil
}

func (r *Repo) list(one bool, names ...string) ([]*Submission, error) {
	m, err := r.newMainInfo()
	if err != nil {
		return nil, err
	}
	var refs []submission.Ref
	if one {
		for _, n := range names {
			b, err := parseBranch(n)
			if err != nil {
				return nil, err
			}
			ref, err := r.Git.Reference(b.Ref(), true)
			if err != nil {
				return nil, refuse(CodeNoBranch, "没有分支 %s：请用 kjjr review 查看待审核的分支（已驳回或已合并后删除的分支不再列出）", n)
			}
			refs = append(refs, submission.Ref{Branch: b, Tip: ref.Hash()})
		}
	} else if refs, err = submission.Refs(r.Git.Storer); err != nil {
		return nil, fmt.Errorf("review: %w", err)
	}
	var subs []*Submission
	oldest := m.commit.Committer.When
	for _, ref := range refs {
		s, err := r.load(m, ref)
		if err != nil {
			return nil, err
		}
		if b, err := r.Git.CommitObject(s.Base); err == nil && b.Committer.When.Before(oldest) {
			oldest = b.Committer.When
		}
		subs = append(subs, s)
	}
	m.fillReach(oldest)
	for _, s := range subs {
		if m.reach[s.Tip] {
			s.Merged = true
		}
	}
	return subs, nil
}

// Get returns one submission branch (short name submit/<slug>/<period>),
// merged or not, with its merge base and every entry it changes.
func (r *Repo) Get(branch string) (*Submission, error) {
	branch = strings.TrimPrefix(branch, "refs/heads/")
	if _, err := parseBranch(branch); err != nil {
		return nil, err
	}
	subs, err := r.list(true, branch)
	if err != nil {
		return nil, err
	}
	s := subs[0]
	if err := r.fillChanges(s); err != nil {
		return nil, err
	}
	return s, nil
}

// fillChanges sets s.MergeBase and s.Changes.
func (r *Repo) fillChanges(s *Submission) error {
	_, mainC, err := r.mainCommit()
	if err != nil {
		return err
	}
	tip, err := r.Git.CommitObject(s.Tip)
	if err != nil {
		return fmt.Errorf("review: %s: %w", s.Branch, err)
	}
	tt, err := tip.Tree()
	if err != nil {
		return fmt.Errorf("review: %s tree: %w", s.Branch, err)
	}
	var bt *object.Tree
	bases, err := tip.MergeBase(mainC)
	if err != nil {
		return fmt.Errorf("review: merge base: %w", err)
	}
	if len(bases) > 0 {
		s.MergeBase = bases[0].Hash
		if bt, err = bases[0].Tree(); err != nil {
			return fmt.Errorf("review: merge base tree: %w", err)
		}
	}
	var earlier []*object.Tree // the branch's earlier submissions
	for _, c := range s.Commits[:max(0, len(s.Commits)-1)] {
		if t, err := c.Tree(); err == nil {
			earlier = append(earlier, t)
		}
	}
	s.Changes, err = submission.Check(r.Git.Storer, s.ref(), bt, tt, s.limits, earlier...)
	if err != nil {
		return fmt.Errorf("review: %s: %w", s.Branch, err)
	}
	return nil
}

func (r *Repo) load(m *mainInfo, ref submission.Ref) (*Submission, error) {
	slug, p := ref.Branch.Slug, ref.Branch.Period
	tip, err := r.Git.CommitObject(ref.Tip)
	if err != nil {
		return nil, fmt.Errorf("review: %s: %w", ref.Branch, err)
	}
	s := &Submission{Branch: ref.Branch.String(), Slug: slug, Period: p, Kind: p.Kind.String(), Tip: tip.Hash, limits: submission.LimitsOf(m.site.Inbox)}
	s.Commits, s.Base = r.ownCommits(tip, slug, p)
	s.Trailers = submission.ParseTrailers(tip.Message)
	t, err := tip.Tree()
	if err != nil {
		return nil, fmt.Errorf("review: %s tree: %w", s.Branch, err)
	}
	rp := ref.Branch.ReportPath()
	s.Report, s.Diags, _ = decodeReport(r.Git, t, rp)
	if submission.Approved(ref.Branch, t, m.tree) {
		s.Merged = true // the same report is already approved on main
	}
	inst := m.institution(slug)
	s.Institution = tip.Author.Name
	if inst != nil {
		s.Known = true
		s.Institution = inst.Name
	}
	if len(s.Commits) > 1 {
		if pc, err := s.Commits[len(s.Commits)-2].Tree(); err == nil {
			if prev, ds, _ := decodeReport(r.Git, pc, rp); prev != nil && !ds.HasErrors() {
				s.Previous, s.PreviousFrom = prev, "resubmission"
			}
		}
	}
	if s.Previous == nil && inst != nil && !s.Merged {
		if prev := inst.Report(p); prev != nil {
			s.Previous, s.PreviousFrom = prev, "main"
		}
	}
	s.ReceivedAt = tip.Author.When
	if s.Report != nil {
		if t, err := time.Parse(time.RFC3339, s.Report.ReceivedAt); err == nil {
			s.ReceivedAt = t
		}
	}
	s.Due = content.Deadline(&m.site, m.cal, p).Date
	s.Late = content.DateOf(s.ReceivedAt).After(s.Due)
	s.Warnings = addNew(warnings(s, inst), activeWarnings(t, s)...)
	return s, nil
}

// Institution returns the approved record of slug on main (with its
// report_senders, for receipts), or nil.
func (r *Repo) Institution(slug string) (*content.Institution, error) {
	m, err := r.newMainInfo()
	if err != nil {
		return nil, err
	}
	return m.institution(slug), nil
}

// LoadSite returns main's site.yaml with content.Load's defaults.
func (r *Repo) LoadSite() (*content.Site, error) {
	m, err := r.newMainInfo()
	if err != nil {
		return &content.Site{}, err
	}
	return &m.site, nil
}

// seen refuses when the reviewer saw another tip than the branch has now
// (seen zero: any tip will do).
func (s *Submission) seen(tip plumbing.Hash) error {
	if tip.IsZero() || tip == s.Tip {
		return nil
	}
	return refuse(CodeMoved, "%s 在您查看之后又收到了新的提交（现为 %s），本次操作未执行：请重新查看最新内容后再决定", s.Branch, s.Tip.String()[:12])
}
