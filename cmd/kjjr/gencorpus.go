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
	n := fs.Int("institutions", 20, "机构数量")
	seed := fs.Uint64("seed", 1, "伪随机数据的种子；种子和规模相同，生成的文件就相同")
	out := fs.String("out", "", "输出目录（自动创建，须为空）")
	perRound := fs.Int("per-round", 100, "每轮遴选入库的机构数")
	evidence := fs.Bool("evidence", false, "同时写出半年工作进展报告的占位印证资料文件")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "用法：kjjr gencorpus -institutions N [-seed S] -out DIR\n\n生成任意规模的合成内容仓库（用于性能测试），每家机构24份月报。\n\n参数：")
		fs.PrintDefaults()
	}
	pos, code, ok := parseFlags(fs, args)
	if !ok {
		return code
	}
	if *out == "" || len(pos) > 0 || *n < 1 || *perRound < 1 {
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
