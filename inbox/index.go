package inbox

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"kjjr/internal/atomicfile"
	submit "kjjr/submission"
)

// ingestIndex knows which messages were committed, by identity hash. It
// is a cache of the commit trailers on submit/* branches and main, kept
// in <gitdir>/kjjr/ingested.log: the line indexHeader, then append-only
// lines "c <id> <commit> submit/<slug>/<period>" and "t <ref> <tip>",
// each ending in a newline. It is rebuilt from git when it is missing or
// damaged: no header (emptied, zeroed, an older format), a line that is
// not one of those (garbage, a line cut short by a crash or a full disk,
// however long), or no entry for the inbox commit that main merged last
// (truncated at a line boundary). A damaged log is never trusted: a
// message it forgot would be committed again as pending.
type ingestIndex struct {
	mu      sync.Mutex
	path    string
	byID    map[string]indexEntry
	commits map[plumbing.Hash]bool
	tips    map[string]plumbing.Hash
	f       *os.File
}

// indexHeader is the first line of a valid ingested.log.
const indexHeader = "# kjjr ingested.log v1"

type indexEntry struct {
	Commit plumbing.Hash
	Branch string
}

// commitIdentity returns the identity hash of an inbox commit and its
// branch (from its trailers, submit.ParseMeta), or "" for other
// commits.
func commitIdentity(c *object.Commit) (string, submit.Branch) {
	m, ok := submit.ParseMeta(c.Message)
	if !ok {
		return "", submit.Branch{}
	}
	id := identity{MessageID: m.MessageID, RawSHA256: m.SourceSHA256, BodySHA256: m.BodySHA256}
	return id.Hash(), m.Branch
}

// openIndex loads the index, rebuilding it from every branch when it is
// missing or damaged (logged to log).
func openIndex(stateDir string, g *gitStore, log *slog.Logger) (*ingestIndex, error) {
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
	damage := ""
	switch {
	case os.IsNotExist(err):
		damage = "missing"
	case err != nil:
		return nil, fmt.Errorf("read index: %w", err)
	default:
		damage = ix.parse(string(data))
		if damage == "" {
			damage = ix.checkMain(g)
		}
	}
	if damage != "" {
		if !os.IsNotExist(err) {
			log.Warn("inbox: ingested.log is damaged; rebuilding it from the commit trailers", "path", ix.path, "damage", damage)
		}
		ix.byID = map[string]indexEntry{}
		ix.commits = map[plumbing.Hash]bool{}
		ix.tips = map[string]plumbing.Hash{}
		if err := ix.rebuild(g); err != nil {
			return nil, err
		}
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

// parse reads a log and returns "" if it is whole, else what is wrong.
func (ix *ingestIndex) parse(data string) string {
	body, ok := strings.CutPrefix(data, indexHeader+"\n")
	if !ok {
		return "no header"
	}
	if body != "" && !strings.HasSuffix(body, "\n") {
		return "last line cut short"
	}
	for n, line := range strings.Split(strings.TrimSuffix(body, "\n"), "\n") {
		if body == "" {
			break
		}
		f := strings.Split(line, " ")
		switch {
		case len(f) == 4 && f[0] == "c" && isHex(f[1], 64) && isHex(f[2], 40) && strings.HasPrefix(f[3], "submit/"):
			h := plumbing.NewHash(f[2])
			ix.byID[f[1]] = indexEntry{Commit: h, Branch: f[3]}
			ix.commits[h] = true
		case len(f) == 3 && f[0] == "t" && strings.HasPrefix(f[1], "refs/heads/submit/") && isHex(f[2], 40):
			ix.tips[f[1]] = plumbing.NewHash(f[2])
		default:
			return fmt.Sprintf("line %d is not an entry: %.40q", n+2, line)
		}
	}
	return ""
}

// indexable reports whether branch can be the last field of a "c" line:
// no space or control character (trailers of a hand-made commit can hold
// anything; such a line would make the log look damaged on every start).
func indexable(branch string) bool {
	for i := 0; i < len(branch); i++ {
		if branch[i] <= ' ' || branch[i] == 0x7f {
			return false
		}
	}
	return strings.HasPrefix(branch, "submit/")
}

// isHex reports whether s is n lower-case hex digits.
func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// checkMain returns "" if the index knows the inbox commit that main
// merged last (the approval most likely to be delivered again), else
// what is missing: a log cut at a line boundary parses, but forgot it.
func (ix *ingestIndex) checkMain(g *gitStore) string {
	h, err := g.mainTip()
	if err != nil {
		return "" // no main: nothing merged to forget
	}
	for i := 0; i < 1000; i++ {
		c, err := object.GetCommit(g.repo.Storer, h)
		if err != nil || len(c.ParentHashes) == 0 {
			return ""
		}
		for _, p := range c.ParentHashes[1:] {
			pc, err := object.GetCommit(g.repo.Storer, p)
			if err != nil {
				continue
			}
			if id, _ := commitIdentity(pc); id == "" {
				continue // not the inbox's (its trailers name no valid branch)
			}
			if !ix.commits[p] {
				return fmt.Sprintf("no entry for %s, merged into main by %s", p, c.Hash)
			}
			return ""
		}
		h = c.ParentHashes[0]
	}
	return ""
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
			if id, b := commitIdentity(c); id != "" {
				br := b.String()
				ix.byID[id] = indexEntry{Commit: h, Branch: br}
				ix.commits[h] = true
				lines = append(lines, fmt.Sprintf("c %s %s %s", id, h, br))
			}
			stack = append(stack, c.ParentHashes...)
		}
		if strings.HasPrefix(r.Name().String(), submit.RefPrefix) {
			ix.tips[r.Name().String()] = r.Hash()
			lines = append(lines, fmt.Sprintf("t %s %s", r.Name(), r.Hash()))
		}
	}
	lines = append([]string{indexHeader}, lines...)
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
	if !indexable(branch) {
		return nil // not an inbox branch name: a hand-made commit's trailers
	}
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
		if r.Type() != plumbing.HashReference || !strings.HasPrefix(n, submit.RefPrefix) {
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
			id, b := commitIdentity(c)
			if id == "" {
				break
			}
			if err := ix.add(id, h, b.String()); err != nil {
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
