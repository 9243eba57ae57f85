package site

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"

	"kjjr/content"
)

// ServerOptions configure a development Server. A nil *ServerOptions
// means the defaults.
type ServerOptions struct {
	// Content is the content repo directory to serve and watch. Empty
	// means FS is served and nothing is watched.
	Content string
	// FS is the repo served when Content is empty (the embedded default).
	FS fs.FS
	// Out is where the site is built; empty means a new temporary
	// directory, removed by Close.
	Out string
	// Now is the date the site is built as of; zero means today, read
	// again at each rebuild.
	Now content.Date
	// Logger receives what happens (rebuilds, content errors); nil means
	// slog.Default().
	Logger *slog.Logger
	// Addr is the address the server listens on (kjjr serve --addr). Its
	// host is accepted in requests' Host header besides the loopback
	// names; an unspecified host (":1313", "0.0.0.0:1313") accepts any IP
	// address, which no DNS rebinding can produce. See ServeHTTP.
	Addr string
}

// ContentSecurityPolicy is the Content-Security-Policy the site is made
// for: its own scripts, styles, images and fetches only, no inline script,
// no plug-ins, no framing. kjjr serve sends it, with
// X-Content-Type-Options: nosniff; a production web server should too
// (the README's nginx example does).
const ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// Limits of the preview server (variables for tests).
var (
	serveReadHeaderTimeout = 5 * time.Second
	serveReadTimeout       = 10 * time.Second
	serveWriteTimeout      = 30 * time.Second
	serveIdleTimeout       = 5 * time.Second
	maxEventStreams        = int64(32) // live-reload connections at once
)

// Server is the development server behind kjjr serve. It builds the site
// into a directory and serves it with a live-reload script in every page;
// Watch re-renders what a change in the content directory affects and
// tells open pages to reload. While the content has an error (a broken
// file mid-edit), the last good site stays served with the error shown at
// the top of every page, and the error is logged.
//
// A Server is safe for concurrent use: requests wait while a rebuild is
// under way, so a page fetched after a change is never stale.
type Server struct {
	opts    ServerOptions
	log     *slog.Logger
	tempDir bool

	mu       sync.RWMutex // held for writing while the site is rebuilt
	repo     *content.Repo
	manifest *manifest
	errs     []string     // current content errors, as shown to people
	builds   int          // successful builds so far
	builtNow content.Date // the date the last build was as of

	genMu  sync.Mutex
	gen    chan struct{} // closed when the next build (or error change) happens
	genN   int           // generation: counts the changes pages were told of
	closed chan struct{}

	streams  atomic.Int64 // open live-reload streams
	addrHost string       // the host of ServerOptions.Addr, normalized
	anyIP    bool         // ServerOptions.Addr listens on every address
}

// NewServer loads the content and builds the site once. A content error
// does not fail NewServer: the server starts and shows the error.
func NewServer(opts *ServerOptions) (*Server, error) {
	s := &Server{gen: make(chan struct{}), closed: make(chan struct{})}
	if opts != nil {
		s.opts = *opts
	}
	s.log = s.opts.Logger
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.opts.Addr != "" {
		h, _, err := net.SplitHostPort(s.opts.Addr)
		if err != nil {
			h = s.opts.Addr
		}
		h = normalHost(h)
		if ip := net.ParseIP(h); h == "" || ip != nil && ip.IsUnspecified() {
			s.anyIP = true
		} else {
			s.addrHost = h
		}
	}
	if s.opts.Out == "" {
		d, err := os.MkdirTemp("", "kjjr-serve-")
		if err != nil {
			return nil, fmt.Errorf("site: temp dir: %w", err)
		}
		s.opts.Out, s.tempDir = d, true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reload(); err != nil {
		return nil, err
	}
	return s, nil
}

// Out returns the directory the site is built in.
func (s *Server) Out() string { return s.opts.Out }

// Close stops pending event streams and removes a temporary output directory.
func (s *Server) Close() error {
	select {
	case <-s.closed:
	default:
		close(s.closed)
	}
	if s.tempDir {
		return os.RemoveAll(s.opts.Out)
	}
	return nil
}

// Errors returns the content errors currently shown on every page.
func (s *Server) Errors() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]string(nil), s.errs...)
}

func (s *Server) fsys() fs.FS {
	if s.opts.Content != "" {
		return content.DirFS(s.opts.Content) // no link followed, no FIFO opened
	}
	return s.opts.FS
}

func (s *Server) now() content.Date {
	if !s.opts.Now.IsZero() {
		return s.opts.Now
	}
	return content.Today()
}

// reload loads the whole repo and builds. Caller holds mu.
func (s *Server) reload() error {
	// The site never shows private fields: they are not even kept in memory.
	repo, err := content.Load(s.fsys(), &content.LoadOptions{Public: true})
	if err != nil {
		s.setErrs(diagStrings(repo.Diags))
		if s.repo != nil {
			return nil // keep serving the last good site
		}
		// No good site yet: build what loaded so that there is something
		// to show next to the error.
	} else {
		s.setErrs(nil)
	}
	s.repo = repo
	return s.build(nil, nil)
}

func diagStrings(ds content.Diagnostics) []string {
	var out []string
	for _, d := range ds {
		if d.Severity == content.Error {
			out = append(out, d.String())
		}
	}
	return out
}

func (s *Server) setErrs(errs []string) {
	for _, e := range errs {
		s.log.Error("content error", "err", e)
	}
	if len(errs) == 0 && len(s.errs) > 0 {
		s.log.Info("content errors fixed")
	}
	s.errs = errs
}

// build renders the site; changed, when not nil, limits rendering to the
// institutions it names (the others cannot have changed), and globals to
// the global pages it names. Caller holds mu.
func (s *Server) build(changed, globals map[string]bool) error {
	now := s.now()
	if now != s.builtNow {
		// A new day (the server ran past midnight): deadlines may have
		// passed for every institution, not only the edited one.
		changed, globals = nil, nil
	}
	res, err := Build(s.repo, &Options{Out: s.opts.Out, Now: now, Dev: true, prev: s.manifest, changed: changed, globals: globals, noFile: true})
	if err != nil {
		s.log.Error("build failed", "err", err)
		return err
	}
	s.manifest, s.builtNow = res.manifest, now
	s.builds++
	s.log.Info("site built", "pages", res.Pages, "rendered", res.Rendered, "written", res.Written, "removed", res.Removed,
		"ms", fmt.Sprintf("%.1f", float64(res.Duration.Microseconds())/1000))
	return nil
}

// notify wakes the pages waiting for a reload.
func (s *Server) notify() {
	s.genMu.Lock()
	close(s.gen)
	s.gen = make(chan struct{})
	s.genN++
	s.genMu.Unlock()
}

// Update applies a batch of changed files (slash paths relative to the
// content directory) and rebuilds what they affect. Watch calls it; tests
// may too.
func (s *Server) Update(paths []string) {
	s.mu.Lock()
	s.update(paths)
	s.mu.Unlock()
	s.notify()
}

func (s *Server) update(paths []string) {
	start := time.Now()
	if len(s.errs) == 0 {
		if changed, globals, ok := s.patch(paths); ok {
			if changed == nil {
				return // a broken file: nothing changed
			}
			if err := s.build(changed, globals); err == nil {
				s.log.Debug("incremental rebuild", "files", len(paths), "ms", time.Since(start).Milliseconds())
			}
			return
		}
	}
	_ = s.reload()
}

// patch applies changes to reports and institution records in place, the
// common edit, and returns the institutions changed and the global pages
// affected (nil: all). It reports false when the batch needs a full reload.
func (s *Server) patch(paths []string) (changed, globals map[string]bool, ok bool) {
	type edit struct {
		inst *content.Institution
		rel  string
		kind string // "report" or "index"
	}
	var edits []edit
	for _, p := range paths {
		parts := strings.Split(p, "/")
		if len(parts) < 3 || parts[0] != "institutions" {
			return nil, nil, false
		}
		inst := s.repo.Institution(parts[1])
		if inst == nil {
			return nil, nil, false
		}
		switch {
		case len(parts) == 3 && parts[2] == "index.md":
			edits = append(edits, edit{inst, p, "index"})
		case len(parts) == 4 && parts[2] == "reports" && strings.HasSuffix(parts[3], ".md"):
			edits = append(edits, edit{inst, p, "report"})
		default:
			return nil, nil, false
		}
	}
	// Decode everything first: a broken file changes nothing.
	type decoded struct {
		rep  *content.Report
		inst *content.Institution
		gone bool
	}
	dec := make([]decoded, len(edits))
	var errs []string
	for i, e := range edits {
		data, err := content.ReadRegular(s.fsys(), e.rel, content.MaxRecordSize)
		if errors.Is(err, fs.ErrNotExist) {
			if e.kind == "index" {
				return nil, nil, false
			}
			dec[i].gone = true
			continue
		}
		if err != nil {
			return nil, nil, false
		}
		if e.kind == "index" {
			ni := new(content.Institution)
			ds := content.DecodeRecord(e.rel, data, ni)
			content.StripPrivate(ni)
			errs = append(errs, diagStrings(ds)...)
			dec[i].inst = ni
			continue
		}
		rep := new(content.Report)
		ds := content.DecodeRecord(e.rel, data, rep)
		content.StripPrivate(rep)
		errs = append(errs, diagStrings(ds)...)
		name := strings.TrimSuffix(path.Base(e.rel), ".md")
		rep.Slug = name
		if p, err := content.ParsePeriod(name); err != nil {
			return nil, nil, false // the loader's message is the one to show
		} else if len(ds) == 0 && rep.Period != p {
			errs = append(errs, fmt.Sprintf("%s: period 为 %q，与文件名 %s.md 不一致", e.rel, rep.Period.String(), name))
		}
		dec[i].rep = rep
	}
	if len(errs) > 0 {
		s.setErrs(errs)
		return nil, nil, true
	}
	changed = map[string]bool{}
	globals = map[string]bool{}
	for k := range reportGlobals {
		globals[k] = true
	}
	for i, e := range edits {
		changed[e.inst.Slug] = true
		switch {
		case e.kind == "index":
			globals = nil // names and statuses appear everywhere
			ni := dec[i].inst
			ni.Slug, ni.Reports, ni.Inspections, ni.History = e.inst.Slug, e.inst.Reports, e.inst.Inspections, e.inst.History
			*e.inst = *ni
		case dec[i].gone:
			name := strings.TrimSuffix(path.Base(e.rel), ".md")
			reps := e.inst.Reports[:0:0]
			for _, r := range e.inst.Reports {
				if r.Period.String() != name {
					reps = append(reps, r)
				}
			}
			e.inst.Reports = reps
			if globals != nil {
				globals["sitemap"] = true
			}
		default:
			rep := dec[i].rep
			if e.inst.Report(rep.Period) == nil && globals != nil {
				globals["sitemap"] = true
			}
			reps := make([]*content.Report, 0, len(e.inst.Reports)+1)
			for _, r := range e.inst.Reports {
				if r.Period != rep.Period {
					reps = append(reps, r)
				}
			}
			reps = append(reps, rep)
			sort.Slice(reps, func(a, b int) bool { return reps[a].Period.Compare(reps[b].Period) < 0 })
			e.inst.Reports = reps
		}
	}
	s.setErrs(nil)
	return changed, globals, true
}

// HTTPServer returns an http.Server for s with the limits of a local
// preview: read, write and idle timeouts (a live-reload stream lifts its
// own) and a small header limit. Serve it on a listener of ServerOptions.Addr.
func (s *Server) HTTPServer() *http.Server {
	return &http.Server{
		Handler:           s,
		ReadHeaderTimeout: serveReadHeaderTimeout,
		ReadTimeout:       serveReadTimeout,
		WriteTimeout:      serveWriteTimeout,
		IdleTimeout:       serveIdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
}

// normalHost is a Host header's host in lower case, without brackets or
// a trailing dot.
func normalHost(h string) string {
	h = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
	return strings.TrimSuffix(strings.ToLower(h), ".")
}

// hostAllowed tells the Host header of a request for the preview: a
// loopback name or address, the host the server was told to listen on,
// or when it listens on every address any IP address. Any other name is
// what a DNS-rebinding page would send.
func (s *Server) hostAllowed(hostport string) bool {
	h, _, err := net.SplitHostPort(hostport)
	if err != nil {
		h = hostport
	}
	h = normalHost(h)
	switch {
	case h == "":
		return false
	case h == "localhost" || h == s.addrHost:
		return true
	}
	if ip := net.ParseIP(h); ip != nil {
		return ip.IsLoopback() || s.anyIP
	}
	return false
}

// ServeHTTP serves the built site, the live-reload script and its event
// stream, to GET and HEAD requests (the event stream GET only) whose Host
// is allowed (see ServerOptions.Addr): other methods are 405, other hosts
// 403. Every response has X-Content-Type-Options: nosniff and
// ContentSecurityPolicy. HTML pages get the current content errors at the
// top.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("Referrer-Policy", "no-referrer")
	if !s.hostAllowed(r.Host) {
		http.Error(w, "kjjr serve 是本机预览，只接受 localhost、127.0.0.1、[::1] 或 --addr 指定的地址访问。", http.StatusForbidden)
		return
	}
	if r.Method != http.MethodGet && (r.Method != http.MethodHead || r.URL.Path == "/_kjjr/events") {
		if r.URL.Path == "/_kjjr/events" {
			h.Set("Allow", "GET")
		} else {
			h.Set("Allow", "GET, HEAD")
		}
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	switch r.URL.Path {
	case "/_kjjr/live.js":
		h.Set("Content-Type", "text/javascript; charset=utf-8")
		h.Set("Cache-Control", "no-store")
		if r.Method == http.MethodGet {
			_, _ = w.Write(LiveReloadJS())
		}
		return
	case "/_kjjr/events":
		s.events(w, r)
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	p := path.Clean("/" + r.URL.Path)
	rel := strings.TrimPrefix(p, "/")
	if strings.HasSuffix(r.URL.Path, "/") || rel == "" {
		rel = path.Join(rel, "index.html")
	}
	status := http.StatusOK
	data, err := s.readOut(rel)
	if err != nil {
		// A directory without the trailing slash: redirect like a web server.
		if _, err2 := s.readOut(path.Join(rel, "index.html")); err2 == nil {
			http.Redirect(w, r, p+"/", http.StatusMovedPermanently)
			return
		}
		status = http.StatusNotFound
		rel = "404.html"
		if data, err = s.readOut(rel); err != nil {
			http.NotFound(w, r)
			return
		}
	}
	ct := mime.TypeByExtension(path.Ext(rel))
	if ct == "" {
		ct = "application/octet-stream"
	}
	if strings.HasPrefix(ct, "text/html") {
		if len(s.errs) > 0 {
			data = injectErrors(data, s.errs)
		}
		// Tell the page which generation it shows, so that a change made
		// while it loads still reloads it.
		s.genMu.Lock()
		g := s.genN
		s.genMu.Unlock()
		data = bytes.Replace(data, []byte(`/_kjjr/live.js"`), []byte(fmt.Sprintf(`/_kjjr/live.js?g=%d"`, g)), 1)
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if r.Method == http.MethodGet {
		_, _ = w.Write(data)
	}
}

func (s *Server) readOut(rel string) ([]byte, error) {
	if rel == ManifestName || strings.Contains(rel, "..") {
		return nil, fs.ErrNotExist
	}
	fi, err := os.Stat(filepath.Join(s.opts.Out, filepath.FromSlash(rel)))
	if err != nil || fi.IsDir() {
		return nil, fs.ErrNotExist
	}
	return os.ReadFile(filepath.Join(s.opts.Out, filepath.FromSlash(rel)))
}

// injectErrors puts the content errors at the top of a page's body.
func injectErrors(page []byte, errs []string) []byte {
	var box bytes.Buffer
	box.WriteString(`<div class="dev-error" role="alert"><strong>内容有错误，以下页面为上次成功生成的版本。请修改后保存：</strong>`)
	for _, e := range errs {
		box.WriteString("\n")
		template.HTMLEscape(&box, []byte(e))
	}
	box.WriteString("</div>\n")
	i := bytes.Index(page, []byte("<body>"))
	if i < 0 {
		return append(box.Bytes(), page...)
	}
	i += len("<body>")
	out := make([]byte, 0, len(page)+box.Len())
	out = append(out, page[:i]...)
	out = append(out, '\n')
	out = append(out, box.Bytes()...)
	return append(out, page[i:]...)
}

// events is a server-sent event stream: "reload" after every rebuild. At
// most maxEventStreams are open at once (then 503). A stream lifts the
// server's read and write timeouts, and gives each event a write
// deadline of its own, so that a client that stops reading lets go.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	if s.streams.Add(1) > maxEventStreams {
		s.streams.Add(-1)
		w.Header().Set("Retry-After", "5")
		http.Error(w, "too many live-reload connections", http.StatusServiceUnavailable)
		return
	}
	defer s.streams.Add(-1)
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	send := func(format string, g int) bool {
		_ = rc.SetWriteDeadline(time.Now().Add(serveWriteTimeout))
		if _, err := fmt.Fprintf(w, format, g); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	s.genMu.Lock()
	ch, g := s.gen, s.genN
	s.genMu.Unlock()
	if !send("event: gen\ndata: %d\n\n", g) {
		return
	}
	for {
		select {
		case <-ch:
			s.genMu.Lock()
			ch, g = s.gen, s.genN
			s.genMu.Unlock()
			if !send("event: reload\ndata: %d\n\n", g) {
				return
			}
		case <-r.Context().Done():
			return
		case <-s.closed:
			return
		}
	}
}

// Watch watches the content directory until ctx is done and applies
// changes as they come: events are batched until the directory has been
// quiet for a few milliseconds (at most 50 ms), and requests arriving
// meanwhile wait for the rebuild. Without a content directory Watch just
// waits for ctx.
func (s *Server) Watch(ctx context.Context) error {
	if s.opts.Content == "" {
		<-ctx.Done()
		return nil
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("site: watch: %w", err)
	}
	defer w.Close()
	root := s.opts.Content
	addTree := func(dir string) {
		_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.IsDir() {
				return nil
			}
			if p != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "evidence") {
				return filepath.SkipDir
			}
			_ = w.Add(p)
			return nil
		})
	}
	addTree(root)
	const quiet, maxWait = 3 * time.Millisecond, 50 * time.Millisecond
	for {
		var first fsnotify.Event
		select {
		case <-ctx.Done():
			return nil
		case err := <-w.Errors:
			s.log.Warn("watch error", "err", err)
			continue
		case first = <-w.Events:
		}
		batch := map[string]bool{}
		add := func(ev fsnotify.Event) {
			rel, err := filepath.Rel(root, ev.Name)
			if err != nil {
				return
			}
			rel = filepath.ToSlash(rel)
			if ignoredPath(rel) {
				return
			}
			if ev.Op&fsnotify.Create != 0 {
				if fi, err := os.Stat(ev.Name); err == nil && fi.IsDir() {
					addTree(ev.Name)
					rel += "/" // a new directory: a full reload
				}
			}
			batch[rel] = true
		}
		add(first)
		if len(batch) == 0 {
			continue
		}
		// Hold requests from now on: the page must not be served stale.
		s.mu.Lock()
		deadline := time.NewTimer(maxWait)
		timer := time.NewTimer(quiet)
	collect:
		for {
			select {
			case ev := <-w.Events:
				add(ev)
				timer.Reset(quiet)
			case <-timer.C:
				break collect
			case <-deadline.C:
				break collect
			case <-ctx.Done():
				s.mu.Unlock()
				return nil
			}
		}
		deadline.Stop()
		paths := make([]string, 0, len(batch))
		for p := range batch {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		s.update(paths)
		s.mu.Unlock()
		s.notify()
	}
}

// ignoredPath tells editor droppings and hidden files from content.
func ignoredPath(rel string) bool {
	for _, part := range strings.Split(rel, "/") {
		if strings.HasPrefix(part, ".") && part != "." {
			return true
		}
		if part == "evidence" {
			return true
		}
	}
	base := path.Base(rel)
	return strings.HasSuffix(base, "~") || strings.HasSuffix(base, ".swp") || strings.HasSuffix(base, ".swx") ||
		strings.HasSuffix(base, ".tmp") || strings.HasPrefix(base, "#")
}
