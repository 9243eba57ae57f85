package review

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"kjjr/content"
	"kjjr/internal/atomicfile"
)

// The status matrix needs, per institution, only its name and for each
// approved report its period and received_at; decoding every report of a
// 5000-institution repo (120,000 files) takes seconds. LoadStatus keeps a
// summary of each institutions/<slug> tree in <gitdir>/kjjr/cache/status.cache,
// keyed by the tree's hash: a tree hash names its content exactly, so a
// summary is never stale, and a run re-reads only the institutions whose
// tree changed since the last run (after an approval, one).

// statusCacheVersion changes when the summary's meaning changes.
const statusCacheVersion = 2

type instSummary struct {
	OK        bool   // index.md decoded
	Name      string // name and short name, all the matrix shows
	ShortName string
	Reports   []repSummary
	Diags     []string // errors decoding index.md or reports, as Load would report them
}

type repSummary struct {
	Period     string
	ReceivedAt string
}

type statusCache struct {
	Version int
	Trees   map[plumbing.Hash]*instSummary
	// HistKey identifies the inputs of the institutions' status histories
	// (see LoadStatus); Hist holds them by slug.
	HistKey string
	Hist    map[string][]content.Event
}

// LoadStatus loads main for the compliance matrix: every record that
// decides statuses and deadlines (site.yaml, calendar, rounds, publicity,
// results) in full, and of each institution only its name and its reports'
// periods and received_at, from the summary cache where the institution's
// tree is unchanged. The institutions' other fields and the reports'
// figures are left empty: use LoadMain for anything but the matrix.
// Problems decoding files come back as Diagnostics (errors only). With
// years given, only the reports of those years are attached.
func (r *Repo) LoadStatus(years ...int) (*content.Repo, content.Diagnostics, error) {
	_, c, err := r.mainCommit()
	if err != nil {
		return nil, nil, err
	}
	root, err := c.Tree()
	if err != nil {
		return nil, nil, fmt.Errorf("review: main tree: %w", err)
	}
	// histKey names everything statuses derive from (rounds, publicity,
	// results, the calendar that dates publicity, and which institutions
	// exist): while it is unchanged, so are the institutions' histories.
	hk := sha256.New()
	var instTree *object.Tree
	var others []object.TreeEntry
	for _, e := range root.Entries {
		switch {
		case e.Name == "institutions" && e.Mode == filemode.Dir:
			instTree, err = r.Git.TreeObject(e.Hash)
			if err != nil {
				return nil, nil, fmt.Errorf("review: institutions tree: %w", err)
			}
		case e.Name == "notices":
			// Not needed for statuses.
		default:
			others = append(others, e)
			if e.Name != "site.yaml" {
				fmt.Fprintf(hk, "%s %s\n", e.Name, e.Hash)
			}
		}
	}
	cache := r.readStatusCache()
	used := map[plumbing.Hash]*instSummary{}
	var ds content.Diagnostics
	var slugs []string
	sums := map[string]*instSummary{}
	if instTree != nil {
		for _, e := range instTree.Entries {
			if e.Mode != filemode.Dir {
				continue
			}
			s := cache.Trees[e.Hash]
			if s == nil {
				s = r.summarize(e.Name, e.Hash)
			}
			used[e.Hash] = s
			for _, d := range s.Diags {
				ds = append(ds, content.Diagnostic{File: "institutions/" + e.Name, Message: d})
			}
			if !s.OK {
				continue
			}
			slugs = append(slugs, e.Name)
			sums[e.Name] = s
			fmt.Fprintf(hk, "i %s\n", e.Name)
		}
	}
	key := hex.EncodeToString(hk.Sum(nil))
	var repo *content.Repo
	if cache.HistKey == key && len(cache.Hist) == len(slugs) {
		repo, err = r.statusFromCache(others, slugs, sums, cache.Hist)
		if err != nil {
			return nil, nil, err
		}
	} else {
		mfs := newMemFS()
		for _, e := range others {
			if err := r.copyRecords(mfs, e, e.Name); err != nil {
				return nil, nil, err
			}
		}
		for _, slug := range slugs {
			s := sums[slug]
			// A YAML double-quoted scalar takes Go's escapes.
			mfs.add("institutions/"+slug+"/index.md", []byte("---\nname: "+strconv.Quote(s.Name)+"\nshort_name: "+strconv.Quote(s.ShortName)+"\n---\n"))
		}
		var lerr error
		repo, lerr = content.Load(mfs, nil)
		if lerr != nil {
			ds = append(ds, repo.Diags.Errors()...)
		}
	}
	hist := map[string][]content.Event{}
	for _, inst := range repo.Institutions {
		hist[inst.Slug] = inst.History
		s := sums[inst.Slug]
		if s == nil {
			continue
		}
		inst.Reports = inst.Reports[:0]
		store := make([]content.Report, 0, len(s.Reports)) // one allocation per institution
		for _, rs := range s.Reports {
			p, ok := fastPeriod(rs.Period)
			if !ok || (len(years) > 0 && !slices.Contains(years, p.Year)) {
				continue
			}
			store = append(store, content.Report{Kind: p.Kind.String(), Period: p, ReceivedAt: rs.ReceivedAt})
			inst.Reports = append(inst.Reports, &store[len(store)-1])
		}
		sort.Slice(inst.Reports, func(a, b int) bool { return inst.Reports[a].Period.Compare(inst.Reports[b].Period) < 0 })
	}
	if cache.HistKey != key || len(used) != len(cache.Trees) || changed(used, cache.Trees) {
		r.writeStatusCache(&statusCache{Version: statusCacheVersion, Trees: used, HistKey: key, Hist: hist})
	}
	return repo, ds, nil
}

// statusFromCache builds the matrix's Repo without content.Load: site.yaml
// decoded, and each institution's name, cached history and reports. Only
// the exported fields the compliance matrix reads are set (Site with
// Load's deadline defaults, Institutions in slug order).
func (r *Repo) statusFromCache(others []object.TreeEntry, slugs []string, sums map[string]*instSummary, hist map[string][]content.Event) (*content.Repo, error) {
	repo := &content.Repo{}
	for _, e := range others {
		if e.Name != "site.yaml" {
			continue
		}
		data, err := blobBytes(r.Git, e.Hash)
		if err != nil {
			return nil, fmt.Errorf("review: read site.yaml: %w", err)
		}
		if ds := content.DecodeYAMLFile("site.yaml", data, &repo.Site); ds.HasErrors() {
			return nil, refuse(CodeCheckFailed, "main 上的 site.yaml 有错误，请先修正：\n%s", ds.Error())
		}
	}
	siteDefaults(&repo.Site)
	sort.Strings(slugs)
	for _, slug := range slugs {
		s := sums[slug]
		inst := &content.Institution{Name: s.Name, ShortName: s.ShortName, History: hist[slug]}
		inst.Slug, inst.File = slug, "institutions/"+slug+"/index.md"
		repo.Institutions = append(repo.Institutions, inst)
	}
	return repo, nil
}

// siteDefaults applies Load's defaults for the deadlines.
func siteDefaults(s *content.Site) {
	if s.Deadlines.MonthlyDay == 0 {
		s.Deadlines.MonthlyDay = 10
	}
	if s.Deadlines.HalfYearDays == 0 {
		s.Deadlines.HalfYearDays = 15
	}
	if s.Deadlines.AnnualMonthDay == "" {
		s.Deadlines.AnnualMonthDay = "12-31"
	}
}

func changed(a, b map[plumbing.Hash]*instSummary) bool {
	for h := range a {
		if b[h] == nil {
			return true
		}
	}
	return false
}

// copyRecords copies the .md and .yaml files under entry e into mfs.
func (r *Repo) copyRecords(mfs *memFS, e object.TreeEntry, p string) error {
	if e.Mode == filemode.Dir {
		t, err := r.Git.TreeObject(e.Hash)
		if err != nil {
			return fmt.Errorf("review: tree %s: %w", p, err)
		}
		for _, c := range t.Entries {
			if err := r.copyRecords(mfs, c, p+"/"+c.Name); err != nil {
				return err
			}
		}
		return nil
	}
	if ext := path.Ext(p); ext != ".md" && ext != ".yaml" {
		return nil
	}
	data, err := blobBytes(r.Git, e.Hash)
	if err != nil {
		return fmt.Errorf("review: read %s: %w", p, err)
	}
	mfs.add(p, data)
	return nil
}

// summarize decodes one institution's index.md and reports exactly as Load does.
func (r *Repo) summarize(slug string, h plumbing.Hash) *instSummary {
	s := &instSummary{}
	t, err := r.Git.TreeObject(h)
	if err != nil {
		s.Diags = append(s.Diags, fmt.Sprintf("无法读取：%v", err))
		return s
	}
	dir := "institutions/" + slug
	if e := entryAt(t, "index.md"); e != nil {
		data, err := blobBytes(r.Git, e.Hash)
		if err == nil {
			inst := new(content.Institution)
			ds := content.DecodeRecord(dir+"/index.md", data, inst)
			if !ds.HasErrors() {
				s.OK, s.Name, s.ShortName = true, inst.Name, inst.ShortName
			}
			for _, d := range ds.Errors() {
				s.Diags = append(s.Diags, d.String())
			}
		}
	}
	if e := entryAt(t, "reports"); e != nil && e.Mode == filemode.Dir {
		rt, err := r.Git.TreeObject(e.Hash)
		if err != nil {
			return s
		}
		for _, re := range rt.Entries {
			name, ok := strings.CutSuffix(re.Name, ".md")
			if !ok || re.Mode == filemode.Dir || strings.HasPrefix(re.Name, ".") {
				continue
			}
			p, err := content.ParsePeriod(name)
			if err != nil {
				continue
			}
			data, err := blobBytes(r.Git, re.Hash)
			if err != nil {
				continue
			}
			rep := new(content.Report)
			file := dir + "/reports/" + re.Name
			if ds := content.DecodeRecord(file, data, rep); ds.HasErrors() {
				for _, d := range ds.Errors() {
					s.Diags = append(s.Diags, d.String())
				}
				continue
			}
			if rep.Period != p {
				continue
			}
			s.Reports = append(s.Reports, repSummary{Period: p.String(), ReceivedAt: rep.ReceivedAt})
		}
	}
	return s
}

func (r *Repo) statusCachePath() string { return filepath.Join(r.StateDir(), "cache", "status.cache") }

// The cache is a text file, one record a line, fields separated by tabs:
//
//	kjjr-status-cache <version>
//	T <tree hex> <1 if index.md decoded> <quoted name> <quoted short name>
//	R <period> <received_at>
//	D <quoted diagnostic>
//
// (gob was measured at four times the decoding cost.)
const cacheMagic = "kjjr-status-cache"

func (r *Repo) readStatusCache() *statusCache {
	data, err := os.ReadFile(r.statusCachePath())
	if err != nil {
		return &statusCache{Trees: map[plumbing.Hash]*instSummary{}}
	}
	return parseStatusCache(data)
}

// parseStatusCache reads the cache format; anything damaged gives an empty cache.
func parseStatusCache(data []byte) *statusCache {
	bad := func() *statusCache { return &statusCache{Trees: map[plumbing.Hash]*instSummary{}} }
	text := string(data) // one copy; every field below is a substring of it
	head, rest, _ := strings.Cut(text, "\n")
	if head != fmt.Sprintf("%s %d", cacheMagic, statusCacheVersion) {
		return bad()
	}
	c := &statusCache{Trees: make(map[plumbing.Hash]*instSummary, strings.Count(rest, "\nT\t")+1)}
	var cur *instSummary
	for rest != "" {
		var line string
		line, rest, _ = strings.Cut(rest, "\n")
		if line == "" {
			continue
		}
		kind, body, ok := strings.Cut(line, "\t")
		if !ok {
			return bad()
		}
		switch kind {
		case "R":
			p, recv, ok := strings.Cut(body, "\t")
			if !ok || cur == nil || strings.IndexByte(recv, '\t') >= 0 {
				return bad()
			}
			cur.Reports = append(cur.Reports, repSummary{Period: p, ReceivedAt: recv})
		case "T":
			f := strings.Split(body, "\t")
			if len(f) != 4 || !plumbing.IsHash(f[0]) {
				return bad()
			}
			name, e1 := strconv.Unquote(f[2])
			short, e2 := strconv.Unquote(f[3])
			if e1 != nil || e2 != nil {
				return bad()
			}
			cur = &instSummary{OK: f[1] == "1", Name: name, ShortName: short}
			c.Trees[plumbing.NewHash(f[0])] = cur
		case "K":
			c.HistKey = body
		case "H":
			slug, payload, ok := strings.Cut(body, "\t")
			evs, err := decodeEvents(payload)
			if !ok || err != nil {
				return bad()
			}
			if c.Hist == nil {
				c.Hist = map[string][]content.Event{}
			}
			c.Hist[slug] = evs
		case "D":
			d, err := strconv.Unquote(body)
			if err != nil || cur == nil {
				return bad()
			}
			cur.Diags = append(cur.Diags, d)
		default:
			return bad() // a damaged cache is rebuilt
		}
	}
	return c
}

// writeStatusCache replaces the cache atomically; failing to write it only costs speed.
func (r *Repo) writeStatusCache(c *statusCache) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %d\n", cacheMagic, statusCacheVersion)
	for h, s := range c.Trees {
		ok := "0"
		if s.OK {
			ok = "1"
		}
		fmt.Fprintf(&b, "T\t%s\t%s\t%s\t%s\n", h, ok, strconv.Quote(s.Name), strconv.Quote(s.ShortName))
		for _, rs := range s.Reports {
			if strings.ContainsAny(rs.ReceivedAt, "\t\n") {
				continue // not a time; Load would read it as no date either way
			}
			fmt.Fprintf(&b, "R\t%s\t%s\n", rs.Period, rs.ReceivedAt)
		}
		for _, d := range s.Diags {
			fmt.Fprintf(&b, "D\t%s\n", strconv.Quote(d))
		}
	}
	if c.HistKey != "" {
		fmt.Fprintf(&b, "K\t%s\n", c.HistKey)
		for slug, evs := range c.Hist {
			fmt.Fprintf(&b, "H\t%s\t%s\n", slug, encodeEvents(evs))
		}
	}
	p := r.statusCachePath()
	if os.MkdirAll(filepath.Dir(p), 0o755) != nil {
		return
	}
	atomicfile.WriteFileNoSync(p, b.Bytes(), 0o600) // a cache: a failed write is rebuilt next time
}

// encodeEvents writes a history as one quoted string: events separated by
// \x1e, fields by \x1f.
func encodeEvents(evs []content.Event) string {
	var parts []string
	for _, e := range evs {
		parts = append(parts, strings.Join([]string{e.Date.String(), string(e.Kind), e.Round, e.Ref, e.Grade, strconv.Itoa(e.Year), e.Until.String()}, "\x1f"))
	}
	return strconv.Quote(strings.Join(parts, "\x1e"))
}

func decodeEvents(q string) ([]content.Event, error) {
	s, err := strconv.Unquote(q)
	if err != nil {
		return nil, err
	}
	evs := []content.Event{}
	if s == "" {
		return evs, nil
	}
	for _, part := range strings.Split(s, "\x1e") {
		f := strings.Split(part, "\x1f")
		if len(f) != 7 {
			return nil, fmt.Errorf("bad event %q", part)
		}
		var e content.Event
		if err := e.Date.UnmarshalText([]byte(f[0])); err != nil {
			return nil, err
		}
		if err := e.Until.UnmarshalText([]byte(f[6])); err != nil {
			return nil, err
		}
		if e.Year, err = strconv.Atoi(f[5]); err != nil {
			return nil, err
		}
		e.Kind, e.Round, e.Ref, e.Grade = content.EventKind(f[1]), f[2], f[3], f[4]
		evs = append(evs, e)
	}
	return evs, nil
}

// fastPeriod parses a period as Period.String writes it, without the
// allocations of content.ParsePeriod's errors; ok false for anything else.
func fastPeriod(s string) (content.Period, bool) {
	if len(s) < 7 || s[4] != '-' {
		return content.Period{}, false
	}
	y, err := strconv.Atoi(s[:4])
	if err != nil {
		return content.Period{}, false
	}
	switch rest := s[5:]; rest {
	case "H1", "H2":
		return content.Period{Kind: content.HalfYear, Year: y, Half: int(rest[1] - '0')}, true
	case "annual":
		return content.Period{Kind: content.Annual, Year: y}, true
	default:
		m, err := strconv.Atoi(rest)
		if err != nil || len(rest) != 2 || m < 1 || m > 12 {
			return content.Period{}, false
		}
		return content.Period{Kind: content.Monthly, Year: y, Month: m}, true
	}
}

var _ fs.ReadDirFS = (*memFS)(nil)
