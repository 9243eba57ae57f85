package main

import (
	"flag"
	"fmt"
	"time"

	"kjjr/content/corpus"
)

// cmdGencorpus writes a synthetic content repo of any size (package
// corpus), for benchmarks and load tests.
func cmdGencorpus(e *env, args []string) int {
	fs := flag.NewFlagSet("gencorpus", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	n := fs.Int("institutions", 20, "number of institutions")
	seed := fs.Uint64("seed", 1, "seed of the pseudo-random figures; the same seed and size give the same files")
	out := fs.String("out", "", "output directory (created; must be empty)")
	perRound := fs.Int("per-round", 100, "institutions per selection round")
	evidence := fs.Bool("evidence", false, "also write the half-year reports' placeholder evidence files")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "用法：kjjr gencorpus -institutions N [-seed S] -out DIR\n\n生成任意规模的合成内容仓库（用于性能测试），每家机构24份月报。\n\n参数：")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *out == "" || fs.NArg() > 0 || *n < 1 || *perRound < 1 {
		fs.Usage()
		return 2
	}
	start := time.Now()
	if err := corpus.Write(*out, &corpus.Options{Institutions: *n, Seed: *seed, PerRound: *perRound, Evidence: *evidence}); err != nil {
		fmt.Fprintf(e.stderr, "kjjr gencorpus: %v\n", err)
		return 1
	}
	fmt.Fprintf(e.stdout, "已生成 %d 家机构的合成内容仓库：%s（用时 %.1f 秒）\n", *n, *out, time.Since(start).Seconds())
	return 0
}
