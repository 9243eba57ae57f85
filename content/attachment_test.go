package content_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"kjjr/content"
)

// TestAttachmentTypes: a notice attachment in the repo must be a document
// or a raster image; an .svg, .html or .js is an error of Load (so kjjr
// check fails and kjjr build refuses) on the attachment's line. Links to
// elsewhere (URLs, site paths) are not files of the repo and not checked.
func TestAttachmentTypes(t *testing.T) {
	notice := `---
kind: 通知
title: 附件
date: 2025-04-01
attachments:
  - {title: a, file: n/a.pdf}
  - {title: b, file: n/B.DOCX}
  - {title: c, file: n/c.svg}
  - {title: d, file: n/d.html}
  - {title: e, file: n/e.js}
  - {title: f, file: /downloads/f.html}
  - {title: g, file: "https://example.com/g.svg"}
  - {title: h, file: n/h.ofd}
  - {title: i, file: n/i.et}
  - {title: j, file: n/j.png}
---
`
	fsys := fstest.MapFS{
		"site.yaml":        {Data: []byte("title: x\n")},
		"notices/n.md":     {Data: []byte(notice)},
		"notices/n/a.pdf":  {Data: []byte("%PDF")},
		"notices/n/c.svg":  {Data: []byte("<svg/>")},
		"notices/n/d.html": {Data: []byte("<script>")},
		"notices/n/e.js":   {Data: []byte("alert(1)")},
		"notices/n/B.DOCX": {Data: []byte("PK")},
		"notices/n/h.ofd":  {Data: []byte("PK")},
		"notices/n/i.et":   {Data: []byte("x")},
		"notices/n/j.png":  {Data: []byte("x")},
	}
	r, err := content.Load(fsys, nil)
	if err == nil {
		t.Fatal("Load accepted .svg, .html and .js attachments")
	}
	got := map[string]int{}
	for _, d := range r.Diags {
		if d.File != "notices/n.md" || d.Severity != content.Error {
			continue
		}
		for _, name := range []string{"c.svg", "d.html", "e.js", "a.pdf", "B.DOCX", "f.html", "g.svg", "h.ofd", "i.et", "j.png"} {
			if strings.Contains(d.Message, name+" ") {
				got[name] = d.Line
			}
		}
		if !strings.Contains(d.Message, "PDF") {
			t.Errorf("the message does not say what is allowed: %s", d.Message)
		}
	}
	for name, line := range map[string]int{"c.svg": 8, "d.html": 9, "e.js": 10} {
		if got[name] != line {
			t.Errorf("%s: error on line %d; want line %d (diagnostics %v)", name, got[name], line, r.Diags)
		}
		delete(got, name)
	}
	for name := range got {
		t.Errorf("%s refused", name)
	}
	for _, tc := range []struct {
		name string
		ok   bool
	}{{"a.pdf", true}, {"a.PDF", true}, {"a.jpeg", true}, {"a.wps", true}, {"a.svg", false}, {"a.htm", false}, {"a", false}, {"a.pdf.html", false}} {
		if content.AttachmentAllowed(tc.name) != tc.ok {
			t.Errorf("AttachmentAllowed(%s) = %v", tc.name, !tc.ok)
		}
	}
}
