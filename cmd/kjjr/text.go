package main

import (
	"strings"

	"golang.org/x/text/width"
)

// textWidth is the number of terminal columns s takes: East Asian wide and
// full-width characters take two.
func textWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

// pad right-pads s with spaces to w columns.
func pad(s string, w int) string {
	if d := w - textWidth(s); d > 0 {
		return s + strings.Repeat(" ", d)
	}
	return s
}
