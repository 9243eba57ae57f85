package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"kjjr/content/jinzhong"
)

// cmdInit creates a new content repo in DIR from the embedded default
// dataset: the files, a git repository (default branch main) and a first
// commit, so that staff start from a working example. DIR must not exist
// or be empty.
func cmdInit(e *env, args []string) int {
	fset := flag.NewFlagSet("init", flag.ContinueOnError)
	fset.SetOutput(e.stderr)
	name := fset.String("author", "kjjr init", "第一次提交的作者姓名")
	email := fset.String("email", "kjjr@localhost", "第一次提交的作者邮箱")
	fset.Usage = func() {
		fmt.Fprintln(e.stderr, "用法：kjjr init DIR\n\n用内置示例数据新建内容仓库：复制文件、git init（默认分支 main）并提交第一个版本。\nDIR 须不存在或为空目录。\n\n参数：")
		fset.PrintDefaults()
	}
	pos, code, ok := parseFlags(fset, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		fset.Usage()
		return 2
	}
	dir := pos[0]
	if ents, err := os.ReadDir(dir); err == nil && len(ents) > 0 {
		fmt.Fprintf(e.stderr, "kjjr init: %s 不是空目录，为免覆盖已有文件，请指定一个新目录\n", dir)
		return 1
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(e.stderr, "kjjr init: %v\n", err)
		return 1
	}
	n, err := initRepo(dir, &object.Signature{Name: *name, Email: *email, When: time.Now()})
	if err != nil {
		fmt.Fprintf(e.stderr, "kjjr init: %v\n", err)
		return 1
	}
	fmt.Fprintf(e.stdout, "已在 %s 新建内容仓库（%d 个文件，分支 main，已提交）。\n下一步：kjjr check %s\n", dir, n, dir)
	return 0
}

// initRepo copies the default dataset into dir and commits it. It returns
// the number of files.
func initRepo(dir string, sig *object.Signature) (int, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	src := jinzhong.FS()
	n := 0
	err := fs.WalkDir(src, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, filepath.FromSlash(p))
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		data, err := fs.ReadFile(src, p)
		if err != nil {
			return err
		}
		n++
		return os.WriteFile(dst, data, 0o644)
	})
	if err != nil {
		return 0, fmt.Errorf("copy the default dataset: %v", err)
	}
	repo, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{
		InitOptions: git.InitOptions{DefaultBranch: plumbing.Main},
	})
	if err != nil {
		return 0, fmt.Errorf("git init: %v", err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		return 0, fmt.Errorf("git init: %v", err)
	}
	if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		return 0, fmt.Errorf("git add: %v", err)
	}
	_, err = wt.Commit("kjjr init：内置示例数据（晋中市科技金融服务机构）\n\n由 kjjr init 从内置示例数据生成。机构、联系人与报表均为虚构（示例数据）。\n",
		&git.CommitOptions{Author: sig, Committer: sig})
	if err != nil {
		return 0, fmt.Errorf("git commit: %v", err)
	}
	return n, nil
}
