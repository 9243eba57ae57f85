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
	"kjjr/internal/gitdir"
	"kjjr/site"
)

// cmdBuild is "kjjr build [--content DIR | --repo DIR [--ref REF]] [--out DIR]
// [--now YYYY-MM-DD] [--json]": it renders the public site, from a working
// tree (--content) or straight from a git repository's objects (--repo),
// writing only files whose bytes changed.
func cmdBuild(e *env, args []string) int {
	fl := flag.NewFlagSet("kjjr build", flag.ContinueOnError)
	fl.SetOutput(e.stderr)
	dir := fl.String("content", "", "内容目录（工作目录）`DIR`（默认：内置示例数据）")
	gitRepo := fl.String("repo", "", "从 git 仓库 `DIR` 生成（裸仓库或普通仓库均可，直接读取 git 对象，不需要也不读取工作目录）")
	ref := fl.String("ref", "main", "与 --repo 同用：要生成的分支、引用或提交 `REF`")
	out := fl.String("out", "public", "网站输出目录 `DIR`")
	nowFlag := fl.String("now", "", "按此日期生成网站，`YYYY-MM-DD`（默认今天，北京时间）")
	asJSON := fl.Bool("json", false, "以 JSON 输出摘要")
	noCache := fl.Bool("no-cache", false, "不用缓存，逐个读取并解析全部内容文件")
	cacheFlag := fl.String("cache", "", "缓存文件 `FILE`（默认：--content 的加载缓存放在用户缓存目录中；--repo 的目录树缓存放在 git 目录的 kjjr/cache/ 下）")
	fl.Usage = func() {
		fmt.Fprintln(e.stderr, `用法：kjjr build [--content DIR | --repo DIR [--ref REF]] [--out DIR] [--now YYYY-MM-DD] [--json] [--no-cache] [--cache FILE]

生成公开网站。只写入内容有变化的文件，并删除不再属于网站的文件。

内容来源（二选一，都不给时用内置示例数据）：
  --content DIR   内容仓库的工作目录（检出的文件）。再次生成时，未改动的文件从加载缓存中读取
                  （缓存不在内容目录和输出目录中）。
  --repo DIR      git 仓库（裸仓库如 /srv/kjjr/content.git，或普通仓库），生成 --ref 指向的提交
                  （默认 main），直接读取 git 对象，不需要检出。按目录树哈希增量生成：
                  目录树哈希未变的机构不再读取，输出目录的 .kjjr-manifest 记录所生成的目录树；
                  目录树缓存放在 git 目录的 kjjr/cache/ 下（不在输出目录中）。
                  结果与检出同一提交后用 --content 生成的网站逐字节相同。
注意：--repo 现在只接受 git 仓库；以前用 --repo 指定内容目录的，请改用 --content。

参数：`)
		fl.PrintDefaults()
	}
	pos, code, ok := parseFlags(fl, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(e.stderr, "kjjr build: 多余的参数 %q（内容目录请用 --content DIR 指定，git 仓库请用 --repo DIR）\n", pos[0])
		return 2
	}
	refSet := false
	fl.Visit(func(f *flag.Flag) { refSet = refSet || f.Name == "ref" })
	switch {
	case *dir != "" && *gitRepo != "":
		fmt.Fprintln(e.stderr, "kjjr build: --content 和 --repo 只能给一个：工作目录用 --content DIR，git 仓库用 --repo DIR")
		return 2
	case refSet && *gitRepo == "":
		fmt.Fprintln(e.stderr, "kjjr build: --ref 只能与 --repo DIR 同用（从 git 仓库生成时指定分支或提交）")
		return 2
	}
	now, ok := parseNow(e, "build", *nowFlag)
	if !ok {
		return 2
	}
	if *gitRepo != "" {
		return buildFromGit(e, *gitRepo, *ref, *out, *cacheFlag, *noCache, *asJSON, now)
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
		return buildFailed(e, *out, err)
	}
	printBuild(e, res, buildSummary{Cached: repo.CacheHits()}, *out, now, *asJSON)
	return 0
}

// buildFromGit is kjjr build --repo DIR [--ref REF].
func buildFromGit(e *env, repoDir, ref, out, cacheFlag string, noCache, asJSON bool, now content.Date) int {
	opts := &site.RefOptions{Out: out, Now: now, CacheFile: cacheFlag}
	if noCache {
		opts.CacheFile = "-"
	} else if cacheFlag != "" {
		abs, err := filepath.Abs(cacheFlag)
		if err != nil {
			fmt.Fprintf(e.stderr, "kjjr build: --cache: %v\n", err)
			return 2
		}
		absOut, err := filepath.Abs(out)
		if rel, rerr := filepath.Rel(absOut, abs); err == nil && rerr == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			fmt.Fprintf(e.stderr, "kjjr build: --cache %s 在输出目录 %s 中：缓存会随网站发布出去，请换一个位置（默认放在 git 目录的 kjjr/cache/ 下）\n", cacheFlag, out)
			return 2
		}
		opts.CacheFile = abs
	}
	if _, _, err := gitdir.Find(repoDir); err != nil {
		if fi, serr := os.Stat(repoDir); serr == nil && fi.IsDir() {
			fmt.Fprintf(e.stderr, "kjjr build: %s 不是 git 仓库。--repo 用于 git 仓库（裸仓库或普通仓库）；要从检出的内容目录生成，请用 --content %s\n", repoDir, repoDir)
		} else {
			fmt.Fprintf(e.stderr, "kjjr build: git 仓库 %s 不存在或不是目录\n", repoDir)
		}
		return 1
	}
	res, err := site.BuildRef(repoDir, ref, opts)
	if errors.Is(err, site.ErrContent) {
		var errs int
		for _, d := range res.Repo.Diags {
			if d.Severity == content.Error {
				errs++
				fmt.Fprintln(e.stderr, d.String())
			}
		}
		fmt.Fprintf(e.stderr, "kjjr build: %s 的提交 %.12s 中内容有 %d 处错误，未生成网站。请按上面的提示修改后重新提交（kjjr check 可查看全部问题）。\n", ref, res.Commit, errs)
		return 1
	}
	if err != nil {
		if res == nil {
			fmt.Fprintf(e.stderr, "kjjr build: 无法读取 git 仓库 %s 的 %s：%v（请确认分支或提交存在，例如 git -C %s branch -a）\n", repoDir, ref, err, repoDir)
			return 1
		}
		return buildFailed(e, out, err)
	}
	if res.CacheErr != nil {
		fmt.Fprintf(e.stderr, "kjjr build: 警告：无法写入目录树缓存（不影响本次生成）：%v\n", res.CacheErr)
	}
	printBuild(e, res.Result, buildSummary{Commit: res.Commit, Tree: res.Tree, Reads: &res.Reads, Delta: res.Delta}, out, now, asJSON)
	return 0
}

func buildFailed(e *env, out string, err error) int {
	if errors.Is(err, site.ErrNotSiteDir) {
		fmt.Fprintf(e.stderr, "kjjr build: 输出目录 %s 不是空目录，也不是 kjjr 生成的网站（没有 %s 文件）。为避免误删文件，请换一个输出目录（--out）或先清空它。\n", out, site.ManifestName)
		return 1
	}
	fmt.Fprintf(e.stderr, "kjjr build: 生成失败：%v\n", err)
	return 1
}

// buildSummary is what a build reports besides site.Result.
type buildSummary struct {
	Cached int    // --content: content files taken from the load cache
	Commit string // --repo: the commit built
	Tree   string // --repo: its tree
	Reads  *int   // --repo: institution subtrees read from git
	Delta  bool   // --repo: a delta build (only the changed institutions loaded)
}

func printBuild(e *env, res *site.Result, sum buildSummary, out string, now content.Date, asJSON bool) {
	if asJSON {
		j := struct {
			Pages            int     `json:"pages"`
			Files            int     `json:"files"`
			Rendered         int     `json:"rendered"`
			Written          int     `json:"written"`
			Removed          int     `json:"removed"`
			Cached           int     `json:"cached"` // content files taken from the load cache
			Commit           string  `json:"commit,omitempty"`
			Tree             string  `json:"tree,omitempty"`
			InstitutionsRead *int    `json:"institutions_read,omitempty"` // subtrees read from git, not the tree cache
			Delta            bool    `json:"delta,omitempty"`             // only the changed institutions were loaded
			Seconds          float64 `json:"seconds"`
			Now              string  `json:"now"`
			NextChange       string  `json:"next_change,omitempty"`
			NextChangeReason string  `json:"next_change_reason,omitempty"`
			Out              string  `json:"out"`
		}{res.Pages, res.Files, res.Rendered, res.Written, res.Removed, sum.Cached, sum.Commit, sum.Tree, sum.Reads, sum.Delta,
			res.Duration.Seconds(), nowOr(now).String(), res.NextChange.String(), res.NextChangeReason, out}
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		_ = enc.Encode(j)
		return
	}
	fmt.Fprintf(e.stdout, "已生成网站 %s：%d 个页面，共 %d 个文件；重新渲染 %d 个，写入 %d 个，删除 %d 个；用时 %.2f 秒。\n",
		out, res.Pages, res.Files, res.Rendered, res.Written, res.Removed, res.Duration.Seconds())
	switch {
	case sum.Delta:
		fmt.Fprintf(e.stdout, "来源：提交 %.12s（目录树 %.12s）。增量生成：只有 %d 个机构目录有改动，只读取并重新生成了这些机构的页面和汇总页面。\n", sum.Commit, sum.Tree, *sum.Reads)
	case sum.Commit != "":
		fmt.Fprintf(e.stdout, "来源：提交 %.12s（目录树 %.12s），从 git 读取了 %d 个机构目录，其余未改动的取自目录树缓存。\n", sum.Commit, sum.Tree, *sum.Reads)
	}
	if !res.NextChange.IsZero() {
		fmt.Fprintf(e.stdout, "下次内容自动变化：%s（%s），届时请重新生成。\n", res.NextChange, res.NextChangeReason)
	}
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
