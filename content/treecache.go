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
// separated by tabs, strings quoted as Go does (so no field holds a tab or
// a newline):
//
//	kjjr-tree-cache <version>
//	S <slug> <tree hash>                 an institution's subtree, then its lines:
//	W <diagnostic>                       a problem listing it
//	J i <path> <ok> <name> <short name>  its index.md (ok 1: decoded)
//	J r <path> <ok> <kind> <period> <received_at>  a report
//	D <diagnostic>                       a problem decoding the J before
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
	fmt.Fprintf(&b, "%s %d\n", treeCacheMagic, treeCacheVersion)
	for _, st := range c.subtrees {
		fmt.Fprintf(&b, "S\t%s\t%s\n", strconv.Quote(st.slug), strconv.Quote(st.hash))
		for _, d := range st.walk {
			b.WriteString("W\t")
			appendDiag(&b, d)
		}
		for _, t := range st.tasks {
			switch rec := t.res.rec.(type) {
			case *Report:
				fmt.Fprintf(&b, "J\tr\t%s\t1\t%s\t%s\t%s\n", strconv.Quote(t.path), strconv.Quote(rec.Kind), rec.Period, strconv.Quote(rec.ReceivedAt))
			case *Institution:
				fmt.Fprintf(&b, "J\ti\t%s\t1\t%s\t%s\n", strconv.Quote(t.path), strconv.Quote(rec.Name), strconv.Quote(rec.ShortName))
			default: // not decoded
				kind := "i"
				if t.kind == kindReport {
					kind = "r"
				}
				fmt.Fprintf(&b, "J\t%s\t%s\t0\n", kind, strconv.Quote(t.path))
			}
			for _, d := range t.res.diags {
				b.WriteString("D\t")
				appendDiag(&b, d)
			}
		}
	}
	if c.histKey != "" {
		fmt.Fprintf(&b, "K\t%s\n", c.histKey)
		for slug, evs := range c.hist {
			fmt.Fprintf(&b, "H\t%s\t%s\n", strconv.Quote(slug), encodeEvents(evs))
		}
		for _, d := range c.histDiags {
			b.WriteString("E\t")
			appendDiag(&b, d)
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

func appendDiag(b *bytes.Buffer, d Diagnostic) {
	fmt.Fprintf(b, "%d\t%d\t%s\t%s\t%s\n", d.Severity, d.Line, strconv.Quote(d.File), strconv.Quote(d.Field), strconv.Quote(d.Message))
}

func parseDiag(s string) (Diagnostic, error) {
	f := strings.Split(s, "\t")
	if len(f) != 5 {
		return Diagnostic{}, errors.New("bad diagnostic")
	}
	sev, err1 := strconv.Atoi(f[0])
	line, err2 := strconv.Atoi(f[1])
	file, err3 := strconv.Unquote(f[2])
	field, err4 := strconv.Unquote(f[3])
	msg, err5 := strconv.Unquote(f[4])
	if err := errors.Join(err1, err2, err3, err4, err5); err != nil {
		return Diagnostic{}, err
	}
	if sev != int(Error) && sev != int(Warning) {
		return Diagnostic{}, errors.New("bad severity")
	}
	return Diagnostic{File: file, Line: line, Severity: Severity(sev), Field: field, Message: msg}, nil
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
	var t *task
	periods := map[string]Period{}
	for rest != "" {
		var line string
		line, rest, _ = strings.Cut(rest, "\n")
		if line == "" {
			continue
		}
		kind, body, ok := strings.Cut(line, "\t")
		if !ok {
			return nil, bad
		}
		switch kind {
		case "J":
			if st == nil {
				return nil, bad
			}
			f := strings.Split(body, "\t")
			if len(f) < 3 {
				return nil, bad
			}
			p, err := strconv.Unquote(f[1])
			if err != nil {
				return nil, bad
			}
			var j job
			var ok bool
			var rec any
			pre := "institutions/" + st.slug + "/"
			switch {
			case f[0] == "i" && p == pre+"index.md":
				j, ok = job{path: p, kind: kindInstitution, slug: st.slug, name: "index"}, true
				if f[2] == "1" {
					if len(f) != 5 {
						return nil, bad
					}
					name, e1 := strconv.Unquote(f[3])
					short, e2 := strconv.Unquote(f[4])
					if e1 != nil || e2 != nil {
						return nil, bad
					}
					rec = &Institution{Name: name, ShortName: short, Meta: Meta{Slug: st.slug, File: p}}
				}
			case f[0] == "r" && strings.HasPrefix(p, pre+"reports/") && strings.HasSuffix(p, ".md"):
				base := p[len(pre+"reports/"):]
				if strings.Contains(base, "/") {
					return nil, bad
				}
				name := strings.TrimSuffix(base, ".md")
				j, ok = job{path: p, kind: kindReport, slug: st.slug, name: name}, true
				if f[2] == "1" {
					if len(f) != 6 {
						return nil, bad
					}
					k, e1 := strconv.Unquote(f[3])
					recv, e2 := strconv.Unquote(f[5])
					if e1 != nil || e2 != nil {
						return nil, bad
					}
					per, seen := periods[f[4]]
					if !seen && f[4] != "" {
						var err error
						if per, err = ParsePeriod(f[4]); err != nil {
							return nil, bad
						}
						periods[f[4]] = per
					}
					rec = &Report{Kind: k, Period: per, ReceivedAt: recv, Meta: Meta{Slug: name, File: p}}
				}
			}
			if !ok || (f[2] != "1" && (f[2] != "0" || len(f) != 3)) {
				return nil, bad
			}
			st.tasks = append(st.tasks, task{job: j, res: decoded{rec: rec}})
			t = &st.tasks[len(st.tasks)-1]
		case "D":
			d, err := parseDiag(body)
			if err != nil || t == nil {
				return nil, bad
			}
			t.res.diags = append(t.res.diags, d)
		case "S":
			f := strings.Split(body, "\t")
			if len(f) != 2 {
				return nil, bad
			}
			slug, e1 := strconv.Unquote(f[0])
			h, e2 := strconv.Unquote(f[1])
			if e1 != nil || e2 != nil || !SlugPattern.MatchString(slug) {
				return nil, bad
			}
			st, t = &subtree{slug: slug, hash: h}, nil
			c.subtrees[slug+" "+h] = st
		case "W":
			d, err := parseDiag(body)
			if err != nil || st == nil {
				return nil, bad
			}
			st.walk = append(st.walk, d)
		case "K":
			if body == "" || c.histKey != "" {
				return nil, bad
			}
			c.histKey, c.hist = body, map[string][]Event{}
		case "H":
			slug, payload, ok := strings.Cut(body, "\t")
			if !ok || c.hist == nil {
				return nil, bad
			}
			slug, err := strconv.Unquote(slug)
			if err != nil {
				return nil, bad
			}
			evs, err := decodeEvents(payload)
			if err != nil {
				return nil, bad
			}
			c.hist[slug] = evs
		case "E":
			d, err := parseDiag(body)
			if err != nil || c.hist == nil {
				return nil, bad
			}
			c.histDiags = append(c.histDiags, d)
		default:
			return nil, bad
		}
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
	return strconv.Quote(strings.Join(parts, "\x1e"))
}

func decodeEvents(q string) ([]Event, error) {
	s, err := strconv.Unquote(q)
	if err != nil {
		return nil, err
	}
	var evs []Event
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
