package main

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// TestHelp: every command answers -h with exit 0 and its usage, every
// flag's help is in Chinese, and every command that reads a content repo
// names it --repo (with --content as an alias).
func TestHelp(t *testing.T) {
	noRepo := []string{"init", "template", "gencorpus", "demo"} // they make files, they read no content repo
	flagLine := regexp.MustCompile(`^  -(\S+)`)
	for _, c := range commands() {
		t.Run(c.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := run([]string{c.name, "-h"}, strings.NewReader(""), &out, &errb); code != 0 {
				t.Errorf("kjjr %s -h: exit %d, want 0", c.name, code)
			}
			help := errb.String()
			if !strings.Contains(help, "用法：") || !strings.Contains(help, "kjjr "+c.name+" ") {
				t.Errorf("kjjr %s -h: no usage line:\n%s", c.name, help)
			}
			lines := strings.Split(help, "\n")
			var flags []string
			for i, l := range lines {
				m := flagLine.FindStringSubmatch(l)
				if m == nil {
					continue
				}
				flags = append(flags, m[1])
				// The help is on the same line (one-letter bool flags) or
				// the next, indented by a tab.
				desc := strings.TrimPrefix(l, m[0])
				if i+1 < len(lines) && strings.HasPrefix(lines[i+1], "    \t") {
					desc += lines[i+1]
				}
				if !strings.ContainsFunc(desc, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
					t.Errorf("kjjr %s: flag -%s has no Chinese help: %q", c.name, m[1], desc)
				}
			}
			if slices.Contains(noRepo, c.name) {
				return
			}
			if !slices.Contains(flags, "repo") || !slices.Contains(flags, "content") {
				t.Errorf("kjjr %s: flags %v, want --repo and its alias --content", c.name, flags)
			}
		})
	}
}
