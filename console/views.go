package console

import (
	"crypto/sha256"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"

	"kjjr/content"
	"kjjr/content/gitfs"
	"kjjr/review"
	"kjjr/submission"
)

// Views derived from the content repo are kept between requests, each
// under the key of exactly what it was computed from: the hash of main,
// and for what also depends on the submission branches, a digest of every
// refs/heads/submit/* ref and its target (refsKey). Every request reads
// the refs afresh and uses a view only when its key is the refs' current
// value, so a view can never show anything but what the refs say now: a
// commit by kjjr inbox, a plain git push or another console changes the
// key, and the next request computes the view again.

// refsKey names the state of the refs a view is derived from.
type refsKey struct {
	main   plumbing.Hash
	submit [sha256.Size]byte // the sorted submit refs and their targets
}

// readRefs returns the current refsKey of repo.
func readRefs(repo *review.Repo) (refsKey, error) {
	var k refsKey
	ref, err := repo.Git.Reference(review.MainBranch, true)
	if err != nil {
		return k, fmt.Errorf("console: main: %w", err)
	}
	k.main = ref.Hash()
	it, err := repo.Git.Storer.IterReferences()
	if err != nil {
		return k, fmt.Errorf("console: refs: %w", err)
	}
	var lines []string
	_ = it.ForEach(func(r *plumbing.Reference) error {
		if name := r.Name().String(); strings.HasPrefix(name, "refs/heads/submit/") {
			lines = append(lines, name+" "+r.Hash().String()+" "+r.Target().String())
		}
		return nil
	})
	sort.Strings(lines)
	k.submit = sha256.Sum256([]byte(strings.Join(lines, "\n")))
	return k, nil
}

// memo keeps the values of a view by key, at most max of them (all are
// dropped when it is full). get computes a missing value under the memo's
// lock, so that concurrent requests for it compute it once.
type memo[K comparable, V any] struct {
	mu   sync.Mutex
	max  int
	vals map[K]V
}

func (m *memo[K, V]) get(key K, compute func() (V, error)) (V, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.vals[key]; ok {
		return v, nil
	}
	v, err := compute()
	if err != nil {
		return v, err
	}
	if m.vals == nil || len(m.vals) >= max(m.max, 1) {
		m.vals = map[K]V{}
	}
	m.vals[key] = v
	return v, nil
}

// views are the console's derived views (see above).
type views struct {
	once        sync.Once
	statusCache *content.TreeCache // Compliance-mode tree cache, in memory
	fullCache   *content.TreeCache // full tree cache, made by the first export

	status   memo[plumbing.Hash, *content.Repo]               // LoadStatus of main
	full     memo[plumbing.Hash, *content.Repo]               // the full load of main (export)
	counties memo[plumbing.Hash, map[string]string]           // slug → office county
	pubs     memo[plumbing.Hash, []*content.Publicity]        // the 公示 with their ends
	list     memo[refsKey, []*review.Submission]              // review.Repo.List
	lines    memo[linesKey, []content.ComplianceLine]         // the matrix of a year
	history  memo[plumbing.Hash, []historyEntry]              // main's first-parent history
	export   memo[exportKey, []byte]                          // the .xlsx
	pending  memo[refsKey, func(string, content.Period) bool] // review.Repo.Pending
	// commitFiles are the files each commit changed (commits never change).
	commitFiles memo[plumbing.Hash, []fileChange]
	histLast    historyState                        // the history computed last
	pool        repoPool                            // opened repos for the pages that only read
	gets        memo[getKey, *review.Submission]    // review.Repo.Get
	insts       memo[instKey, *content.Institution] // review.Repo.Institution
	countyMu    sync.Mutex
	countyBy    map[string]countyEntry // by slug: the subtree it was read from
}

type linesKey struct {
	refs  refsKey
	year  int
	today content.Date
}

type getKey struct {
	refs   refsKey
	branch string
}

type instKey struct {
	main plumbing.Hash
	slug string
}

// get returns review.Repo.Get of branch under the refs k (a submission
// depends on its tip and on main only).
func (v *views) get(repo *review.Repo, k refsKey, branch string) (*review.Submission, error) {
	return v.gets.get(getKey{k, branch}, func() (*review.Submission, error) { return repo.Get(branch) })
}

// institution returns review.Repo.Institution of slug on main k.main.
func (v *views) institution(repo *review.Repo, k refsKey, slug string) (*content.Institution, error) {
	return v.insts.get(instKey{k.main, slug}, func() (*content.Institution, error) { return repo.Institution(slug) })
}

type countyEntry struct {
	tree   plumbing.Hash
	county string
}

func newViews() *views {
	v := &views{}
	v.status.max, v.full.max, v.counties.max, v.pubs.max, v.list.max = 1, 1, 1, 1, 1
	v.lines.max, v.history.max, v.export.max, v.pending.max, v.commitFiles.max = 8, 1, 4, 1, 32
	v.gets.max, v.insts.max = 64, 64
	return v
}

// statusRepo returns main loaded for the matrix (review.Repo.LoadStatusWith
// with the in-memory cache, seeded from the one kjjr status keeps on disk).
func (v *views) statusRepo(repo *review.Repo, k refsKey) (*content.Repo, error) {
	return v.status.get(k.main, func() (*content.Repo, error) {
		v.once.Do(func() { v.statusCache = repo.StatusCache() })
		r, _, err := repo.LoadStatusWith(v.statusCache)
		return r, err
	})
}

// mainStatus returns main loaded for the matrix under the current refs
// (statusRepo): the roster, the 考核 years and names read it too.
func (s *Server) mainStatus(repo *review.Repo) (*content.Repo, error) {
	k, err := readRefs(repo)
	if err != nil {
		return nil, err
	}
	return s.views.statusRepo(repo, k)
}

// pendingSet returns review.Repo.Pending for the refs k.
func (v *views) pendingSet(repo *review.Repo, k refsKey) (func(string, content.Period) bool, error) {
	return v.pending.get(k, repo.Pending)
}

// matrix returns the compliance matrix of year as of today.
func (v *views) matrix(repo *review.Repo, k refsKey, year int, today content.Date) ([]content.ComplianceLine, error) {
	return v.lines.get(linesKey{k, year, today}, func() ([]content.ComplianceLine, error) {
		st, err := v.statusRepo(repo, k)
		if err != nil {
			return nil, err
		}
		pend, err := v.pendingSet(repo, k)
		if err != nil {
			return nil, err
		}
		return st.Compliance(year, today, pend), nil
	})
}

// submissions returns review.Repo.List for the refs k.
func (v *views) submissions(repo *review.Repo, k refsKey) ([]*review.Submission, error) {
	return v.list.get(k, repo.List)
}

// fullRepo returns main loaded in full (content.LoadTree), with a tree
// cache kept in memory from the first call on.
func (v *views) fullRepo(repo *review.Repo, k refsKey) (*content.Repo, error) {
	return v.full.get(k.main, func() (*content.Repo, error) {
		if v.fullCache == nil {
			v.fullCache = new(content.TreeCache)
		}
		c, err := repo.Git.CommitObject(k.main)
		if err != nil {
			return nil, fmt.Errorf("console: main: %w", err)
		}
		t, err := c.Tree()
		if err != nil {
			return nil, fmt.Errorf("console: main tree: %w", err)
		}
		return content.LoadTree(gitfs.New(repo.Git.Storer, t, c.Committer.When), &content.TreeOptions{Cache: v.fullCache})
	})
}

// countyOf returns each institution's office county on main, reading only
// the index.md of the institutions whose directory changed since the
// last call.
func (v *views) countyOf(repo *review.Repo, k refsKey) (map[string]string, error) {
	return v.counties.get(k.main, func() (map[string]string, error) {
		c, err := repo.Git.CommitObject(k.main)
		if err != nil {
			return nil, fmt.Errorf("console: main: %w", err)
		}
		root, err := c.Tree()
		if err != nil {
			return nil, fmt.Errorf("console: main tree: %w", err)
		}
		v.countyMu.Lock()
		defer v.countyMu.Unlock()
		prev := v.countyBy
		next := map[string]countyEntry{}
		out := map[string]string{}
		insts, err := root.Tree("institutions")
		if err == nil {
			for _, e := range insts.Entries {
				if e.Mode != filemode.Dir {
					continue
				}
				if old, ok := prev[e.Name]; ok && old.tree == e.Hash {
					next[e.Name], out[e.Name] = old, old.county
					continue
				}
				ce := countyEntry{tree: e.Hash}
				if sub, err := repo.Git.TreeObject(e.Hash); err == nil {
					if f, err := sub.File("index.md"); err == nil {
						if data, err := f.Contents(); err == nil {
							var in content.Institution
							content.DecodeRecord("institutions/"+e.Name+"/index.md", []byte(data), &in)
							ce.county = in.Office.County
						}
					}
				}
				next[e.Name], out[e.Name] = ce, ce.county
			}
		}
		v.countyBy = next
		return out, nil
	})
}

// publicities returns main's 公示 records with their ends (content.Load
// of site.yaml, calendar/ and publicity/ only).
func (v *views) publicities(repo *review.Repo, k refsKey) ([]*content.Publicity, error) {
	return v.pubs.get(k.main, func() ([]*content.Publicity, error) {
		c, err := repo.Git.CommitObject(k.main)
		if err != nil {
			return nil, fmt.Errorf("console: main: %w", err)
		}
		t, err := c.Tree()
		if err != nil {
			return nil, fmt.Errorf("console: main tree: %w", err)
		}
		r, err := content.Load(topOnly{gitfs.New(repo.Git.Storer, t, c.Committer.When), map[string]bool{"site.yaml": true, "calendar": true, "publicity": true}}, nil)
		if err != nil {
			return nil, err
		}
		return r.Publicities, nil
	})
}

// topOnly shows only the named top-level entries of fsys.
type topOnly struct {
	fsys fs.ReadDirFS
	keep map[string]bool
}

func (f topOnly) hidden(name string) bool {
	top, _, _ := strings.Cut(name, "/")
	return name != "." && !f.keep[top]
}

func (f topOnly) Open(name string) (fs.File, error) {
	if f.hidden(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return f.fsys.Open(name)
}

func (f topOnly) ReadDir(name string) ([]fs.DirEntry, error) {
	if f.hidden(name) {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	ents, err := f.fsys.ReadDir(name)
	if err != nil || name != "." {
		return ents, err
	}
	var out []fs.DirEntry
	for _, e := range ents {
		if f.keep[e.Name()] {
			out = append(out, e)
		}
	}
	return out, nil
}

func (f topOnly) ReadFile(name string) ([]byte, error) {
	if f.hidden(name) {
		return nil, &fs.PathError{Op: "readfile", Path: name, Err: fs.ErrNotExist}
	}
	return fs.ReadFile(f.fsys, name)
}

// cellLink is where a matrix cell links: the report on main, or the
// pending submission's page.
func cellLink(slug string, c content.Cell) string {
	switch c.State {
	case content.StateOnTime, content.StateLate:
		return "/report/" + slug + "/" + c.Period.String()
	case content.StatePending:
		return "/review/" + submission.Branch{Slug: slug, Period: c.Period}.String()
	}
	return ""
}
