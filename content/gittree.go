package content

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// TreeFS is a content tree whose directories carry a hash of everything
// under them, as git trees do: two directories with the same hash hold
// the same files. *gitfs.FS (package kjjr/content/gitfs) is one.
type TreeFS interface {
	fs.FS
	// TreeHash returns the hash of directory dir ("." for the root).
	TreeHash(dir string) (string, error)
}

// TreeOptions tune LoadTree. A nil *TreeOptions means the defaults.
type TreeOptions struct {
	// Workers is the number of files decoded in parallel; 0 means GOMAXPROCS.
	Workers int
	// Public is LoadOptions.Public: private fields are dropped right after
	// decoding, before anything is cached.
	Public bool
	// Compliance loads only what the compliance matrix (Repo.Compliance,
	// kjjr status) reads: Site; of each institution its Name, ShortName,
	// status History and Reports, and of each report only Kind, Period
	// and ReceivedAt; and the Calendar, which deadlines need (see Due).
	// Notices and inspections are not read; Rounds, Publicities and
	// Results are left empty (they are read, and only to derive the
	// histories, when the histories cannot come from the cache). Diags are those Load reports for the files read.
	// Nothing private is kept, so Public makes no difference.
	Compliance bool
	// Years, with Compliance, attaches only the reports of these years.
	Years []int
	// Cache, when not nil, is read and updated: see TreeCache. It is not
	// used when Only is set.
	Cache *TreeCache
	// Only, when not nil, limits the load to the institutions for which it
	// returns true: the directories institutions/<slug> of the others are
	// not read at all, and the Repo has neither them nor their problems.
	// Everything outside institutions/ is loaded as usual. It is how a
	// change to a few institutions is checked or built without reading
	// thousands: what Load derives for an institution comes from its own
	// directory and the files outside institutions/ alone, and the rules
	// that compare institutions with each other read only their index.md.
	// Check such a load with Repo.CheckInstitutions: Check would report
	// every institution that rounds, publicity or results name and that
	// was left out.
	Only func(slug string) bool
	// Bare reads nothing outside institutions/ but site.yaml: no notices,
	// rounds, publicity, results or calendar, so the institutions have no
	// status History and nothing is checked against those files. For a
	// caller that needs only the institutions' own records (a delta build
	// takes the old reports of the changed institutions out of its
	// figures: decoding the results files twice would cost it more).
	Bare bool
}

// TreeCache holds what LoadTree loaded from a tree, keyed by tree hashes:
// each institution's subtree (institutions/<slug>, by slug and hash) as
// Load assembles it (the institution with its reports and inspections,
// and every problem Load reports there), and, for Compliance loads, the
// status histories derived from rounds/, publicity/, results/ and
// calendar/ (by their hashes and the set of institutions). A tree hash
// names its content exactly, so an entry is never stale: a second
// LoadTree after one report changed reads only that institution's
// subtree. That is what Load derives for an institution from its own
// directory; the histories, which depend on the rest of the tree, are
// derived again (or, for Compliance, taken from the cache when their
// inputs are unchanged).
//
// A cache holds the entries of one kind of load (Compliance or not,
// Public or not); a load of another kind empties it, so a Public load
// never sees private fields. Entries the last load did not use are
// dropped. Reports and inspections taken from the cache are shared by
// the Repos loaded with it (each Repo has its own Institution values):
// never modify a loaded Repo.
//
// The zero TreeCache is empty and ready to use; it is safe for concurrent
// use (loads with one cache run one at a time). It can be kept in a file
// (ReadTreeCache, WriteFile).
type TreeCache struct {
	mu       sync.Mutex
	mode     treeMode
	subtrees map[string]*subtree // by slug + " " + tree hash
	// Compliance loads: the histories of every institution that exists,
	// the problems found in the history dirs, and the key naming their
	// inputs.
	histKey   string
	hist      map[string][]Event
	histDiags Diagnostics
	changed   bool // since it was read or written
	reads     int  // subtrees read (not taken from the cache) by the last load
}

type treeMode struct{ compliance, public bool }

// subtree is what an institution's directory loaded to.
type subtree struct {
	slug, hash string
	// inst is the institution as Load assembles it, with its Reports and
	// Inspections (only what Compliance keeps, for a Compliance cache);
	// nil when its index.md did not decode.
	inst  *Institution
	diags Diagnostics // every problem Load reports in the directory
	// ts, in a full (not Compliance) cache, are the decoded records of a
	// subtree where Load reports no problem, kept for WriteFile; pending
	// says they were read from a file and are not assembled into inst yet.
	ts      []*task
	pending bool
	// index is the hash of the blob of its index.md (with an entryHasher
	// TreeFS), which stamps the institution record on its own: a build
	// tells a changed report from a changed institution by it.
	index string
}

// assemble makes the subtree's institution from its decoded records ts,
// as Load assembles it from the same files.
func (st *subtree) assemble(fsys fs.FS, ts []*task, compliance bool) {
	if compliance {
		for _, t := range ts {
			t.res.rec = complianceRecord(t.res.rec)
		}
	}
	sr := &Repo{FS: fsys}
	sr.assemble(ts)
	for _, d := range sr.Diags {
		if d.File != "site.yaml" { // sr has none: not this subtree's problem
			st.diags = append(st.diags, d)
		}
	}
	if len(sr.Institutions) == 1 {
		st.inst = sr.Institutions[0]
		st.inst.History = nil
	}
	st.pending = false
	if compliance || len(st.diags) > 0 || st.inst == nil {
		st.ts = nil
		return
	}
	for _, t := range ts {
		if t.res.rec == nil || len(t.res.diags) > 0 {
			st.ts = nil
			return
		}
	}
	st.ts = ts
}

// historyDirs hold the records statuses derive from (deriveHistory, and
// the calendar that dates publicity ends).
// The calendar is read on every Compliance load, for the deadlines; it
// is part of historyKey all the same (publicity ends are working days).
var historyDirs = []string{"publicity", "results", "rounds"}

// Changed reports whether the cache changed since it was read from a file
// or written to one (then it is worth writing again).
func (c *TreeCache) Changed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.changed
}

// Len returns how many institution subtrees the cache holds.
func (c *TreeCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.subtrees)
}

// Reads returns how many institution subtrees the last LoadTree read from
// the tree rather than taking them from the cache.
func (c *TreeCache) Reads() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reads
}

func (c *TreeCache) reset(m treeMode) {
	c.mode, c.subtrees = m, map[string]*subtree{}
	c.histKey, c.hist, c.histDiags = "", nil, nil
	c.changed = true
}

// LoadTree is Load for a tree that names its directories by hashes (a git
// tree, see TreeFS): the same records, statuses and diagnostics as Load of
// a checkout of the same tree, but an institution whose subtree is in
// opts.Cache is taken from there without being read (see TreeCache). With
// opts.Compliance it loads only what the compliance matrix needs. The
// returned Repo is never nil; the error, when not nil, is a Diagnostics
// holding the errors, as with Load.
func LoadTree(fsys TreeFS, opts *TreeOptions) (*Repo, error) {
	var o TreeOptions
	if opts != nil {
		o = *opts
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	mode := treeMode{compliance: o.Compliance, public: o.Public && !o.Compliance}
	c := o.Cache
	if c == nil || o.Only != nil {
		c = new(TreeCache)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.subtrees == nil || c.mode != mode {
		c.reset(mode)
	}

	r := &Repo{FS: fsys}
	cl := &classifier{}
	var tasks, todo []*task // the records outside institutions/; those to decode
	cl.emit = func(j job) {
		t := &task{job: j}
		tasks = append(tasks, t)
		todo = append(todo, t)
	}
	type fresh struct {
		key string // "" when the subtree has no hash: not cached
		st  *subtree
		ts  []*task
	}
	var news []fresh
	var subs []*subtree // every institution's, in walk order
	used := make(map[string]*subtree, len(c.subtrees))
	isDir := map[string]bool{}
	root, err := fs.ReadDir(fsys, ".")
	if err != nil {
		cl.ds = append(cl.ds, Diagnostic{File: ".", Message: fmt.Sprintf("无法读取：%v", err)})
	}
	for _, e := range root {
		name := e.Name()
		isDir[name] = e.IsDir()
		switch {
		case name == "institutions" && e.IsDir():
			ents, err := fs.ReadDir(fsys, name)
			if err != nil {
				cl.ds = append(cl.ds, Diagnostic{File: name, Message: fmt.Sprintf("无法读取：%v", err)})
			}
			for _, e := range ents {
				slug, p := e.Name(), "institutions/"+e.Name()
				if !e.IsDir() {
					cl.visit(p, slug, e.Type()) // a stray file: only its warning
					continue
				}
				if strings.HasPrefix(slug, ".") || (o.Only != nil && !o.Only(slug)) {
					continue
				}
				h, herr := fsys.TreeHash(p)
				key := slug + " " + h
				if herr == nil {
					if st := c.subtrees[key]; st != nil {
						if st.pending {
							st.assemble(fsys, st.ts, false)
						}
						used[key] = st
						subs = append(subs, st)
						continue
					}
				}
				st := &subtree{slug: slug, hash: h}
				sub := &classifier{}
				var ts []*task
				sub.emit = func(j job) {
					if o.Compliance && j.kind == kindInspection {
						return
					}
					t := &task{job: j}
					ts = append(ts, t)
					todo = append(todo, t)
				}
				sub.walkDir(fsys, p, false)
				st.diags = sub.ds
				if eh, ok := fsys.(entryHasher); ok {
					st.index, _ = eh.EntryHash(p + "/index.md")
				}
				if herr != nil {
					key = "" // not cached
				}
				news = append(news, fresh{key, st, ts})
				subs = append(subs, st)
			}
		case o.Bare && name != "site.yaml":
			// Only the institutions (see Bare).
		case o.Compliance && name != "site.yaml" && name != "calendar":
			// Only site.yaml, the calendar (deadlines move off rest days,
			// see Due) and the history dirs (below, when needed).
		case e.IsDir():
			cl.walkDir(fsys, name, false)
		default:
			if j, ok, _ := cl.visit(name, name, e.Type()); ok {
				cl.emit(j)
			}
		}
	}
	c.reads = len(news)
	decodeTasks(fsys, todo, o.Workers, mode.public)
	todo = todo[:0]

	// Each new subtree is assembled on its own (what Load derives for an
	// institution comes from its directory alone) and cached.
	outside := len(tasks) // the records outside institutions/
	for _, n := range news {
		n.st.assemble(fsys, n.ts, o.Compliance)
		if n.key != "" {
			used[n.key] = n.st
		}
	}
	if len(news) > 0 || len(used) != len(c.subtrees) {
		c.changed = true
	}
	c.subtrees = used

	// For Compliance the histories come from the cache while their
	// inputs are unchanged, else the history dirs are read.
	var histKey string
	if o.Compliance {
		histKey = historyKey(fsys, subs)
		if histKey != c.histKey {
			for _, d := range historyDirs {
				if isDir[d] {
					cl.walkDir(fsys, d, false)
				}
			}
			decodeTasks(fsys, todo, o.Workers, false)
		}
	}

	// The institutions go through assemble as records already assembled;
	// each Repo gets its own copy.
	for _, st := range subs {
		cl.ds = append(cl.ds, st.diags...)
		if st.inst == nil {
			continue
		}
		inst := *st.inst
		inst.Reports = slices.Clone(inst.Reports)
		inst.Inspections = slices.Clone(inst.Inspections)
		if len(o.Years) > 0 && o.Compliance {
			inst.Reports = slices.DeleteFunc(inst.Reports, func(rep *Report) bool { return !slices.Contains(o.Years, rep.Period.Year) })
		}
		tasks = append(tasks, &task{job: job{path: inst.File, kind: kindInstitution, slug: st.slug, name: "index"}, res: decoded{rec: &inst}})
	}
	r.Diags = append(r.Diags, cl.ds...)
	r.assemble(tasks)
	if o.Compliance {
		if histKey == c.histKey {
			for _, inst := range r.Institutions {
				inst.History = c.hist[inst.Slug]
			}
			r.Diags = append(r.Diags, c.histDiags...)
		} else {
			c.histKey, c.changed = histKey, true
			c.hist = make(map[string][]Event, len(r.Institutions))
			for _, inst := range r.Institutions {
				c.hist[inst.Slug] = inst.History
			}
			c.histDiags = nil
			for _, d := range r.Diags {
				if inHistoryDirs(d.File) {
					c.histDiags = append(c.histDiags, d)
				}
			}
		}
		r.Notices, r.Rounds, r.Publicities, r.Results = nil, nil, nil, nil
		r.notices, r.rounds, r.publicities, r.results = map[string]*Notice{}, map[string]*Round{}, map[string]*Publicity{}, map[int]*Result{}
	}
	if !o.Compliance {
		r.stampTree(fsys, subs, tasks[:outside])
	}
	r.Diags.Sort()
	if r.Diags.HasErrors() {
		return r, r.Diags.Errors()
	}
	return r, nil
}

// entryHasher is a TreeFS that also names files by hashes (gitfs.FS).
type entryHasher interface {
	EntryHash(name string) (string, error)
}

// stampTree gives the files of a tree load their stamps (AppendStamp):
// the reports and inspections of an institution the hash of its subtree,
// which names all of them; its index.md and the files outside
// institutions (when fsys has EntryHash) their own blobs' hashes.
func (r *Repo) stampTree(fsys TreeFS, subs []*subtree, outside []*task) {
	n := len(outside)
	for _, st := range subs {
		if st.inst != nil {
			n += 1 + len(st.inst.Reports) + len(st.inst.Inspections)
		}
	}
	r.stamps = make(map[string]fileStamp, n)
	if eh, ok := fsys.(entryHasher); ok {
		for _, t := range outside {
			if h, err := eh.EntryHash(t.path); err == nil {
				r.stamps[t.path] = fileStamp{Hash: "b" + h}
			}
		}
	}
	for _, st := range subs {
		if st.inst == nil || st.hash == "" {
			continue
		}
		s := fileStamp{Hash: "t" + st.hash}
		r.stamps[st.inst.File] = s
		if st.index != "" && st.inst.File == "institutions/"+st.slug+"/index.md" {
			r.stamps[st.inst.File] = fileStamp{Hash: "b" + st.index}
		}
		for _, rep := range st.inst.Reports {
			r.stamps[rep.File] = s
		}
		for _, x := range st.inst.Inspections {
			r.stamps[x.File] = s
		}
	}
}

// complianceRecord keeps of a decoded record what the compliance matrix reads.
func complianceRecord(rec any) any {
	switch r := rec.(type) {
	case *Institution:
		return &Institution{Name: r.Name, ShortName: r.ShortName, Meta: Meta{Slug: r.Slug, File: r.File}}
	case *Report:
		return &Report{Kind: r.Kind, Period: r.Period, ReceivedAt: r.ReceivedAt, Meta: Meta{Slug: r.Slug, File: r.File}}
	}
	return rec
}

// decodeTasks decodes the tasks' files with workers in parallel.
func decodeTasks(fsys fs.FS, todo []*task, workers int, public bool) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, len(todo)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(todo) {
					return
				}
				t := todo[i]
				t.res = decodeJob(fsys, t.job)
				if public && t.res.rec != nil {
					stripPrivate(t.res.rec)
				}
			}
		})
	}
	wg.Wait()
}

// historyKey names the inputs of the status histories: the history dirs'
// hashes and the institutions that exist (whose index.md decoded).
func historyKey(fsys TreeFS, subs []*subtree) string {
	h := sha256.New()
	for _, d := range append([]string{"calendar"}, historyDirs...) {
		th, err := fsys.TreeHash(d)
		if err != nil {
			th = "-"
		}
		io.WriteString(h, d+" "+th+"\n")
	}
	for _, st := range subs {
		if st.inst != nil {
			io.WriteString(h, st.slug)
			h.Write([]byte{'\n'})
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func inHistoryDirs(file string) bool {
	for _, d := range historyDirs {
		if file == d || strings.HasPrefix(file, d+"/") {
			return true
		}
	}
	return false
}
