package content

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Repo is a loaded content repo: every record, typed, with derived
// statuses. Slices are sorted by slug (results by year, reports by period).
// A Repo is read-only after Load and safe for concurrent reads.
type Repo struct {
	Site         Site
	Calendar     *Calendar
	Notices      []*Notice
	Rounds       []*Round
	Publicities  []*Publicity
	Institutions []*Institution
	Results      []*Result

	// Diags holds every problem Load found (errors and warnings).
	Diags Diagnostics

	// FS is the tree the repo was loaded from.
	FS fs.FS

	notices      map[string]*Notice
	rounds       map[string]*Round
	publicities  map[string]*Publicity
	institutions map[string]*Institution
	results      map[int]*Result

	cacheHits int                  // records taken from LoadOptions.Cache
	stamps    map[string]fileStamp // with LoadOptions.Cache: trusted stamps of the files read
}

// LoadOptions tune Load. A nil *LoadOptions means the defaults.
type LoadOptions struct {
	// Workers is the number of files decoded in parallel; 0 means GOMAXPROCS.
	Workers int
	// Cache, when not empty, is the path of a cache file of decoded
	// records (see cache.go): a record file whose size, modification and
	// change times and inode are those cached is taken from the cache
	// without being read. Only files that decoded without any diagnostic
	// are cached, so the diagnostics are the same with or without it. A
	// missing, corrupt or foreign cache is ignored and rewritten. The file
	// is written atomically at the end of Load when anything changed;
	// failing to write it is not an error (see CacheErr). Use it only on
	// a directory tree (os.DirFS, DirFS): a tree without modification
	// times (embed.FS) is never cached. Never put it inside the content repo.
	Cache string
	// Public drops, right after decoding, what the public site never
	// shows: reports' private fields (sender, message ID, filer, phone,
	// financing rows, documents, evidence, skipped, warnings) and Markdown
	// bodies, and institutions' report senders and DKIM keys. A Repo
	// loaded so is for rendering the site only: never Check it or use it
	// for the inbox or staff review.
	Public bool
	// CacheErr, when not nil, receives the error of writing the cache.
	CacheErr func(error)
}

// SlugPattern is what a slug (file or directory name of a record) must
// match: lower-case ASCII letters, digits and hyphens, so that it makes a
// clean URL.
var SlugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

type fileKind int

const (
	kindSite fileKind = iota + 1
	kindCalendar
	kindNotice
	kindRound
	kindPublicity
	kindResult
	kindInstitution
	kindReport
	kindInspection
)

type job struct {
	entry fs.DirEntry // with a cache: the file's entry, to stat it,
	dir   *dirHandle  // or its open directory (dirFS.walk), or nil when stamp is set
	stamp fileStamp   // with a cache: the file's stamp
	cache bool        // with a cache: the stamp can be trusted
	path  string
	kind  fileKind
	slug  string // record slug; for reports and inspections, the institution's
	name  string // base name without extension
}

type decoded struct {
	rec   any
	diags Diagnostics
}

// task is a job and, once done, its result.
type task struct {
	job
	res decoded
}

// Load reads a content repo from fsys (a directory via os.DirFS, the
// embedded default dataset, or a git tree). It decodes every record
// strictly and in parallel, collects every problem as a Diagnostic rather
// than stopping at the first, computes publicity end dates from the
// calendar and derives each institution's status history.
//
// The returned Repo is never nil and is usable even when the error is not
// nil (partial success: records that failed to decode are left out). The
// error, when not nil, is a Diagnostics holding the errors. Validation
// against the measures is Repo.Check, not Load.
func Load(fsys fs.FS, opts *LoadOptions) (*Repo, error) {
	workers := runtime.GOMAXPROCS(0)
	if opts != nil && opts.Workers > 0 {
		workers = opts.Workers
	}
	r := &Repo{FS: fsys}
	start := time.Now()
	var cache cacheIndex
	var key string
	public := opts != nil && opts.Public
	useCache := opts != nil && opts.Cache != ""
	// The cache is read while the tree is walked: the decoders wait for it.
	cacheRead := make(chan struct{})
	if useCache {
		var err error
		if key, err = cacheKey(public); err != nil {
			useCache = false
		}
	}
	if useCache {
		go func() {
			defer close(cacheRead)
			cache = readCache(opts.Cache, key, workers)
		}()
	} else {
		close(cacheRead)
	}
	var hits, cacheable atomic.Int64
	// The walk feeds the decoders as it goes: on a big repo, listing the
	// directories takes a while and the decoders need not wait for it.
	var tasks []*task
	var walkDiags Diagnostics
	// Tasks travel in batches: one channel operation (and wake-up) per
	// file would cost more than decoding a small report.
	const batch = 64
	next := make(chan []*task, workers*4)
	go func() {
		defer close(next)
		var b []*task
		var slab []task
		walkDiags = classify(fsys, useCache, start, func(j job) {
			if len(slab) == 0 {
				slab = make([]task, batch*4)
			}
			t := &slab[0]
			slab = slab[1:]
			t.job = j
			tasks = append(tasks, t)
			if b = append(b, t); len(b) == batch {
				next <- b
				b = nil
			}
		})
		if len(b) > 0 {
			next <- b
		}
	}()
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-cacheRead
			for b := range next {
				prev := -1 // the cache entry of the task before (cacheIndex.find)
				for _, t := range b {
					if t.entry != nil {
						// The stamp is taken before the file is read.
						if fi, err := t.entry.Info(); err == nil {
							t.stamp, t.cache = stampOf(fi, start)
						}
						t.entry = nil
					} else if t.dir != nil {
						t.stamp, t.cache = t.dir.stamp(t.path[strings.LastIndexByte(t.path, '/')+1:], start)
						t.dir = nil
					}
					if t.cache {
						cacheable.Add(1)
						if i := cache.find(t.path, &prev); i >= 0 && cache[i].Stamp == t.stamp && cache[i].Kind == t.kind {
							t.res = decoded{rec: cache[i].record()}
							hits.Add(1)
							continue
						}
					}
					t.res = decodeJob(fsys, t.job)
					if public && t.res.rec != nil {
						stripPrivate(t.res.rec)
					}
				}
			}
		}()
	}
	wg.Wait()
	<-cacheRead
	r.Diags = append(r.Diags, walkDiags...)
	r.cacheHits = int(hits.Load())
	if useCache {
		r.stamps = make(map[string]fileStamp, len(tasks))
		for _, t := range tasks {
			if t.cache {
				r.stamps[t.path] = t.stamp
			}
		}
	}
	// Entries to add (files decoded, not found in the cache) and to drop
	// (cached files not seen, or seen changed). A few of them are not
	// worth rewriting a cache of the whole repo (36 MB at 5000
	// institutions) after every edit: a missed file is decoded again,
	// which costs microseconds, until one in a hundred files differs.
	differ := int(cacheable.Load()-hits.Load()) + len(cache) - r.cacheHits
	rewrite := differ > 0 && (len(cache) == 0 || differ*100 > len(tasks))
	cache = nil
	r.assemble(tasks)
	if useCache && rewrite {
		// Written after assemble: newCacheEntry leaves out what it derived.
		entries := make([]cacheEntry, 0, len(tasks))
		for _, t := range tasks {
			if !t.cache || t.res.rec == nil || len(t.res.diags) > 0 {
				continue
			}
			if e, ok := newCacheEntry(t.job, t.res.rec); ok {
				entries = append(entries, e)
			}
		}
		if err := writeCache(opts.Cache, key, entries); err != nil && opts.CacheErr != nil {
			opts.CacheErr(err)
		}
	}
	r.Diags.Sort()
	if r.Diags.HasErrors() {
		return r, r.Diags.Errors()
	}
	return r, nil
}

// classify walks fsys and calls emit for every record file, in walk order.
// With stat, each job has the file's stamp (job.cache tells whether it
// can be trusted) or its directory entry, to stat it (see
// LoadOptions.Cache). A DirFS is walked with plain system calls where
// there are (see dirFS.walk), any other tree with fs.WalkDir; both visit
// the same files in the same order and report the same problems.
func classify(fsys fs.FS, stat bool, start time.Time, emit func(job)) Diagnostics {
	c := &classifier{emit: emit}
	if d, ok := fsys.(dirFS); ok && d.walk(c, stat, start) {
		return c.ds
	}
	c.walkDir(fsys, ".", stat)
	return c.ds
}

// classifier sorts a repo's files into jobs (classify).
type classifier struct {
	ds   Diagnostics
	emit func(job)
}

// walkDir walks the tree at root (a directory) with fs.WalkDir.
func (c *classifier) walkDir(fsys fs.FS, root string, stat bool) {
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			c.ds = append(c.ds, Diagnostic{File: p, Message: fmt.Sprintf("无法读取：%v", err)})
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		j, ok, skip := c.visit(p, d.Name(), d.Type())
		if skip {
			return fs.SkipDir
		}
		if ok {
			if stat {
				j.entry = d
			}
			c.emit(j)
		}
		return nil
	})
	if err != nil {
		c.ds = append(c.ds, Diagnostic{File: ".", Message: fmt.Sprintf("无法遍历内容目录：%v", err)})
	}
}

// visit classifies the entry at path p (base name base, type typ as
// the directory lists it: fs.ModeDir, 0 for a regular file, or another
// type). For a directory it reports whether the walk skips it; for a
// record file it returns its job (ok), for the caller to stat and emit.
// Problems go to c.ds: a symbolic link, FIFO, device or socket anywhere
// in the walked tree is an error (see specialMessage), whether or not
// it has a record's name.
func (c *classifier) visit(p, base string, typ fs.FileMode) (j job, ok, skip bool) {
	isDir := typ.IsDir()
	if p != "." && strings.HasPrefix(base, ".") {
		return job{}, false, isDir
	}
	if typ&fs.ModeType != 0 && !isDir {
		c.ds = append(c.ds, Diagnostic{File: p, Message: specialMessage(typ)})
		return job{}, false, false
	}
	// The first four components of p, and how many there are.
	var parts [4]string
	n := 0
	for rest := p; ; n++ {
		i := strings.IndexByte(rest, '/')
		if n < len(parts) {
			if i < 0 {
				parts[n] = rest
			} else {
				parts[n] = rest[:i]
			}
		}
		if i < 0 {
			n++
			break
		}
		rest = rest[i+1:]
	}
	if isDir {
		// Evidence is never read by Load: it can be large, and it is private.
		return job{}, false, n == 3 && parts[0] == "institutions" && parts[2] == "evidence"
	}
	ext := path.Ext(base)
	name := strings.TrimSuffix(base, ext)
	j = job{path: p, name: name}
	switch {
	case p == "site.yaml":
		j.kind = kindSite
	case n == 2 && parts[0] == "calendar" && ext == ".yaml":
		j.kind = kindCalendar
	case n == 2 && ext == ".md" && parts[0] == "notices":
		j.kind, j.slug = kindNotice, name
	case n == 2 && ext == ".md" && parts[0] == "rounds":
		j.kind, j.slug = kindRound, name
	case n == 2 && ext == ".md" && parts[0] == "publicity":
		j.kind, j.slug = kindPublicity, name
	case n == 2 && ext == ".md" && parts[0] == "results":
		j.kind, j.slug = kindResult, name
	case n == 3 && parts[0] == "institutions" && base == "index.md":
		j.kind, j.slug = kindInstitution, parts[1]
	case n == 4 && parts[0] == "institutions" && parts[2] == "reports" && ext == ".md":
		j.kind, j.slug = kindReport, parts[1]
	case n == 4 && parts[0] == "institutions" && parts[2] == "inspections" && ext == ".md":
		j.kind, j.slug = kindInspection, parts[1]
	default:
		if ext == ".md" && n > 1 && isRecordDir(parts[0]) {
			c.ds = append(c.ds, Diagnostic{File: p, Severity: Warning, Message: "此位置的 Markdown 文件不会被读取：请对照目录结构放到正确位置"})
		}
		return job{}, false, false
	}
	if j.kind != kindSite && j.kind != kindCalendar && j.kind != kindReport && j.kind != kindInspection && !SlugPattern.MatchString(j.slug) {
		c.ds = append(c.ds, Diagnostic{File: p, Message: fmt.Sprintf("名称 %q 不合规：只能用小写英文字母、数字和连字符（-），它会出现在网址中", j.slug)})
		return job{}, false, false
	}
	if (j.kind == kindReport || j.kind == kindInspection) && !SlugPattern.MatchString(j.slug) {
		return job{}, false, false // the institution directory itself is reported once, for index.md
	}
	return j, true, false
}

func isRecordDir(s string) bool {
	switch s {
	case "notices", "rounds", "publicity", "results", "institutions", "calendar":
		return true
	}
	return false
}

// specialMessage says, for staff, what a special file in the content
// repo is and what to do about it.
func specialMessage(typ fs.FileMode) string {
	switch {
	case typ&fs.ModeSymlink != 0:
		return "这是符号链接，内容仓库中只能有普通文件和目录：链接可能把仓库之外的文件或私密材料（报告、证明材料、.git 配置）发布到网站上，因此不会被读取，网站也不会生成。请删除这个链接（git rm 该路径），需要的文件请把文件本身放在这里再提交"
	case typ&fs.ModeNamedPipe != 0:
		return "这是命名管道（FIFO），不是普通文件：读取它会一直等待，因此不会被读取，网站也不会生成。请删除它（rm 该路径）"
	case typ&fs.ModeSocket != 0:
		return "这是套接字文件，不是普通文件：不会被读取，网站也不会生成。请删除它（rm 该路径）"
	case typ&(fs.ModeDevice|fs.ModeCharDevice) != 0:
		return "这是设备文件，不是普通文件：读取它可能永远读不完，因此不会被读取，网站也不会生成。请删除它（rm 该路径）"
	}
	return "这不是普通文件或目录：不会被读取，网站也不会生成。请删除它，或换成普通文件后提交"
}

// readMessage says why a record file could not be read.
func readMessage(err error) string {
	var tl *TooLargeError
	switch {
	case errors.As(err, &tl):
		return fmt.Sprintf("文件过大（%d 字节，上限 %d 字节），记录文件不应这么大：未读取", tl.Size, tl.Limit)
	case errors.Is(err, ErrNotRegular):
		return "不是普通文件（符号链接、命名管道或设备文件），不会被读取，网站也不会生成：请删除它，换成普通文件后提交"
	}
	return fmt.Sprintf("无法读取：%v", err)
}

func decodeJob(fsys fs.FS, j job) decoded {
	// The size is checked before reading: a huge file is never read whole.
	data, err := ReadRegular(fsys, j.path, MaxRecordSize)
	if err != nil {
		return decoded{diags: Diagnostics{{File: j.path, Message: readMessage(err)}}}
	}
	var rec any
	switch j.kind {
	case kindSite:
		s := new(Site)
		return decoded{s, DecodeYAMLFile(j.path, data, s)}
	case kindCalendar:
		c := &CalendarYear{File: j.path}
		return decoded{c, DecodeYAMLFile(j.path, data, c)}
	case kindNotice:
		rec = new(Notice)
	case kindRound:
		rec = new(Round)
	case kindPublicity:
		rec = new(Publicity)
	case kindResult:
		rec = new(Result)
	case kindInstitution:
		rec = new(Institution)
	case kindReport:
		rec = new(Report)
	case kindInspection:
		rec = new(Inspection)
	}
	ds := DecodeRecord(j.path, data, rec)
	metaOf(rec).Slug = j.name
	if j.kind == kindInstitution {
		metaOf(rec).Slug = j.slug
	}
	return decoded{rec, ds}
}

func (r *Repo) assemble(tasks []*task) {
	r.notices = map[string]*Notice{}
	r.rounds = map[string]*Round{}
	r.publicities = map[string]*Publicity{}
	r.institutions = map[string]*Institution{}
	r.results = map[int]*Result{}
	var years []*CalendarYear
	reports := make([]int, 0, len(tasks))
	var inspections []int
	haveSite := false
	for i, t := range tasks {
		j, d := &t.job, &t.res
		r.Diags = append(r.Diags, d.diags...)
		if d.rec == nil || d.diags.HasErrors() {
			if j.kind == kindSite {
				haveSite = true
			}
			continue
		}
		switch rec := d.rec.(type) {
		case *Site:
			haveSite = true
			r.Site = *rec
		case *CalendarYear:
			want := strings.TrimSuffix(path.Base(j.path), ".yaml")
			if strconv.Itoa(rec.Year) != want {
				r.Diags = append(r.Diags, Diagnostic{File: j.path, Line: 1, Field: "year", Message: fmt.Sprintf("year 为 %d，但文件名是 %s.yaml", rec.Year, want)})
				continue
			}
			years = append(years, rec)
		case *Notice:
			if ds := r.attachmentDiags(rec); len(ds) > 0 {
				r.Diags = append(r.Diags, ds...)
			}
			r.Notices = append(r.Notices, rec)
			r.notices[rec.Slug] = rec
		case *Round:
			r.Rounds = append(r.Rounds, rec)
			r.rounds[rec.Slug] = rec
		case *Publicity:
			if rec.WorkingDays == 0 {
				rec.WorkingDays = 5
			}
			r.Publicities = append(r.Publicities, rec)
			r.publicities[rec.Slug] = rec
		case *Result:
			if strconv.Itoa(rec.Year) != rec.Slug {
				r.Diags = append(r.Diags, Diagnostic{File: j.path, Line: r.line(j.path, "year"), Field: "year",
					Message: fmt.Sprintf("year 为 %d，但文件名是 %s.md（应为 results/<年份>.md）", rec.Year, rec.Slug)})
				continue
			}
			r.Results = append(r.Results, rec)
			r.results[rec.Year] = rec
		case *Institution:
			r.Institutions = append(r.Institutions, rec)
			r.institutions[rec.Slug] = rec
		case *Report:
			reports = append(reports, i)
		case *Inspection:
			inspections = append(inspections, i)
		}
	}
	if !haveSite {
		r.Diags = append(r.Diags, Diagnostic{File: "site.yaml", Message: "缺少 site.yaml：这不是 kjjr 内容仓库（可用 kjjr init DIR 新建一个）"})
	}
	r.Site.ApplyDefaults()
	var cds Diagnostics
	r.Calendar, cds = NewCalendar(years)
	r.Diags = append(r.Diags, cds...)

	// Report file names repeat from institution to institution.
	type parsed struct {
		p   Period
		err error
	}
	periods := map[string]parsed{}
	for _, i := range reports {
		j, rep := &tasks[i].job, tasks[i].res.rec.(*Report)
		inst := r.institutions[j.slug]
		if inst == nil {
			r.Diags = append(r.Diags, Diagnostic{File: j.path, Message: fmt.Sprintf("机构 %s 没有 institutions/%s/index.md", j.slug, j.slug)})
			continue
		}
		pp, ok := periods[j.name]
		if !ok {
			pp.p, pp.err = ParsePeriod(j.name)
			periods[j.name] = pp
		}
		p, err := pp.p, pp.err
		if err != nil {
			r.Diags = append(r.Diags, Diagnostic{File: j.path, Message: fmt.Sprintf("文件名 %s.md 不是报送期间：应为 2025-04.md、2025-H1.md 或 2025-annual.md", j.name)})
			continue
		}
		if rep.Period != p {
			r.Diags = append(r.Diags, Diagnostic{File: j.path, Line: r.line(j.path, "period"), Field: "period",
				Message: fmt.Sprintf("period 为 %q，与文件名 %s.md 不一致", rep.Period.String(), j.name)})
			continue
		}
		inst.Reports = append(inst.Reports, rep)
	}
	for _, i := range inspections {
		j, ins := &tasks[i].job, tasks[i].res.rec.(*Inspection)
		if inst := r.institutions[j.slug]; inst != nil {
			inst.Inspections = append(inst.Inspections, ins)
		} else {
			r.Diags = append(r.Diags, Diagnostic{File: j.path, Message: fmt.Sprintf("机构 %s 没有 institutions/%s/index.md", j.slug, j.slug)})
		}
	}
	for _, inst := range r.Institutions {
		sort.Slice(inst.Reports, func(a, b int) bool { return inst.Reports[a].Period.Compare(inst.Reports[b].Period) < 0 })
		sort.Slice(inst.Inspections, func(a, b int) bool {
			x, y := inst.Inspections[a], inst.Inspections[b]
			if c := x.Date.Compare(y.Date); c != 0 {
				return c < 0
			}
			return x.Slug < y.Slug
		})
	}
	sort.Slice(r.Notices, func(a, b int) bool { return r.Notices[a].Slug < r.Notices[b].Slug })
	sort.Slice(r.Rounds, func(a, b int) bool { return r.Rounds[a].Slug < r.Rounds[b].Slug })
	sort.Slice(r.Publicities, func(a, b int) bool { return r.Publicities[a].Slug < r.Publicities[b].Slug })
	sort.Slice(r.Institutions, func(a, b int) bool { return r.Institutions[a].Slug < r.Institutions[b].Slug })
	sort.Slice(r.Results, func(a, b int) bool { return r.Results[a].Year < r.Results[b].Year })

	for _, p := range r.Publicities {
		if p.Start.IsZero() {
			continue
		}
		end, err := r.Calendar.AddWorkdays(p.Start, p.WorkingDays)
		if err != nil {
			r.Diags = append(r.Diags, Diagnostic{File: p.File, Line: r.line(p.File, "start"), Field: "start", Message: err.Error()})
			continue
		}
		p.End = end
	}
	r.deriveHistory()
}

// line returns the line of a field in a record file, or 1.
func (r *Repo) line(file, field string) int {
	data, err := fs.ReadFile(r.FS, file)
	if err != nil {
		return 1
	}
	if l := FieldLine(data, strings.HasSuffix(file, ".md"), field); l > 0 {
		return l
	}
	return 1
}

// FieldLine returns the line of a front-matter field (a dotted path such
// as credit.blacklisted or grades[1].grade) in one of the repo's files, or
// 1 when it cannot tell. It reads the file again: call it on the error path.
func (r *Repo) FieldLine(file, field string) int { return r.line(file, field) }

// AppendStamp appends to b what identifies the version of the file at
// path (slash-separated, relative to the repo) that Load read — its size,
// modification and change times and inode, the rule LoadOptions.Cache
// trusts; for a tree loaded by LoadTree, the git hash of the file's blob
// or of the institution subtree holding it — and reports whether there
// is one. There is none without a cache, for a tree without times or
// hashes (embed.FS), for a file
// changed less than two seconds before Load (its stamp could be reused by
// a second change within the file system's clock resolution), and for a
// path Load did not read. Two loads that give the same stamp for a path
// read the same bytes.
func (r *Repo) AppendStamp(b []byte, path string) ([]byte, bool) {
	st, ok := r.stamps[path]
	if !ok {
		return b, false
	}
	b = binary.LittleEndian.AppendUint64(b, uint64(st.Size))
	b = binary.LittleEndian.AppendUint64(b, uint64(st.MTime))
	b = binary.LittleEndian.AppendUint64(b, uint64(st.CTime))
	b = binary.LittleEndian.AppendUint64(b, st.Ino)
	b = append(b, st.Hash...)
	return b, true
}

// CacheHits returns how many record files Load took from
// LoadOptions.Cache without reading them.
func (r *Repo) CacheHits() int { return r.cacheHits }

// Institution returns the institution with the slug, or nil.
func (r *Repo) Institution(slug string) *Institution { return r.institutions[slug] }

// Notice returns the notice with the slug, or nil.
func (r *Repo) Notice(slug string) *Notice { return r.notices[slug] }

// Round returns the round with the slug, or nil.
func (r *Repo) Round(slug string) *Round { return r.rounds[slug] }

// Publicity returns the publicity with the slug, or nil.
func (r *Repo) Publicity(slug string) *Publicity { return r.publicities[slug] }

// Result returns the result of a year, or nil.
func (r *Repo) Result(year int) *Result { return r.results[year] }

// InstitutionByEmail returns the institution that lists addr among its
// report senders (case-insensitive), or nil.
func (r *Repo) InstitutionByEmail(addr string) *Institution {
	addr = strings.ToLower(strings.TrimSpace(addr))
	for _, inst := range r.Institutions {
		for _, s := range inst.ReportSenders {
			if strings.ToLower(strings.TrimSpace(s.Email)) == addr {
				return inst
			}
		}
	}
	return nil
}

// Report returns the institution's report of period p, or nil.
func (inst *Institution) Report(p Period) *Report {
	i := sort.Search(len(inst.Reports), func(i int) bool { return inst.Reports[i].Period.Compare(p) >= 0 })
	if i < len(inst.Reports) && inst.Reports[i].Period == p {
		return inst.Reports[i]
	}
	return nil
}

// ErrNotContentRepo is returned by callers that need a site.yaml and find none.
var ErrNotContentRepo = errors.New("not a kjjr content repo (no site.yaml)")

// ApplyDefaults fills the settings site.yaml left out with their
// defaults, as Load does; for callers that decode site.yaml themselves.
func (s *Site) ApplyDefaults() {
	if s.Policy.Years == 0 {
		s.Policy.Years = 2
	}
	if s.Policy.WarnDays == 0 {
		s.Policy.WarnDays = 90
	}
	if s.Deadlines.MonthlyDay == 0 {
		s.Deadlines.MonthlyDay = 10
	}
	if s.Gov.NewsDays == 0 {
		s.Gov.NewsDays = 14
	}
	if s.Gov.NoticeMonths == 0 {
		s.Gov.NoticeMonths = 6
	}
	if s.Deadlines.HalfYearDays == 0 {
		s.Deadlines.HalfYearDays = 15
	}
	if s.Deadlines.AnnualMonthDay == "" {
		s.Deadlines.AnnualMonthDay = "12-31"
	}
	if s.Deadlines.RemindDays == 0 {
		s.Deadlines.RemindDays = 5
	}
	if s.Inbox.MaxAttachmentMiB == 0 {
		s.Inbox.MaxAttachmentMiB = 25
	}
	if s.Inbox.MaxMessageMiB == 0 {
		s.Inbox.MaxMessageMiB = 50
	}
	if s.Inbox.MaxAttachments == 0 {
		s.Inbox.MaxAttachments = 30
	}
	if s.Inbox.MaxReportAgeMonths == 0 {
		s.Inbox.MaxReportAgeMonths = 24
	}
	if s.Inbox.QuarantineBudgetMiB == 0 {
		s.Inbox.QuarantineBudgetMiB = 1024
	}
}
