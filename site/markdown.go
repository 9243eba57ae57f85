package site

import (
	"bytes"
	"html/template"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/util"
)

// newMarkdown returns the Markdown converter of the site: CommonMark with
// GFM tables and strikethrough, CJK line breaking, headings kept below
// the page's own h1, and raw HTML escaped, never passed
// through. Dangerous link schemes (javascript: and the like) are dropped
// by goldmark's default (non-unsafe) renderer.
func newMarkdown() goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.CJK),
		goldmark.WithRendererOptions(
			html.WithXHTML(),
			renderer.WithNodeRenderers(util.Prioritized(&escapeRawHTML{}, 10)),
		),
	)
}

// escapeRawHTML renders raw HTML (inline and block) as escaped text.
type escapeRawHTML struct{}

func (r *escapeRawHTML) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindRawHTML, r.inline)
	reg.Register(ast.KindHTMLBlock, r.block)
	reg.Register(ast.KindHeading, r.heading)
	reg.Register(ast.KindImage, r.image)
}

// image renders an image that would load from outside the site as a plain
// link (nothing loads from outside); a local image keeps its alt text.
func (r *escapeRawHTML) image(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*ast.Image)
	alt := nodeText(n, src)
	if externalImage(n.Destination) || html.IsDangerousURL(n.Destination) {
		if html.IsDangerousURL(n.Destination) {
			template.HTMLEscape(w, alt)
			return ast.WalkSkipChildren, nil
		}
		_, _ = w.WriteString(`<a href="`)
		template.HTMLEscape(w, util.URLEscape(n.Destination, true))
		_, _ = w.WriteString(`">`)
		if len(alt) == 0 {
			alt = n.Destination
		}
		template.HTMLEscape(w, alt)
		_, _ = w.WriteString(`</a>`)
		return ast.WalkSkipChildren, nil
	}
	_, _ = w.WriteString(`<img src="`)
	template.HTMLEscape(w, util.URLEscape(n.Destination, true))
	_, _ = w.WriteString(`" alt="`)
	template.HTMLEscape(w, alt)
	_, _ = w.WriteString(`" />`)
	return ast.WalkSkipChildren, nil
}

func nodeText(n ast.Node, src []byte) []byte {
	var b []byte
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if t, ok := c.(*ast.Text); ok {
			b = append(b, t.Segment.Value(src)...)
		} else {
			b = append(b, nodeText(c, src)...)
		}
	}
	return b
}

func (r *escapeRawHTML) inline(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	segs := n.(*ast.RawHTML).Segments
	for i := 0; i < segs.Len(); i++ {
		s := segs.At(i)
		template.HTMLEscape(w, s.Value(src))
	}
	return ast.WalkSkipChildren, nil
}

func (r *escapeRawHTML) block(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	b := n.(*ast.HTMLBlock)
	_, _ = w.WriteString("<p>")
	lines := b.Lines()
	for i := 0; i < lines.Len(); i++ {
		s := lines.At(i)
		template.HTMLEscape(w, s.Value(src))
	}
	if b.HasClosure() {
		template.HTMLEscape(w, b.ClosureLine.Value(src))
	}
	_, _ = w.WriteString("</p>\n")
	return ast.WalkContinue, nil
}

// heading keeps a body's headings under the page's h1: "#" becomes h2,
// the other levels stay, so that "##" followed by "###" skips no level.
func (r *escapeRawHTML) heading(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*ast.Heading)
	lvl := n.Level
	if lvl < 2 {
		lvl = 2
	}
	if entering {
		_, _ = w.WriteString("<h")
		_ = w.WriteByte("0123456"[lvl])
		_ = w.WriteByte('>')
	} else {
		_, _ = w.WriteString("</h")
		_ = w.WriteByte("0123456"[lvl])
		_, _ = w.WriteString(">\n")
	}
	return ast.WalkContinue, nil
}

// renderMarkdown converts src to safe HTML. Invalid UTF-8 (which the
// loader refuses anyway) is replaced first: goldmark's CJK line breaking
// panics on it (found by FuzzMarkdown). A panic in goldmark falls back to
// the escaped text.
func renderMarkdown(md goldmark.Markdown, src string) (out template.HTML) {
	src = strings.ToValidUTF8(src, "\uFFFD")
	defer func() {
		if recover() != nil {
			out = template.HTML("<p>" + template.HTMLEscapeString(src) + "</p>")
		}
	}()
	var buf bytes.Buffer
	if err := md.Convert([]byte(src), &buf); err != nil {
		// goldmark only fails on writer errors; a bytes.Buffer has none.
		return template.HTML(template.HTMLEscapeString(src))
	}
	return template.HTML(buf.String())
}

// externalImage reports whether an image destination would load from
// outside the site (a scheme or a protocol-relative URL).
func externalImage(dest []byte) bool {
	s := string(dest)
	if len(s) >= 2 && s[:2] == "//" {
		return true
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ':':
			return true
		case c == '/' || c == '?' || c == '#':
			return false
		}
	}
	return false
}
