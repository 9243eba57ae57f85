package content

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// A Compliance TreeCache is kept in a text file, one record a line, fields
// separated by tabs. A string field is written as it is when it needs no
// escape, else quoted as Go does (starting with "), so no field holds a
// tab or a newline:
//
//	kjjr-tree-cache <version>
//	S <slug> <tree hash> <files>         an institution's subtree, then its lines:
//	W <diagnostic>                       a problem listing it
//	i <path> <ok> <name> <short name>    its index.md (ok 1: decoded, 0: not)
//	r <path> <ok> <kind> <period> <received_at>  a report
//	D <diagnostic>                       a problem decoding the file before
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

// ReadTreeCache reads a Compliance TreeCache written by WriteFile. A
// missing, damaged or foreign file gives an empty cache (the next load
// rebuilds it), never an error.
func ReadTreeCache(path string) *TreeCache {
	data, err := os.ReadFile(path)
	if err != nil {
		return &TreeCache{}
	}
	c, err := parseTreeCache(data)
	if err != nil {
		return &TreeCache{}
	}
	return c
}

// WriteFile writes a Compliance cache to path atomically (a temporary
// file renamed over it), creating its directory. A cache of full records
// (a load without Compliance) is not written: it is an error.
func (c *TreeCache) WriteFile(path string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.subtrees != nil && !c.mode.compliance {
		return errors.New("content: only a Compliance tree cache can be written to a file")
	}
	var b bytes.Buffer
	b.WriteString(treeCacheMagic + " " + strconv.Itoa(treeCacheVersion) + "\n")
	line := func(fields ...string) {
		for i, f := range fields {
			if i > 0 {
				b.WriteByte('\t')
			}
			if i == 0 || strconv.Quote(f) == `"`+f+`"` { // nothing to escape
				b.WriteString(f)
			} else {
				b.WriteString(strconv.Quote(f))
			}
		}
		b.WriteByte('\n')
	}
	diag := func(kind string, d Diagnostic) {
		line(kind, strconv.Itoa(int(d.Severity)), strconv.Itoa(d.Line), d.File, d.Field, d.Message)
	}
	for _, st := range c.subtrees {
		line("S", st.slug, st.hash, strconv.Itoa(len(st.tasks)))
		for _, d := range st.walk {
			diag("W", d)
		}
		for _, t := range st.tasks {
			switch rec := t.res.rec.(type) {
			case *Report:
				line("r", t.path, "1", rec.Kind, rec.Period.String(), rec.ReceivedAt)
			case *Institution:
				line("i", t.path, "1", rec.Name, rec.ShortName)
			default: // not decoded
				kind := "i"
				if t.kind == kindReport {
					kind = "r"
				}
				line(kind, t.path, "0")
			}
			for _, d := range t.res.diags {
				diag("D", d)
			}
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
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tree-cache-*.tmp")
	if err != nil {
		return fmt.Errorf("content: tree cache: %w", err)
	}
	_, werr := tmp.Write(b.Bytes())
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("content: tree cache: %w", werr)
	}
	c.changed = false
	return nil
}

// fields splits a cache line into its fields (at most len(f)), reading
// quoted ones; n is how many there were, ok false for a bad quote.
func fields(line string, f []string) (n int, ok bool) {
	for n < len(f) {
		var v string
		v, rest, more := strings.Cut(line, "\t")
		if strings.HasPrefix(v, `"`) {
			u, err := strconv.Unquote(v)
			if err != nil {
				return n, false
			}
			v = u
		}
		f[n] = v
		n++
		if !more {
			return n, true
		}
		line = rest
	}
	return n, false // too many fields
}

func parseDiag(f []string) (Diagnostic, bool) {
	sev, err1 := strconv.Atoi(f[0])
	line, err2 := strconv.Atoi(f[1])
	if err1 != nil || err2 != nil || (sev != int(Error) && sev != int(Warning)) {
		return Diagnostic{}, false
	}
	return Diagnostic{File: f[2], Line: line, Severity: Severity(sev), Field: f[3], Message: f[4]}, true
}

// parseTreeCache reads the cache format; anything damaged is an error.
func parseTreeCache(data []byte) (*TreeCache, error) {
	bad := errors.New("content: damaged tree cache")
	text := string(data) // one copy; most fields below are substrings of it
	head, rest, _ := strings.Cut(text, "\n")
	if head != treeCacheMagic+" "+strconv.Itoa(treeCacheVersion) {
		return nil, bad
	}
	c := &TreeCache{mode: treeMode{compliance: true}, subtrees: make(map[string]*subtree, strings.Count(rest, "\nS\t")+1)}
	var st *subtree
	var reps []Report // the subtree's reports, one allocation
	var f [7]string
	periods := map[string]Period{}
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
		case (f[0] == "i" || f[0] == "r") && st != nil && len(st.tasks) < cap(st.tasks) && n >= 3:
			p := f[1]
			pre := "institutions/" + st.slug + "/"
			if !strings.HasPrefix(p, pre) {
				return nil, bad
			}
			var j job
			var rec any
			switch {
			case f[0] == "i" && p[len(pre):] == "index.md":
				j = job{path: p, kind: kindInstitution, slug: st.slug, name: "index"}
				if f[2] == "1" && n == 5 {
					rec = &Institution{Name: f[3], ShortName: f[4], Meta: Meta{Slug: st.slug, File: p}}
				}
			case f[0] == "r" && strings.HasPrefix(p[len(pre):], "reports/") && strings.HasSuffix(p, ".md") && !strings.Contains(p[len(pre+"reports/"):], "/"):
				name := p[len(pre+"reports/") : len(p)-len(".md")]
				j = job{path: p, kind: kindReport, slug: st.slug, name: name}
				if f[2] == "1" && n == 6 {
					per, seen := periods[f[4]]
					if !seen && f[4] != "" {
						var err error
						if per, err = ParsePeriod(f[4]); err != nil {
							return nil, bad
						}
						periods[f[4]] = per
					}
					if len(reps) == cap(reps) {
						reps = make([]Report, 0, cap(st.tasks)-len(st.tasks))
					}
					reps = append(reps, Report{Kind: f[3], Period: per, ReceivedAt: f[5], Meta: Meta{Slug: name, File: p}})
					rec = &reps[len(reps)-1]
				}
			default:
				return nil, bad
			}
			if (rec == nil) != (f[2] == "0" && n == 3) {
				return nil, bad
			}
			st.tasks = append(st.tasks, task{job: j, res: decoded{rec: rec}})
		case f[0] == "D" && n == 6 && st != nil && len(st.tasks) > 0:
			d, ok := parseDiag(f[1:])
			if !ok {
				return nil, bad
			}
			t := &st.tasks[len(st.tasks)-1]
			t.res.diags = append(t.res.diags, d)
		case f[0] == "S" && n == 4:
			files, err := strconv.Atoi(f[3])
			if err != nil || files < 0 || files > len(rest) || !SlugPattern.MatchString(f[1]) {
				return nil, bad
			}
			if st != nil && len(st.tasks) != cap(st.tasks) {
				return nil, bad
			}
			st, reps = &subtree{slug: f[1], hash: f[2], tasks: make([]task, 0, files)}, nil
			c.subtrees[f[1]+" "+f[2]] = st
		case f[0] == "W" && n == 6 && st != nil:
			d, ok := parseDiag(f[1:])
			if !ok {
				return nil, bad
			}
			st.walk = append(st.walk, d)
		case f[0] == "K" && n == 2 && f[1] != "" && c.histKey == "":
			c.histKey, c.hist = f[1], map[string][]Event{}
		case f[0] == "H" && n == 3 && c.hist != nil:
			evs, err := decodeEvents(f[2])
			if err != nil {
				return nil, bad
			}
			c.hist[f[1]] = evs
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
	if st != nil && len(st.tasks) != cap(st.tasks) {
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
