package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"kjjr/content/jinzhong"
	"kjjr/internal/atomicfile"
	"kjjr/site"
)

// cmdServe is "kjjr serve [--repo DIR] [--addr 127.0.0.1:1313]
// [--addr-file FILE] [--now YYYY-MM-DD]": it builds the site, serves it,
// and with a content DIR watches it and reloads open pages on change.
func cmdServe(e *env, args []string) int {
	fl := flag.NewFlagSet("kjjr serve", flag.ContinueOnError)
	fl.SetOutput(e.stderr)
	dir := repoFlag(fl, "", "预览并监视的内容仓库目录 `DIR`（默认：内置示例数据，不监视）")
	addr := fl.String("addr", "127.0.0.1:1313", "监听地址 `ADDR`（端口 0 表示自动选择空闲端口）")
	addrFile := fl.String("addr-file", "", "服务就绪后把实际监听的地址写入文件 `FILE`")
	nowFlag := fl.String("now", "", "按此日期预览网站，`YYYY-MM-DD`（默认今天）")
	verbose := fl.Bool("v", false, "详细记录每次重新生成")
	fl.Usage = func() {
		fmt.Fprintln(e.stderr, "用法：kjjr serve [--repo DIR] [--addr 127.0.0.1:1313] [--addr-file FILE] [--now YYYY-MM-DD]\n\n本地预览网站：修改内容目录中的文件后，浏览器中的页面会自动刷新。\n\n参数：")
		fl.PrintDefaults()
	}
	pos, code, ok := parseFlags(fl, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(e.stderr, "kjjr serve: 多余的参数 %q（内容仓库目录请用 --repo DIR 指定）\n", pos[0])
		return 2
	}
	now, ok := parseNow(e, "serve", *nowFlag)
	if !ok {
		return 2
	}
	if *dir != "" {
		if fi, err := os.Stat(*dir); err != nil || !fi.IsDir() {
			fmt.Fprintf(e.stderr, "kjjr serve: 内容目录 %s 不存在或不是目录\n", *dir)
			return 1
		}
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
	srv, err := site.NewServer(&site.ServerOptions{Content: *dir, FS: jinzhong.FS(), Now: now, Logger: log, Addr: *addr})
	if err != nil {
		fmt.Fprintf(e.stderr, "kjjr serve: 生成网站失败：%v\n", err)
		return 1
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(e.stderr, "kjjr serve: 无法监听 %s：%v（端口可能已被占用，可用 --addr 换一个）\n", *addr, err)
		return 1
	}
	bound := ln.Addr().String()
	hs := srv.HTTPServer() // a local preview's timeouts and limits
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	go func() {
		if err := srv.Watch(ctx); err != nil {
			log.Error("watch failed", "err", err)
		}
	}()
	if *addrFile != "" {
		if err := atomicfile.WriteFileNoSync(*addrFile, []byte(bound+"\n"), 0o644); err != nil {
			fmt.Fprintf(e.stderr, "kjjr serve: 无法写入 %s：%v\n", filepath.Clean(*addrFile), err)
			return 1
		}
	}
	what := "内置示例数据（不监视变化）"
	if *dir != "" {
		what = *dir + "（修改后自动刷新）"
	}
	fmt.Fprintf(e.stdout, "网站预览：http://%s/ 内容：%s。按 Ctrl+C 退出。\n", bound, what)
	select {
	case <-e.ctx.Done():
	case err := <-served:
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(e.stderr, "kjjr serve: %v\n", err)
			return 1
		}
	}
	cancel()
	srv.Close() // ends event streams so that Shutdown does not wait for them
	sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer scancel()
	_ = hs.Shutdown(sctx)
	fmt.Fprintln(e.stdout, "已停止。")
	return 0
}
