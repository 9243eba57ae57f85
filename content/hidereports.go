package content

import (
	"io/fs"
	"strings"
)

// HideReports returns a view of the content tree fsys in which the
// directory institutions/<slug>/reports does not exist for every slug
// for which hide returns true; everything else is fsys as it is.
//
// It is how a change is checked without reading every report of a large
// repo: Check's rules on a report involve only that report, its
// institution and the rounds, publicity and results, which stay visible,
// so the reports of institutions a change cannot have touched may be
// hidden from both the before and the after load, and content.NewErrors
// of the two is what the change adds. review approve hides the reports
// of every institution but the submitter's; the push gate hides those of
// the institutions whose directory is unchanged.
func HideReports(fsys fs.ReadDirFS, hide func(slug string) bool) fs.ReadDirFS {
	return &reportsHidden{fsys: fsys, hide: hide}
}

type reportsHidden struct {
	fsys fs.ReadDirFS
	hide func(slug string) bool
}

// hidden reports whether name is, or is below, a hidden reports directory.
func (f *reportsHidden) hidden(name string) bool {
	parts := strings.SplitN(name, "/", 4)
	return len(parts) >= 3 && parts[0] == "institutions" && parts[2] == "reports" && f.hide(parts[1])
}

func (f *reportsHidden) Open(name string) (fs.File, error) {
	if f.hidden(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return f.fsys.Open(name)
}

func (f *reportsHidden) ReadFile(name string) ([]byte, error) {
	if f.hidden(name) {
		return nil, &fs.PathError{Op: "readfile", Path: name, Err: fs.ErrNotExist}
	}
	return fs.ReadFile(f.fsys, name)
}

func (f *reportsHidden) ReadDir(name string) ([]fs.DirEntry, error) {
	if f.hidden(name) {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	ents, err := f.fsys.ReadDir(name)
	if err != nil {
		return nil, err
	}
	if parts := strings.Split(name, "/"); len(parts) == 2 && parts[0] == "institutions" && f.hide(parts[1]) {
		kept := ents[:0:0]
		for _, e := range ents {
			if e.Name() != "reports" {
				kept = append(kept, e)
			}
		}
		return kept, nil
	}
	return ents, nil
}

// CheckOnly is Check of a Repo that LoadTree loaded with
// TreeOptions.Only, for comparing two such loads with NewErrors. others
// are the slugs of the institutions the load left out (the other
// directories of institutions/). Check would report every reference to
// them from rounds, publicity and results as an institution that does
// not exist, re-reading the file for the line of each (at thousands of
// institutions that costs seconds, and means nothing); CheckOnly takes
// them to exist, with the status histories those files give them, for
// the rules that look institutions up by slug. The rules that go through
// the institutions themselves (their index.md, reports and inspections,
// duplicate USCCs and report senders) still see the loaded ones only.
//
// So the problems CheckOnly reports on the files of the loaded
// institutions are those Check of the whole repo reports on them, but
// for the rules that compare institutions (duplicate USCCs and report
// senders, which read index.md alone); those on files outside
// institutions/ may differ from Check's, the same way for every load
// with the same others.
func (r *Repo) CheckOnly(today Date, others []string) Diagnostics {
	stubs := &Repo{Rounds: r.Rounds, Publicities: r.Publicities, Results: r.Results,
		publicities: r.publicities, institutions: make(map[string]*Institution, len(others))}
	for _, slug := range others {
		if r.institutions[slug] != nil || stubs.institutions[slug] != nil {
			continue
		}
		inst := &Institution{Meta: Meta{Slug: slug, File: "institutions/" + slug + "/index.md"}}
		stubs.Institutions = append(stubs.Institutions, inst)
		stubs.institutions[slug] = inst
	}
	stubs.deriveHistory()
	v := *r
	v.institutions = make(map[string]*Institution, len(r.institutions)+len(stubs.institutions))
	for slug, inst := range stubs.institutions {
		v.institutions[slug] = inst
	}
	for slug, inst := range r.institutions {
		v.institutions[slug] = inst
	}
	return v.Check(today)
}
