package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// env is what a command gets from the process: its streams and a context
// that is cancelled on SIGINT or SIGTERM.
type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

type command struct {
	name    string
	summary string
	run     func(e *env, args []string) int
}

// commands lists every subcommand; each is implemented in its own file.
func commands() []command {
	return []command{
		{"init", "从内置示例新建内容仓库", cmdInit},
		{"check", "校验内容仓库", cmdCheck},
		{"workdays", "计算工作日（公示期截止日）", cmdWorkdays},
		{"build", "生成公开网站", cmdBuild},
		{"serve", "本地预览网站并实时刷新", cmdServe},
		{"publish", "生成网站并原子地发布（可回退）", cmdPublish},
		{"hooks", "在服务器的裸仓库中安装推送检查和自动发布钩子", cmdHooks},
		{"template", "生成空白月报表或遴选申报表（.xlsx）", cmdTemplate},
		{"sheet", "解析一份月报表", cmdSheet},
		{"inbox", "收取邮件报送并写入审核分支", cmdInbox},
		{"review", "审核报送分支", cmdReview},
		{"round", "遴选批次：申报与初审、专家评分、党组会议定与公示、异议、公告", cmdRound},
		{"console", "在浏览器中审核报送的控制台", cmdConsole},
		{"status", "报送情况一览", cmdStatus},
		{"assess", "生成年度考核草稿", cmdAssess},
		{"remind", "发送报送提醒邮件", cmdRemind},
		{"health", "运行状况检查与告警（监控插件）", cmdHealth},
		{"demo", "一键演示", cmdDemo},
		{"gencorpus", "生成任意规模的合成内容仓库（性能测试用）", cmdGencorpus},
	}
}

// run is the whole program: it returns the exit code. Tests call it in
// process (see main_test.go).
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e := &env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(e, args[1:])
		}
	}
	fmt.Fprintf(stderr, "kjjr: 未知命令 %q\n\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "kjjr — 晋中市科技金融服务机构名录与报送系统")
	fmt.Fprintln(w, "\n用法：kjjr <命令> [参数]\n\n命令：")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\n运行 kjjr <命令> -h 查看该命令的参数。")
}
