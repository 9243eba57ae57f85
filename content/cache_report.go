package content

import (
	"encoding/binary"
	"errors"
	"time"
)

// The cache keeps reports (all but a few of a repo's files) in a compact
// binary form: decoding JSON was most of a warm Load. A report with any of
// the private lists (financing, documents, evidence, skipped, warnings)
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

func (r *cacheReader) str() string {
	n := r.uint()
	if n > uint64(len(r.b)) {
		r.err = errCacheCorrupt
		r.b = nil
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *cacheReader) date() Date {
	y := r.num()
	m := r.num()
	return Date{Year: y, Month: time.Month(m), Day: r.num()}
}

// reportBinary reports whether rep can be kept in the binary form.
func reportBinary(rep *Report) bool {
	return rep.Financing == nil && rep.Documents == nil && rep.Evidence == nil && rep.Skipped == nil && rep.Warnings == nil
}

// appendReport appends the binary form of a cache entry holding a report.
func appendReport(b []byte, e *cacheEntry) []byte {
	w := cacheWriter{b}
	rep := e.Report
	w.str(e.Path)
	w.int(e.Stamp.Size)
	w.int(e.Stamp.MTime)
	w.int(e.Stamp.CTime)
	w.uint(e.Stamp.Ino)
	w.str(rep.Kind)
	w.int(int64(rep.Period.Kind))
	w.int(int64(rep.Period.Year))
	w.int(int64(rep.Period.Month))
	w.int(int64(rep.Period.Half))
	w.str(rep.ReceivedAt)
	w.str(rep.Sender)
	w.str(rep.MessageID)
	w.str(rep.SourceSHA256)
	w.str(rep.Filer)
	w.str(rep.Phone)
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
	if rep.PartnerBanks == nil {
		w.uint(0)
	} else {
		w.uint(uint64(len(rep.PartnerBanks)) + 1)
		for _, s := range rep.PartnerBanks {
			w.str(s)
		}
	}
	switch {
	case rep.ChargedFees == nil:
		w.uint(0)
	case !*rep.ChargedFees:
		w.uint(1)
	default:
		w.uint(2)
	}
	w.str(rep.Slug)
	w.str(rep.File)
	w.str(rep.Body)
	w.int(int64(rep.BodyLine))
	return w.b
}

// readReport decodes what appendReport wrote.
func readReport(b []byte) (*cacheEntry, error) {
	r := cacheReader{b: b}
	e := &cacheEntry{Kind: kindReport, Report: new(Report)}
	rep := e.Report
	e.Path = r.str()
	e.Stamp.Size = r.int()
	e.Stamp.MTime = r.int()
	e.Stamp.CTime = r.int()
	e.Stamp.Ino = r.uint()
	rep.Kind = r.str()
	rep.Period.Kind = PeriodKind(r.num())
	rep.Period.Year = r.num()
	rep.Period.Month = r.num()
	rep.Period.Half = r.num()
	rep.ReceivedAt = r.str()
	rep.Sender = r.str()
	rep.MessageID = r.str()
	rep.SourceSHA256 = r.str()
	rep.Filer = r.str()
	rep.Phone = r.str()
	rep.FiledOn = r.date()
	switch r.uint() {
	case 0:
	case 1:
		in := new(Indicators)
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
	if n := r.uint(); n > 0 {
		if n-1 > uint64(len(r.b)) {
			return nil, errCacheCorrupt
		}
		rep.PartnerBanks = make([]string, n-1)
		for i := range rep.PartnerBanks {
			rep.PartnerBanks[i] = r.str()
		}
	}
	switch r.uint() {
	case 0:
	case 1:
		f := false
		rep.ChargedFees = &f
	case 2:
		t := true
		rep.ChargedFees = &t
	default:
		return nil, errCacheCorrupt
	}
	rep.Slug = r.str()
	rep.File = r.str()
	rep.Body = r.str()
	rep.BodyLine = r.num()
	if r.err != nil || len(r.b) != 0 || e.Path == "" {
		return nil, errCacheCorrupt
	}
	return e, nil
}
