package site

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"kjjr/content"
	"kjjr/internal/atomicfile"
	"kjjr/internal/readall"
)

// A build from git (BuildRef) after a change to a few institutions renders
// only what the change can affect, without loading the other
// institutions at all: a delta build. Its cost follows the size of the
// change, not of the repo.
//
// What it relies on. Every page of the site is one of
//   - an institution's pages (render group i/<slug>), made from its own
//     directory and from the files outside institutions/ (site.yaml, the
//     calendar, rounds, publicity, results, notices);
//   - pages made from everything outside institutions/ and from the
//     institution records (index.md) of all institutions: the directory,
//     the open data, search, the notices, rounds, publicity and results;
//   - pages made from those and the monthly reports of all institutions:
//     the home page and the statistics and monthly data (their figures,
//     totals), and the sitemap (which lists every report page).
//
// So when, between the tree the output was built from and the new one,
// only directories institutions/<slug>/ changed, each with its index.md
// the same, and no institution came or went, then the first kind is
// rendered again for those institutions, the second kind is unchanged,
// and the third needs, of the other institutions, only what a buildState
// keeps: the figure state (each month's sums and each year's tally of
// enterprises, content.ServedTally), the roster's names and every
// institution's report pages. The changed institutions' reports as the
// old tree has them are taken out of the figures and their reports as the
// new tree has them put in. Load's rules on an institution's reports
// involve only that institution and the files outside institutions/
// (content.HideReports), so loading the changed institutions alone finds
// every problem the change brings. The output is byte-identical to a
// whole build of the new tree (tested on the default dataset and a
// generated corpus).
//
// Anything else (a file outside institutions/ changed, an index.md
// changed, an institution added or removed, more than deltaMax
// institutions changed, another date, another build of kjjr, a state that
// does not match the output's manifest) is a whole build, incremental by
// tree hashes as before.
//
// The state is kept in the git directory next to the tree cache
// (stateFile): it holds hashes of enterprises' USCCs (the tallies), which
// must never be served.

// deltaMax is the most institutions a delta build renders; past it a
// whole build (which reads the others from the tree cache) is as quick.
const deltaMax = 64

// deltaGlobals are the site-wide render groups a delta build renders
// again: those made from the reports of all institutions.
var deltaGlobals = map[string]bool{"home": true, "stats": true, "monthly": true, "sitemap": true}

// errNoDelta is returned by Build when a delta build cannot be done;
// nothing was written then.
var errNoDelta = errors.New("site: delta build not possible")

// deltaInput is what BuildRef gives Build for a delta build.
type deltaInput struct {
	state   *buildState
	old     *content.Repo   // the changed institutions as state.Tree has them
	changed map[string]bool // their slugs
	figs    *figureState    // set by startDelta
	pages   []instPages     // set by startDelta
}

// instPages names an institution's pages: its slug and the periods of
// its monthly report pages, as the sitemap lists them, separated by
// spaces.
type instPages struct {
	Slug, Reports string
}

// institutionPages lists the pages of insts as of now.
func institutionPages(insts []*content.Institution, now content.Date) []instPages {
	out := make([]instPages, 0, len(insts))
	for _, inst := range insts {
		var b strings.Builder
		for _, r := range inst.Reports {
			if r.Period.Kind == content.Monthly && !r.Period.Start().After(now) {
				if b.Len() > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(r.Period.String())
			}
		}
		out = append(out, instPages{Slug: inst.Slug, Reports: b.String()})
	}
	return out
}

// buildState is what a build from git leaves for the next one to start
// from (see the top of this file).
type buildState struct {
	Key        string // the builder's globalKey (hex): templates, assets, settings
	Commit     string
	Tree       string
	Now        string
	Next       string // Result.NextChange, or ""
	NextReason string
	// Months and Tallies are the figureState.
	Months  []monthTotal
	Tallies map[int][]byte
	Roster  []rosterName
	Pages   []instPages
}

type rosterName struct{ Slug, Name string }

// stateFile is where the build state of builds from gitDir into out is
// kept: next to the tree cache (DefaultCacheFile), in the git directory.
func stateFile(gitDir, out string) string {
	return strings.TrimSuffix(DefaultCacheFile(gitDir, out), ".cache") + ".state"
}

// A buildState is kept in a text file, one record a line, fields
// separated by tabs; a name is quoted as Go does when it needs escaping
// (it then starts with "):
//
//	kjjr-build-state <version>
//	K <key>  C <commit>  T <tree>  N <now>   one line each
//	X <next change> <reason>
//	M <period> <reports> <the month's sums, comma separated>
//	Y <year> <the year's content.ServedTally, base64>
//	R <slug> <name>                 the roster, in order
//	P <slug> <report periods>       every institution, in order
//
// (JSON was a third of a delta build's time at 5000 institutions.)
const stateMagic = "kjjr-build-state 1"

// field writes f raw when it needs no escape, else quoted.
func field(b *strings.Builder, f string) {
	if f == "" || strings.HasPrefix(f, `"`) || strings.ContainsAny(f, "\t\n\r") {
		b.WriteString(strconv.Quote(f))
	} else {
		b.WriteString(f)
	}
}

// unfield reads what field wrote.
func unfield(raw string) (string, bool) {
	if !strings.HasPrefix(raw, `"`) {
		return raw, true
	}
	s, err := strconv.Unquote(raw)
	return s, err == nil
}

// sums lists a month's figures in a fixed order.
func sums(in *content.Indicators) []*int {
	return []*int{&in.EnterprisesServed, &in.JinchuangguEnterprises, &in.NeedsSurveyed, &in.MatchmakingEvents,
		&in.Roadshows, &in.OnsiteVisits, &in.PolicySessions, &in.PolicyEnterprises, &in.LoanSubsidyEnterprises, &in.InsuranceEnterprises}
}

func (st *buildState) encode() []byte {
	var b strings.Builder
	b.Grow(64 * (len(st.Roster) + len(st.Pages) + 16))
	b.WriteString(stateMagic + "\n")
	for _, kv := range [][2]string{{"K", st.Key}, {"C", st.Commit}, {"T", st.Tree}, {"N", st.Now}} {
		b.WriteString(kv[0] + "\t" + kv[1] + "\n")
	}
	b.WriteString("X\t" + st.Next + "\t")
	field(&b, st.NextReason)
	b.WriteByte('\n')
	for i := range st.Months {
		m := &st.Months[i]
		b.WriteString("M\t" + m.Period.String() + "\t" + strconv.Itoa(m.Reports) + "\t")
		for _, v := range sums(&m.Sum) {
			b.WriteString(strconv.Itoa(*v) + ",")
		}
		b.WriteString(strconv.FormatInt(int64(m.Sum.FinancingWan), 10) + "," + strconv.FormatInt(int64(m.Sum.JinchuangguFinancingWan), 10) + "\n")
	}
	for y, t := range st.Tallies {
		b.WriteString("Y\t" + strconv.Itoa(y) + "\t" + base64.StdEncoding.EncodeToString(t) + "\n")
	}
	for _, r := range st.Roster {
		b.WriteString("R\t" + r.Slug + "\t")
		field(&b, r.Name)
		b.WriteByte('\n')
	}
	for _, p := range st.Pages {
		b.WriteString("P\t" + p.Slug + "\t" + p.Reports + "\n")
	}
	return []byte(b.String())
}

// decodeState reads what encode wrote; anything else is nil.
func decodeState(text string) *buildState {
	head, rest, _ := strings.Cut(text, "\n")
	if head != stateMagic {
		return nil
	}
	st := &buildState{Tallies: map[int][]byte{}}
	st.Roster = make([]rosterName, 0, strings.Count(rest, "\nR\t")+1)
	st.Pages = make([]instPages, 0, strings.Count(rest, "\nP\t")+1)
	for rest != "" {
		var line string
		line, rest, _ = strings.Cut(rest, "\n")
		tag, body, _ := strings.Cut(line, "\t")
		a, b, two := strings.Cut(body, "\t")
		ok := true
		switch tag {
		case "K":
			st.Key = body
		case "C":
			st.Commit = body
		case "T":
			st.Tree = body
		case "N":
			st.Now = body
		case "X":
			st.Next = a
			st.NextReason, ok = unfield(b)
			ok = ok && two
		case "M":
			var m monthTotal
			n, figs, _ := strings.Cut(b, "\t")
			vs := strings.Split(figs, ",")
			ptrs := sums(&m.Sum)
			if m.Period.UnmarshalText([]byte(a)) != nil || len(vs) != len(ptrs)+2 {
				return nil
			}
			var err error
			if m.Reports, err = strconv.Atoi(n); err != nil {
				return nil
			}
			for i, p := range ptrs {
				if *p, err = strconv.Atoi(vs[i]); err != nil {
					return nil
				}
			}
			w1, err1 := strconv.ParseInt(vs[len(ptrs)], 10, 64)
			w2, err2 := strconv.ParseInt(vs[len(ptrs)+1], 10, 64)
			if err1 != nil || err2 != nil {
				return nil
			}
			m.Sum.FinancingWan, m.Sum.JinchuangguFinancingWan = content.Wan(w1), content.Wan(w2)
			st.Months = append(st.Months, m)
		case "Y":
			y, err1 := strconv.Atoi(a)
			t, err2 := base64.StdEncoding.DecodeString(b)
			if err1 != nil || err2 != nil {
				return nil
			}
			st.Tallies[y] = t
		case "R":
			name, ok1 := unfield(b)
			ok = ok1 && two
			st.Roster = append(st.Roster, rosterName{a, name})
		case "P":
			st.Pages = append(st.Pages, instPages{a, b})
		default:
			ok = false
		}
		if !ok {
			return nil
		}
	}
	if st.Tree == "" || st.Key == "" || st.Now == "" {
		return nil
	}
	return st
}

// readBuildState reads a state file; a missing, damaged or older one is
// nil (the next build is a whole one).
func readBuildState(p string) *buildState {
	text, err := readall.String(p)
	if err != nil {
		return nil
	}
	return decodeState(text)
}

// write writes the state to p atomically, readable by the owner only.
func (st *buildState) write(p string) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return fmt.Errorf("site: build state: %w", err)
	}
	// Losing it to a crash costs one whole build: no fsync.
	if err := atomicfile.WriteFileNoSync(p, st.encode(), 0o600); err != nil {
		return fmt.Errorf("site: build state: %w", err)
	}
	return nil
}

// next returns the state's NextChange.
func (st *buildState) next() (content.Date, string) {
	var d content.Date
	if st.Next != "" && d.UnmarshalText([]byte(st.Next)) != nil {
		return content.Date{}, ""
	}
	return d, st.NextReason
}

// setFigures stores figs in st.
func (st *buildState) setFigures(figs *figureState) {
	st.Months = st.Months[:0:0]
	for _, m := range figs.Months {
		st.Months = append(st.Months, *m)
	}
	st.Tallies = make(map[int][]byte, len(figs.Tallies))
	for y, t := range figs.Tallies {
		st.Tallies[y], _ = t.MarshalBinary()
	}
}

// figures decodes the figure state of st.
func (st *buildState) figures() (*figureState, error) {
	figs := &figureState{Months: make(map[content.Period]*monthTotal, len(st.Months)), Tallies: make(map[int]*content.ServedTally, len(st.Tallies))}
	for i := range st.Months {
		m := st.Months[i]
		figs.Months[m.Period] = &m
	}
	for y, b := range st.Tallies {
		t := &content.ServedTally{}
		if err := t.UnmarshalBinary(b); err != nil {
			return nil, err
		}
		figs.Tallies[y] = t
	}
	return figs, nil
}

// newState is the state a whole build from git leaves.
func (b *builder) newState(figs *figureState, opts *Options, res *Result) *buildState {
	st := &buildState{Key: hex.EncodeToString(b.globalKey[:]), Commit: opts.commit, Tree: opts.tree,
		Now: b.now.String(), NextReason: res.NextChangeReason, Pages: b.pages}
	if !res.NextChange.IsZero() {
		st.Next = res.NextChange.String()
	}
	st.setFigures(figs)
	st.Roster = make([]rosterName, 0, len(b.roster))
	for _, r := range b.roster {
		st.Roster = append(st.Roster, rosterName{r.Slug, r.Name})
	}
	return st
}

// startDelta sets b up to render only what d's change affects, from d's
// state, and keeps every other file of out as it is. It returns
// errNoDelta, having written nothing, when the state does not fit.
func (b *builder) startDelta(out *output, d *deltaInput) error {
	st := d.state
	if st.Key != hex.EncodeToString(b.globalKey[:]) || st.Now != b.now.String() ||
		out.old.Tree != st.Tree || out.old.Now != st.Now || len(b.repo.Institutions) != len(d.changed) {
		return errNoDelta
	}
	figs, err := st.figures()
	if err != nil {
		return errNoDelta
	}
	figs.replace(d.old.Institutions, b.repo.Institutions, b.now)
	pages := append([]instPages(nil), st.Pages...)
	at := make(map[string]int, len(d.changed))
	for i, p := range pages {
		if d.changed[p.Slug] {
			at[p.Slug] = i
		}
	}
	for _, p := range institutionPages(b.repo.Institutions, b.now) {
		i, ok := at[p.Slug]
		if !ok {
			return errNoDelta
		}
		pages[i] = p
	}
	render := map[string]bool{}
	for slug := range d.changed {
		render["i/"+slug] = true
	}
	for g := range deltaGlobals {
		render["site/"+g] = true
	}
	if !out.keepExcept(render) {
		return errNoDelta
	}
	d.figs, d.pages = figs, pages
	b.totals, b.pages = figs.totals(), pages
	b.roster = make([]instRef, 0, len(st.Roster))
	for _, r := range st.Roster {
		b.roster = append(b.roster, instRef{Slug: r.Slug, Name: r.Name})
	}
	b.delta, b.changed, b.globals = true, d.changed, deltaGlobals
	return nil
}

// endDelta returns the state after the delta build of d into tree.
func (b *builder) endDelta(d *deltaInput, commit, tree string) *buildState {
	st := *d.state
	st.Commit, st.Tree, st.Pages = commit, tree, d.pages
	st.setFigures(d.figs)
	return &st
}
