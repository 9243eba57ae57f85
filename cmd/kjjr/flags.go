package main

import (
	"errors"
	"flag"
	"fmt"
	"strconv"

	"kjjr/content"
)

// repoFlag defines --repo DIR, the content repo, on fl with its older name
// --content as an alias (scripts and the README used it for build, serve
// and workdays).
func repoFlag(fl *flag.FlagSet, def, help string) *string {
	p := fl.String("repo", def, help)
	fl.StringVar(p, "content", def, "同 --repo `DIR`")
	return p
}

// parseFlags parses flags that may come before, between or after the
// positional arguments, and returns the positional ones. When ok is false
// the command ends at once with code: 0 after -h (the usage is printed), 2
// after a bad flag (the flag package has said which).
func parseFlags(fs *flag.FlagSet, args []string) (pos []string, code int, ok bool) {
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, 0, false
			}
			return nil, 2, false
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, 0, true
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), 0, true
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// parseYear reads a YEAR argument.
func parseYear(s string) (int, error) {
	y, err := strconv.Atoi(s)
	if err != nil || y < 2000 || y > 2100 {
		return 0, fmt.Errorf("%q 不是年份：应写作 4 位数字，例如 2025", s)
	}
	return y, nil
}

// parseNow reads a --now flag of command cmd; empty means today and gives
// the zero date (see nowOr). A bad date is reported on stderr.
func parseNow(e *env, cmd, s string) (content.Date, bool) {
	if s == "" {
		return content.Date{}, true
	}
	d, err := content.ParseDate(s)
	if err != nil {
		fmt.Fprintf(e.stderr, "kjjr %s: --now %q 不是日期，应写作 YYYY-MM-DD\n", cmd, s)
		return content.Date{}, false
	}
	return d, true
}

// nowOr is d, or today when d is zero.
func nowOr(d content.Date) content.Date {
	if d.IsZero() {
		return content.Today()
	}
	return d
}
