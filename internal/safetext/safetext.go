// Package safetext keeps text that strangers wrote (mail subjects, display
// names, attachment names, Message-IDs, spreadsheet cells) from acting as
// layout or as terminal commands.
//
// The rule: text from mail is data, not layout. It is cleaned where it
// enters the system and escaped where it leaves.
//
//   - Where it enters (the MIME walk, the sheet reader), a one-line field
//     goes through Line: line breaks and tabs become one space, every
//     unsafe rune (see Unsafe) is removed, invalid UTF-8 becomes U+FFFD and
//     the length is bounded in runes, cut at a character boundary with an
//     ellipsis. Multi-line text (a mail body, a cell) goes through Block,
//     which keeps LF line breaks and nothing else that is unsafe.
//   - Where it leaves for a terminal (staff tables, log lines), it goes
//     through Terminal, which shows every unsafe rune as a visible escape
//     (\x1b, \u202e, \n), so that text that was stored before it was
//     cleaned, or came by another road (a hand-made branch), can neither
//     add a row nor send an escape sequence.
//
// Unsafe runes are the C0 and C1 control characters (line breaks and tabs
// included), DEL, the bidirectional controls (U+061C, U+200E, U+200F,
// U+202A–U+202E, U+2066–U+2069), zero-width and other invisible format
// characters (U+200B–U+200D, U+2060–U+2064, U+FEFF and every other
// character of category Cf, such as the tag characters U+E0000–U+E007F),
// the line and paragraph separators U+2028 and U+2029, and the
// interlinear annotation marks U+FFF9–U+FFFB. Text free of them is a
// single line that git (fsck --strict), YAML, mail headers and terminals
// all take as plain data.
package safetext

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Ellipsis ends a field that Line or Block cut short.
const Ellipsis = "…"

// Unsafe reports whether r must not appear in text shown as one line:
// control characters (C0, DEL, C1, including CR, LF and tab), bidi
// controls, zero-width and other format characters (category Cf), the
// line and paragraph separators, the interlinear annotation marks, and
// surrogate halves (never valid in UTF-8).
func Unsafe(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return true
	case r < 0xa0:
		return false
	case r == 0x2028, r == 0x2029, r >= 0xfff9 && r <= 0xfffb:
		return true
	case r >= 0xd800 && r <= 0xdfff, r > unicode.MaxRune:
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

// Bidi reports whether r is a bidirectional control character
// (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069).
func Bidi(r rune) bool {
	return r == 0x061c || r == 0x200e || r == 0x200f || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// ZeroWidth reports whether r is a zero-width character (U+200B–U+200D,
// U+2060, U+FEFF).
func ZeroWidth(r rune) bool {
	return (r >= 0x200b && r <= 0x200d) || r == 0x2060 || r == 0xfeff
}

// lineBreak reports whether r breaks a line or is a tab: these become a
// space in a one-line field rather than vanish, so words stay apart.
func lineBreak(r rune) bool {
	switch r {
	case '\n', '\r', '\t', '\v', '\f', 0x85, 0x2028, 0x2029:
		return true
	}
	return false
}

// Clean reports whether s is valid UTF-8 without unsafe runes: what Line
// returns (below its bound) is clean.
func Clean(s string) bool {
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && w == 1) || Unsafe(r) {
			return false
		}
		i += w
	}
	return true
}

// Line returns s as one safe line of at most max runes (max <= 0: no
// bound): invalid UTF-8 becomes U+FFFD, line breaks and tabs become one
// space (runs of white space collapse to one), other unsafe runes are
// removed, and surrounding spaces are trimmed. A longer result is cut at a
// character boundary and ends in Ellipsis (counted in max).
func Line(s string, max int) string {
	if max < 0 {
		max = 0
	}
	var b strings.Builder
	if max > 0 {
		b.Grow(min(len(s), 4*max+8))
	} else {
		b.Grow(len(s))
	}
	space := false
	n := 0
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		i += w
		if r == utf8.RuneError && w == 1 {
			r = utf8.RuneError
		} else if lineBreak(r) || r == ' ' {
			if b.Len() > 0 {
				space = true
			}
			continue
		} else if Unsafe(r) {
			continue
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(r)
		n++
		if max > 0 && n > max+1 {
			break // enough to know it is too long
		}
	}
	return bound(b.String(), max)
}

// bound cuts s (already clean) to max runes with Ellipsis.
func bound(s string, max int) string {
	if max <= 0 || utf8.RuneCountInString(s) <= max {
		return s
	}
	keep := max - utf8.RuneCountInString(Ellipsis)
	if keep < 0 {
		keep = 0
	}
	i, k := 0, 0
	for k < keep {
		_, w := utf8.DecodeRuneInString(s[i:])
		i += w
		k++
	}
	return strings.TrimRight(s[:i], " ") + Ellipsis
}

// Block returns s as safe multi-line text of at most max runes (max <= 0:
// no bound): CRLF, CR, VT, FF, NEL and U+2028/U+2029 become LF, tabs
// become a space, other unsafe runes are removed, invalid UTF-8 becomes
// U+FFFD, trailing spaces on each line and surrounding blank lines are
// trimmed. A longer result is cut at a character boundary and ends in
// Ellipsis.
func Block(s string, max int) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		i += w
		switch {
		case r == utf8.RuneError && w == 1:
			b.WriteRune(utf8.RuneError)
		case r == '\t':
			b.WriteByte(' ')
		case r == '\n' || lineBreak(r):
			b.WriteByte('\n')
		case Unsafe(r):
		default:
			b.WriteRune(r)
		}
	}
	lines := strings.Split(b.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return bound(strings.Trim(strings.Join(lines, "\n"), "\n"), max)
}

// Terminal returns s with every unsafe rune shown as a visible escape, for
// a staff terminal or a log line: C0, DEL and C1 controls as \xHH (tab,
// LF and CR as \t, \n, \r), other unsafe runes as \uHHHH, invalid UTF-8
// bytes as \xHH, and a backslash as itself. Clean text comes back
// unchanged.
func Terminal(s string) string {
	if Clean(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && w == 1:
			b.WriteString(`\x` + hex2(int(s[i])))
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0xa0 && Unsafe(r):
			b.WriteString(`\x` + hex2(int(r)))
		case Unsafe(r):
			h := strconv.FormatInt(int64(r), 16)
			if len(h) < 4 {
				h = strings.Repeat("0", 4-len(h)) + h
			}
			if len(h) > 4 {
				b.WriteString(`\U` + strings.Repeat("0", 8-len(h)) + h)
			} else {
				b.WriteString(`\u` + h)
			}
		default:
			b.WriteString(s[i : i+w])
		}
		i += w
	}
	return b.String()
}

func hex2(n int) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[n>>4&0xf], digits[n&0xf]})
}
