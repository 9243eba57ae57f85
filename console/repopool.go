package console

import (
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"kjjr/review"
)

// repoPool keeps opened content repos between the requests that only
// read. Opening one loads the index of every pack file (about 50 ms of CPU
// for the 5000-institution corpus), which a page would otherwise pay on
// every request. A pooled repo is used by one request at a time. It reads
// refs and loose objects from disk at every use, as a fresh one does; what
// it keeps is the pack indexes, so the pool is emptied as soon as the set
// of pack files changes (a push, git gc, git repack).
type repoPool struct {
	mu   sync.Mutex
	sig  string
	free []*review.Repo
}

// poolMax is the most idle repos kept.
const poolMax = 4

// packSignature names the pack files of gitDir (name and size).
func packSignature(gitDir string) string {
	ents, err := os.ReadDir(filepath.Join(gitDir, "objects", "pack"))
	if err != nil {
		return "error " + err.Error()
	}
	var b strings.Builder
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".pack") || strings.HasSuffix(e.Name(), ".idx") {
			b.WriteString(e.Name())
			if info, err := e.Info(); err == nil {
				b.WriteString(" " + strconv.FormatInt(info.Size(), 10))
			}
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// borrowRepo returns an opened content repo for a request that only reads
// git, and the function that gives it back; on failure it has written the
// error page and returns ok false.
func (s *Server) borrowRepo(w http.ResponseWriter, se *session) (repo *review.Repo, release func(), ok bool) {
	p := &s.views.pool
	sig := packSignature(s.gitDir)
	p.mu.Lock()
	if sig != p.sig {
		for _, r := range p.free {
			_ = r.Close()
		}
		p.free, p.sig = nil, sig
	}
	if n := len(p.free); n > 0 {
		repo, p.free = p.free[n-1], p.free[:n-1]
	}
	p.mu.Unlock()
	if repo == nil {
		if repo, ok = s.openRepo(w, se); !ok {
			return nil, nil, false
		}
	}
	return repo, func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.sig == sig && len(p.free) < poolMax {
			p.free = append(p.free, repo)
			return
		}
		_ = repo.Close()
	}, true
}

// borrowAtRefs is borrowRepo plus the refs the page reads under
// (readRefs): the start of every page served from the kept views. ok
// false means the refusal was written.
func (s *Server) borrowAtRefs(w http.ResponseWriter, se *session) (repo *review.Repo, k refsKey, release func(), ok bool) {
	repo, release, ok = s.borrowRepo(w, se)
	if !ok {
		return nil, refsKey{}, nil, false
	}
	k, err := readRefs(repo)
	if err != nil {
		release()
		s.fail(w, se, err)
		return nil, refsKey{}, nil, false
	}
	return repo, k, release, true
}
