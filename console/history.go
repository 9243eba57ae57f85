package console

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"kjjr/review"
	"kjjr/submission"
)

// HistoryPageSize is the number of commits on one page of 记录.
const HistoryPageSize = 50

// CommitFilesShown is the most changed files the page of one change lists.
const CommitFilesShown = 1000

// historyEntry is one commit of main's first-parent history.
type historyEntry struct {
	Hash       plumbing.Hash
	Author     string // name <email>
	When       time.Time
	Committer  string
	Subject    string
	ApprovedBy string // the Approved-By trailer of an approval's merge
	Merge      bool
}

func entryOf(c *object.Commit) historyEntry {
	subject, _, _ := strings.Cut(c.Message, "\n")
	return historyEntry{Hash: c.Hash, Author: c.Author.Name + " <" + c.Author.Email + ">", When: c.Author.When,
		Committer: c.Committer.Name + " <" + c.Committer.Email + ">", Subject: subject,
		ApprovedBy: submission.ParseTrailers(c.Message)[submission.KeyApprovedBy], Merge: len(c.ParentHashes) > 1}
}

// historyState is the last history computed, which the next one extends
// when main only moved forward.
type historyState struct {
	mu   sync.Mutex
	list []historyEntry
}

// mainHistory returns main's first-parent history, newest first. When
// main moved forward from the history computed last, only the new commits
// are read.
func (v *views) mainHistory(repo *review.Repo, k refsKey) ([]historyEntry, error) {
	return v.history.get(k.main, func() ([]historyEntry, error) {
		last := &v.histLast
		last.mu.Lock()
		defer last.mu.Unlock()
		var prev plumbing.Hash
		if len(last.list) > 0 {
			prev = last.list[0].Hash
		}
		var out []historyEntry
		h := k.main
		for {
			if h == prev {
				out = append(out, last.list...)
				break
			}
			c, err := repo.Git.CommitObject(h)
			if err != nil {
				return nil, fmt.Errorf("console: history: %w", err)
			}
			out = append(out, entryOf(c))
			if len(c.ParentHashes) == 0 {
				break
			}
			h = c.ParentHashes[0]
		}
		last.list = out
		return out, nil
	})
}

type historyData struct {
	Entries []historyEntry
	pager
	Total int
}

// pager is the position in a paged list: Page of Last (1-based).
type pager struct {
	Page, Last int
}

// Prev is the previous page, 0 on the first.
func (p pager) Prev() int {
	if p.Page > 1 {
		return p.Page - 1
	}
	return 0
}

// Next is the following page, 0 on the last.
func (p pager) Next() int {
	if p.Page < p.Last {
		return p.Page + 1
	}
	return 0
}

// pageParam reads ?page=N (1 when absent or not a positive number).
func pageParam(r *http.Request) int {
	n, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || n < 1 {
		return 1
	}
	return n
}

func (s *Server) historyPage(w http.ResponseWriter, r *http.Request, se *session, _ string) {
	repo, k, done, ok := s.borrowAtRefs(w, se)
	if !ok {
		return
	}
	defer done()
	list, err := s.views.mainHistory(repo, k)
	if err != nil {
		s.fail(w, se, err)
		return
	}
	d := historyData{Total: len(list), pager: pager{Page: pageParam(r), Last: max(1, (len(list)+HistoryPageSize-1)/HistoryPageSize)}}
	d.Page = min(d.Page, d.Last)
	from := (d.Page - 1) * HistoryPageSize
	d.Entries = list[from:min(len(list), from+HistoryPageSize)]
	s.render(w, http.StatusOK, "history", page{Title: "记录", Staff: se, Data: d})
}

// fileChange is one entry a commit changed against its first parent.
type fileChange struct {
	Action string // 新增, 删除, 修改
	Path   string
}

type commitData struct {
	E       historyEntry
	Message string
	Parents []plumbing.Hash
	Files   []fileChange
	More    int // changed files not listed
}

// changedFiles returns what c changed against its first parent (against
// nothing for the first commit), by path.
func changedFiles(repo *review.Repo, c *object.Commit) ([]fileChange, error) {
	to, err := c.Tree()
	if err != nil {
		return nil, fmt.Errorf("console: tree of %s: %w", c.Hash, err)
	}
	var from *object.Tree
	if len(c.ParentHashes) > 0 {
		p, err := repo.Git.CommitObject(c.ParentHashes[0])
		if err != nil {
			return nil, fmt.Errorf("console: parent of %s: %w", c.Hash, err)
		}
		if from, err = p.Tree(); err != nil {
			return nil, fmt.Errorf("console: tree of %s: %w", p.Hash, err)
		}
	}
	changes, err := object.DiffTree(from, to)
	if err != nil {
		return nil, fmt.Errorf("console: diff of %s: %w", c.Hash, err)
	}
	out := make([]fileChange, 0, len(changes))
	for _, ch := range changes {
		fc := fileChange{Action: "修改", Path: ch.To.Name}
		switch {
		case ch.From.Name == "":
			fc.Action = "新增"
		case ch.To.Name == "":
			fc.Action, fc.Path = "删除", ch.From.Name
		}
		out = append(out, fc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

func (s *Server) commitPage(w http.ResponseWriter, r *http.Request, se *session, _ string) {
	hex := r.PathValue("hash")
	if len(hex) != 40 || strings.Trim(hex, "0123456789abcdef") != "" {
		s.render(w, http.StatusNotFound, "message", page{Title: "没有这项记录", Message: "地址中的提交编号不对：请从“记录”页面点开。", Staff: se})
		return
	}
	repo, k, done, ok := s.borrowAtRefs(w, se)
	if !ok {
		return
	}
	defer done()
	list, err := s.views.mainHistory(repo, k)
	if err != nil {
		s.fail(w, se, err)
		return
	}
	h := plumbing.NewHash(hex)
	found := false
	for _, e := range list {
		if e.Hash == h {
			found = true
			break
		}
	}
	if !found {
		s.render(w, http.StatusNotFound, "message", page{Title: "没有这项记录", Message: "main 的历史中没有这个提交：请从“记录”页面点开。", Staff: se})
		return
	}
	c, err := repo.Git.CommitObject(h)
	if err != nil {
		s.fail(w, se, err)
		return
	}
	files, err := s.views.commitFiles.get(h, func() ([]fileChange, error) { return changedFiles(repo, c) })
	if err != nil {
		s.fail(w, se, err)
		return
	}
	d := commitData{E: entryOf(c), Message: c.Message, Parents: c.ParentHashes, Files: files}
	if len(d.Files) > CommitFilesShown {
		d.More, d.Files = len(d.Files)-CommitFilesShown, d.Files[:CommitFilesShown]
	}
	s.render(w, http.StatusOK, "commit", page{Title: "改动 " + hex[:12], Staff: se, Data: d})
}
