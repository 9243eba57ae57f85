package main

import (
	"strings"

	"kjjr/internal/textwidth"
)

// textWidth is the number of terminal columns s takes (see textwidth).
func textWidth(s string) int { return textwidth.String(s) }

// pad right-pads s with spaces to w columns.
func pad(s string, w int) string {
	if d := w - textWidth(s); d > 0 {
		return s + strings.Repeat(" ", d)
	}
	return s
}
