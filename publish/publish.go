package publish

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"kjjr/content"
	"kjjr/internal/cputime"
	"kjjr/internal/gitdir"
	"kjjr/internal/progid"
	"kjjr/site"
)

// DefaultKeep is the number of releases kept when Options.Keep is 0.
const DefaultKeep = 5

// Options tune Publish. A nil *Options means the defaults.
type Options struct {
	// Ref is the branch published; "" means "main".
	Ref string
	// Now is the date the site is built as of; zero means content.Today().
	Now content.Date
	// Keep is the number of releases kept (the live one always is); 0
	// means DefaultKeep.
	Keep int
	// Force makes a new release even when the live one is of the same
	// commit and date and was made by the same build of kjjr.
	Force bool
	// keepTrash leaves what the publish removed in the trash, for the
	// caller to delete (RunQueued does, after releasing its lock).
	keepTrash bool
}

// Release describes one release; it is kept in WEBROOT/releases/<id>.json.
type Release struct {
	ID       string    `json:"id"`
	Commit   string    `json:"commit"`
	Ref      string    `json:"ref"`
	Now      string    `json:"now"`     // the date the site was built as of
	Version  string    `json:"version"` // the kjjr build that made it
	Built    time.Time `json:"built"`   // when
	Pages    int       `json:"pages"`   // HTML pages in the release
	Files    int       `json:"files"`   // all files in the release
	Written  int       `json:"written"` // files written by its build (the rest are shared)
	NextDate string    `json:"next_change,omitempty"`
}

// Result is what Publish did.
type Result struct {
	Release   Release       `json:"release"`
	Unchanged bool          `json:"unchanged"` // no new release: the live one is of the same commit and date
	Removed   []string      `json:"removed,omitempty"`
	Duration  time.Duration `json:"duration_ns"`
	// CPU is the CPU time, user and system, the publish took (the machine
	// may be shared: it says what the publish itself costs); 0 where it
	// is not measured.
	CPU time.Duration `json:"cpu_ns,omitempty"`
	// NextChange is the next date the site changes by itself (a timer
	// should publish again then); zero when none is known.
	NextChange       content.Date `json:"next_change"`
	NextChangeReason string       `json:"next_change_reason,omitempty"`
	// Steps is what each step of the publish took, in order.
	Steps []Step `json:"steps,omitempty"`
}

// Step is one step of a publish and its cost: wall time and, where it is
// measured, CPU time (see Result.CPU).
type Step struct {
	Name string        `json:"name"`
	Wall time.Duration `json:"wall_ns"`
	CPU  time.Duration `json:"cpu_ns,omitempty"`
}

// stepClock times the steps of a publish.
type stepClock struct {
	steps []Step
	t     time.Time
	cpu   time.Duration
}

func newStepClock() *stepClock { return &stepClock{t: time.Now(), cpu: cputime.Process()} }

// done ends the step name, begun when the last one ended.
func (c *stepClock) done(name string) {
	t, cpu := time.Now(), cputime.Process()
	c.steps = append(c.steps, Step{Name: name, Wall: t.Sub(c.t), CPU: cpu - c.cpu})
	c.t, c.cpu = t, cpu
}

// ContentError is returned when the commit's content has errors that
// `kjjr check` reports: nothing is published.
type ContentError struct {
	Commit string
	Diags  content.Diagnostics // the errors
}

func (e *ContentError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "提交 %.12s 的内容有 %d 处错误，未发布（kjjr check 可查看全部问题）", e.Commit, len(e.Diags))
	for i, d := range e.Diags {
		if i == 10 {
			b.WriteString("\n  ……")
			break
		}
		b.WriteString("\n  " + d.String())
	}
	return b.String()
}

// version names the running kjjr build: its module version and commit
// where the go command recorded them, and its build ID (package progid),
// which tells apart two builds without version information.
func version() string {
	v := "unknown"
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v + " " + progid.ID()
	}
	v = bi.Main.Version
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v += " " + s.Value
		case "vcs.modified":
			if s.Value == "true" {
				v += "+dirty"
			}
		}
	}
	return v + " " + progid.ID()
}

// Publish builds ref of the git directory (or work tree) repoDir and makes
// it the live release of webroot (see the package doc). What it removed
// (old releases, objects no kept release uses) it deletes last, after
// releasing the web root's lock.
func Publish(repoDir, webroot string, opts *Options) (*Result, error) {
	res, err := publish(repoDir, webroot, opts)
	if opts == nil || !opts.keepTrash {
		emptyTrash(webroot)
	}
	return res, err
}

// publish is Publish but for emptying the trash.
func publish(repoDir, webroot string, opts *Options) (*Result, error) {
	start, cpu0 := time.Now(), cputime.Process()
	clock := newStepClock()
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Ref == "" {
		o.Ref = "main"
	}
	if o.Keep <= 0 {
		o.Keep = DefaultKeep
	}
	now := o.Now
	if now.IsZero() {
		now = content.Today()
	}
	if err := os.MkdirAll(filepath.Join(webroot, "releases"), 0o755); err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	unlock, err := lockDir(webroot)
	if err != nil {
		return nil, err
	}
	defer unlock()
	clock.done("lock")

	repo, _, err := gitdir.Open(repoDir)
	if err != nil {
		return nil, fmt.Errorf("publish: open %s: %w", repoDir, err)
	}
	ref, err := repo.Reference(plumbing.NewBranchReferenceName(o.Ref), true)
	if err != nil {
		return nil, fmt.Errorf("publish: branch %s: %w", o.Ref, err)
	}
	commit, err := repo.CommitObject(ref.Hash())
	if err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	ver := version()
	if cur, err := Current(webroot); err == nil && !o.Force &&
		cur.Commit == commit.Hash.String() && cur.Now == now.String() && cur.Version == ver {
		next, _ := content.ParseDate(cur.NextDate)
		clock.done("resolve")
		return &Result{Release: *cur, Unchanged: true, Duration: time.Since(start), CPU: cputime.Process() - cpu0, NextChange: next, Steps: clock.steps}, nil
	}
	id, err := nextID(webroot, commit.Hash)
	if err != nil {
		return nil, err
	}
	clock.done("resolve")
	buildDir := filepath.Join(webroot, "build")
	res, err := Build(repoDir, commit.Hash.String(), buildDir, now, id)
	if err != nil {
		if ce, ok := err.(*ContentError); ok {
			ce.Commit = commit.Hash.String()
		}
		return nil, err
	}
	clock.done("build")
	rel := Release{ID: id, Commit: commit.Hash.String(), Ref: o.Ref, Now: now.String(), Version: ver,
		Built: time.Now().UTC().Truncate(time.Second), Pages: res.Pages, Files: res.Files, Written: res.Written}
	if !res.NextChange.IsZero() {
		rel.NextDate = res.NextChange.String()
	}
	prev := ""
	if cur, err := Current(webroot); err == nil {
		prev = filepath.Join(webroot, "releases", cur.ID)
	}
	objs, err := linkTree(webroot, buildDir, prev, filepath.Join(webroot, "releases", id), res.PageGroups())
	if err != nil {
		return nil, err
	}
	clock.done("link")
	if err := writeLines(filepath.Join(webroot, "releases", id+".objects"), objs); err != nil {
		return nil, err
	}
	if err := writeJSON(filepath.Join(webroot, "releases", id+".json"), rel); err != nil {
		return nil, err
	}
	clock.done("record")
	if err := switchTo(webroot, id); err != nil {
		return nil, err
	}
	clock.done("switch")
	removed, err := prune(webroot, o.Keep)
	if err != nil {
		return nil, err
	}
	clock.done("prune")
	return &Result{Release: rel, Removed: removed, Duration: time.Since(start), CPU: cputime.Process() - cpu0,
		NextChange: res.NextChange, NextChangeReason: res.NextChangeReason, Steps: clock.steps}, nil
}

// Build renders the commit (a hash or a ref) of the git directory (or
// work tree) repoDir into out, as of now, stamping the pages it renders
// with release. It is site.BuildRef: incremental by tree hashes, with its
// tree cache in the git directory (site.DefaultCacheFile), so that its
// cost follows the size of the change since the last build into out. It
// refuses content with errors (*ContentError).
func Build(repoDir, commit, out string, now content.Date, release string) (*site.Result, error) {
	res, err := site.BuildRef(repoDir, commit, &site.RefOptions{Out: out, Now: now, Release: release, TrustOutput: true})
	if errors.Is(err, site.ErrContent) && res != nil && res.Repo != nil {
		var errs content.Diagnostics
		for _, d := range res.Repo.Diags {
			if d.Severity == content.Error {
				errs = append(errs, d)
			}
		}
		return nil, &ContentError{Commit: res.Commit, Diags: errs}
	}
	if err != nil {
		return nil, fmt.Errorf("publish: build: %w", err)
	}
	return res.Result, nil
}

// nextID returns the id of the next release: one more than the highest
// sequence number in releases/.
func nextID(webroot string, commit plumbing.Hash) (string, error) {
	ids, err := Releases(webroot)
	if err != nil {
		return "", err
	}
	seq := 1
	if len(ids) > 0 {
		n, _ := strconv.Atoi(strings.SplitN(ids[len(ids)-1], "-", 2)[0])
		seq = n + 1
	}
	return fmt.Sprintf("%06d-%s", seq, commit.String()[:12]), nil
}

// Releases lists the ids of the releases in webroot, oldest first.
func Releases(webroot string) ([]string, error) {
	ents, err := os.ReadDir(filepath.Join(webroot, "releases"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("publish: %w", err)
	}
	var ids []string
	for _, e := range ents {
		if e.IsDir() && validID(e.Name()) {
			ids = append(ids, e.Name())
		}
	}
	sort.Strings(ids)
	return ids, nil
}

func validID(s string) bool {
	seq, h, ok := strings.Cut(s, "-")
	if !ok || len(seq) != 6 || len(h) != 12 {
		return false
	}
	for _, r := range seq + h {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}

// Current returns the live release of webroot.
func Current(webroot string) (*Release, error) {
	target, err := os.Readlink(filepath.Join(webroot, "current"))
	if err != nil {
		return nil, fmt.Errorf("publish: no live release: %w", err)
	}
	id := filepath.Base(target)
	return readRelease(webroot, id)
}

func readRelease(webroot, id string) (*Release, error) {
	b, err := os.ReadFile(filepath.Join(webroot, "releases", id+".json"))
	if err != nil {
		return nil, fmt.Errorf("publish: release %s: %w", id, err)
	}
	var r Release
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("publish: release %s: %w", id, err)
	}
	return &r, nil
}

// Rollback switches webroot/current to the release before the live one
// and returns it. The newer releases stay (a later Publish makes a new
// one after them).
func Rollback(webroot string) (*Release, error) {
	unlock, err := lockDir(webroot)
	if err != nil {
		return nil, err
	}
	defer unlock()
	cur, err := Current(webroot)
	if err != nil {
		return nil, err
	}
	ids, err := Releases(webroot)
	if err != nil {
		return nil, err
	}
	prev := ""
	for _, id := range ids {
		if id < cur.ID {
			prev = id
		}
	}
	if prev == "" {
		return nil, fmt.Errorf("没有比当前版本 %s 更早的版本可以回退", cur.ID)
	}
	r, err := readRelease(webroot, prev)
	if err != nil {
		return nil, err
	}
	if err := switchTo(webroot, prev); err != nil {
		return nil, err
	}
	return r, nil
}

// switchTo points webroot/current at releases/id by renaming a new
// symlink over it.
func switchTo(webroot, id string) error {
	tmp := filepath.Join(webroot, ".current-"+id)
	_ = os.Remove(tmp)
	if err := os.Symlink(filepath.Join("releases", id), tmp); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(webroot, "current")); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("publish: switch to %s: %w", id, err)
	}
	syncDir(webroot)
	return nil
}

// prune removes the oldest releases beyond keep, never the live one, and
// then the objects no kept release uses. It moves them into the trash
// (WEBROOT/trash/), which costs a rename each, and leaves deleting them to
// emptyTrash, after the lock is released: removing a release, or the
// objects of the whole site after an upgrade of kjjr (125,000 files at
// 5000 institutions), must not hold up the next publish.
func prune(webroot string, keep int) ([]string, error) {
	ids, err := Releases(webroot)
	if err != nil {
		return nil, err
	}
	cur, _ := Current(webroot)
	t := &trash{webroot: webroot}
	var removed []string
	for i := 0; i < len(ids)-keep; i++ {
		if cur != nil && ids[i] == cur.ID {
			continue
		}
		if err := t.discard(filepath.Join(webroot, "releases", ids[i])); err != nil {
			return removed, fmt.Errorf("publish: remove release %s: %w", ids[i], err)
		}
		os.Remove(filepath.Join(webroot, "releases", ids[i]+".json"))
		os.Remove(filepath.Join(webroot, "releases", ids[i]+".objects"))
		removed = append(removed, ids[i])
	}
	if len(removed) > 0 {
		if err := collectObjects(webroot, t); err != nil {
			return removed, err
		}
	}
	return removed, nil
}

// trash is where a publish moves what it removes: a new directory under
// WEBROOT/trash, made when first needed.
type trash struct {
	webroot, dir string
}

// discard moves p into the trash; p missing is no error.
func (t *trash) discard(p string) error {
	for try := 0; ; try++ {
		if t.dir == "" {
			root := filepath.Join(t.webroot, "trash")
			if err := os.MkdirAll(root, 0o755); err != nil {
				return err
			}
			d, err := os.MkdirTemp(root, "")
			if err != nil {
				return err
			}
			t.dir = d
		}
		err := os.Rename(p, filepath.Join(t.dir, filepath.Base(p)))
		if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		if _, lerr := os.Lstat(p); lerr != nil {
			return nil // gone already
		}
		if try > 0 {
			return err
		}
		t.dir = "" // another process emptied the trash: a new directory
	}
}

// emptyTrash deletes what publishes moved into webroot's trash. It needs
// no lock: nothing else uses the trash, and what it fails to delete (a
// publish moving more into it meanwhile) the next one deletes.
func emptyTrash(webroot string) {
	root := filepath.Join(webroot, "trash")
	ents, _ := os.ReadDir(root)
	for _, e := range ents {
		_ = os.RemoveAll(filepath.Join(root, e.Name()))
	}
}

// linkTree makes the release dst from the build directory src: a tree of
// hard links to src's files (its manifest excepted), but for each
// institution whose page group is in groups a symlink
// institutions/<slug> to the directory WEBROOT/objects/<slug>-<key>,
// which holds hard links to its pages as they were when a release first
// had them (made now when missing). Releases thus share an unchanged
// institution's directory instead of linking each of its files again: a
// release costs a link per global file and a symlink per institution. It
// also links the files of prev/assets/ (the live release's, when prev is
// not "") that src has not: assets are named by a hash of their bytes,
// and a page loaded from the previous release just before the switch
// still finds the assets it names (a new kjjr may name them anew). dst is
// built under a temporary name and renamed into place when complete. It
// returns the objects the release uses.
func linkTree(webroot, src, prev, dst string, groups map[string]string) ([]string, error) {
	tmp := dst + ".tmp"
	if err := os.RemoveAll(tmp); err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	objects := filepath.Join(webroot, "objects")
	if err := os.MkdirAll(objects, 0o755); err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	var used []string
	instDir := filepath.Join(src, "institutions")
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		to := filepath.Join(tmp, rel)
		switch {
		case d.IsDir() && filepath.Dir(p) == instDir && groups[d.Name()] != "":
			obj := d.Name() + "-" + groups[d.Name()]
			if err := linkObject(objects, p, obj, to); err != nil {
				return err
			}
			used = append(used, obj)
			return filepath.SkipDir
		case d.IsDir() && p != src && filepath.Dir(filepath.Dir(p)) == src:
			if obj, ok := leafObject(p, rel); ok {
				if err := linkObject(objects, p, obj, to); err != nil {
					return err
				}
				used = append(used, obj)
				return filepath.SkipDir
			}
			return os.Mkdir(to, 0o755)
		case d.IsDir():
			return os.Mkdir(to, 0o755)
		case rel == site.ManifestName || strings.HasPrefix(d.Name(), ".tmp-"):
			return nil
		case d.Type().IsRegular():
			return os.Link(p, to)
		}
		return nil // nothing else is ever in a build
	})
	if err == nil && prev != "" {
		err = carryAssets(filepath.Join(prev, "assets"), filepath.Join(tmp, "assets"))
	}
	if err != nil {
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("publish: make release: %w", err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("publish: make release: %w", err)
	}
	return used, nil
}

// leafObject returns the name of the object that shares the directory
// dir of the build, rel (<top>/<leaf>, two levels down, as
// institutions/<slug> is) in a release, when it holds files only (a
// notice's, a round's or a publicity's page): "<top>.<leaf>-<key>", the
// key a hash of its files' names and identities (device and inode). The
// build replaces a file it changes by a new one, so the same identities
// are the same bytes; and while the object exists, its hard links keep
// those inodes from being reused for other files. A release thus links
// one shared symlink for such a directory instead of making a directory
// (an inode) and linking its files. ok is false for any other directory,
// or where the system does not give file identities: it is made as
// before.
func leafObject(dir, rel string) (name string, ok bool) {
	ents, err := os.ReadDir(dir)
	if err != nil || len(ents) == 0 {
		return "", false
	}
	h := sha256.New()
	for _, e := range ents {
		if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".tmp-") {
			return "", false
		}
		fi, err := e.Info()
		if err != nil {
			return "", false
		}
		id, ok := fileID(fi)
		if !ok {
			return "", false
		}
		fmt.Fprintf(h, "%s\x00%s\n", e.Name(), id)
	}
	name = strings.ReplaceAll(filepath.ToSlash(rel), "/", ".") + "-" + hex.EncodeToString(h.Sum(nil)[:16])
	if len(name) > 200 {
		return "", false
	}
	return name, true
}

// linkSuffix ends the name of an object's symlink in WEBROOT/objects:
// <slug>-<key>.link holds "../../../objects/<slug>-<key>", the target of
// releases/<id>/institutions/<slug>, and releases hard-link it.
const linkSuffix = ".link"

// linkObject makes to (releases/<id>/institutions/<slug> of a release
// being made) a symlink to the object obj, made from the build's directory
// dir when missing. It is a hard link to the object's symlink
// objects/<obj>.link, which every release that has the object shares: a
// new name, no new inode, which costs the file system much less than a
// new symlink (thousands per release). The link doubles as the test that
// the object exists: the symlink is made after the object and removed
// before it. Where the file system cannot hard-link a symlink, to is a
// symlink of its own.
func linkObject(objects, dir, obj, to string) error {
	ln := filepath.Join(objects, obj+linkSuffix)
	err := os.Link(ln, to)
	if err == nil {
		return nil
	}
	target := filepath.Join("..", "..", "..", "objects", obj)
	if errors.Is(err, fs.ErrNotExist) {
		if err := makeObject(dir, filepath.Join(objects, obj)); err != nil {
			return err
		}
		if err := makeSymlink(target, ln); err != nil {
			return err
		}
		if os.Link(ln, to) == nil {
			return nil
		}
	}
	return os.Symlink(target, to)
}

// makeSymlink makes p a symlink to target, unless p exists, through a
// temporary name renamed into place.
func makeSymlink(target, p string) error {
	if _, err := os.Lstat(p); err == nil {
		return nil
	}
	tmp := p + ".tmp"
	_ = os.Remove(tmp)
	if err := os.Symlink(target, tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, p); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// makeObject makes obj a tree of hard links to the files under dir,
// unless it exists: its name says what it holds, and it never changes.
func makeObject(dir, obj string) error {
	if _, err := os.Lstat(obj); err == nil {
		return nil
	}
	tmp := obj + ".tmp"
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return os.Mkdir(filepath.Join(tmp, rel), 0o755)
		case d.Type().IsRegular() && !strings.HasPrefix(d.Name(), ".tmp-"):
			return os.Link(p, filepath.Join(tmp, rel))
		}
		return nil
	})
	if err == nil {
		err = os.Rename(tmp, obj)
	}
	if err != nil {
		os.RemoveAll(tmp)
	}
	return err
}

// writeLines writes lines to p, one a line, through a temporary file.
func writeLines(p string, lines []string) error {
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	if err := os.Rename(tmp, p); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("publish: %w", err)
	}
	return nil
}

// collectObjects moves the objects no release in webroot uses into t.
func collectObjects(webroot string, t *trash) error {
	ids, err := Releases(webroot)
	if err != nil {
		return err
	}
	used := map[string]bool{}
	for _, id := range ids {
		b, err := os.ReadFile(filepath.Join(webroot, "releases", id+".objects"))
		if errors.Is(err, fs.ErrNotExist) {
			// Not recorded (a publish stopped half way): its links, two
			// levels down, say.
			rel := filepath.Join(webroot, "releases", id)
			tops, _ := os.ReadDir(rel)
			for _, top := range tops {
				ents, _ := os.ReadDir(filepath.Join(rel, top.Name()))
				for _, e := range ents {
					if e.Type()&fs.ModeSymlink != 0 {
						if t, err := os.Readlink(filepath.Join(rel, top.Name(), e.Name())); err == nil {
							used[filepath.Base(t)] = true
						}
					}
				}
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("publish: %w", err)
		}
		for _, o := range strings.Split(string(b), "\n") {
			used[o] = true
		}
	}
	ents, err := os.ReadDir(filepath.Join(webroot, "objects"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("publish: %w", err)
	}
	for _, e := range ents {
		if used[strings.TrimSuffix(e.Name(), linkSuffix)] {
			continue
		}
		// The object's symlink goes first: while it is there, the
		// object is (see linkObject).
		p := filepath.Join(webroot, "objects", e.Name())
		if !strings.HasSuffix(p, linkSuffix) {
			if err := os.Remove(p + linkSuffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("publish: remove object %s: %w", e.Name(), err)
			}
		}
		if err := t.discard(p); err != nil {
			return fmt.Errorf("publish: remove object %s: %w", e.Name(), err)
		}
	}
	return nil
}

// carryAssets links the regular files of from that to has not into to.
func carryAssets(from, to string) error {
	ents, err := os.ReadDir(from)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := os.MkdirAll(to, 0o755); err != nil {
		return err
	}
	for _, e := range ents {
		if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		err := os.Link(filepath.Join(from, e.Name()), filepath.Join(to, e.Name()))
		if err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
	}
	return nil
}

// writeJSON writes v to p through a temporary file renamed into place.
func writeJSON(p string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	if err := os.Rename(tmp, p); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("publish: %w", err)
	}
	return nil
}

func syncDir(dir string) {
	if f, err := os.Open(dir); err == nil {
		_ = f.Sync()
		f.Close()
	}
}
