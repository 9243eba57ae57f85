package content

import (
	"encoding/binary"
	"errors"
	"path"
	"strings"
	"time"
)

// The cache keeps reports (all but a few of a repo's files) in a compact
// binary form (appendReport): decoding JSON was most of a warm Load. A report with any of
// the private lists (financing, enterprises, documents, evidence, skipped, warnings)
// is kept as JSON instead; LoadOptions.Public drops them.

var errCacheCorrupt = errors.New("corrupt cache entry")

type cacheWriter struct{ b []byte }

func (w *cacheWriter) uint(v uint64) { w.b = binary.AppendUvarint(w.b, v) }
func (w *cacheWriter) int(v int64)   { w.b = binary.AppendVarint(w.b, v) }
func (w *cacheWriter) str(s string) {
	w.uint(uint64(len(s)))
	w.b = append(w.b, s...)
}
func (w *cacheWriter) date(d Date) {
	w.int(int64(d.Year))
	w.int(int64(d.Month))
	w.int(int64(d.Day))
}

type cacheReader struct {
	b   []byte
	err error
}

func (r *cacheReader) uint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errCacheCorrupt
		r.b = nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *cacheReader) int() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = errCacheCorrupt
		r.b = nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *cacheReader) num() int { return int(r.int()) }

func (r *cacheReader) date() Date {
	y := r.num()
	m := r.num()
	return Date{Year: y, Month: time.Month(m), Day: r.num()}
}

// reportBinary reports whether rep can be kept in the binary form.
func reportBinary(rep *Report) bool {
	return rep.Financing == nil && rep.Enterprises == nil && rep.Documents == nil && rep.Evidence == nil && rep.Skipped == nil && rep.Warnings == nil
}

// appendReport appends the binary form of a cache entry holding a report:
// the numbers; the kind and the partner banks (interned when read: they
// repeat from report to report); the lengths of the other strings, then
// those strings one after the other, read back as one string and sliced
// (one allocation per report). The report's file and slug, nearly always
// its path and its base name, are kept only when they are not.
func appendReport(b []byte, e *cacheEntry) []byte {
	w := cacheWriter{b}
	rep := e.Report
	w.int(e.Stamp.Size)
	w.int(e.Stamp.MTime)
	w.int(e.Stamp.CTime)
	w.uint(e.Stamp.Ino)
	w.int(int64(rep.Period.Kind))
	w.int(int64(rep.Period.Year))
	w.int(int64(rep.Period.Month))
	w.int(int64(rep.Period.Half))
	w.date(rep.FiledOn)
	if in := rep.Indicators; in == nil {
		w.uint(0)
	} else {
		w.uint(1)
		for _, v := range [...]int{in.EnterprisesServed, in.JinchuangguEnterprises, in.NeedsSurveyed, in.MatchmakingEvents,
			in.Roadshows, in.OnsiteVisits, in.PolicySessions, in.PolicyEnterprises, in.LoanSubsidyEnterprises, in.InsuranceEnterprises} {
			w.int(int64(v))
		}
		w.int(int64(in.FinancingWan))
		w.int(int64(in.JinchuangguFinancingWan))
	}
	switch {
	case rep.ChargedFees == nil:
		w.uint(0)
	case !*rep.ChargedFees:
		w.uint(1)
	default:
		w.uint(2)
	}
	// Served (what LoadOptions.Public keeps of the enterprise lists): 0
	// for none, else the number of keys + 1, then whether listed, then the keys.
	if sv := rep.Served; sv == nil {
		w.uint(0)
	} else {
		w.uint(uint64(len(sv.Keys)) + 1)
		if sv.Listed {
			w.uint(1)
		} else {
			w.uint(0)
		}
		for _, k := range sv.Keys {
			w.uint(uint64(k))
		}
	}
	w.int(int64(rep.BodyLine))
	w.str(rep.Kind)
	if rep.PartnerBanks == nil {
		w.uint(0)
	} else {
		w.uint(uint64(len(rep.PartnerBanks)) + 1)
		for _, s := range rep.PartnerBanks {
			w.str(s)
		}
	}
	// The other strings: the file and slug only when they are not the
	// path and its base name (code 0), else their length + 1.
	strs := []string{e.Path, rep.ReceivedAt, rep.Sender, rep.MessageID, rep.SourceSHA256, rep.Filer, rep.Phone, rep.Body}
	if rep.File == e.Path {
		w.uint(0)
	} else {
		w.uint(uint64(len(rep.File)) + 1)
		strs = append(strs, rep.File)
	}
	if rep.Slug == baseName(e.Path) {
		w.uint(0)
	} else {
		w.uint(uint64(len(rep.Slug)) + 1)
		strs = append(strs, rep.Slug)
	}
	for _, s := range strs[:8] {
		w.uint(uint64(len(s)))
	}
	for _, s := range strs {
		w.b = append(w.b, s...)
	}
	return w.b
}

// baseName returns the base name of a slash-separated path without its
// extension: a report's slug.
func baseName(p string) string {
	base := p[strings.LastIndexByte(p, '/')+1:]
	return strings.TrimSuffix(base, path.Ext(base))
}

// readReport decodes what appendReport wrote.
func readReport(b []byte) (*cacheEntry, error) { return new(reportDecoder).read(b) }

// reportDecoder decodes reports from the cache, allocating their parts
// in slabs and interning kinds and bank names. One per goroutine.
type reportDecoder struct {
	entries []cacheEntry
	reports []Report
	inds    []Indicators
	strs    []string
	bools   []bool
	intern  map[string]string
}

const slab = 256

// str returns the next string of r, interned.
func (d *reportDecoder) str(r *cacheReader) string {
	n := r.uint()
	if n > uint64(len(r.b)) {
		r.err = errCacheCorrupt
		r.b = nil
		return ""
	}
	b := r.b[:n]
	r.b = r.b[n:]
	if s, ok := d.intern[string(b)]; ok {
		return s
	}
	s := string(b)
	if d.intern == nil {
		d.intern = map[string]string{}
	}
	if len(d.intern) < 4096 {
		d.intern[s] = s
	}
	return s
}

// read decodes what appendReport wrote.
func (d *reportDecoder) read(b []byte) (*cacheEntry, error) {
	if len(d.entries) == 0 {
		d.entries, d.reports = make([]cacheEntry, slab), make([]Report, slab)
	}
	e, rep := &d.entries[0], &d.reports[0]
	d.entries, d.reports = d.entries[1:], d.reports[1:]
	e.Kind, e.Report = kindReport, rep
	r := cacheReader{b: b}
	e.Stamp.Size = r.int()
	e.Stamp.MTime = r.int()
	e.Stamp.CTime = r.int()
	e.Stamp.Ino = r.uint()
	rep.Period.Kind = PeriodKind(r.num())
	rep.Period.Year = r.num()
	rep.Period.Month = r.num()
	rep.Period.Half = r.num()
	rep.FiledOn = r.date()
	switch r.uint() {
	case 0:
	case 1:
		if len(d.inds) == 0 {
			d.inds = make([]Indicators, slab)
		}
		in := &d.inds[0]
		d.inds = d.inds[1:]
		for _, p := range [...]*int{&in.EnterprisesServed, &in.JinchuangguEnterprises, &in.NeedsSurveyed, &in.MatchmakingEvents,
			&in.Roadshows, &in.OnsiteVisits, &in.PolicySessions, &in.PolicyEnterprises, &in.LoanSubsidyEnterprises, &in.InsuranceEnterprises} {
			*p = r.num()
		}
		in.FinancingWan = Wan(r.int())
		in.JinchuangguFinancingWan = Wan(r.int())
		rep.Indicators = in
	default:
		return nil, errCacheCorrupt
	}
	switch v := r.uint(); v {
	case 0:
	case 1, 2:
		if len(d.bools) == 0 {
			d.bools = make([]bool, slab)
		}
		d.bools[0] = v == 2
		rep.ChargedFees = &d.bools[0]
		d.bools = d.bools[1:]
	default:
		return nil, errCacheCorrupt
	}
	if n := r.uint(); n > 0 {
		n--
		if n > uint64(len(r.b)) {
			return nil, errCacheCorrupt
		}
		sv := &Served{Listed: r.uint() == 1}
		if n > 0 {
			sv.Keys = make([]ServedKey, n)
			for i := range sv.Keys {
				sv.Keys[i] = ServedKey(r.uint())
			}
		}
		rep.Served = sv
	}
	rep.BodyLine = r.num()
	rep.Kind = d.str(&r)
	if n := r.uint(); n > 0 {
		n--
		if n > uint64(len(r.b)) {
			return nil, errCacheCorrupt
		}
		if uint64(len(d.strs)) < n {
			d.strs = make([]string, max(slab, n))
		}
		rep.PartnerBanks = d.strs[:n:n]
		d.strs = d.strs[n:]
		for i := range rep.PartnerBanks {
			rep.PartnerBanks[i] = d.str(&r)
		}
	}
	fileCode, slugCode := r.uint(), r.uint()
	var lens [10]uint64
	for i := range 8 {
		lens[i] = r.uint()
	}
	nstr := 8
	for _, c := range [...]uint64{fileCode, slugCode} {
		if c > 0 {
			lens[nstr] = c - 1
			nstr++
		}
	}
	left := uint64(len(r.b))
	for _, n := range lens[:nstr] {
		if n > left {
			return nil, errCacheCorrupt
		}
		left -= n
	}
	if r.err != nil || left != 0 {
		return nil, errCacheCorrupt
	}
	all := string(r.b)
	strs := lens[:nstr]
	next := func() string {
		s := all[:strs[0]]
		all, strs = all[strs[0]:], strs[1:]
		return s
	}
	e.Path = next()
	if e.Path == "" {
		return nil, errCacheCorrupt
	}
	rep.ReceivedAt = next()
	rep.Sender = next()
	rep.MessageID = next()
	rep.SourceSHA256 = next()
	rep.Filer = next()
	rep.Phone = next()
	rep.Body = next()
	rep.File = e.Path
	if fileCode > 0 {
		rep.File = next()
	}
	rep.Slug = baseName(e.Path)
	if slugCode > 0 {
		rep.Slug = next()
	}
	return e, nil
}
