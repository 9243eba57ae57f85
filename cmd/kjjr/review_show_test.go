package main

import (
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"

	"kjjr/review"
	"kjjr/submission"
)

// TestWriteChanges: `review show` lists every entry with operation, mode
// and size, marks the refused ones with why, never prints a path's control
// or bidi characters raw, and says that approval would refuse the branch.
func TestWriteChanges(t *testing.T) {
	s := &review.Submission{Branch: "submit/gamma/2026-04", MergeBase: plumbing.NewHash("1111111111111111111111111111111111111111"),
		Changes: []submission.Change{
			{Path: "institutions/gamma/reports/2026-04.md", Mode: filemode.Regular, Size: 747},
			{Path: "institutions/gamma/evidence/2026-04/passwd.pdf", Mode: filemode.Symlink, Size: 11, Problem: "是符号链接（120000）"},
			{Path: "institutions/gamma/evidence/2026-04/a\x1b[2J\u202egpj.pdf", Mode: filemode.Regular, Size: 1, Problem: "含有不允许的字符"},
			{Path: "institutions/alpha/reports/2026-03.md", OldMode: filemode.Regular, Size: -1, Problem: "删除了已审核的报告"},
		}}
	var b strings.Builder
	writeChanges(&b, s)
	out := b.String()
	for _, want := range []string{
		"改动（与分支和 main 的共同祖先相比）：4 项",
		"✓  新增  100644  747",
		"✗  新增  120000  11",
		"↳ 不能合并：是符号链接（120000）",
		`"institutions/gamma/evidence/2026-04/a\x1b[2J\u202egpj.pdf"`,
		"✗  删除  100644  —",
		"审核通过（approve）会拒绝此分支：3 项改动不能合并",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.ContainsAny(out, "\x1b\u202e") {
		t.Errorf("raw control characters in the output:\n%q", out)
	}
}
