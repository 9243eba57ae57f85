package site

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"path"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/yuin/goldmark"

	"kjjr/application"
	"kjjr/content"
	"kjjr/internal/progid"
	"kjjr/sheet"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// Options tune Build. A nil *Options is not allowed: Out is required.
type Options struct {
	// Out is the output directory. It is created if missing. A directory
	// that holds files but no manifest (ManifestName) is refused, so that
	// Build never deletes files it did not write.
	Out string
	// Now is the date the site is built as of: publicity status, report
	// compliance and which results are in effect depend on it. The zero
	// Date means content.Today().
	Now content.Date
	// Workers is the number of pages rendered in parallel; 0 means GOMAXPROCS.
	Workers int
	// Dev adds the live-reload script to every page (kjjr serve). Never
	// set it for a site that is deployed.
	Dev bool
	// Logger receives debug messages; nil means none.
	Logger *slog.Logger
	// Release, when not empty, is written into every page rendered by
	// this build as <meta name="kjjr-release" content="...">, so that a
	// request can tell which release (package publish) served the page.
	// It is not part of the render keys: a page that an incremental build
	// keeps as it was carries the release that last rendered it.
	Release string
	// TrustOutput says that nothing but these builds changes Out (package
	// publish's build directory, never served or edited): the manifest is
	// then taken as the truth about Out without checking the stamps of
	// its directories, and only the directories a build changed are
	// stamped again. Without it, a build notices files added, removed or
	// replaced behind its back.
	TrustOutput bool

	prev    *manifest       // the dev server's previous build into Out
	changed map[string]bool // with prev: the only institutions that may have changed
	globals map[string]bool // with prev: the only global tasks to redo (nil: all)
	noFile  bool            // keep the manifest in memory only (the dev server)
	tree    string          // the git tree built from (BuildRef), recorded in the manifest
	commit  string          // with tree: the commit
	delta   *deltaInput     // BuildRef: render only what changed since the state it gives (delta.go)
}

// Result is what Build did.
type Result struct {
	Pages    int           `json:"pages"`    // HTML pages in the site
	Files    int           `json:"files"`    // all files in the site
	Rendered int           `json:"rendered"` // files rendered in this build (the rest were reused)
	Written  int           `json:"written"`  // files whose bytes changed and were written
	Removed  int           `json:"removed"`  // files removed because they no longer belong
	Duration time.Duration `json:"duration_ns"`
	// NextChange is the next date after Now on which the output would
	// change by itself (a publicity closing, a deadline passing, a result
	// taking effect, the measures expiring), so that a timer can rebuild
	// exactly then. Zero when nothing is known to change.
	NextChange content.Date `json:"next_change"`
	// NextChangeReason says why, in Chinese.
	NextChangeReason string `json:"next_change_reason,omitempty"`

	manifest *manifest
	state    *buildState // a build from git: what the next one may start from (delta.go)
}

// Build renders repo into opts.Out. It renders pages in parallel and
// streams them to disk (memory does not grow with the page count), writes
// only files whose bytes changed, and removes files that no longer belong.
// Institutions whose public data (and the site's templates and settings)
// are unchanged since the last build into the same directory are not
// rendered again. The same repo and Now give byte-identical output.
//
// Build renders what repo holds even when repo.Diags has errors: callers
// decide whether to build from a repo with errors (kjjr build refuses).
func Build(repo *content.Repo, opts *Options) (*Result, error) {
	if opts == nil || opts.Out == "" {
		return nil, errors.New("site: no output directory")
	}
	start := time.Now()
	now := opts.Now
	if now.IsZero() {
		now = content.Today()
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	ts, err := templates()
	if err != nil {
		return nil, err
	}
	out, err := openOutput(opts.Out, opts.prev, opts.TrustOutput)
	if err != nil {
		return nil, err
	}
	b := &builder{repo: repo, now: now, ts: ts, out: out, chrome: newChrome(&repo.Site, opts.Dev), release: opts.Release}
	b.parts = newChromeParts(&b.chrome)
	if opts.prev != nil {
		b.changed, b.globals = opts.changed, opts.globals
	}
	out.noFile = opts.noFile
	b.chrome.MonthlyDay = repo.Site.Deadlines.MonthlyDay
	b.chrome.ShiftRest = repo.Site.Deadlines.ShiftsRestDays()
	b.globalKey = b.computeGlobalKey()
	out.cur.Now = now.String()
	out.cur.Tree = opts.tree
	var figs *figureState
	if opts.delta != nil {
		// Nothing is written before this: a delta that cannot be done
		// leaves Out as it was, for a whole build.
		if err := b.startDelta(out, opts.delta); err != nil {
			return nil, err
		}
	} else {
		figs = newFigureState(repo.Institutions, now)
		b.totals = figs.totals()
		for _, inst := range repo.Roster(now) {
			b.roster = append(b.roster, instRef{Slug: inst.Slug, Name: inst.Name})
		}
		b.pages = institutionPages(repo.Institutions, now)
	}
	if opts.prev == nil && opts.delta == nil {
		b.incremental(out)
	}

	tasks := b.tasks()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	next := make(chan task)
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &worker{b: b}
			for t := range next {
				if err := t(w); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for _, t := range tasks {
		next <- t
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	removed, err := out.finish()
	if err != nil {
		return nil, err
	}
	res := &Result{
		Rendered: int(out.rendered.Load()), Written: int(out.written.Load()),
		Removed: removed, Duration: time.Since(start), manifest: out.cur,
	}
	res.Files, res.Pages = out.cur.counts()
	if opts.delta != nil {
		res.state = b.endDelta(opts.delta, opts.commit, opts.tree)
		res.NextChange, res.NextChangeReason = res.state.next()
	} else {
		res.NextChange, res.NextChangeReason = nextChange(repo, now)
		if opts.tree != "" {
			res.state = b.newState(figs, opts, res)
		}
	}
	log.Debug("site built", "pages", res.Pages, "rendered", res.Rendered, "written", res.Written, "removed", removed, "duration", res.Duration)
	return res, nil
}

// builder holds one build's shared, read-only state.
type builder struct {
	repo      *content.Repo
	now       content.Date
	ts        *templateSet
	out       *output
	chrome    chromeView
	globalKey [16]byte
	totals    *totals
	parts     *chromeParts
	changed   map[string]bool // nil: any institution may have changed
	globals   map[string]bool // nil: every global task runs
	in        *inputs         // keys from content file stamps; nil in the dev server
	sameNow   bool            // the previous build into Out was as of the same date
	release   string          // Options.Release
	roster    []instRef       // the institutions on the roster (home page)
	pages     []instPages     // every institution's pages (sitemap)
	delta     bool            // a delta build: repo holds the changed institutions only
}

// incremental computes the input keys of a build from the command line
// and, when the files every page besides the institutions' depends on are
// those of the previous build, limits the global tasks to those that show
// report figures (or to none when no institution's files changed either).
func (b *builder) incremental(out *output) {
	b.in = b.computeInputs()
	b.sameNow = out.old.Now == b.now.String()
	if !b.in.globalOK {
		return
	}
	out.cur.Inputs["@global"] = b.in.global
	if !b.sameNow || out.old.Inputs["@global"] != b.in.global {
		return
	}
	b.globals = map[string]bool{}
	for _, inst := range b.repo.Institutions {
		group := "i/" + inst.Slug
		if k, ok := b.in.inst[inst.Slug]; !ok || out.old.Inputs[group] != k {
			for g := range reportGlobals {
				b.globals[g] = true
			}
			return
		}
	}
}

// task renders one group of files.
type task func(w *worker) error

// worker is one render goroutine with its own buffer.
type worker struct {
	b     *builder
	buf   bytes.Buffer
	group string // the render group of the global task being run
}

type crumb struct{ Label, Href string }

// page is what the base template renders.
type page struct {
	C      *chromeView
	Root   string // relative path from the page to the site root: "", "../", …
	URL    string // canonical URL
	Title  string
	Desc   string // one line for <meta name="description"> and link previews; see description
	Nav    string
	Crumbs []crumb
	Search bool
	NoURL  bool // no canonical URL (the 404 page)
	Data   any
}

type navItem struct{ Key, Label, Href string }

var nav = []navItem{
	{"home", "首页", ""},
	{"institutions", "机构名录", "institutions/"},
	{"notices", "通知公告", "notices/"},
	{"rounds", "遴选工作", "rounds/"},
	{"publicity", "公示", "publicity/"},
	{"results", "考核结果", "results/"},
	{"statistics", "统计", "statistics/"},
	{"data", "开放数据", "data/"},
	{"search", "搜索", "search/"},
}

// page renders one HTML page of kind at rel (a path ending in index.html
// or .html) and emits it in group. kind names a template, or is "report"
// (written by writeReport).
func (w *worker) page(group, rel, kind string, p *page) error {
	p.C = &w.b.chrome
	if p.Root == "" && strings.Contains(rel, "/") {
		p.Root = strings.Repeat("../", strings.Count(rel, "/"))
	}
	if p.URL == "" && !p.NoURL {
		p.URL = w.b.chrome.BaseURL + strings.TrimSuffix(rel, "index.html")
	}
	w.buf.Reset()
	err := w.writeLayout(&w.buf, p, func() error {
		if kind == "report" {
			d := p.Data.(reportPage)
			writeReport(&w.buf, d.Name, d.R)
			return nil
		}
		if err := w.b.ts.t.ExecuteTemplate(&w.buf, kind, p); err != nil {
			return fmt.Errorf("render %s: %w", rel, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return w.b.out.emit(group, rel, w.buf.Bytes())
}

type reportPage struct {
	Name string
	R    *reportView
}

// templateSet is the parsed templates: one per page kind.
type templateSet struct {
	t       *template.Template
	md      goldmark.Markdown
	version [16]byte // hash of templates and assets
}

var templates = sync.OnceValues(func() (*templateSet, error) {
	ts := &templateSet{md: newMarkdown()}
	h := sha256.New()
	for _, fsys := range []fs.FS{templateFS, assetFS} {
		_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				data, _ := fs.ReadFile(fsys, p)
				fmt.Fprintf(h, "%s %d\n", p, len(data))
				h.Write(data)
			}
			return nil
		})
	}
	// The layout and the report pages are written by Go code: a new
	// binary may render differently, so its build ID (package progid) is
	// part of the version.
	h.Write([]byte(progid.ID()))
	copy(ts.version[:], h.Sum(nil))
	base, err := template.New("").Funcs(template.FuncMap{
		"navItems":      func() []navItem { return nav },
		"join":          strings.Join,
		"md":            func(s string) template.HTML { return renderMarkdown(ts.md, s) },
		"months":        func() []int { return []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12} },
		"indicatorDefs": func() []indicatorDef { return indicatorDefs },
		"indicator": func(d indicatorDef, ind content.Indicators) string {
			return formatValue(d.Get(&ind), d.Money)
		},
		"instCharts":     instCharts,
		"inc":            func(i int) int { return i + 1 },
		"mailto":         mailto,
		"indicatorTable": indicatorTable,
		"scrollHint":     func() template.HTML { return scrollHint },
		"sheetPath":      func() string { return SheetPath },
		"guidePath":      func() string { return GuidePath },
		"sheetTitle":     func() string { return sheet.Title },
	}).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("site: parse templates: %w", err)
	}
	ts.t = base
	return ts, nil
})

func instCharts(v *instView) template.HTML {
	labels := make([]string, len(v.Monthly))
	served := make([]int64, len(v.Monthly))
	fin := make([]int64, len(v.Monthly))
	for i, r := range v.Monthly {
		labels[i] = r.Period
		served[i] = int64(r.Indicators.EnterprisesServed)
		fin[i] = int64(r.Indicators.FinancingWan)
	}
	return barChart("c-served", "各月服务企业数量", labels, served, false, "家") +
		barChart("c-fin", "各月帮助企业融资金额", labels, fin, true, "万元")
}

// computeGlobalKey hashes what every institution page shows besides the
// institution's own data: templates, assets and the site settings.
func (b *builder) computeGlobalKey() [16]byte {
	h := sha256.New()
	h.Write(b.ts.version[:])
	j, _ := json.Marshal(b.chrome)
	h.Write(j)
	var k [16]byte
	copy(k[:], h.Sum(nil))
	return k
}

func (b *builder) tasks() []task {
	var ts []task
	// Institutions first: they are most of the work.
	for _, inst := range b.repo.Institutions {
		inst := inst
		ts = append(ts, func(w *worker) error { return w.institution(inst) })
	}
	for _, g := range globalTasks {
		g := g
		ts = append(ts, func(w *worker) error {
			group := "site/" + g.name
			if b.delta && !b.globals[g.name] {
				return nil // kept by startDelta
			}
			if b.globals != nil && !b.globals[g.name] {
				if b.out.keepAll(group) {
					return nil
				}
			}
			w.group = group
			return g.run(w)
		})
	}
	return ts
}

// globalTasks render the pages that are not an institution's. Each is a
// render group of its own, so that the dev server can redo only those a
// change affects.
var globalTasks = []struct {
	name string
	run  func(*worker) error
}{
	{"assets", (*worker).assets}, {"home", (*worker).home}, {"directory", (*worker).directory},
	{"notices", (*worker).notices}, {"rounds", (*worker).rounds}, {"publicity", (*worker).publicities},
	{"results", (*worker).results}, {"stats", (*worker).stats}, {"data", (*worker).data},
	{"monthly", (*worker).monthlyData}, {"search", (*worker).search}, {"sitemap", (*worker).sitemap},
	{"forms", (*worker).forms}, {"misc", (*worker).misc},
}

// What a change to monthly reports alone affects besides the
// institution's own pages (the sitemap only when a report comes or goes).
var reportGlobals = map[string]bool{"home": true, "stats": true, "monthly": true}

func (w *worker) institution(inst *content.Institution) error {
	b := w.b
	group := "i/" + inst.Slug
	if b.changed != nil && !b.changed[inst.Slug] {
		if k, ok := b.out.old.Groups[group]; ok && b.out.keep(group, k) {
			return nil
		}
	}
	inKey, inOK := [16]byte{}, false
	if b.in != nil {
		inKey, inOK = b.in.inst[inst.Slug]
	}
	if inOK {
		defer b.out.setInput(group, inKey)
		// Same files, same date: the pages are those of the view they were rendered from.
		if b.sameNow && b.out.old.Inputs[group] == inKey && b.out.keep(group, b.out.old.Groups[group]) {
			return nil
		}
	}
	v := buildInstView(b.repo, inst, b.now)
	h := sha256.New()
	h.Write(b.globalKey[:])
	j, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("site: %s: %w", inst.Slug, err)
	}
	h.Write(j)
	var key [16]byte
	copy(key[:], h.Sum(nil))
	if b.out.keep(group, key) {
		return nil
	}
	base := "institutions/" + inst.Slug + "/"
	crumbs := []crumb{{"机构名录", "institutions/"}}
	if err := w.page(group, base+"index.html", "institution", &page{
		Title: v.Name, Nav: "institutions", Crumbs: append(crumbs, crumb{v.Name, ""}), Data: v,
		Desc: instDescription(v),
	}); err != nil {
		return err
	}
	for i := range v.Monthly {
		r := &v.Monthly[i]
		if err := w.page(group, base+"reports/"+r.Period+".html", "report", &page{
			Title: v.Name + " " + r.PeriodCN + "月报", Nav: "institutions",
			Desc: fmt.Sprintf("%s%s月报公开指标：服务企业%d家次，帮助企业融资%s万元，银企对接活动%d场。", v.Name, r.PeriodCN,
				r.Indicators.EnterprisesServed, r.Indicators.FinancingWan.String(), r.Indicators.MatchmakingEvents),
			Crumbs: append(crumbs, crumb{v.Name, base}, crumb{r.PeriodCN + "月报", ""}),
			Data:   reportPage{v.Name, r},
		}); err != nil {
			return err
		}
	}
	b.out.setKey(group, key)
	return nil
}

func (w *worker) assets() error {
	return fs.WalkDir(assetFS, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || p == "assets/live.js" {
			return err
		}
		data, err := fs.ReadFile(assetFS, p)
		if err != nil {
			return err
		}
		if p == "assets/favicon.svg" {
			if err := w.b.out.emit(w.group, AssetPath("assets/icon.png"), iconPNG()); err != nil {
				return err
			}
		}
		return w.b.out.emit(w.group, AssetPath(p), data)
	})
}

// LiveReloadJS is the development script kjjr serve adds to pages.
func LiveReloadJS() []byte {
	data, _ := fs.ReadFile(assetFS, "assets/live.js")
	return data
}

type noticeRef struct {
	Slug, Title, Kind, Date, DateISO string
	Expired                          bool // a lapsed policy document: marked 已失效
}

// publishedNotices are the notices dated on or before now, newest first.
func (b *builder) publishedNotices() []*content.Notice {
	var ns []*content.Notice
	for _, n := range b.repo.Notices {
		if !n.Date.After(b.now) {
			ns = append(ns, n)
		}
	}
	sort.SliceStable(ns, func(i, j int) bool {
		if c := ns[i].Date.Compare(ns[j].Date); c != 0 {
			return c > 0
		}
		return ns[i].Slug < ns[j].Slug
	})
	return ns
}

func noticeRefOf(n *content.Notice) noticeRef {
	return noticeRef{Slug: n.Slug, Title: n.Title, Kind: n.Kind, Date: n.Date.Chinese(), DateISO: n.Date.String()}
}

// policyExpired reports whether n is the notice of the measures and their
// validity (第八条) has passed: the indicators ask that a lapsed document
// be marked as such wherever it appears.
func (b *builder) policyExpired(n *content.Notice) bool {
	s := &b.repo.Site
	exp := s.Policy.Expires()
	return n.Slug == s.Policy.Notice && !exp.IsZero() && b.now.After(exp)
}

type instRef struct {
	Slug, Name, County, Phone, Status string
	Services                          []string
}

func (w *worker) home() error {
	b := w.b
	type pubRef struct {
		Slug, Title, Start, End string
		WorkingDays             int
	}
	var data struct {
		Roster, RosterShown []instRef
		Running             []pubRef
		Notices             []noticeRef
		Year                int
		YearTotal           *yearTotal
	}
	data.Roster = b.roster
	data.RosterShown = data.Roster
	if len(data.RosterShown) > 60 {
		data.RosterShown = data.RosterShown[:60]
	}
	for _, p := range b.repo.Publicities {
		if publicityStatus(p, b.now) == "running" {
			data.Running = append(data.Running, pubRef{p.Slug, p.Title, p.Start.Chinese(), p.End.Chinese(), p.WorkingDays})
		}
	}
	for i, n := range b.publishedNotices() {
		if i == 5 {
			break
		}
		data.Notices = append(data.Notices, noticeRefOf(n))
	}
	data.Year = b.now.Year
	for i := range b.totals.Years {
		if b.totals.Years[i].Year == b.now.Year {
			data.YearTotal = &b.totals.Years[i]
		}
	}
	return w.page(w.group, "index.html", "home", &page{Nav: "home", Data: data})
}

func (w *worker) directory() error {
	b := w.b
	var data struct {
		Roster, Others []instRef
		Removed        []struct{ Slug, Name, Date, Reason string }
	}
	for _, inst := range b.repo.Institutions {
		st := inst.StatusOn(b.now)
		ref := instRef{Slug: inst.Slug, Name: inst.Name, County: inst.Office.County, Phone: inst.Office.Phone, Status: st.Chinese(), Services: inst.Services}
		if ref.Phone == "" {
			ref.Phone = inst.Contact.Phone
		}
		switch {
		case st.OnRoster():
			data.Roster = append(data.Roster, ref)
		case st == content.StatusRemoved:
			d, e := inst.RemovedOn()
			data.Removed = append(data.Removed, struct{ Slug, Name, Date, Reason string }{inst.Slug, inst.Name, d.Chinese(), e.Chinese()})
		case st == content.StatusPublicized || st == content.StatusApplicant:
			data.Others = append(data.Others, ref)
		}
	}
	return w.page(w.group, "institutions/index.html", "directory", &page{Title: "机构名录", Nav: "institutions", Crumbs: []crumb{{"机构名录", ""}}, Data: data})
}

func (w *worker) notices() error {
	b := w.b
	ns := b.publishedNotices()
	refs := make([]noticeRef, 0, len(ns))
	for _, n := range ns {
		ref := noticeRefOf(n)
		ref.Expired = b.policyExpired(n)
		refs = append(refs, ref)
	}
	if err := w.page(w.group, "notices/index.html", "notices", &page{Title: "通知公告", Nav: "notices", Crumbs: []crumb{{"通知公告", ""}}, Data: refs}); err != nil {
		return err
	}
	type attachment struct{ Title, Href string }
	type related struct{ Label, Title, Href string }
	// A 政策文件 and its 政策解读 link to each other (双向关联).
	published := map[string]*content.Notice{}
	for _, n := range ns {
		published[n.Slug] = n
	}
	for _, n := range ns {
		var rel []related
		if p := published[n.Interprets]; n.Kind == content.NoticeInterpretation && p != nil {
			rel = append(rel, related{"解读的政策文件", p.Title, "../" + p.Slug + "/"})
		}
		for _, o := range ns {
			if o.Kind == content.NoticeInterpretation && o.Interprets == n.Slug {
				rel = append(rel, related{"政策解读", o.Title, "../" + o.Slug + "/"})
			}
		}
		issuer := n.Issuer
		if issuer == "" {
			issuer = b.repo.Site.Bureau
		}
		var atts []attachment
		for _, a := range n.Attachments {
			href, err := w.attachment(n, a)
			if err != nil {
				return err
			}
			atts = append(atts, attachment{a.Title, href})
		}
		if isRoundNotice(b.repo, n) {
			offered := false
			for _, a := range n.Attachments {
				offered = offered || formFor(a) == ApplicationPath
			}
			if !offered {
				atts = append(atts, attachment{"《" + application.Title + "》（空白，.xlsx）", "../../" + ApplicationPath})
			}
		}
		data := struct {
			Title, Kind, Number, Issuer, Date, DateISO, BodyMD string
			Attachments                                        []attachment
			Related                                            []related
			Expired                                            bool
		}{n.Title, n.Kind, n.Number, issuer, n.Date.Chinese(), n.Date.String(), n.Body, atts, rel, b.policyExpired(n)}
		if err := w.page(w.group, "notices/"+n.Slug+"/index.html", "notice", &page{
			Title: n.Title, Nav: "notices", Crumbs: []crumb{{"通知公告", "notices/"}, {n.Title, ""}}, Data: data,
			Desc: markdownLead(n.Body),
		}); err != nil {
			return err
		}
	}
	return w.atom(ns)
}

// attachment copies a notice attachment that lives in the content repo
// next to the notice into the site and returns its link from the notice
// page, or "" when there is no such file. Only a regular file of one of
// content.AttachmentTypes is copied: a link, a FIFO or an .svg (which
// Load reports as errors) never is.
func (w *worker) attachment(n *content.Notice, a content.Attachment) (string, error) {
	src, ok := content.AttachmentFile(n, a)
	if !ok || !content.AttachmentAllowed(src) {
		// A form the build publishes (the blank monthly sheet) is
		// linked where it is, from notices/<slug>/.
		if f := formFor(a); f != "" {
			return "../../" + f, nil
		}
		return "", nil
	}
	data, err := content.ReadRegular(w.b.repo.FS, src, content.MaxAttachmentSize)
	if errors.Is(err, content.ErrTooLarge) {
		return "", fmt.Errorf("%s：附件 %s 超过 %d MiB，不能发布到网站，请压缩后再附上", n.File, src, content.MaxAttachmentSize>>20)
	}
	if err != nil {
		return "", nil
	}
	rel := "notices/" + n.Slug + "/" + path.Base(src)
	if err := w.b.out.emit(w.group, rel, data); err != nil {
		return "", err
	}
	return path.Base(src), nil
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xmlEscapeTo(&b, s)
	return b.String()
}

func (w *worker) atom(ns []*content.Notice) error {
	b := w.b
	var x bytes.Buffer
	base := b.chrome.BaseURL
	updated := "2025-01-01T00:00:00+08:00"
	if len(ns) > 0 {
		updated = ns[0].Date.String() + "T00:00:00+08:00"
	}
	fmt.Fprintf(&x, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"zh-CN\">\n")
	fmt.Fprintf(&x, "<title>%s 通知公告</title>\n<id>%snotices/</id>\n<link rel=\"self\" href=\"%snotices/atom.xml\"/>\n<link href=\"%snotices/\"/>\n<updated>%s</updated>\n<author><name>%s</name></author>\n",
		xmlEscape(b.chrome.Title), xmlEscape(base), xmlEscape(base), xmlEscape(base), updated, xmlEscape(b.chrome.Bureau))
	for i, n := range ns {
		if i == 50 {
			break
		}
		u := base + "notices/" + n.Slug + "/"
		fmt.Fprintf(&x, "<entry>\n<title>%s</title>\n<id>%s</id>\n<link href=\"%s\"/>\n<updated>%sT00:00:00+08:00</updated>\n<category term=\"%s\"/>\n<content type=\"html\">%s</content>\n</entry>\n",
			xmlEscape(n.Title), xmlEscape(u), xmlEscape(u), n.Date.String(), xmlEscape(n.Kind), xmlEscape(string(renderMarkdown(b.ts.md, n.Body))))
	}
	x.WriteString("</feed>\n")
	return b.out.emit(w.group, "notices/atom.xml", x.Bytes())
}

type stepView struct {
	N                                int
	Name, Date, State, StateCN, Text string
	Link, LinkText                   string
	Names                            []crumb
}

func stepState(d, now content.Date) (string, string) {
	switch {
	case d.IsZero():
		return "pending", "待定"
	case d.After(now):
		return "upcoming", "尚未进行"
	default:
		return "done", "已完成"
	}
}

func (w *worker) rounds() error {
	b := w.b
	type roundRef struct{ Slug, Title, Current string }
	var refs []roundRef
	for _, rd := range b.repo.Rounds {
		steps := w.roundSteps(rd)
		cur := ""
		for _, s := range steps {
			if s.State == "done" {
				cur = "已完成：" + s.Name
			}
		}
		refs = append(refs, roundRef{rd.Slug, roundTitle(rd), cur})
		var ann string
		if !rd.Announcement.Date.IsZero() && !rd.Announcement.Date.After(b.now) {
			ann = "已于" + rd.Announcement.Date.Chinese() + "向社会公告确定的科技金融服务机构（《管理办法》第五条第1项）。"
		}
		data := struct {
			Title        string
			Steps        []stepView
			Announcement string
		}{roundTitle(rd), steps, ann}
		if err := w.page(w.group, "rounds/"+rd.Slug+"/index.html", "round", &page{
			Title: roundTitle(rd), Nav: "rounds", Desc: roundTitle(rd) + "：按《管理办法》第三条的遴选通知、申报、初审、评审、公示和备案六个步骤及其日期。", Crumbs: []crumb{{"遴选工作", "rounds/"}, {roundTitle(rd), ""}}, Data: data,
		}); err != nil {
			return err
		}
	}
	return w.page(w.group, "rounds/index.html", "rounds", &page{Title: "遴选工作", Nav: "rounds", Crumbs: []crumb{{"遴选工作", ""}}, Data: refs})
}

func roundTitle(rd *content.Round) string {
	if rd.Title != "" {
		return rd.Title
	}
	return rd.Slug
}

func (w *worker) instLink(slug string) crumb {
	if inst := w.b.repo.Institution(slug); inst != nil {
		return crumb{inst.Name, "institutions/" + slug + "/"}
	}
	return crumb{slug, ""}
}

// roundSteps are the six steps of 第三条 with their dates and states.
func (w *worker) roundSteps(rd *content.Round) []stepView {
	b := w.b
	now := b.now
	mk := func(n int, name string, d content.Date, text string) stepView {
		st, cn := stepState(d, now)
		return stepView{N: n, Name: name, Date: d.Chinese(), State: st, StateCN: cn, Text: text}
	}
	var steps []stepView
	// 1 notice
	var nd content.Date
	s1 := stepView{}
	if n := b.repo.Notice(rd.Notice); n != nil {
		nd = n.Date
	}
	s1 = mk(1, "发布遴选通知", nd, "发布遴选通知，明确遴选标准与申报材料等要求。")
	if n := b.repo.Notice(rd.Notice); n != nil && !n.Date.After(now) {
		s1.Link, s1.LinkText = "notices/"+n.Slug+"/", n.Title
	}
	steps = append(steps, s1)
	// 2 applications
	s2 := mk(2, "申报单位申请", rd.Application.To, "")
	if !rd.Application.From.IsZero() {
		s2.Date = rd.Application.From.Chinese() + "至" + rd.Application.To.Chinese()
		if !rd.Application.From.After(now) && rd.Application.To.After(now) {
			s2.State, s2.StateCN = "current", "正在受理申报"
		}
	}
	if s2.State == "done" && len(rd.Applicants) > 0 {
		s2.Text = fmt.Sprintf("共%d家单位提出申请。", len(rd.Applicants))
	}
	steps = append(steps, s2)
	// 3 review
	s3 := mk(3, "专家评审", rd.Review.Date, "")
	if rd.Review.Form != "" {
		s3.Text = "评审形式：" + rd.Review.Form
		if rd.Review.Experts > 0 {
			s3.Text += fmt.Sprintf("，评审专家%d人", rd.Review.Experts)
		}
		s3.Text += "。"
	}
	steps = append(steps, s3)
	// 4 decision
	meeting := rd.Decision.Meeting
	if meeting == "" {
		meeting = "党组会"
	}
	s4 := mk(4, "研究议定", rd.Decision.Date, "")
	if s4.State == "done" {
		s4.Text = "根据专家评审意见，经" + meeting + "研究议定。"
	}
	steps = append(steps, s4)
	// 5 publicity
	var pd content.Date
	p := b.repo.Publicity(rd.Publicity)
	if p != nil {
		pd = p.Start
	}
	s5 := mk(5, "公示", pd, "")
	if p != nil && !p.Start.IsZero() {
		s5.Date = p.Start.Chinese() + "至" + p.End.Chinese()
		st := publicityStatus(p, now)
		s5.StateCN = publicityStatusCN(st)
		switch st {
		case "running":
			s5.State = "current"
		case "ended":
			s5.State = "done"
		}
		s5.Text = fmt.Sprintf("公示期%d个工作日。", p.WorkingDays)
		if publicityPublished(p, now) {
			s5.Link, s5.LinkText = "publicity/"+p.Slug+"/", p.Title
		}
	}
	steps = append(steps, s5)
	// 6 filing
	s6 := mk(6, "备案", rd.Filing.Date, "")
	if s6.State == "done" {
		s6.Text = "已向省科技厅备案"
		if rd.Filing.Number != "" {
			s6.Text += "（" + rd.Filing.Number + "）"
		}
		s6.Text += "。"
		if !rd.Announcement.Date.IsZero() && !rd.Announcement.Date.After(now) {
			for _, slug := range announcedOf(b.repo, rd) {
				s6.Names = append(s6.Names, w.instLink(slug))
			}
		}
	}
	steps = append(steps, s6)
	return steps
}

// announcedOf are the institutions a round announced: the publicity list
// less the withdrawn, or the decision's selection when there is no publicity.
func announcedOf(r *content.Repo, rd *content.Round) []string {
	p := r.Publicity(rd.Publicity)
	if p == nil {
		return rd.Decision.Selected
	}
	wd := map[string]bool{}
	for _, s := range p.Withdrawn {
		wd[s] = true
	}
	var out []string
	for _, s := range p.Institutions {
		if !wd[s] {
			out = append(out, s)
		}
	}
	return out
}

// publicityPublished reports whether a publicity is public as of now:
// from its start date on. Before it, its page, its list of institutions,
// its search entry and its sitemap URL do not exist (the round's page
// shows the step without a link); nextChange reports the start.
func publicityPublished(p *content.Publicity, now content.Date) bool {
	return p != nil && !p.Start.IsZero() && !p.Start.After(now)
}

// publishedPublicities are the publicities public as of now, by slug.
func (b *builder) publishedPublicities() []*content.Publicity {
	var ps []*content.Publicity
	for _, p := range b.repo.Publicities {
		if publicityPublished(p, b.now) {
			ps = append(ps, p)
		}
	}
	return ps
}

// publicityStatus is "upcoming", "running" or "ended" as of now.
func publicityStatus(p *content.Publicity, now content.Date) string {
	switch {
	case p.Start.IsZero() || p.Start.After(now):
		return "upcoming"
	case p.End.IsZero() || !p.End.Before(now):
		return "running"
	}
	return "ended"
}

func publicityStatusCN(s string) string {
	switch s {
	case "upcoming":
		return "尚未开始"
	case "running":
		return "公示中"
	}
	return "公示已结束"
}

func (w *worker) publicities() error {
	b := w.b
	type pubRef struct{ Slug, Title, Start, End, StatusCN string }
	var refs []pubRef
	type listed struct{ Name, USCC, Href string }
	for _, p := range b.publishedPublicities() {
		st := publicityStatus(p, b.now)
		title := p.Title
		if title == "" {
			title = p.Slug
		}
		refs = append(refs, pubRef{p.Slug, title, p.Start.Chinese(), p.End.Chinese(), publicityStatusCN(st)})
		var list []listed
		for _, s := range p.Institutions {
			inst := b.repo.Institution(s)
			if inst == nil {
				list = append(list, listed{Name: s})
				continue
			}
			list = append(list, listed{inst.Name, inst.USCC, "institutions/" + s + "/"})
		}
		var round *crumb
		if rd := b.repo.Round(p.Round); rd != nil {
			round = &crumb{roundTitle(rd), rd.Slug}
		}
		var withdrawn []string
		if st == "ended" {
			for _, s := range p.Withdrawn {
				withdrawn = append(withdrawn, w.instLink(s).Label)
			}
		}
		outcome := ""
		if st == "ended" {
			outcome = p.Outcome
		}
		var obj *content.Contact
		if c := p.ObjectionContact; c != (content.Contact{}) {
			obj = &c
		}
		data := struct {
			Title, Status, StatusCN, Start, End, StartISO, EndISO, Outcome string
			WorkingDays                                                    int
			Round                                                          *crumb
			List                                                           []listed
			Objection                                                      *content.Contact
			Withdrawn                                                      []string
		}{title, st, publicityStatusCN(st), p.Start.Chinese(), p.End.Chinese(), p.Start.String(), p.End.String(), outcome,
			p.WorkingDays, round, list, obj, withdrawn}
		if err := w.page(w.group, "publicity/"+p.Slug+"/index.html", "publicity", &page{
			Title: title, Nav: "publicity", Crumbs: []crumb{{"公示", "publicity/"}, {title, ""}}, Data: data,
			Desc: fmt.Sprintf("%s，公示期%s至%s（%d个工作日），名单共%d家机构。", title, p.Start.Chinese(), p.End.Chinese(), p.WorkingDays, len(list)),
		}); err != nil {
			return err
		}
	}
	return w.page(w.group, "publicity/index.html", "publicities", &page{Title: "公示", Nav: "publicity", Crumbs: []crumb{{"公示", ""}}, Data: refs})
}

// publishedResults are the non-draft results in effect as of now.
func (b *builder) publishedResults() []*content.Result {
	var rs []*content.Result
	for _, r := range b.repo.Results {
		if !r.Draft && !r.Effective().After(b.now) {
			rs = append(rs, r)
		}
	}
	return rs
}

func gradeClass(g string) string {
	switch g {
	case content.GradeExcellent:
		return "excellent"
	case content.GradePass:
		return "pass"
	case content.GradeFail:
		return "fail"
	}
	return "none"
}

func (w *worker) results() error {
	b := w.b
	type resRef struct {
		Year      int
		Published string
	}
	var refs []resRef
	type gradeRow struct {
		Name, Href, Grade, Class, Notes string
		F                               *content.Figures
	}
	for _, r := range b.publishedResults() {
		refs = append(refs, resRef{r.Year, r.Effective().Chinese()})
		var rows []gradeRow
		var cnt struct{ Excellent, Pass, Fail int }
		for _, g := range r.Grades {
			if g.Grade == "" {
				continue
			}
			l := w.instLink(g.Institution)
			rows = append(rows, gradeRow{l.Label, l.Href, g.Grade, gradeClass(g.Grade), g.Notes, g.Figures})
			switch g.Grade {
			case content.GradeExcellent:
				cnt.Excellent++
			case content.GradePass:
				cnt.Pass++
			case content.GradeFail:
				cnt.Fail++
			}
		}
		data := struct {
			Year                int
			Assessed, Published string
			Count               struct{ Excellent, Pass, Fail int }
			Grades              []gradeRow
		}{r.Year, r.AssessedOn.Chinese(), r.Effective().Chinese(), cnt, rows}
		y := strconv.Itoa(r.Year)
		if err := w.page(w.group, "results/"+y+"/index.html", "result", &page{
			Title: y + "年度考核结果", Nav: "results",
			Desc: fmt.Sprintf("%s年度科技金融服务机构考核结果：优秀%d家，合格%d家，不合格%d家（《管理办法》第六条）。", y, cnt.Excellent, cnt.Pass, cnt.Fail), Crumbs: []crumb{{"考核结果", "results/"}, {y + "年度", ""}}, Data: data,
		}); err != nil {
			return err
		}
	}
	sort.Slice(refs, func(i, j int) bool { return refs[i].Year > refs[j].Year })
	return w.page(w.group, "results/index.html", "results", &page{Title: "考核结果", Nav: "results", Crumbs: []crumb{{"考核结果", ""}}, Data: refs})
}

func (w *worker) stats() error {
	t := w.b.totals
	var ml []string
	var served, fin []int64
	for _, m := range t.Months {
		ml = append(ml, m.Period.String())
		served = append(served, int64(m.Sum.EnterprisesServed))
		fin = append(fin, int64(m.Sum.FinancingWan))
	}
	var yl []string
	var yfin []int64
	for _, y := range t.Years {
		yl = append(yl, strconv.Itoa(y.Year)+"年")
		yfin = append(yfin, int64(y.Sum.FinancingWan))
	}
	data := struct {
		Months                                       []monthTotal
		Years                                        []yearTotal
		ChartEnterprises, ChartFinancing, ChartYears template.HTML
	}{t.Months, t.Years,
		barChart("c-m-served", "各月服务企业数量（全部机构合计）", ml, served, false, "家次"),
		barChart("c-m-fin", "各月帮助企业融资金额（全部机构合计）", ml, fin, true, "万元"),
		barChart("c-y-fin", "各年帮助企业融资金额", yl, yfin, true, "万元"),
	}
	return w.page(w.group, "statistics/index.html", "stats", &page{Title: "统计", Nav: "statistics", Crumbs: []crumb{{"统计", ""}}, Data: data})
}

func (w *worker) misc() error {
	b := w.b
	robots := "User-agent: *\nAllow: /\nSitemap: " + b.chrome.BaseURL + "sitemap.xml\n"
	if err := b.out.emit(w.group, "robots.txt", []byte(robots)); err != nil {
		return err
	}
	if err := w.siteMap(); err != nil {
		return err
	}
	// The 404 page is served for any missing path: its links are absolute
	// from the site's base path so that they work at any depth.
	return w.page(w.group, "404.html", "notfound", &page{Root: b.chrome.BasePath, NoURL: true, Title: "页面不存在"})
}
