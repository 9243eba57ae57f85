// Package textwidth measures text in the columns a terminal or a
// fixed-width plain-text mail client gives it: East Asian wide and
// full-width characters (汉字, full-width punctuation, most emoji) take
// two, everything else one, as Unicode's East Asian Width property
// (UAX #11, through golang.org/x/text/width) says. Ambiguous characters
// (“ ” ° …) count as narrow. It is the project's one measure for
// aligning columns (kjjr status, assess, review) and wrapping mail.
package textwidth

import "golang.org/x/text/width"

// Rune is the number of columns r takes: 2 or 1.
func Rune(r rune) int {
	if r < 0x1100 {
		return 1 // nothing below U+1100 is wide
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}

// String is the number of columns s takes.
func String(s string) int {
	n := 0
	for _, r := range s {
		n += Rune(r)
	}
	return n
}
