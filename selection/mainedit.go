package selection

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"kjjr/content"
	"kjjr/review"
)

// mainEdit is one change of main made by a staff command: files to write
// (path -> content, or a blob already in the repo), merged parents, the
// message.
type mainEdit struct {
	files   map[string][]byte
	blobs   map[string]plumbing.Hash
	parents []plumbing.Hash // besides main
	msg     string
	by      object.Signature
	now     time.Time
}

// MainChange is what a command did to main (review.MainCommit: the new
// commit, the old main, the paths written, and how a checked-out main's
// work tree was treated).
type MainChange = review.MainCommit

// commitMain writes the edit onto main, on top of mainC (the main the
// command read), by package review's one mechanism for a staff commit on
// main (review.Repo.PrepareEdit and Commit): the new tree must pass
// content.Load and Repo.Check without errors that main does not already
// have (as kjjr review approve), a checked-out main must be clean, then
// main moves by compare-and-swap (gitdir.Update) and a checked-out main's
// files are written and staged. Refusals are reworded here for the round
// commands.
func (r *Repo) commitMain(e *mainEdit, mainC *object.Commit) (*MainChange, error) {
	rr, err := review.Open(r.Dir)
	if err != nil {
		return nil, err
	}
	defer rr.Close()
	blobs := make(map[string]plumbing.Hash, len(e.files)+len(e.blobs))
	for p, h := range e.blobs {
		blobs[p] = h
	}
	for p, data := range e.files {
		if blobs[p], err = rr.WriteBlob(data); err != nil {
			return nil, err
		}
	}
	ed, err := rr.PrepareEdit(blobs, e.parents, mainC.Hash, e.now)
	if err != nil {
		return nil, reword(err)
	}
	if len(ed.NewErrors) > 0 {
		return nil, refuse("写入后的内容未通过校验（kjjr check），main 未改动：\n%s", ed.NewErrors.Error())
	}
	mc, err := rr.Commit(ed, e.msg, e.by, e.now)
	if err != nil {
		if mc != nil {
			return mc, fmt.Errorf("selection: %w", err)
		}
		return nil, reword(err)
	}
	return mc, nil
}

// reword turns a refusal of package review into the round commands' own.
func reword(err error) error {
	var re *review.Error
	if !errors.As(err, &re) {
		return fmt.Errorf("selection: %w", err)
	}
	switch re.Code {
	case review.CodeConcurrent:
		return refuse("main 在此期间被别人更新了，未改动：请重新运行本命令")
	case review.CodeDirty:
		return refuse("main 已检出且以下文件有未提交的修改，main 未改动：\n  %s\n请先提交（git commit）或暂存（git stash）这些修改后重试。", strings.Join(re.Paths, "\n  "))
	case review.CodeLocked:
		return refuse("main 未改动：%s", strings.TrimPrefix(re.Msg, "未提交："))
	}
	return refuse("main 未改动：%s", re.Msg)
}

// readMainFile returns a file of main's tree.
func readMainFile(mainC *object.Commit, p string) ([]byte, error) {
	t, err := mainC.Tree()
	if err != nil {
		return nil, err
	}
	f, err := t.File(p)
	if err != nil {
		return nil, err
	}
	s, err := f.Contents()
	return []byte(s), err
}

// roundRecord reads rounds/<round>.md of main, decoded.
func roundRecord(mainC *object.Commit, round string) (*content.Round, error) {
	p := "rounds/" + round + ".md"
	data, err := readMainFile(mainC, p)
	if err != nil {
		return nil, refuse("main 上没有遴选批次 %s（%s）：请先建立该遴选批次的记录（标题、遴选通知、申报起止日期）", round, p)
	}
	var rd content.Round
	if ds := content.DecodeRecord(p, data, &rd); ds.HasErrors() {
		return nil, refuse("%s 有误，请先改正（kjjr check）：\n%s", p, ds.Errors().Error())
	}
	rd.Slug = round
	return &rd, nil
}

func encodeRound(rd *content.Round) ([]byte, error) {
	b, err := content.EncodeRecord(rd, rd.Body)
	if err != nil {
		return nil, fmt.Errorf("selection: encode round: %w", err)
	}
	return b, nil
}
