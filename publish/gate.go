package publish

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"kjjr/content"
	"kjjr/content/gitfs"
	"kjjr/internal/gitdir"
	"kjjr/submission"
)

// Update is one line of a pre-receive or post-receive hook's input: ref
// moves from Old to New (the zero hash: created or deleted).
type Update struct {
	Old, New plumbing.Hash
	Ref      plumbing.ReferenceName
}

// ParseUpdates reads a receive hook's standard input.
func ParseUpdates(r io.Reader) ([]Update, error) {
	var us []Update
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 3 || !plumbing.IsHash(f[0]) || !plumbing.IsHash(f[1]) {
			return nil, fmt.Errorf("publish: bad hook input line %q", sc.Text())
		}
		us = append(us, Update{Old: plumbing.NewHash(f[0]), New: plumbing.NewHash(f[1]), Ref: plumbing.ReferenceName(f[2])})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("publish: hook input: %w", err)
	}
	return us, nil
}

// MainRef is the branch the gate guards and the post-receive hook publishes.
const MainRef = plumbing.ReferenceName("refs/heads/main")

// Refused is the gate's refusal; its message, in Chinese, is what the
// pusher sees.
type Refused struct{ Msg string }

func (e *Refused) Error() string { return e.Msg }

func refused(format string, args ...any) error { return &Refused{Msg: fmt.Sprintf(format, args...)} }

// CheckPush is the pre-receive gate of a content repo. environ is the
// hook's environment: while receive-pack runs the hook, the pushed objects
// are in a quarantine directory (GIT_OBJECT_DIRECTORY) that only the hook
// sees. It refuses (*Refused) a push that
//   - deletes main or rewrites its history (not a fast-forward);
//   - brings into main an entry that submission.CheckTree refuses
//     (symlinks, gitlinks, unsafe names, anywhere in the tree);
//   - brings into main errors of `kjjr check` (content.Load and
//     Repo.Check as of today) that main did not have (content.NewErrors);
//   - creates or moves a submit/ branch whose changes since its merge
//     base with main submission.Check refuses (submission.Refusal), the
//     checks `kjjr review approve` runs.
//
// Other refs, and deleting a submit/ branch, pass.
func CheckPush(gitDir string, environ []string, updates []Update, today content.Date) error {
	st, done, err := hookStorer(gitDir, environ)
	if err != nil {
		return err
	}
	defer done()
	var problems []string
	for _, u := range updates {
		var err error
		switch {
		case u.Ref == MainRef:
			err = checkMain(st, u, today)
		case strings.HasPrefix(string(u.Ref), "refs/heads/submit/") && !u.New.IsZero():
			err = checkSubmit(st, gitDir, u)
		}
		var r *Refused
		if errors.As(err, &r) {
			problems = append(problems, r.Msg)
		} else if err != nil {
			return err
		}
	}
	if len(problems) > 0 {
		return &Refused{Msg: "推送被拒绝（所有分支均未改动）：\n" + strings.Join(problems, "\n")}
	}
	return nil
}

// fastPath enables the fast path of checkMain; tests and benchmarks turn
// it off to compare with the full path.
var fastPath = true

// checkMain is the gate on main (see CheckPush). After the history and
// entry checks, it refuses the errors of `kjjr check` that the pushed
// tree has and main's tree has not (content.NewErrors), by one of two
// paths that refuse the same pushes with the same message.
//
// The fast path is taken when the push changes, by tree hashes, only
// directories institutions/<slug> of a set S of institutions, and in
// none of them index.md (gitfs.ChangedInstitutions): no file outside
// institutions/ changed, no institution was added or removed, no
// institution record changed; only reports, inspections and other files
// below the institutions of S. Both trees are then loaded with
// content.TreeOptions.Only set to S (and without notices, see rootOnly)
// and checked with content.Repo.CheckInstitutions. It is sound because a
// problem of `kjjr check` is on one file, and what decides it is known:
//   - a problem on a report or an inspection of an institution (Load's,
//     and Check's rules on reports and inspections) depends on that file,
//     its institution's index.md and status history, and today; the
//     history derives from rounds/, publicity/, results/ and the calendar
//     alone. All of them are loaded, on both sides, for the institutions
//     of S: these problems are exactly those of the full check.
//   - every other problem is on a file the push did not change, and
//     depends on files it did not change: problems on site.yaml, notices,
//     rounds, publicity, results and the calendar depend on those files
//     and on which institutions exist (their index.md) with their
//     histories; problems on an institution's index.md depend on it, the
//     rounds, site.yaml and, for the only rules that compare
//     institutions (duplicate USCCs and report-sender addresses), the
//     other institutions' index.md. No rule compares reports or
//     inspections across institutions, and none reads a report or an
//     inspection for a problem on another file. So these problems are the
//     same before and after the push, and none of them can be new:
//     NewErrors compares by file, field and message.
//
// Whatever the restricted loads report besides (nothing, for files of
// institutions outside S, which are not read) is reported alike before
// and after. A push that changes an index.md (which the comparing rules
// read), adds or removes an institution, or changes anything outside
// institutions/ takes the full path, as does the first push of main:
// content.Load of the whole tree and Repo.Check, where only the reports
// of institutions whose directory is unchanged are hidden (sameReports).
func checkMain(st storer.EncodedObjectStorer, u Update, today content.Date) error {
	if u.New.IsZero() {
		return refused("不能删除 main 分支：网站从 main 生成。")
	}
	newC, err := object.GetCommit(st, u.New)
	if err != nil {
		return fmt.Errorf("publish: pushed commit: %w", err)
	}
	var oldC *object.Commit
	var oldT *object.Tree
	if !u.Old.IsZero() {
		if oldC, err = object.GetCommit(st, u.Old); err != nil {
			return fmt.Errorf("publish: main: %w", err)
		}
		ok, err := oldC.IsAncestor(newC)
		if err != nil {
			return fmt.Errorf("publish: main history: %w", err)
		}
		if !ok {
			return refused("main：这次推送会改写 main 的历史（不是快进，non-fast-forward），已拒绝。请先 git pull（或 git fetch 后 git rebase origin/main），在最新的 main 之上提交后再推送；不要用 --force。")
		}
		if oldT, err = oldC.Tree(); err != nil {
			return fmt.Errorf("publish: main tree: %w", err)
		}
	}
	newT, err := newC.Tree()
	if err != nil {
		return fmt.Errorf("publish: pushed tree: %w", err)
	}
	bad, err := submission.CheckTree(st, oldT, newT)
	if err != nil {
		return err
	}
	if len(bad) > 0 {
		lines := make([]string, 0, len(bad))
		for i, c := range bad {
			if i == 20 {
				lines = append(lines, fmt.Sprintf("……共 %d 处", len(bad)))
				break
			}
			lines = append(lines, fmt.Sprintf("  %s（%s）：%s", submission.DisplayPath(c.Path), c.ModeString(), c.Problem))
		}
		return refused("main：推送的内容中有 %d 个条目不允许出现在内容仓库中，已拒绝：\n%s\n内容仓库只能有普通文件和目录，文件名须安全（不以点开头，没有控制字符和 Windows 不允许的字符）。请删除或改名后重新提交。", len(bad), strings.Join(lines, "\n"))
	}
	if oldT != nil && oldT.Hash == newT.Hash {
		return nil // the same content: no error can be new
	}
	if oldT != nil && fastPath {
		only, ok, err := gitfs.ChangedInstitutions(st, oldT, newT)
		if err != nil {
			return fmt.Errorf("publish: %w", err)
		}
		if ok && len(only) > 0 {
			return checkOnly(st, oldC, newC, oldT, newT, &partial{only: only}, today)
		}
	}
	after := checkTree(st, newT, newC.Committer.When, today, oldT)
	if after.HasErrors() {
		var before content.Diagnostics
		if oldT != nil {
			before = checkTree(st, oldT, oldC.Committer.When, today, newT)
		}
		if fresh := content.NewErrors(before, after); len(fresh) > 0 {
			return refusedCheck(fresh)
		}
	}
	return nil
}

// refusedCheck is the refusal of a push that brings the errors fresh into main.
func refusedCheck(fresh content.Diagnostics) error {
	return refused("main：推送的内容未通过校验（kjjr check），比 main 现有内容多出 %d 处错误，已拒绝：\n%s\n请在本地运行 kjjr check 改正后重新提交。", len(fresh), fresh.Error())
}

// checkTree is `kjjr check` of tree: the problems of content.Load and
// Repo.Check. The reports of institutions whose directory is the same in
// other are not read (a push cannot have brought errors into them, and
// reading every report of a large repo takes seconds), as review approve
// skips other institutions' reports.
func checkTree(st storer.EncodedObjectStorer, t *object.Tree, when time.Time, today content.Date, other *object.Tree) content.Diagnostics {
	fsys := gitfs.New(st, t, when)
	var src fs.FS = fsys
	if other != nil {
		src = sameReports(fsys, t, other)
	}
	repo, err := content.Load(src, nil)
	return withLoadErr(repo.Check(today), repo, err)
}

// withLoadErr is ds, the problems Check found in repo (which include
// those Load found), with err, the error of loading it, when Load found
// none to say why.
func withLoadErr(ds content.Diagnostics, repo *content.Repo, err error) content.Diagnostics {
	if err != nil && !repo.Diags.HasErrors() {
		ds = append(ds, content.Diagnostic{Severity: content.Error, Message: err.Error()})
	}
	return ds
}

// checkOnly is the fast path of checkMain: `kjjr check` of both trees
// loaded with content.TreeOptions.Only set to the institutions only (see
// gitfs.ChangedInstitutions), refused on the errors the new tree adds.
func checkOnly(st storer.EncodedObjectStorer, oldC, newC *object.Commit, oldT, newT *object.Tree, p *partial, today content.Date) error {
	load := func(t *object.Tree, when time.Time) content.Diagnostics {
		fsys := rootOnly{gitfs.New(st, t, when)}
		repo, err := content.LoadTree(fsys, &content.TreeOptions{Only: func(slug string) bool { return p.only[slug] }})
		return withLoadErr(repo.CheckInstitutions(today), repo, err)
	}
	after := load(newT, newC.Committer.When)
	if !after.HasErrors() {
		return nil
	}
	if fresh := content.NewErrors(load(oldT, oldC.Committer.When), after); len(fresh) > 0 {
		return refusedCheck(fresh)
	}
	return nil
}

// rootOnly is a tree in which the root has only what the rules of
// content.Repo.CheckInstitutions read besides the institutions: site.yaml
// (the regions), the calendar (publicity ends, in the statuses), rounds,
// publicity and results (the statuses, and the rounds an institution
// applied in). Notices and anything else at the root are left out of
// both loads of the fast path: no rule on an institution's files reads
// them.
type rootOnly struct{ *gitfs.FS }

var fastRoot = map[string]bool{"site.yaml": true, "calendar": true, "rounds": true, "publicity": true, "results": true, "institutions": true}

// ReadDir lists a directory; the root without what fastRoot leaves out.
func (f rootOnly) ReadDir(name string) ([]fs.DirEntry, error) {
	ents, err := f.FS.ReadDir(name)
	if name != "." || err != nil {
		return ents, err
	}
	kept := ents[:0]
	for _, e := range ents {
		if fastRoot[e.Name()] {
			kept = append(kept, e)
		}
	}
	return kept, nil
}

// partial is what the fast path checks: the institutions a push changed.
type partial struct {
	only map[string]bool
}

// sameReports hides institutions/<slug>/reports of the institutions whose
// directory has the same tree hash in a and b (content.HideReports).
func sameReports(fsys *gitfs.FS, a, b *object.Tree) fs.FS {
	same := map[string]bool{}
	ia, err1 := a.Tree("institutions")
	ib, err2 := b.Tree("institutions")
	if err1 == nil && err2 == nil {
		in := make(map[string]plumbing.Hash, len(ib.Entries))
		for _, e := range ib.Entries {
			in[e.Name] = e.Hash
		}
		for _, e := range ia.Entries {
			if h, ok := in[e.Name]; ok && h == e.Hash && e.Mode == filemode.Dir {
				same[e.Name] = true
			}
		}
	}
	return content.HideReports(fsys, func(slug string) bool { return same[slug] })
}

func checkSubmit(st storer.EncodedObjectStorer, gitDir string, u Update) error {
	name := strings.TrimPrefix(string(u.Ref), "refs/heads/")
	b, err := submission.ParseBranch(name)
	if err != nil {
		return refused("%s：%v", name, err)
	}
	tip, err := object.GetCommit(st, u.New)
	if err != nil {
		return fmt.Errorf("publish: pushed commit: %w", err)
	}
	mainH, err := gitdir.Read(gitDir, MainRef)
	if err != nil {
		return fmt.Errorf("publish: main: %w", err)
	}
	mainC, err := object.GetCommit(st, mainH)
	if err != nil {
		return fmt.Errorf("publish: main: %w", err)
	}
	bases, err := tip.MergeBase(mainC)
	if err != nil {
		return fmt.Errorf("publish: merge base: %w", err)
	}
	if len(bases) == 0 {
		return refused("%s 与 main 没有共同的历史：报送分支须从 main 建立。", name)
	}
	baseT, err := bases[0].Tree()
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	tipT, err := tip.Tree()
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	mainT, err := mainC.Tree()
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	site, _, _ := content.ReadSite(gitfs.New(st, mainT, mainC.Committer.When))
	changes, err := submission.Check(st, b, baseT, tipT, submission.LimitsOf(site.Inbox))
	if err != nil {
		return err
	}
	if err := submission.Refusal(b, changes); err != nil {
		return refused("%s", err.Error())
	}
	return nil
}

// keepPacksOpen is whether hookStorer keeps pack files open; a benchmark
// turns it off to measure the gate as it was.
var keepPacksOpen = true

// hookStorer returns the objects of gitDir, with those of the push being
// received (the quarantine directory GIT_OBJECT_DIRECTORY names in
// environ) looked up first.
func hookStorer(gitDir string, environ []string) (storer.EncodedObjectStorer, func(), error) {
	// The pack files stay open while the gate runs (closed by done), not
	// opened again for every object it reads.
	base := gitdir.Storage(gitDir, filesystem.Options{KeepDescriptors: keepPacksOpen})
	done := func() { base.Close() }
	q := ""
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, "GIT_OBJECT_DIRECTORY="); ok {
			q = v
		}
	}
	if q == "" {
		return base, done, nil
	}
	if !filepath.IsAbs(q) {
		q = filepath.Join(gitDir, q) // hooks run in the git directory
	}
	if fi, err := os.Stat(q); err != nil || !fi.IsDir() {
		done()
		return nil, nil, fmt.Errorf("publish: quarantine %s: not a directory", q)
	}
	qst := filesystem.NewStorageWithOptions(objectsAt{osfs.New(q)}, cache.NewObjectLRUDefault(), filesystem.Options{KeepDescriptors: keepPacksOpen})
	return &layered{EncodedObjectStorer: base, q: qst}, func() { qst.Close(); done() }, nil
}

// objectsAt is a file system whose objects directory is the embedded one
// (go-git reads objects from <root>/objects); it holds nothing else. Only
// what go-git's object reading calls is mapped.
type objectsAt struct{ billy.Filesystem }

func (o objectsAt) path(op, p string) (string, error) {
	p = filepath.ToSlash(filepath.Clean(p))
	if p == "objects" {
		return ".", nil
	}
	if rest, ok := strings.CutPrefix(p, "objects/"); ok {
		return rest, nil
	}
	return "", &fs.PathError{Op: op, Path: p, Err: fs.ErrNotExist}
}

func (o objectsAt) Open(p string) (billy.File, error) {
	q, err := o.path("open", p)
	if err != nil {
		return nil, err
	}
	return o.Filesystem.Open(q)
}

func (o objectsAt) OpenFile(p string, flag int, perm os.FileMode) (billy.File, error) {
	q, err := o.path("open", p)
	if err != nil {
		return nil, err
	}
	return o.Filesystem.OpenFile(q, flag, perm)
}

func (o objectsAt) Stat(p string) (os.FileInfo, error) {
	q, err := o.path("stat", p)
	if err != nil {
		return nil, err
	}
	return o.Filesystem.Stat(q)
}

func (o objectsAt) Lstat(p string) (os.FileInfo, error) {
	q, err := o.path("lstat", p)
	if err != nil {
		return nil, err
	}
	return o.Filesystem.Lstat(q)
}

func (o objectsAt) ReadDir(p string) ([]os.FileInfo, error) {
	q, err := o.path("readdir", p)
	if err != nil {
		return nil, err
	}
	return o.Filesystem.ReadDir(q)
}

// layered looks objects up in q, then in the embedded storer.
type layered struct {
	storer.EncodedObjectStorer
	q storer.EncodedObjectStorer
}

func (l *layered) EncodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	if o, err := l.q.EncodedObject(t, h); err == nil {
		return o, nil
	}
	return l.EncodedObjectStorer.EncodedObject(t, h)
}

func (l *layered) HasEncodedObject(h plumbing.Hash) error {
	if l.q.HasEncodedObject(h) == nil {
		return nil
	}
	return l.EncodedObjectStorer.HasEncodedObject(h)
}

func (l *layered) EncodedObjectSize(h plumbing.Hash) (int64, error) {
	if n, err := l.q.EncodedObjectSize(h); err == nil {
		return n, nil
	}
	return l.EncodedObjectStorer.EncodedObjectSize(h)
}
