package review

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/storage"

	"kjjr/content"
	"kjjr/internal/gitdir"
	"kjjr/submission"
)

// Rejection is one line of <gitdir>/kjjr/rejections.log (JSON lines).
type Rejection struct {
	Time        time.Time `json:"time"`
	Branch      string    `json:"branch"`
	Tip         string    `json:"tip"`
	Kept        string    `json:"kept"` // the ref that keeps the rejected commits
	Institution string    `json:"institution"`
	Name        string    `json:"name"`
	Period      string    `json:"period"`
	Reason      string    `json:"reason"`
	By          string    `json:"by"`
	Sender      string    `json:"sender,omitempty"`
	MessageID   string    `json:"message_id,omitempty"`
	ReceivedAt  time.Time `json:"received_at"` // when the rejected submission arrived
}

// RejectedPrefix is where rejected branches are kept, out of `git branch`'s sight.
const RejectedPrefix = "refs/kjjr/rejected/"

// Reject records the reason in <gitdir>/kjjr/rejections.log, keeps the
// branch's commits under refs/kjjr/rejected/<slug>/<period>/<time> (nothing
// is lost) and removes the branch. Sending the receipt is the caller's.
func (r *Repo) Reject(branch, reason, by string, now time.Time) (*Rejection, error) {
	return r.RejectSeen(branch, plumbing.ZeroHash, reason, by, now)
}

// RejectSeen is Reject of the tip the reviewer saw: when seen is not zero
// and the branch's tip is another commit, nothing is recorded or removed
// and the error's code is CodeMoved.
func (r *Repo) RejectSeen(branch string, seen plumbing.Hash, reason, by string, now time.Time) (*Rejection, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, refuse(CodeNoReason, "请用 --reason \"……\" 写明驳回理由：它会记录在案并写进给机构的回执")
	}
	s, err := r.Get(branch)
	if err != nil {
		return nil, err
	}
	if err := s.seen(seen); err != nil && !s.Merged {
		return nil, err
	}
	if s.Merged {
		return nil, refuse(CodeMerged, "%s 已经合并进 main，不能再驳回：如需撤回，请在 main 上用 git revert 撤销该合并", s.Branch)
	}
	bn := plumbing.NewBranchReferenceName(s.Branch)
	kept := plumbing.ReferenceName(fmt.Sprintf("%s%s/%s/%s", RejectedPrefix, s.Slug, s.Period, now.UTC().Format("20060102T150405Z")))
	rej := &Rejection{Time: now, Branch: s.Branch, Tip: s.Tip.String(), Kept: kept.String(), Institution: s.Slug, Name: s.Institution,
		Period: s.Period.String(), Reason: reason, By: by, ReceivedAt: s.ReceivedAt}
	if s.Report != nil {
		rej.Sender, rej.MessageID = s.Report.Sender, s.Report.MessageID
	}
	if rej.MessageID == "" {
		rej.MessageID = s.Trailers[submission.KeyMessageID]
	}
	// Refs move under git's <ref>.lock (kjjr/internal/gitdir): a branch
	// that git or the inbox is writing, or whose lock a killed git left,
	// is refused before anything is recorded.
	var locked *gitdir.LockedError
	if err := gitdir.CheckUnlocked(r.GitDir, bn); errors.As(err, &locked) {
		return nil, refuse(CodeLocked, "未驳回 %s：%s", s.Branch, locked.Error())
	}
	if err := gitdir.Update(r.GitDir, kept, s.Tip, plumbing.ZeroHash); err != nil {
		return nil, fmt.Errorf("review: keep rejected commits: %w", err)
	}
	if err := r.appendRejection(rej); err != nil {
		_ = gitdir.Delete(r.GitDir, kept, s.Tip)
		return nil, err
	}
	// The branch goes only if it is still where it was reviewed: a
	// submission the inbox commits meanwhile is never lost.
	if err := gitdir.Delete(r.GitDir, bn, s.Tip); err != nil {
		if errors.As(err, &locked) {
			return rej, refuse(CodeLocked, "驳回理由已记录，但分支 %s 未删除：%s", s.Branch, locked.Error())
		}
		if errors.Is(err, storage.ErrReferenceHasChanged) {
			return rej, refuse(CodeConcurrent, "%s 在驳回期间又收到了新的提交，分支已保留：驳回理由已记录，请重新查看（kjjr review show %s）", s.Branch, s.Branch)
		}
		return rej, fmt.Errorf("review: remove %s: %w", s.Branch, err)
	}
	return rej, nil
}

func (r *Repo) appendRejection(rej *Rejection) error {
	if err := os.MkdirAll(r.StateDir(), 0o755); err != nil {
		return fmt.Errorf("review: state dir: %w", err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf) // one line, ending in a newline
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rej); err != nil {
		return fmt.Errorf("review: encode rejection: %w", err)
	}
	b := buf.Bytes()
	f, err := os.OpenFile(filepath.Join(r.StateDir(), "rejections.log"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("review: rejections log: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("review: rejections log: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("review: rejections log: %w", err)
	}
	return f.Close()
}

// Rejections reads <gitdir>/kjjr/rejections.log, oldest first.
func (r *Repo) Rejections() ([]Rejection, error) {
	f, err := os.Open(filepath.Join(r.StateDir(), "rejections.log"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("review: rejections log: %w", err)
	}
	defer f.Close()
	var out []Rejection
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		var rej Rejection
		if json.Unmarshal(sc.Bytes(), &rej) == nil {
			out = append(out, rej)
		}
	}
	return out, sc.Err()
}

// Pending returns the pending submissions (submission.Pending) as a set
// keyed by slug and period, for content.Repo.ComplianceRow. It reads only
// refs, the tips' report entries and main's recent first-parent history:
// no report is decoded, so it stays fast with many branches.
func (r *Repo) Pending() (func(slug string, p content.Period) bool, error) {
	set, err := submission.Pending(r.Git.Storer)
	if err != nil {
		return nil, fmt.Errorf("review: %w", err)
	}
	return func(slug string, p content.Period) bool { return set[submission.Branch{Slug: slug, Period: p}] }, nil
}
