package site

import (
	"strings"
	"testing"
)

func TestMarkdownEscapesRawHTML(t *testing.T) {
	md := newMarkdown()
	for _, tc := range []struct{ in, want, not string }{
		{"<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;", "<script"},
		{"x <img src=x onerror=alert(1)> y", "&lt;img src=x onerror=alert(1)&gt;", "<img"},
		{"[a](javascript:alert(1))", "<a href=\"\">a</a>", "javascript:"},
		{"![a](https://evil.example.com/x.png)", `<a href="https://evil.example.com/x.png">a</a>`, "<img"},
		{"![图](images/a.png)", `<img src="images/a.png" alt="图" />`, ""},
		{"# 标题", "<h2>标题</h2>", "<h1"},
		{"### 第一条", "<h3>第一条</h3>", ""},
		{"<!-- comment -->", "&lt;!-- comment --&gt;", "<!--"},
	} {
		got := string(renderMarkdown(md, tc.in))
		if !strings.Contains(got, tc.want) || (tc.not != "" && strings.Contains(got, tc.not)) {
			t.Errorf("renderMarkdown(%q) = %q; want %q and no %q", tc.in, got, tc.want, tc.not)
		}
	}
}

// FuzzMarkdown: whatever the body, the HTML has no element or attribute
// that runs script, and rendering never panics.
func FuzzMarkdown(f *testing.F) {
	for _, s := range []string{"<script>x</script>", "[a](javascript:x)", "<div onclick=x>", "![a](//e/x)", "# h\n\n| a |\n|---|\n| <b> |", "`<script>`", "<scr<script>ipt>"} {
		f.Add(s)
	}
	md := newMarkdown()
	f.Fuzz(func(t *testing.T, s string) {
		out := strings.ToLower(string(renderMarkdown(md, s)))
		for _, bad := range []string{"<script", "<iframe", "<style", "<object", "<embed", "javascript:", " onerror=", " onclick=", " onload="} {
			if strings.Contains(out, bad) {
				// A text occurrence is escaped; only markup counts.
				if bad[0] == '<' || strings.Contains(out, "href=\""+bad) || strings.Contains(out, "src=\""+bad) || isAttr(out, bad) {
					t.Fatalf("renderMarkdown(%q) = %q: contains %q", s, out, bad)
				}
			}
		}
	})
}

// isAttr reports whether an event-handler name appears inside a tag.
func isAttr(out, name string) bool {
	if !strings.HasPrefix(name, " on") {
		return false
	}
	for i := strings.Index(out, name); i >= 0; {
		lt := strings.LastIndex(out[:i], "<")
		gt := strings.LastIndex(out[:i], ">")
		if lt > gt {
			return true
		}
		j := strings.Index(out[i+1:], name)
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}
