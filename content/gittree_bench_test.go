package content_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"

	"kjjr/content"
	"kjjr/content/corpus"
	"kjjr/content/gitfs"
	"kjjr/internal/testenv"
)

// BenchmarkLoadTree loads a corpus of 500 institutions (5000 with
// KJJR_BENCH_LARGE=1) committed with the C git CLI through gitfs:
// without a cache, with a cache of the same tree, and alternating between
// two commits that differ in one report (one subtree read per load), in
// full and Compliance mode.
//
//	go test ./content -run '^$' -bench BenchmarkLoadTree -benchtime 5x
func BenchmarkLoadTree(b *testing.B) {
	testenv.NeedTool(b, "git")
	n := 500
	if os.Getenv("KJJR_BENCH_LARGE") == "1" {
		n = 5000
	}
	dir := b.TempDir()
	if err := os.CopyFS(dir, os.DirFS(corpusDir(b, n))); err != nil {
		b.Fatal(err)
	}
	run := func(args ...string) string {
		cmd := exec.Command("git", append([]string{"-c", "user.name=b", "-c", "user.email=b@example.com"}, args...)...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	run("init", "-q", "-b", "main")
	run("add", "-A")
	run("commit", "-q", "-m", "a")
	a := run("rev-parse", "HEAD")
	rep := filepath.Join(dir, "institutions", corpus.Slug(3), "reports", "2025-06.md")
	data, err := os.ReadFile(rep)
	if err != nil {
		b.Fatal(err)
	}
	data = regexp.MustCompile(`(?m)^received_at: .*$`).ReplaceAll(data, []byte("received_at: 2025-07-01T09:00:00+08:00"))
	if err := os.WriteFile(rep, data, 0o644); err != nil {
		b.Fatal(err)
	}
	run("commit", "-q", "-am", "b")
	bh := run("rev-parse", "HEAD")
	repo, err := git.PlainOpen(dir)
	if err != nil {
		b.Fatal(err)
	}
	trees := make([]*gitfs.FS, 2)
	for i, h := range []string{a, bh} {
		if trees[i], _, err = gitfs.Rev(repo, h); err != nil {
			b.Fatal(err)
		}
	}
	for _, compliance := range []bool{false, true} {
		for _, step := range []string{"cold", "unchanged", "one-changed"} {
			b.Run(fmt.Sprintf("compliance=%v/%s", compliance, step), func(b *testing.B) {
				cache := new(content.TreeCache)
				load := func(i int) {
					opts := &content.TreeOptions{Compliance: compliance}
					if step != "cold" {
						opts.Cache = cache
					}
					r, err := content.LoadTree(trees[i%2], opts)
					if err != nil || len(r.Institutions) != n {
						b.Fatalf("%v, %d institutions", err, len(r.Institutions))
					}
				}
				load(0)
				b.ReportAllocs()
				b.ResetTimer()
				i := 0
				for b.Loop() {
					if step == "one-changed" {
						i++
					}
					load(i)
				}
			})
		}
	}
}
