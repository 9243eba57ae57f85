package content

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"kjjr/internal/atomicfile"
	"kjjr/internal/progid"
)

// The load cache (LoadOptions.Cache) keeps, for every record file that
// decoded without a diagnostic, its stamp (size, modification and change
// times, inode) and the decoded record, so that the next Load takes an
// unchanged file from the cache instead of reading and decoding it. The
// file is a header line, a key line, then the entries in walk order, each
// a type byte ('J': a JSON cacheEntry, 'R': a report in the binary form of
// appendReport, 'I': an institution, appendInstitution), its length
// (uvarint) and its bytes.
//
// JSON rather than gob: gob drops a false *bool (Report.ChargedFees) and
// an empty slice, JSON keeps both.
const cacheMagic = "kjjr-load-cache 4"

// racyWindow: a file modified less than this long before Load started is
// never cached, as a write in the same timestamp tick right after Load read
// it would leave its stamp unchanged (git's "racily clean" problem).
var racyWindow = 2 * time.Second // a variable for tests

// fileStamp is what says a file has not changed since it was cached.
type fileStamp struct {
	Size  int64  `json:"s"`
	MTime int64  `json:"m"`
	CTime int64  `json:"c,omitempty"`
	Ino   uint64 `json:"i,omitempty"`
	// Hash, for a file read from a git tree (LoadTree), names its bytes:
	// its blob's hash, or the hash of the institution subtree it is in.
	// Never cached: a load from a directory leaves it empty.
	Hash string `json:"-"`
}

// stampOf returns the stamp of a file and whether it can be trusted for
// caching (a real modification time, not too recent).
func stampOf(fi fs.FileInfo, start time.Time) (fileStamp, bool) {
	if fi == nil || !fi.Mode().IsRegular() || fi.ModTime().IsZero() {
		return fileStamp{}, false
	}
	st := fileStamp{Size: fi.Size(), MTime: fi.ModTime().UnixNano()}
	st.CTime, st.Ino = sysStamp(fi)
	return st, st.trusted(start)
}

// trusted reports whether the stamp of a file with a modification time
// can be trusted: neither time is within the racy window before start.
func (st fileStamp) trusted(start time.Time) bool {
	limit := start.Add(-racyWindow).UnixNano()
	return st.MTime < limit && st.CTime < limit
}

// cacheEntry is one cached record: exactly one of the pointers is set,
// the one of Kind.
type cacheEntry struct {
	Path        string        `json:"p"`
	Stamp       fileStamp     `json:"t"`
	Kind        fileKind      `json:"k"`
	Site        *Site         `json:",omitempty"`
	Calendar    *CalendarYear `json:",omitempty"`
	Notice      *Notice       `json:",omitempty"`
	Round       *Round        `json:",omitempty"`
	Publicity   *Publicity    `json:",omitempty"`
	Result      *Result       `json:",omitempty"`
	Institution *Institution  `json:",omitempty"`
	Report      *Report       `json:",omitempty"`
	Inspection  *Inspection   `json:",omitempty"`
}

// record returns the entry's record as decodeJob would, or nil when the
// entry does not hold the record of its kind.
func (e *cacheEntry) record() any {
	switch e.Kind {
	case kindSite:
		if e.Site != nil {
			return e.Site
		}
	case kindCalendar:
		if e.Calendar != nil {
			return e.Calendar
		}
	case kindNotice:
		if e.Notice != nil {
			return e.Notice
		}
	case kindRound:
		if e.Round != nil {
			return e.Round
		}
	case kindPublicity:
		if e.Publicity != nil {
			return e.Publicity
		}
	case kindResult:
		if e.Result != nil {
			return e.Result
		}
	case kindInstitution:
		if e.Institution != nil {
			return e.Institution
		}
	case kindReport:
		if e.Report != nil {
			return e.Report
		}
	case kindInspection:
		if e.Inspection != nil {
			return e.Inspection
		}
	}
	return nil
}

// newCacheEntry returns the entry of a freshly decoded record, with what
// Load derives after decoding (Institution.Reports, Publicity.End …)
// left out: the record may already have been assembled.
func newCacheEntry(j job, rec any) (cacheEntry, bool) {
	e := cacheEntry{Path: j.path, Stamp: j.stamp, Kind: j.kind}
	switch r := rec.(type) {
	case *Site:
		c := *r
		e.Site = &c
	case *CalendarYear:
		e.Calendar = r
	case *Notice:
		e.Notice = r
	case *Round:
		e.Round = r
	case *Publicity:
		c := *r
		c.End = Date{}
		e.Publicity = &c
	case *Result:
		e.Result = r
	case *Institution:
		c := *r
		c.Reports, c.Inspections, c.History = nil, nil, nil
		e.Institution = &c
	case *Report:
		e.Report = r
	case *Inspection:
		e.Inspection = r
	default:
		return e, false
	}
	return e, true
}

// cacheKey says which program wrote a cache: a cache written by another
// build of kjjr (whose records or decoder may differ) is not used.
func cacheKey(public bool) (string, error) {
	id := progid.ID()
	if id == "" {
		return "", errors.New("cannot read the running program")
	}
	return fmt.Sprintf("%s public=%t prog=%s", runtime.Version(), public, id), nil
}

// readCache reads the cache file at path: its entries, in walk order
// (classify's order, in which Load writes them). Any problem (missing,
// another version or program, corrupt, out of order) gives an empty
// cache: the cache is only ever a shortcut, never trusted over the files.
func readCache(path, key string, workers int) cacheIndex {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	header := cacheMagic + "\n" + key + "\n"
	if !bytes.HasPrefix(data, []byte(header)) {
		return nil
	}
	data = data[len(header):]
	// Find the entries, then decode them in parallel.
	type span struct {
		typ  byte
		data []byte
	}
	var spans []span
	for len(data) > 0 {
		typ := data[0]
		n, k := binary.Uvarint(data[1:])
		if k <= 0 || n > uint64(len(data)-1-k) || (typ != 'J' && typ != 'R' && typ != 'I') {
			return nil
		}
		spans = append(spans, span{typ, data[1+k : 1+k+int(n)]})
		data = data[1+k+int(n):]
	}
	parts := make([][]*cacheEntry, workers)
	var bad atomic.Bool
	var wg sync.WaitGroup
	per := len(spans)/workers + 1
	for w := range workers {
		lo, hi := min(w*per, len(spans)), min((w+1)*per, len(spans))
		wg.Add(1)
		go func() {
			defer wg.Done()
			es := make([]*cacheEntry, 0, hi-lo)
			var rd reportDecoder
			for _, sp := range spans[lo:hi] {
				var e *cacheEntry
				var err error
				switch sp.typ {
				case 'R':
					e, err = rd.read(sp.data)
				case 'I':
					e, err = rd.readInstitution(sp.data)
				default:
					e = new(cacheEntry)
					if err = json.Unmarshal(sp.data, e); err == nil && (e.record() == nil || e.Path == "") {
						err = errCacheCorrupt
					}
				}
				if err != nil {
					bad.Store(true)
					return
				}
				es = append(es, e)
			}
			parts[w] = es
		}()
	}
	wg.Wait()
	if bad.Load() {
		return nil
	}
	all := make(cacheIndex, 0, len(spans))
	for _, es := range parts {
		for _, e := range es {
			if len(all) > 0 && walkCompare(all[len(all)-1].Path, e.Path) >= 0 {
				return nil
			}
			all = append(all, e)
		}
	}
	return all
}

// cacheIndex is the cache's entries, in walk order, without duplicates.
type cacheIndex []*cacheEntry

// find returns the index of the entry of path p, or -1. Files come in
// walk order: prev is the index of the entry found for the file before
// (or -1), and the entry of the next file is usually the next one.
// When there is none, prev is set so that the following file is found
// without a search.
func (c cacheIndex) find(p string, prev *int) int {
	if i := *prev + 1; i < len(c) && c[i].Path == p {
		*prev = i
		return i
	}
	i := sort.Search(len(c), func(i int) bool { return walkCompare(c[i].Path, p) >= 0 })
	if i < len(c) && c[i].Path == p {
		*prev = i
		return i
	}
	*prev = i - 1
	return -1
}

// walkCompare compares slash-separated paths in walk order (directory
// entries by name, a directory's files right after it): as strings, but
// with the separator before any other byte.
func walkCompare(a, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		switch {
		case x == '/':
			return -1
		case y == '/':
			return 1
		case x < y:
			return -1
		}
		return 1
	}
	return len(a) - len(b)
}

// writeCache writes the entries to path atomically (a temporary file in
// the same directory, renamed over path), readable by the owner only.
func writeCache(path, key string, entries []cacheEntry) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create cache directory: %w", err)
	}
	w, err := atomicfile.Create(path, 0o600)
	if err != nil {
		return fmt.Errorf("create cache: %w", err)
	}
	defer w.Abort()
	w.WriteString(cacheMagic + "\n" + key + "\n")
	var buf []byte
	for i := range entries {
		e := &entries[i]
		var typ byte
		switch {
		case e.Kind == kindReport && reportBinary(e.Report):
			typ, buf = 'R', appendReport(buf[:0], e)
		case e.Kind == kindInstitution && institutionBinary(e.Institution):
			typ, buf = 'I', appendInstitution(buf[:0], e)
		default:
			typ = 'J'
			var err error
			if buf, err = json.Marshal(e); err != nil {
				return fmt.Errorf("encode cache entry %s: %w", e.Path, err)
			}
		}
		w.WriteByte(typ)
		var n [binary.MaxVarintLen64]byte
		w.Write(n[:binary.PutUvarint(n[:], uint64(len(buf)))])
		w.Write(buf)
	}
	if err := w.CommitNoSync(); err != nil { // a cache: rebuilt if lost
		return fmt.Errorf("write cache: %w", err)
	}
	return nil
}

// stripPrivate drops what the public site never shows (LoadOptions.Public).
func stripPrivate(rec any) {
	switch r := rec.(type) {
	case *Report:
		if r.Kind == Monthly.String() {
			s := r.ServedSet()
			r.Served = &s
		}
		r.Enterprises = nil
		r.Sender, r.MessageID, r.SourceSHA256, r.Filer, r.Phone = "", "", "", "", ""
		r.Financing, r.Documents, r.Evidence, r.Skipped, r.Warnings = nil, nil, nil, nil, nil
		r.Body = ""
	case *Institution:
		r.ReportSenders, r.DKIMKeys = nil, nil
	}
}
