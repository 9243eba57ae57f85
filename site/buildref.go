package site

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"kjjr/content"
	"kjjr/content/gitfs"
	"kjjr/internal/gitdir"
)

// RefOptions tune BuildRef. A nil *RefOptions is not allowed: Out is
// required.
type RefOptions struct {
	// Out, Now, Workers, Logger, Release and TrustOutput are as in Options.
	Out         string
	Now         content.Date
	Workers     int
	Logger      *slog.Logger
	Release     string
	TrustOutput bool
	// Cache, when not nil, is the tree cache to use and update (a
	// long-running process keeps one); CacheFile is then not used.
	Cache *content.TreeCache
	// CacheFile is where the tree cache is kept between runs: "" means
	// DefaultCacheFile(gitDir, Out), "-" means no file (every institution
	// is read from git).
	CacheFile string
}

// RefResult is what BuildRef did.
type RefResult struct {
	*Result        // nil when the content had errors
	Commit  string // the commit built
	Tree    string // its tree, recorded in the output's manifest
	// Reads is how many institution subtrees of the tree built were read
	// from git rather than taken from the tree cache (a delta build reads
	// those of the changed institutions, and their old subtrees too).
	Reads int
	// Repo is the content loaded; its Diags hold every problem found.
	// After a delta build it holds only the institutions that changed
	// (and everything outside institutions/).
	Repo *content.Repo
	// Delta says the build was a delta build (delta.go): only the
	// institutions that changed were loaded and rendered.
	Delta bool
	// CacheErr, when not nil, says the tree cache or the build state
	// (delta.go) could not be written: the build itself succeeded, the
	// next one may be slower.
	CacheErr error
}

// ErrContent is returned (wrapped, with the content's errors) when the
// content at the ref has errors: nothing is built. RefResult.Repo.Diags
// lists them.
var ErrContent = errors.New("content has errors")

// DefaultCacheFile is the tree cache of builds from the git directory
// gitDir into out: <gitDir>/kjjr/cache/build-<hash of out's absolute
// path>.cache. It is in the git directory, which is never served and is
// backed up with the repository, and never in the output.
func DefaultCacheFile(gitDir, out string) string {
	abs, err := filepath.Abs(out)
	if err != nil {
		abs = out
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(gitDir, "kjjr", "cache", "build-"+hex.EncodeToString(sum[:12])+".cache")
}

// BuildRef builds the public site from ref (a branch such as "main", a
// full ref name or a commit hash) of the git repository at repoDir, bare
// or not, straight from its objects: no work tree is read or needed. The
// output is byte-identical to Build of a Load of a checkout of the same
// commit, as of the same date.
//
// It is incremental by tree hashes: an institution whose subtree hash is
// in the tree cache (RefOptions.Cache, or the file RefOptions.CacheFile,
// kept between runs) is not read from git, and the output's manifest
// records the tree built, so that the pages of institutions whose
// subtrees are unchanged are not rendered again. The cost of a build
// after a change follows the size of the change.
func BuildRef(repoDir, ref string, opts *RefOptions) (*RefResult, error) {
	if opts == nil || opts.Out == "" {
		return nil, errors.New("site: no output directory")
	}
	repo, gitDir, done, err := gitdir.OpenKeep(repoDir)
	if err != nil {
		return nil, fmt.Errorf("open git repository %s: %w", repoDir, err)
	}
	defer done()
	fsys, commit, err := gitfs.Rev(repo, ref)
	if err != nil {
		return nil, err
	}
	tree, err := fsys.TreeHash(".")
	if err != nil {
		return nil, fmt.Errorf("tree of %s: %w", ref, err)
	}
	// A change to a few institutions only: a delta build (delta.go).
	sfile := stateFile(gitDir, opts.Out)
	if st := readBuildState(sfile); st != nil {
		if res, ok, err := buildDelta(repo, fsys, commit.String(), tree, st, opts); ok {
			if err == nil {
				res.CacheErr = res.Result.state.write(sfile)
			}
			return res, err
		}
	}
	cache, cacheFile := opts.Cache, ""
	if cache == nil {
		switch opts.CacheFile {
		case "-":
			cache = new(content.TreeCache)
		case "":
			cacheFile = DefaultCacheFile(gitDir, opts.Out)
		default:
			cacheFile = opts.CacheFile
		}
		if cacheFile != "" {
			cache = content.ReadTreeCache(cacheFile)
		}
	}
	res := &RefResult{Commit: commit.String(), Tree: tree}
	r, err := content.LoadTree(fsys, &content.TreeOptions{Public: true, Workers: opts.Workers, Cache: cache})
	res.Repo, res.Reads = r, cache.Reads()
	if err != nil {
		return res, fmt.Errorf("%s (%s): %w: %w", ref, commit, ErrContent, err)
	}
	res.Result, err = Build(r, &Options{Out: opts.Out, Now: opts.Now, Workers: opts.Workers, Logger: opts.Logger, Release: opts.Release, TrustOutput: opts.TrustOutput, tree: tree, commit: res.Commit})
	if err != nil {
		return res, err
	}
	res.CacheErr = res.Result.state.write(sfile)
	// A few subtrees read again are not worth rewriting the cache of the
	// whole repo (megabytes at thousands of institutions) after every
	// change: until one in a hundred differs, the next build reads them
	// from git again, which costs about as much as this one did.
	if cacheFile != "" && cache.Changed() && (res.Reads*100 >= cache.Len() || !fileExists(cacheFile)) {
		if err := cache.WriteFile(cacheFile); err != nil {
			res.CacheErr = err
		}
	}
	return res, nil
}

// fileExists reports whether a file exists at p.
func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// PageGroups returns, for each institution, the key of its pages (the
// files under institutions/<slug>/, all rendered together): a hash of
// what they were rendered from, templates and settings included. Two
// builds that give an institution the same key give its pages the same
// bytes, but for the release id (Options.Release) of the build that
// rendered them; a build renders an institution's pages again only when
// their key changed (or a file of them is missing from the output).
// Package publish shares an institution's pages between releases by it.
func (r *Result) PageGroups() map[string]string {
	if r == nil || r.manifest == nil {
		return nil
	}
	out := make(map[string]string, len(r.manifest.Groups))
	for g, k := range r.manifest.Groups {
		if slug, ok := strings.CutPrefix(g, "i/"); ok {
			out[slug] = hex.EncodeToString(k[:])
		}
	}
	return out
}

// buildDelta tries a delta build (delta.go) of fsys, the tree of commit,
// from the state st. ok false means it was not possible and nothing was
// written: the caller builds the whole tree.
func buildDelta(repo *gogit.Repository, fsys *gitfs.FS, commit, tree string, st *buildState, opts *RefOptions) (res *RefResult, ok bool, err error) {
	oldFS, _, err := gitfs.Rev(repo, st.Commit)
	if err != nil {
		return nil, false, nil
	}
	if h, err := oldFS.TreeHash("."); err != nil || h != st.Tree {
		return nil, false, nil
	}
	oldT, err1 := repo.TreeObject(plumbing.NewHash(st.Tree))
	newT, err2 := repo.TreeObject(plumbing.NewHash(tree))
	if err1 != nil || err2 != nil {
		return nil, false, nil
	}
	changed, ok, err := gitfs.ChangedInstitutions(repo.Storer, oldT, newT)
	if err != nil || !ok || len(changed) > deltaMax {
		return nil, false, nil
	}
	only := func(slug string) bool { return changed[slug] }
	cur, err := content.LoadTree(fsys, &content.TreeOptions{Public: true, Workers: opts.Workers, Only: only})
	if err != nil {
		return nil, false, nil // the whole build says what is wrong
	}
	// Of the old tree, only the changed institutions' reports are needed.
	old, err := content.LoadTree(oldFS, &content.TreeOptions{Public: true, Workers: opts.Workers, Only: only, Bare: true})
	if err != nil {
		return nil, false, nil
	}
	res = &RefResult{Commit: commit, Tree: tree, Reads: len(changed), Repo: cur, Delta: true}
	res.Result, err = Build(cur, &Options{Out: opts.Out, Now: opts.Now, Workers: opts.Workers, Logger: opts.Logger, Release: opts.Release,
		TrustOutput: opts.TrustOutput, tree: tree, commit: commit, delta: &deltaInput{state: st, old: old, changed: changed}})
	if errors.Is(err, errNoDelta) {
		return nil, false, nil
	}
	return res, true, err
}
