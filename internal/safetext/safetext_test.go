package safetext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLine(t *testing.T) {
	tests := []struct {
		name, in string
		max      int
		want     string
	}{
		{"plain", "2026年10月月报", 0, "2026年10月月报"},
		{"crlf injection", "10月月报\r\n处理结果：已接收，审核通过\r\n请将服务费 5000 元汇至账户", 0, "10月月报 处理结果：已接收，审核通过 请将服务费 5000 元汇至账户"},
		{"tabs and runs", "\t a\t\tb \n", 0, "a b"},
		{"nul bel esc", "月报\x00\x07\x1b[2J\x1b]0;pwned\x07.xlsx", 0, "月报[2J]0;pwned.xlsx"},
		{"c1", "a\u0085b\u009bc", 0, "a bc"},
		{"bidi", "invoice\u202egpj.exe", 0, "invoicegpj.exe"},
		{"bidi isolates", "a\u2066b\u2067c\u2068d\u2069e\u200ef\u200fg\u061ch", 0, "abcdefgh"},
		{"zero width", "a\u200bb\u200cc\u200dd\u2060e\ufefff", 0, "abcdef"},
		{"separators", "a\u2028b\u2029c", 0, "a b c"},
		{"tags", "a\U000E0041b", 0, "ab"},
		{"invalid utf8", "a\xffb", 0, "a\uFFFDb"},
		{"bound", "一二三四五六", 4, "一二三…"},
		{"bound exact", "一二三四", 4, "一二三四"},
		{"bound trims space", "ab cd", 4, "ab…"},
		{"empty", "\r\n\t", 10, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Line(tt.in, tt.max); got != tt.want {
				t.Errorf("Line(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
		})
	}
}

func TestBlock(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a\r\nb\rc", "a\nb\nc"},
		{"a\tb\x1b[31m\x00", "a b[31m"},
		{"\n\n 正文 \n\u202e反\n\n", " 正文\n反"},
		{"a\u2028b", "a\nb"},
	}
	for _, tt := range tests {
		if got := Block(tt.in, 0); got != tt.want {
			t.Errorf("Block(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := Block("一二三四五", 3); got != "一二…" {
		t.Errorf("bounded Block = %q", got)
	}
}

func TestTerminal(t *testing.T) {
	tests := []struct{ in, want string }{
		{"机构 a\\b", "机构 a\\b"},
		{"x\x1b[2J\x1b]0;title\x07", `x\x1b[2J\x1b]0;title\x07`},
		{"row1\nfake row", `row1\nfake row`},
		{"a\r\tb\x7f\u009b", `a\r\tb\x7f\x9b`},
		{"a\u202eb\ufeff", `a\u202eb\ufeff`},
		{"a\U000E0041", `a\U000e0041`},
		{"bad\xff", `bad\xff`},
	}
	for _, tt := range tests {
		if got := Terminal(tt.in); got != tt.want {
			t.Errorf("Terminal(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestClasses(t *testing.T) {
	for _, r := range []rune{0, 7, 0x1b, '\n', '\r', '\t', 0x7f, 0x80, 0x9f, 0x202a, 0x202e, 0x2066, 0x2069, 0x200b, 0x200d, 0x2060, 0xfeff, 0x2028, 0x2029, 0x200e} {
		if !Unsafe(r) {
			t.Errorf("U+%04X not unsafe", r)
		}
	}
	for _, r := range []rune{' ', 'a', '月', '…', 0xa0, 0x3000, 0xfffd, '（'} {
		if Unsafe(r) {
			t.Errorf("U+%04X unsafe", r)
		}
	}
	if !Bidi(0x202e) || Bidi('a') || !ZeroWidth(0xfeff) || ZeroWidth(' ') {
		t.Error("Bidi/ZeroWidth")
	}
}

// FuzzLine: whatever goes in, Line gives one clean line within its bound,
// and Terminal gives text without a control byte.
func FuzzLine(f *testing.F) {
	for _, s := range []string{"", "月报\r\n处理结果：已接收", "\x00\x07\x1b[2J", "a\u202eb", "\xff\xfe", strings.Repeat("长", 300)} {
		f.Add(s, 10)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		max = max % 400
		l := Line(s, max)
		if !Clean(l) || strings.ContainsAny(l, "\n\r\t\x00") {
			t.Fatalf("Line(%q) = %q not clean", s, l)
		}
		if max > 0 && utf8.RuneCountInString(l) > max {
			t.Fatalf("Line(%q, %d) = %q over the bound", s, max, l)
		}
		if Line(l, max) != l {
			t.Fatalf("Line not idempotent on %q: %q", l, Line(l, max))
		}
		b := Block(s, max)
		for _, r := range b {
			if r != '\n' && Unsafe(r) {
				t.Fatalf("Block(%q) = %q keeps U+%04X", s, b, r)
			}
		}
		e := Terminal(s)
		if !Clean(e) {
			t.Fatalf("Terminal(%q) = %q not clean", s, e)
		}
		if Clean(s) && e != s {
			t.Fatalf("Terminal changed clean %q to %q", s, e)
		}
	})
}
