package content

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"kjjr/internal/atomicfile"
)

// A full (not Compliance) TreeCache is kept in a binary file: a header
// line, a key line naming the program that wrote it and whether the load
// was Public (a cache written by another build of kjjr is not used), then
// for each institution subtree where Load reports no problem an 'S' entry
// (JSON: slug, tree hash, number of records, hash of index.md) followed by its records in
// walk order, each as in the load cache ('R' a report, 'I' an
// institution, 'J' JSON), every entry a type byte, a uvarint length and
// its bytes. Subtrees with problems are not kept: the next load reads
// them again. Records are kept as decoded and assembled again when a load
// uses them, so a record from the file is what decoding gives.
const treeCacheFullMagic = "kjjr-tree-cache-full 1"

type fullSubtree struct {
	Slug string `json:"s"`
	Hash string `json:"h"`
	N    int    `json:"n"`
	I    string `json:"i,omitempty"` // subtree.index
}

func (c *TreeCache) writeFullLocked(p string) error {
	key, err := cacheKey(c.mode.public)
	if err != nil {
		return fmt.Errorf("content: tree cache: %w", err)
	}
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("content: tree cache: %w", err)
	}
	// A cache: losing it to a crash costs speed only, so no fsync.
	f, err := atomicfile.Create(p, 0o600)
	if err != nil {
		return fmt.Errorf("content: tree cache: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString(treeCacheFullMagic + "\n" + key + "\n")
	var buf []byte
	entry := func(typ byte, data []byte) {
		w.WriteByte(typ)
		var n [binary.MaxVarintLen64]byte
		w.Write(n[:binary.PutUvarint(n[:], uint64(len(data)))])
		w.Write(data)
	}
	var werr error
	for _, st := range c.subtrees {
		if st.ts == nil || werr != nil {
			continue
		}
		hdr, _ := json.Marshal(fullSubtree{st.slug, st.hash, len(st.ts), st.index})
		entry('S', hdr)
		for _, t := range st.ts {
			e, ok := newCacheEntry(t.job, t.res.rec)
			if !ok {
				werr = fmt.Errorf("record %s cannot be cached", t.path)
				break
			}
			var typ byte
			switch {
			case e.Kind == kindReport && reportBinary(e.Report):
				typ, buf = 'R', appendReport(buf[:0], &e)
			case e.Kind == kindInstitution && institutionBinary(e.Institution):
				typ, buf = 'I', appendInstitution(buf[:0], &e)
			default:
				typ = 'J'
				buf, werr = json.Marshal(&e)
			}
			if werr != nil {
				break
			}
			entry(typ, buf)
		}
	}
	if werr == nil {
		werr = w.Flush()
	}
	if werr == nil {
		werr = f.CommitNoSync()
	} else {
		f.Abort()
	}
	if werr != nil {
		return fmt.Errorf("content: tree cache: %w", werr)
	}
	c.changed = false
	return nil
}

// parseTreeCacheFull reads the full format (after its magic line).
func parseTreeCacheFull(data []byte) (*TreeCache, error) {
	bad := errors.New("content: damaged tree cache")
	keyLine, _, ok := strings.Cut(string(data[:min(len(data), 4096)]), "\n")
	if !ok {
		return nil, bad
	}
	var mode treeMode
	switch k := keyLine; {
	case k == mustKey(true):
		mode.public = true
	case k == mustKey(false):
	default:
		return nil, bad
	}
	data = data[len(keyLine)+1:]
	type span struct {
		typ  byte
		data []byte
	}
	var spans []span
	for len(data) > 0 {
		typ := data[0]
		n, k := binary.Uvarint(data[1:])
		if k <= 0 || n > uint64(len(data)-1-k) || (typ != 'J' && typ != 'R' && typ != 'I' && typ != 'S') {
			return nil, bad
		}
		spans = append(spans, span{typ, data[1+k : 1+k+int(n)]})
		data = data[1+k+int(n):]
	}
	entries := make([]*cacheEntry, len(spans))
	heads := make([]*fullSubtree, len(spans))
	workers := runtime.GOMAXPROCS(0)
	per := len(spans)/workers + 1
	var failed atomic.Bool
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := min(w*per, len(spans)), min((w+1)*per, len(spans))
		wg.Go(func() {
			var rd reportDecoder
			for i := lo; i < hi; i++ {
				sp := spans[i]
				var e *cacheEntry
				var err error
				switch sp.typ {
				case 'S':
					h := new(fullSubtree)
					if err = json.Unmarshal(sp.data, h); err == nil && (h.Slug == "" || strings.Contains(h.Slug, "/") || h.N < 0) {
						err = bad
					}
					heads[i] = h
				case 'R':
					e, err = rd.read(sp.data)
				case 'I':
					e, err = rd.readInstitution(sp.data)
				default:
					e = new(cacheEntry)
					if err = json.Unmarshal(sp.data, e); err == nil && (e.record() == nil || e.Path == "") {
						err = bad
					}
				}
				if err != nil {
					failed.Store(true)
					return
				}
				entries[i] = e
			}
		})
	}
	wg.Wait()
	if failed.Load() {
		return nil, bad
	}
	c := &TreeCache{mode: mode, subtrees: make(map[string]*subtree)}
	for i := 0; i < len(spans); {
		h := heads[i]
		if h == nil || h.N > len(spans)-i-1 {
			return nil, bad
		}
		st := &subtree{slug: h.Slug, hash: h.Hash, index: h.I, pending: true, ts: make([]*task, h.N)}
		prefix := "institutions/" + h.Slug + "/"
		for j := range h.N {
			e := entries[i+1+j]
			if e == nil || !strings.HasPrefix(e.Path, prefix) {
				return nil, bad
			}
			base := path.Base(e.Path)
			st.ts[j] = &task{job: job{path: e.Path, kind: e.Kind, slug: h.Slug, name: strings.TrimSuffix(base, path.Ext(base))},
				res: decoded{rec: e.record()}}
		}
		c.subtrees[h.Slug+" "+h.Hash] = st
		i += 1 + h.N
	}
	return c, nil
}

func mustKey(public bool) string {
	k, err := cacheKey(public)
	if err != nil {
		return "\x00" // matches no key line
	}
	return k
}
