package content

import (
	"fmt"
	"sort"
	"strings"
)

// Severity tells errors from warnings.
type Severity int

// Severities of a Diagnostic.
const (
	Error   Severity = iota // the repo is wrong: kjjr check exits 1
	Warning                 // worth a look: kjjr check still exits 0
)

// Diagnostic is one problem found in a content repo, located by file and
// line. Message is Simplified Chinese: staff read it.
type Diagnostic struct {
	File     string
	Line     int // 1-based; 0 when the problem is about the whole file
	Severity Severity
	Field    string // front-matter path such as credit.blacklisted, when known
	Message  string
}

// String formats d as file:line: message (warnings prefixed 警告：).
func (d Diagnostic) String() string {
	var b strings.Builder
	b.WriteString(d.File)
	if d.Line > 0 {
		fmt.Fprintf(&b, ":%d", d.Line)
	}
	b.WriteString(": ")
	if d.Severity == Warning {
		b.WriteString("警告：")
	}
	if d.Field != "" {
		b.WriteString(d.Field)
		b.WriteString("：")
	}
	b.WriteString(d.Message)
	return b.String()
}

// Diagnostics is a list of problems. As an error it stands for its errors.
type Diagnostics []Diagnostic

// Error joins the errors (not the warnings), one per line.
func (ds Diagnostics) Error() string {
	var lines []string
	for _, d := range ds {
		if d.Severity == Error {
			lines = append(lines, d.String())
		}
	}
	return strings.Join(lines, "\n")
}

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Errors returns only the errors.
func (ds Diagnostics) Errors() Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if d.Severity == Error {
			out = append(out, d)
		}
	}
	return out
}

// Sort orders ds by file, line, then message, so output is deterministic.
func (ds Diagnostics) Sort() {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.String() < b.String()
	})
}

// NewErrors returns the errors of after that before does not have: what a
// change to the content brought in. Diagnostics are compared by file,
// field and message, not line (lines move when unrelated parts of a file
// change). Staff approval (kjjr review approve) and the push gate on
// main (package publish) block on these only: errors main already had
// are not the change's, and after the measures expire every check fails.
func NewErrors(before, after Diagnostics) Diagnostics {
	key := func(d Diagnostic) string { return d.File + "\x00" + d.Field + "\x00" + d.Message }
	had := map[string]bool{}
	for _, d := range before.Errors() {
		had[key(d)] = true
	}
	var fresh Diagnostics
	for _, d := range after.Errors() {
		if !had[key(d)] {
			fresh = append(fresh, d)
		}
	}
	return fresh
}
