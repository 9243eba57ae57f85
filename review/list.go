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

// branchRefs returns the submit/* branch refs, sorted by name.
func (r *Repo) branchRefs() ([]*plumbing.Reference, error) {
	it, err := r.Git.References()
	if err != nil {
		return nil, fmt.Errorf("review: list refs: %w", err)
	}
	var out []*plumbing.Reference
	err = it.ForEach(func(ref *plumbing.Reference) error {
		if ref.Type() == plumbing.HashReference && strings.HasPrefix(ref.Name().String(), BranchPrefix) {
			out = append(out, ref)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("review: list refs: %w", err)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Name() < out[b].Name() })
	return out, nil
}

// ownCommits walks first parents from tip while the commits are
// submissions of slug and period (inbox trailers) or only touch its report
// and evidence, and returns them oldest first with the commit they grew from.
func (r *Repo) ownCommits(tip *object.Commit, slug string, p content.Period) ([]*object.Commit, plumbing.Hash) {
	var own []*object.Commit
	c := tip
	for {
		tr := Trailers(c.Message)
		mine := tr["Kjjr-Institution"] == slug && tr["Kjjr-Period"] == p.String()
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

// fillReach walks main's first-parent chain back to the oldest of the
// given times (minus a day for clock skew) and records the commits and
// their other parents.
func (m *mainInfo) fillReach(oldest time.Time) {
	m.reach = map[plumbing.Hash]bool{}
	c := m.commit
	cutoff := oldest.Add(-24 * time.Hour)
	for c != nil {
		m.reach[c.Hash] = true
		for _, p := range c.ParentHashes[min(1, len(c.ParentHashes)):] {
			m.reach[p] = true
		}
		if c.Committer.When.Before(cutoff) || len(c.ParentHashes) == 0 {
			break
		}
		next, err := c.Parent(0)
		if err != nil {
			break
		}
		c = next
	}
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
	refs, err := r.branchRefs()
	if err != nil {
		return nil, err
	}
	if one {
		refs = refs[:0]
		for _, n := range names {
			ref, err := r.Git.Reference(plumbing.NewBranchReferenceName(n), true)
			if err != nil {
				return nil, refuse(CodeNoBranch, "没有分支 %s：请用 kjjr review 查看待审核的分支（已驳回或已合并后删除的分支不再列出）", n)
			}
			refs = append(refs, ref)
		}
	}
	var subs []*Submission
	oldest := m.commit.Committer.When
	for _, ref := range refs {
		slug, p, err := ParseBranch(ref.Name().String())
		if err != nil {
			if one {
				return nil, err
			}
			continue
		}
		s, err := r.load(m, ref, slug, p)
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
// merged or not.
func (r *Repo) Get(branch string) (*Submission, error) {
	branch = strings.TrimPrefix(branch, "refs/heads/")
	if _, _, err := ParseBranch(branch); err != nil {
		return nil, err
	}
	subs, err := r.list(true, branch)
	if err != nil {
		return nil, err
	}
	return subs[0], nil
}

func (r *Repo) load(m *mainInfo, ref *plumbing.Reference, slug string, p content.Period) (*Submission, error) {
	tip, err := r.Git.CommitObject(ref.Hash())
	if err != nil {
		return nil, fmt.Errorf("review: %s: %w", ref.Name().Short(), err)
	}
	s := &Submission{Branch: ref.Name().Short(), Slug: slug, Period: p, Kind: p.Kind.String(), Tip: tip.Hash}
	s.Commits, s.Base = r.ownCommits(tip, slug, p)
	s.Trailers = Trailers(tip.Message)
	t, err := tip.Tree()
	if err != nil {
		return nil, fmt.Errorf("review: %s tree: %w", s.Branch, err)
	}
	rp := ReportPath(slug, p)
	var blob plumbing.Hash
	s.Report, s.Diags, blob = decodeReport(r.Git, t, rp)
	if me := entryAt(m.tree, rp); me != nil && me.Hash == blob {
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

// LoadSite returns main's site.yaml with Load's defaults for deadlines.
func (r *Repo) LoadSite() (*content.Site, error) {
	m, err := r.newMainInfo()
	if err != nil {
		return &content.Site{}, err
	}
	return &m.site, nil
}
