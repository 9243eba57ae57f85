package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"kjjr/content"
	"kjjr/content/jinzhong"
	"kjjr/site"
)

// cmdBuild is "kjjr build [--repo DIR] [--out DIR] [--now YYYY-MM-DD] [--json]":
// it renders the public site, writing only files whose bytes changed.
func cmdBuild(e *env, args []string) int {
	fl := flag.NewFlagSet("kjjr build", flag.ContinueOnError)
	fl.SetOutput(e.stderr)
	dir := repoFlag(fl, "", "内容仓库目录 `DIR`（默认：内置示例数据）")
	out := fl.String("out", "public", "网站输出目录 `DIR`")
	nowFlag := fl.String("now", "", "按此日期生成网站，`YYYY-MM-DD`（默认今天，北京时间）")
	asJSON := fl.Bool("json", false, "以 JSON 输出摘要")
	noCache := fl.Bool("no-cache", false, "不用加载缓存，逐个读取并解析全部内容文件")
	cacheFlag := fl.String("cache", "", "加载缓存文件 `FILE`（默认放在用户缓存目录中，每个内容目录和输出目录各一个）")
	fl.Usage = func() {
		fmt.Fprintln(e.stderr, "用法：kjjr build [--repo DIR] [--out DIR] [--now YYYY-MM-DD] [--json] [--no-cache] [--cache FILE]\n\n生成公开网站。只写入内容有变化的文件，并删除不再属于网站的文件。\n再次生成时，未改动的内容文件从加载缓存中读取（缓存不在内容目录和输出目录中；--no-cache 不用缓存）。\n\n参数：")
		fl.PrintDefaults()
	}
	pos, code, ok := parseFlags(fl, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(e.stderr, "kjjr build: 多余的参数 %q（内容仓库目录请用 --repo DIR 指定）\n", pos[0])
		return 2
	}
	now, ok := parseNow(e, "build", *nowFlag)
	if !ok {
		return 2
	}
	opts := &content.LoadOptions{Public: true}
	if *dir != "" && !*noCache {
		c, err := buildCachePath(*dir, *out, *cacheFlag)
		if err != nil {
			fmt.Fprintf(e.stderr, "kjjr build: %v\n", err)
			return 2
		}
		opts.Cache = c
		opts.CacheErr = func(err error) {
			fmt.Fprintf(e.stderr, "kjjr build: 警告：无法写入加载缓存（不影响本次生成）：%v\n", err)
		}
	}
	repo, ok := loadRepo(e, "build", *dir, opts)
	if !ok {
		return 1
	}
	res, err := site.Build(repo, &site.Options{Out: *out, Now: now})
	if err != nil {
		if errors.Is(err, site.ErrNotSiteDir) {
			fmt.Fprintf(e.stderr, "kjjr build: 输出目录 %s 不是空目录，也不是 kjjr 生成的网站（没有 %s 文件）。为避免误删文件，请换一个输出目录（--out）或先清空它。\n", *out, site.ManifestName)
			return 1
		}
		fmt.Fprintf(e.stderr, "kjjr build: 生成失败：%v\n", err)
		return 1
	}
	if *asJSON {
		j := struct {
			Pages            int     `json:"pages"`
			Files            int     `json:"files"`
			Rendered         int     `json:"rendered"`
			Written          int     `json:"written"`
			Removed          int     `json:"removed"`
			Cached           int     `json:"cached"` // content files taken from the load cache
			Seconds          float64 `json:"seconds"`
			Now              string  `json:"now"`
			NextChange       string  `json:"next_change,omitempty"`
			NextChangeReason string  `json:"next_change_reason,omitempty"`
			Out              string  `json:"out"`
		}{res.Pages, res.Files, res.Rendered, res.Written, res.Removed, repo.CacheHits(), res.Duration.Seconds(), nowOr(now).String(),
			res.NextChange.String(), res.NextChangeReason, *out}
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		_ = enc.Encode(j)
		return 0
	}
	fmt.Fprintf(e.stdout, "已生成网站 %s：%d 个页面，共 %d 个文件；重新渲染 %d 个，写入 %d 个，删除 %d 个；用时 %.2f 秒。\n",
		*out, res.Pages, res.Files, res.Rendered, res.Written, res.Removed, res.Duration.Seconds())
	if !res.NextChange.IsZero() {
		fmt.Fprintf(e.stdout, "下次内容自动变化：%s（%s），届时请重新生成。\n", res.NextChange, res.NextChangeReason)
	}
	return 0
}

// buildCachePath returns the load cache file of a build of content dir
// into out: flag when set, else a file in the user cache directory named
// after both directories, or "" (no cache) when there is no such
// directory. The cache is never inside the content repo (it would be
// committed) nor by default in the output directory (it would be deployed,
// and it holds records not yet public: draft results, future notices).
func buildCachePath(dir, out, flag string) (string, error) {
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("content dir: %w", err)
	}
	inside := func(p string) bool {
		rel, err := filepath.Rel(absDir, p)
		return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
	}
	if flag != "" {
		abs, err := filepath.Abs(flag)
		if err != nil {
			return "", fmt.Errorf("--cache: %w", err)
		}
		if inside(abs) {
			return "", fmt.Errorf("--cache %s 在内容目录 %s 中：缓存不能放进内容仓库，请换一个位置", flag, dir)
		}
		return abs, nil
	}
	base, err := os.UserCacheDir()
	if err != nil || !filepath.IsAbs(base) {
		return "", nil
	}
	absOut, err := filepath.Abs(out)
	if err != nil {
		return "", nil
	}
	sum := sha256.Sum256([]byte(absDir + "\x00" + absOut))
	p := filepath.Join(base, "kjjr", "build-"+hex.EncodeToString(sum[:12])+".cache")
	if inside(p) {
		return "", nil
	}
	return p, nil
}

// loadRepo loads the content repo in dir, or the embedded default when
// dir is empty. It prints every diagnostic and fails on errors.
func loadRepo(e *env, cmd, dir string, opts *content.LoadOptions) (*content.Repo, bool) {
	var fsys fs.FS
	if dir == "" {
		fsys = jinzhong.FS()
	} else {
		fi, err := os.Stat(dir)
		if err != nil || !fi.IsDir() {
			fmt.Fprintf(e.stderr, "kjjr %s: 内容目录 %s 不存在或不是目录\n", cmd, dir)
			return nil, false
		}
		fsys = content.DirFS(dir)
	}
	repo, err := content.Load(fsys, opts)
	var errs int
	for _, d := range repo.Diags {
		if d.Severity == content.Error {
			errs++
			fmt.Fprintln(e.stderr, d.String())
		}
	}
	if err != nil || errs > 0 {
		fmt.Fprintf(e.stderr, "kjjr %s: 内容仓库有 %d 处错误，未生成网站。请按上面的提示修改后重试（kjjr check 可查看全部问题）。\n", cmd, errs)
		return nil, false
	}
	return repo, true
}
