package inbox

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"kjjr/internal/atomicfile"
)

// ingestIndex knows which messages were committed, by identity hash. It
// is a cache of the commit trailers on submit/* branches and main, kept
// in <gitdir>/kjjr/ingested.log (append-only lines "c <id> <commit>
// <branch>" and "t <ref> <tip>"); delete the file to rebuild it from git.
type ingestIndex struct {
	mu      sync.Mutex
	path    string
	byID    map[string]indexEntry
	commits map[plumbing.Hash]bool
	tips    map[string]plumbing.Hash
	f       *os.File
}

type indexEntry struct {
	Commit plumbing.Hash
	Branch string
}

// trailers parses the trailer lines of a commit message.
func trailers(msg string) map[string]string {
	out := map[string]string{}
	paras := strings.Split(strings.TrimRight(msg, "\n"), "\n\n")
	last := paras[len(paras)-1]
	for _, l := range strings.Split(last, "\n") {
		k, v, ok := strings.Cut(l, ": ")
		if ok && !strings.ContainsAny(k, " \t") {
			out[k] = strings.TrimSpace(v)
		}
	}
	return out
}

// commitIdentity returns the identity hash of an inbox commit, or "" for
// other commits.
func commitIdentity(c *object.Commit) string {
	t := trailers(c.Message)
	if t["Kjjr-Institution"] == "" || t["Source-Sha256"] == "" {
		return ""
	}
	id := identity{MessageID: strings.Trim(t["Message-Id"], "<>"), RawSHA256: t["Source-Sha256"], BodySHA256: t["Body-Sha256"]}
	return id.Hash()
}

// openIndex loads the index, rebuilding it from every branch when missing.
func openIndex(stateDir string, g *gitStore) (*ingestIndex, error) {
	if err := os.MkdirAll(stateDir, 0o755); err != nil {
		return nil, fmt.Errorf("create state dir: %w", err)
	}
	ix := &ingestIndex{
		path:    filepath.Join(stateDir, "ingested.log"),
		byID:    map[string]indexEntry{},
		commits: map[plumbing.Hash]bool{},
		tips:    map[string]plumbing.Hash{},
	}
	data, err := os.ReadFile(ix.path)
	switch {
	case os.IsNotExist(err):
		if err := ix.rebuild(g); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, fmt.Errorf("read index: %w", err)
	default:
		ix.parse(string(data))
	}
	f, err := os.OpenFile(ix.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open index: %w", err)
	}
	ix.f = f
	return ix, nil
}

func (ix *ingestIndex) close() error {
	if ix.f != nil {
		return ix.f.Close()
	}
	return nil
}

func (ix *ingestIndex) parse(data string) {
	sc := bufio.NewScanner(strings.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 4 && f[0] == "c" && len(f[2]) == 40:
			h := plumbing.NewHash(f[2])
			ix.byID[f[1]] = indexEntry{Commit: h, Branch: f[3]}
			ix.commits[h] = true
		case len(f) == 3 && f[0] == "t" && len(f[2]) == 40:
			ix.tips[f[1]] = plumbing.NewHash(f[2])
		}
		// Anything else is a torn line from a crash: ignored.
	}
}

// rebuild walks every commit reachable from any branch and writes a fresh
// index file atomically.
func (ix *ingestIndex) rebuild(g *gitStore) error {
	var lines []string
	seen := map[plumbing.Hash]bool{}
	refs, err := g.repo.Storer.IterReferences()
	if err != nil {
		return fmt.Errorf("list refs: %w", err)
	}
	var heads []*plumbing.Reference
	_ = refs.ForEach(func(r *plumbing.Reference) error {
		if r.Type() == plumbing.HashReference && r.Name().IsBranch() {
			heads = append(heads, r)
		}
		return nil
	})
	for _, r := range heads {
		stack := []plumbing.Hash{r.Hash()}
		for len(stack) > 0 {
			h := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if seen[h] {
				continue
			}
			seen[h] = true
			c, err := object.GetCommit(g.repo.Storer, h)
			if err != nil {
				continue // shallow or missing: nothing to learn
			}
			if id := commitIdentity(c); id != "" {
				t := trailers(c.Message)
				br := "submit/" + t["Kjjr-Institution"] + "/" + t["Kjjr-Period"]
				ix.byID[id] = indexEntry{Commit: h, Branch: br}
				ix.commits[h] = true
				lines = append(lines, fmt.Sprintf("c %s %s %s", id, h, br))
			}
			stack = append(stack, c.ParentHashes...)
		}
		if strings.HasPrefix(r.Name().String(), "refs/heads/submit/") {
			ix.tips[r.Name().String()] = r.Hash()
			lines = append(lines, fmt.Sprintf("t %s %s", r.Name(), r.Hash()))
		}
	}
	if err := atomicfile.WriteFile(ix.path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		return fmt.Errorf("write index: %w", err)
	}
	return nil
}

func (ix *ingestIndex) lookup(id string) (indexEntry, bool) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	e, ok := ix.byID[id]
	return e, ok
}

func (ix *ingestIndex) add(id string, commit plumbing.Hash, branch string) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.byID[id] = indexEntry{Commit: commit, Branch: branch}
	ix.commits[commit] = true
	ix.tips["refs/heads/"+branch] = commit
	_, err := fmt.Fprintf(ix.f, "c %s %s %s\nt refs/heads/%s %s\n", id, commit, branch, branch, commit)
	return err
}

// reconcile learns inbox commits on submit/* branches made since the index
// last saw them (a crash between the ref update and the index write, or
// another writer). It walks each changed branch back to a known commit or
// to the first commit that is not the inbox's.
func (ix *ingestIndex) reconcile(g *gitStore) error {
	refs, err := g.repo.Storer.IterReferences()
	if err != nil {
		return fmt.Errorf("list refs: %w", err)
	}
	defer refs.Close()
	var changed []*plumbing.Reference
	err = refs.ForEach(func(r *plumbing.Reference) error {
		n := r.Name().String()
		if r.Type() != plumbing.HashReference || !strings.HasPrefix(n, "refs/heads/submit/") {
			return nil
		}
		ix.mu.Lock()
		known := ix.tips[n] == r.Hash()
		ix.mu.Unlock()
		if !known {
			changed = append(changed, r)
		}
		return nil
	})
	if err != nil && err != storer.ErrStop {
		return err
	}
	for _, r := range changed {
		h := r.Hash()
		for i := 0; i < 10000; i++ {
			ix.mu.Lock()
			known := ix.commits[h]
			ix.mu.Unlock()
			if known {
				break
			}
			c, err := object.GetCommit(g.repo.Storer, h)
			if err != nil {
				break
			}
			id := commitIdentity(c)
			if id == "" {
				break
			}
			t := trailers(c.Message)
			if err := ix.add(id, h, "submit/"+t["Kjjr-Institution"]+"/"+t["Kjjr-Period"]); err != nil {
				return err
			}
			if len(c.ParentHashes) == 0 {
				break
			}
			h = c.ParentHashes[0]
		}
		ix.mu.Lock()
		ix.tips[r.Name().String()] = r.Hash()
		_, err := fmt.Fprintf(ix.f, "t %s %s\n", r.Name(), r.Hash())
		ix.mu.Unlock()
		if err != nil {
			return err
		}
	}
	return nil
}
