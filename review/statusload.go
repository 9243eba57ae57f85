package review

import (
	"fmt"
	"io/fs"
	"path/filepath"

	"kjjr/content"
	"kjjr/content/gitfs"
)

// LoadStatus loads main for the compliance matrix with content.LoadTree
// in Compliance mode: site.yaml, and of each institution its name, status
// history and its reports' periods and received_at. The tree cache is kept
// in <gitdir>/kjjr/cache/status.cache, keyed by tree hashes: a run after
// an approval re-reads one institution. The institutions' other fields
// and the reports' figures are left empty: use LoadMain for anything but
// the matrix. Problems decoding files come back as Diagnostics (errors
// only); a site.yaml with errors is refused (the deadlines come from it).
// With years given, only the reports of those years are attached.
func (r *Repo) LoadStatus(years ...int) (*content.Repo, content.Diagnostics, error) {
	cache := content.ReadTreeCache(r.statusCachePath())
	repo, ds, err := r.LoadStatusWith(cache, years...)
	if err == nil && cache.Changed() {
		_ = cache.WriteFile(r.statusCachePath()) // failing to write it only costs speed
	}
	return repo, ds, err
}

// StatusCache returns the tree cache LoadStatus keeps on disk (empty when
// there is none or it cannot be read), for a process that keeps it in
// memory across loads (LoadStatusWith).
func (r *Repo) StatusCache() *content.TreeCache { return content.ReadTreeCache(r.statusCachePath()) }

// LoadStatusWith is LoadStatus with the caller's tree cache, which it
// reads and updates and does not write to disk: a long-running process
// (the staff console) keeps one in memory, so that a load after main
// moved re-reads only the institutions that changed.
func (r *Repo) LoadStatusWith(cache *content.TreeCache, years ...int) (*content.Repo, content.Diagnostics, error) {
	_, c, err := r.mainCommit()
	if err != nil {
		return nil, nil, err
	}
	root, err := c.Tree()
	if err != nil {
		return nil, nil, fmt.Errorf("review: main tree: %w", err)
	}
	fsys := gitfs.New(r.Git.Storer, root, c.Committer.When)
	repo, _ := content.LoadTree(fsys, &content.TreeOptions{Compliance: true, Years: years, Cache: cache})
	var site content.Diagnostics
	for _, d := range repo.Diags.Errors() {
		if d.File == "site.yaml" {
			site = append(site, d)
		}
	}
	if _, err := fs.Stat(fsys, "site.yaml"); err == nil && len(site) > 0 {
		return nil, nil, refuse(CodeCheckFailed, "main 上的 site.yaml 有错误，请先修正：\n%s", site.Error())
	}
	return repo, repo.Diags.Errors(), nil
}

func (r *Repo) statusCachePath() string { return filepath.Join(r.StateDir(), "cache", "status.cache") }
