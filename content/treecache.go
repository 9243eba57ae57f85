package content

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"kjjr/internal/atomicfile"
	"kjjr/internal/readall"
)

// A Compliance TreeCache is kept in a text file, one record a line, fields
// separated by tabs. A string field is written as it is when it needs no
// escape, else quoted as Go does (starting with "), so no field holds a
// tab or a newline:
//
//	kjjr-tree-cache <version>
//	S <slug> <tree hash> <reports>       an institution's subtree, then its lines:
//	W <diagnostic>                       a problem Load reports in it
//	i <name> <short name>                the institution, when its index.md decoded
//	r <file name> <kind> <period> <received_at>  a report it has, reports/<file name>.md
//	                                     (kind and period "=": the period's kind, the file name)
//	K <key>                              the histories' key, then:
//	H <slug> <events>                    an institution's history
//	E <diagnostic>                       a problem in the history dirs
//
// where a diagnostic is <severity> <line> <file> <field> <message>.
// (gob was measured at four times the decoding cost.)
const (
	treeCacheMagic   = "kjjr-tree-cache"
	treeCacheVersion = 1
)

// ReadTreeCache reads a TreeCache written by WriteFile. A
// missing, damaged or foreign file gives an empty cache (the next load
// rebuilds it), never an error.
func ReadTreeCache(path string) *TreeCache {
	text, err := readall.String(path)
	if err != nil {
		return &TreeCache{}
	}
	if rest, ok := strings.CutPrefix(text, treeCacheFullMagic+"\n"); ok {
		c, err := parseTreeCacheFull([]byte(rest))
		if err != nil {
			return &TreeCache{}
		}
		return c
	}
	c, err := parseTreeCache(text)
	if err != nil {
		return &TreeCache{}
	}
	return c
}

// WriteFile writes the cache to path atomically (a temporary file renamed
// over it, readable by the owner only), creating its directory. A cache
// of full records (a load without Compliance) keeps only the subtrees
// where Load reports no problem (see treeCacheFullMagic), and may hold
// private fields unless the loads were Public: keep it in a private place
// (the git directory, the user's cache directory), never in a site.
func (c *TreeCache) WriteFile(path string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.subtrees != nil && !c.mode.compliance {
		return c.writeFullLocked(path)
	}
	var b bytes.Buffer
	b.WriteString(treeCacheMagic + " " + strconv.Itoa(treeCacheVersion) + "\n")
	field := func(f string) { // raw when nothing needs escaping
		if f != "=" && strconv.Quote(f) == `"`+f+`"` {
			b.WriteString(f)
		} else {
			b.WriteString(strconv.Quote(f))
		}
	}
	line := func(kind string, fields ...string) {
		b.WriteString(kind)
		for _, f := range fields {
			b.WriteByte('\t')
			field(f)
		}
		b.WriteByte('\n')
	}
	same := func(v, as string) { // "=" when v is what it is read as
		if v == as {
			b.WriteString("=")
		} else {
			field(v)
		}
	}
	diag := func(kind string, d Diagnostic) {
		line(kind, strconv.Itoa(int(d.Severity)), strconv.Itoa(d.Line), d.File, d.Field, d.Message)
	}
	for _, st := range c.subtrees {
		var reps []*Report
		if st.inst != nil {
			reps = st.inst.Reports
		}
		line("S", st.slug, st.hash, strconv.Itoa(len(reps)))
		for _, d := range st.diags {
			diag("W", d)
		}
		if st.inst != nil {
			line("i", st.inst.Name, st.inst.ShortName)
		}
		for _, rep := range reps {
			b.WriteString("r\t")
			field(rep.Slug)
			b.WriteByte('\t')
			same(rep.Kind, rep.Period.Kind.String())
			b.WriteByte('\t')
			same(rep.Period.String(), rep.Slug)
			b.WriteByte('\t')
			field(rep.ReceivedAt)
			b.WriteByte('\n')
		}
	}
	if c.histKey != "" {
		line("K", c.histKey)
		for slug, evs := range c.hist {
			line("H", slug, encodeEvents(evs))
		}
		for _, d := range c.histDiags {
			diag("E", d)
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("content: tree cache: %w", err)
	}
	// A cache: losing it to a crash costs speed only, so no fsync.
	if err := atomicfile.WriteFileNoSync(path, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("content: tree cache: %w", err)
	}
	c.changed = false
	return nil
}

// fields splits a cache line into its raw fields (at most len(f)); n is
// how many there were, ok false for too many.
func fields(line string, f []string) (n int, ok bool) {
	for n < len(f) {
		v, rest, more := strings.Cut(line, "\t")
		f[n] = v
		n++
		if !more {
			return n, true
		}
		line = rest
	}
	return n, false
}

// str reads a raw field: quoted (starting with ") or as it is.
func str(raw string) (string, bool) {
	if !strings.HasPrefix(raw, `"`) {
		return raw, true
	}
	s, err := strconv.Unquote(raw)
	return s, err == nil
}

func parseDiag(f []string) (Diagnostic, bool) {
	sev, err1 := strconv.Atoi(f[0])
	line, err2 := strconv.Atoi(f[1])
	file, ok1 := str(f[2])
	field, ok2 := str(f[3])
	msg, ok3 := str(f[4])
	if err1 != nil || err2 != nil || !ok1 || !ok2 || !ok3 || (sev != int(Error) && sev != int(Warning)) {
		return Diagnostic{}, false
	}
	return Diagnostic{File: file, Line: line, Severity: Severity(sev), Field: field, Message: msg}, true
}

// parseTreeCache reads the cache format; anything damaged is an error.
func parseTreeCache(text string) (*TreeCache, error) {
	bad := errors.New("content: damaged tree cache")
	head, rest, _ := strings.Cut(text, "\n")
	if head != treeCacheMagic+" "+strconv.Itoa(treeCacheVersion) {
		return nil, bad
	}
	c := &TreeCache{mode: treeMode{compliance: true}, subtrees: make(map[string]*subtree, strings.Count(rest, "\nS\t")+1)}
	var st *subtree
	var reps []Report // the subtree's reports, one allocation
	var f [7]string
	periods := map[string]Period{}
	period := func(s string) (Period, bool) {
		p, seen := periods[s]
		if !seen && s != "" {
			var err error
			if p, err = ParsePeriod(s); err != nil {
				return p, false
			}
			periods[s] = p
		}
		return p, true
	}
	// done checks that the subtree before is whole and gives its files
	// their paths, in one allocation.
	done := func() bool {
		if st == nil {
			return true
		}
		if st.inst == nil {
			return cap(reps) == 0
		}
		if len(reps) != cap(reps) {
			return false
		}
		pre := "institutions/" + st.slug + "/"
		var b strings.Builder
		size := len(pre) + len("index.md")
		for i := range reps {
			size += len(pre) + len("reports/") + len(reps[i].Slug) + len(".md")
		}
		b.Grow(size)
		b.WriteString(pre)
		b.WriteString("index.md")
		ends := make([]int, len(reps))
		for i := range reps {
			b.WriteString(pre)
			b.WriteString("reports/")
			b.WriteString(reps[i].Slug)
			b.WriteString(".md")
			ends[i] = b.Len()
		}
		all := b.String()
		start := len(pre) + len("index.md")
		st.inst.File = all[:start]
		st.inst.Reports = make([]*Report, len(reps))
		for i := range reps {
			reps[i].File, start = all[start:ends[i]], ends[i]
			st.inst.Reports[i] = &reps[i]
		}
		return true
	}
	for rest != "" {
		var line string
		line, rest, _ = strings.Cut(rest, "\n")
		if line == "" {
			continue
		}
		n, ok := fields(line, f[:])
		if !ok {
			return nil, bad
		}
		switch {
		case f[0] == "i" && n == 3 && st != nil && st.inst == nil:
			name, ok1 := str(f[1])
			short, ok2 := str(f[2])
			if !ok1 || !ok2 {
				return nil, bad
			}
			st.inst = &Institution{Name: name, ShortName: short, Meta: Meta{Slug: st.slug}}
		case f[0] == "r" && n == 5 && st != nil && st.inst != nil && len(reps) < cap(reps):
			name, ok := str(f[1])
			if !ok || strings.Contains(name, "/") {
				return nil, bad
			}
			ps := f[3]
			if ps == "=" {
				ps = name
			} else if ps, ok = str(ps); !ok {
				return nil, bad
			}
			per, ok := period(ps)
			if !ok {
				return nil, bad
			}
			kind := f[2]
			if kind == "=" {
				kind = per.Kind.String()
			} else if kind, ok = str(kind); !ok {
				return nil, bad
			}
			recv, ok := str(f[4])
			if !ok {
				return nil, bad
			}
			reps = append(reps, Report{Kind: kind, Period: per, ReceivedAt: recv, Meta: Meta{Slug: name}})
		case f[0] == "S" && n == 4:
			slug, ok1 := str(f[1])
			hash, ok2 := str(f[2])
			files, err := strconv.Atoi(f[3])
			if !ok1 || !ok2 || err != nil || files < 0 || files > len(rest) || slug == "" || strings.Contains(slug, "/") || !done() {
				return nil, bad
			}
			st, reps = &subtree{slug: slug, hash: hash}, make([]Report, 0, files)
			c.subtrees[slug+" "+hash] = st
		case f[0] == "W" && n == 6 && st != nil:
			d, ok := parseDiag(f[1:])
			if !ok {
				return nil, bad
			}
			st.diags = append(st.diags, d)
		case f[0] == "K" && n == 2 && c.histKey == "":
			key, ok := str(f[1])
			if !ok || key == "" || !done() {
				return nil, bad
			}
			st = nil
			c.histKey, c.hist = key, map[string][]Event{}
		case f[0] == "H" && n == 3 && c.hist != nil:
			slug, ok1 := str(f[1])
			evs, ok2 := str(f[2])
			if !ok1 || !ok2 {
				return nil, bad
			}
			h, err := decodeEvents(evs)
			if err != nil {
				return nil, bad
			}
			c.hist[slug] = h
		case f[0] == "E" && n == 6 && c.hist != nil:
			d, ok := parseDiag(f[1:])
			if !ok {
				return nil, bad
			}
			c.histDiags = append(c.histDiags, d)
		default:
			return nil, bad
		}
	}
	if !done() {
		return nil, bad
	}
	return c, nil
}

// encodeEvents writes a history as one quoted string: events separated by
// \x1e, fields by \x1f.
func encodeEvents(evs []Event) string {
	var parts []string
	for _, e := range evs {
		parts = append(parts, strings.Join([]string{e.Date.String(), string(e.Kind), e.Round, e.Ref, e.Grade, strconv.Itoa(e.Year), e.Until.String()}, "\x1f"))
	}
	return strings.Join(parts, "\x1e")
}

func decodeEvents(s string) ([]Event, error) {
	var evs []Event
	var err error
	if s == "" {
		return nil, nil
	}
	for _, part := range strings.Split(s, "\x1e") {
		f := strings.Split(part, "\x1f")
		if len(f) != 7 {
			return nil, fmt.Errorf("bad event %q", part)
		}
		var e Event
		if err := e.Date.UnmarshalText([]byte(f[0])); err != nil {
			return nil, err
		}
		if err := e.Until.UnmarshalText([]byte(f[6])); err != nil {
			return nil, err
		}
		if e.Year, err = strconv.Atoi(f[5]); err != nil {
			return nil, err
		}
		e.Kind, e.Round, e.Ref, e.Grade = EventKind(f[1]), f[2], f[3], f[4]
		evs = append(evs, e)
	}
	return evs, nil
}
