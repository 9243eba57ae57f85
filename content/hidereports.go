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

// CheckInstitutions is the part of Check whose problems are on the files
// of the institutions r has: Load's problems (r.Diags, all of them), and
// Check's rules on institutions (their index.md, the duplicates among
// those r has included), their reports and their inspections. It leaves
// out the rules on site.yaml, the calendar, notices, rounds, publicity
// and results.
//
// It is how a change to the reports and inspections of a few
// institutions is checked without reading the others (a Repo loaded with
// TreeOptions.Only): what the rules left out report depends on those
// other files and on which institutions exist (their index.md), never on
// a report or an inspection, so a change that keeps them all cannot
// change what those rules report. Check of a Repo loaded with Only would
// report every reference from rounds, publicity and results to an
// institution left out as missing, and at thousands of institutions
// that costs seconds; CheckInstitutions does not run those rules.
// Compare two such checks, of the same institutions before and after a
// change, with NewErrors.
func (r *Repo) CheckInstitutions(today Date) Diagnostics {
	c := &checker{r: r, today: today}
	c.ds = append(c.ds, r.Diags...)
	c.institutions()
	c.institutionFiles()
	c.ds.Sort()
	return c.ds
}
