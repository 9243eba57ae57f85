package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"kjjr/content"
	"kjjr/review"
)

// approved is a content repo opened for the staff commands: the approved
// content (main's tree in a git repo, the files of a plain directory) and,
// in a git repo, the review side.
type approved struct {
	dir    string
	review *review.Repo // nil for a plain directory
	repo   *content.Repo
	errs   content.Diagnostics
}

// openApproved opens dir for status and assess. It prints nothing; a
// refusal comes back as an error whose text is for staff.
func openApproved(dir string) (*approved, error) { return open(dir, false) }

// openStatus is openApproved for the matrix only: in a git repo it reads
// names and report dates through review.LoadStatus's cache.
func openStatus(dir string, year int) (*approved, error) { return open(dir, true, year) }

func open(dir string, light bool, years ...int) (*approved, error) {
	if dir == "" {
		dir = "."
	}
	a := &approved{dir: dir}
	rv, err := review.Open(dir)
	switch review.CodeOf(err) {
	case "":
		if err != nil {
			return nil, err
		}
		a.review = rv
		if light {
			repo, ds, err := rv.LoadStatus(years...)
			if err != nil {
				return nil, err
			}
			a.repo, a.errs = repo, ds
			return a, nil
		}
		repo, lerr := rv.LoadMain()
		a.repo = repo
		a.errs = diagsOf(lerr)
		return a, nil
	case review.CodeNotGit:
		// A plain directory: what is there counts as approved.
		if _, serr := os.Stat(filepath.Join(dir, "site.yaml")); serr != nil {
			return nil, fmt.Errorf("%s 不是 kjjr 内容仓库（没有 site.yaml）：请用 --repo 指向内容仓库，或用 kjjr init DIR 新建一个", dir)
		}
		repo, lerr := content.Load(os.DirFS(dir), nil)
		a.repo = repo
		a.errs = diagsOf(lerr)
		return a, nil
	}
	return nil, err
}

func diagsOf(err error) content.Diagnostics {
	var ds content.Diagnostics
	if errors.As(err, &ds) {
		return ds.Errors()
	}
	if err != nil {
		return content.Diagnostics{{File: ".", Message: err.Error()}}
	}
	return nil
}

// warnLoad tells staff that main does not load cleanly.
func (a *approved) warnLoad(w io.Writer) {
	if len(a.errs) == 0 {
		return
	}
	fmt.Fprintf(w, "警告：内容仓库有 %d 处错误（运行 kjjr check 查看并修正），以下结果不含出错的文件：\n", len(a.errs))
	for i, d := range a.errs {
		if i == 5 {
			fmt.Fprintf(w, "  ……\n")
			break
		}
		fmt.Fprintf(w, "  %s\n", d)
	}
}
