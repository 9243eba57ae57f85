package content_test

import (
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/go-git/go-git/v5"

	"kjjr/content"
	"kjjr/content/corpus"
	"kjjr/content/gitfs"
	"kjjr/content/jinzhong"
	"kjjr/internal/testenv"
)

// needGit skips a test without the C git CLI, or fails it in CI.
func needGit(t *testing.T) {
	t.Helper()
	testenv.NeedTool(t, "git")
}

func gitCmd(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// commitAll commits the work tree of dir (a git repo, made on first use)
// with the C git CLI and returns main's tree as a gitfs.FS.
func commitAll(t *testing.T, dir string) *gitfs.FS {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, ".git")); err != nil {
		gitCmd(t, dir, "init", "-q", "-b", "main")
	}
	gitCmd(t, dir, "add", "-A")
	gitCmd(t, dir, "commit", "-q", "--allow-empty", "-m", "commit")
	gitCmd(t, dir, "fsck", "--strict", "--no-progress")
	repo, err := git.PlainOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	fsys, _, err := gitfs.Rev(repo, "main")
	if err != nil {
		t.Fatal(err)
	}
	return fsys
}

// countFS counts the files read from a TreeFS, by path.
type countFS struct {
	*gitfs.FS
	mu    sync.Mutex
	reads map[string]int
}

func counting(f *gitfs.FS) *countFS { return &countFS{FS: f, reads: map[string]int{}} }

func (c *countFS) count(name string) {
	c.mu.Lock()
	c.reads[name]++
	c.mu.Unlock()
}

func (c *countFS) ReadFile(name string) ([]byte, error) {
	c.count(name)
	return c.FS.ReadFile(name)
}

func (c *countFS) Open(name string) (fs.File, error) {
	if fi, err := c.FS.Stat(name); err == nil && !fi.IsDir() {
		c.count(name)
	}
	return c.FS.Open(name)
}

// read returns the files read under dir (a slash path prefix), sorted.
func (c *countFS) read(prefix string) []string {
	var out []string
	for p := range c.reads {
		if strings.HasPrefix(p, prefix) {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// withProblems writes a dataset into dir and adds files that Load
// reports: a report whose period differs from its name, an institution
// whose index.md does not decode, a misplaced Markdown file, a round
// with a bad field, an institution directory with a bad name.
func withProblems(t *testing.T, dir string, src fs.FS, slug string) {
	t.Helper()
	if err := os.CopyFS(dir, src); err != nil {
		t.Fatal(err)
	}
	write(t, dir, "institutions/"+slug+"/reports/2025-03.md", "---\nkind: monthly\nperiod: 2025-04\nreceived_at: 2025-04-09T10:00:00+08:00\n---\n")
	write(t, dir, "institutions/broken/index.md", "---\nname: [\n---\n")
	write(t, dir, "institutions/broken/reports/2025-04.md", "---\nkind: monthly\nperiod: 2025-04\n---\n")
	write(t, dir, "institutions/"+slug+"/notes.md", "stray\n")
	write(t, dir, "rounds/zz-bad.md", "---\ntitle: x\nno_such_field: 1\n---\n")
	write(t, dir, "institutions/Bad_Name/index.md", "---\nname: 坏名字\n---\n")
}

func write(t *testing.T, dir, rel, data string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func corpusFS(t *testing.T, n int) fs.FS {
	t.Helper()
	dir := t.TempDir()
	if err := corpus.Write(dir, &corpus.Options{Institutions: n, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	return os.DirFS(dir)
}

// complianceView keeps of a loaded Repo what a Compliance load holds,
// for comparison with a full Load.
type complianceView struct {
	Site  content.Site
	Insts []complianceInst
	Diags content.Diagnostics
}

type complianceInst struct {
	Slug, File, Name, ShortName string
	History                     []content.Event
	Reports                     []content.Report
}

func viewOf(r *content.Repo, compliance bool) complianceView {
	v := complianceView{Site: r.Site}
	for _, inst := range r.Institutions {
		ci := complianceInst{Slug: inst.Slug, File: inst.File, Name: inst.Name, ShortName: inst.ShortName, History: inst.History}
		for _, rep := range inst.Reports {
			ci.Reports = append(ci.Reports, content.Report{Kind: rep.Kind, Period: rep.Period, ReceivedAt: rep.ReceivedAt, Meta: content.Meta{Slug: rep.Slug, File: rep.File}})
		}
		v.Insts = append(v.Insts, ci)
	}
	for _, d := range r.Diags {
		// A Compliance load reads neither notices nor inspections.
		if compliance && (strings.HasPrefix(d.File, "notices/") || strings.Contains(d.File, "/inspections/")) {
			continue
		}
		v.Diags = append(v.Diags, d)
	}
	return v
}

// TestLoadTreeSameAsCheckout: LoadTree of a commit made with C git gives
// the records and diagnostics that Load gives for a checkout of it: cold,
// from the cache, and from a cache file, in every mode.
func TestLoadTreeSameAsCheckout(t *testing.T) {
	needGit(t)
	datasets := []struct {
		name string
		src  func(t *testing.T) fs.FS
		slug string
	}{
		{"jinzhong", func(*testing.T) fs.FS { return jinzhong.FS() }, ""},
		{"corpus", func(t *testing.T) fs.FS { return corpusFS(t, 6) }, corpus.Slug(2)},
	}
	modes := []struct {
		name string
		opts content.TreeOptions
	}{
		{"full", content.TreeOptions{}},
		{"public", content.TreeOptions{Public: true}},
		{"compliance", content.TreeOptions{Compliance: true}},
	}
	for _, ds := range datasets {
		for _, problems := range []bool{false, true} {
			dir := t.TempDir()
			if problems {
				slug := ds.slug
				if slug == "" {
					ents, _ := fs.ReadDir(jinzhong.FS(), "institutions")
					slug = ents[0].Name()
				}
				withProblems(t, dir, ds.src(t), slug)
			} else if err := os.CopyFS(dir, ds.src(t)); err != nil {
				t.Fatal(err)
			}
			fsys := commitAll(t, dir)
			for _, m := range modes {
				name := ds.name + "/" + m.name
				if problems {
					name += "/problems"
				}
				t.Run(name, func(t *testing.T) {
					want, _ := content.Load(content.DirFS(dir), &content.LoadOptions{Public: m.opts.Public})
					if problems && !want.Diags.HasErrors() {
						t.Fatal("the problems were not found by Load")
					}
					opts := m.opts
					opts.Cache = new(content.TreeCache)
					file := filepath.Join(t.TempDir(), "tree.cache")
					for _, step := range []string{"cold", "warm", "file"} {
						if step == "file" {
							if err := opts.Cache.WriteFile(file); err != nil {
								t.Fatal(err)
							}
							opts.Cache = content.ReadTreeCache(file)
						}
						got, err := content.LoadTree(fsys, &opts)
						// A full cache file leaves out the subtrees with problems.
						if step != "cold" && opts.Cache.Reads() != 0 && !(step == "file" && !m.opts.Compliance && problems) {
							t.Errorf("%s: %d subtrees read, want all from the cache", step, opts.Cache.Reads())
						}
						if (err != nil) != got.Diags.HasErrors() {
							t.Errorf("%s: error %v with diagnostics %v", step, err, got.Diags)
						}
						if m.opts.Compliance {
							if a, b := viewOf(want, true), viewOf(got, false); !reflect.DeepEqual(a, b) {
								t.Errorf("%s: compliance view differs:\nLoad:     %+v\nLoadTree: %+v", step, a.Diags, b.Diags)
							}
							continue
						}
						sameRepo(t, want, got)
					}
				})
			}
		}
	}
}

// TestLoadTreeCacheReads: a second load of the same tree reads no
// institution's file; after one report changes, only that institution's
// subtree is read again; the result is always that of a cold load.
func TestLoadTreeCacheReads(t *testing.T) {
	needGit(t)
	for _, tc := range []struct {
		name string
		opts content.TreeOptions
		file bool // the cache goes through a file between loads
	}{
		{"full", content.TreeOptions{}, false},
		{"public", content.TreeOptions{Public: true}, false},
		{"compliance", content.TreeOptions{Compliance: true}, false},
		{"compliance via file", content.TreeOptions{Compliance: true}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.CopyFS(dir, corpusFS(t, 5)); err != nil {
				t.Fatal(err)
			}
			cache := new(content.TreeCache)
			cacheFile := filepath.Join(t.TempDir(), "tree.cache")
			load := func(fsys *gitfs.FS) (*countFS, *content.Repo) {
				t.Helper()
				if tc.file {
					if err := cache.WriteFile(cacheFile); err != nil {
						t.Fatal(err)
					}
					cache = content.ReadTreeCache(cacheFile)
				}
				c := counting(fsys)
				opts := tc.opts
				opts.Cache = cache
				got, _ := content.LoadTree(c, &opts)
				cold := tc.opts
				want, _ := content.LoadTree(fsys, &cold)
				if !reflect.DeepEqual(viewOf(want, false), viewOf(got, false)) {
					t.Error("a load with the cache differs from one without")
				}
				if !tc.opts.Compliance {
					sameRepo(t, want, got)
				}
				return c, got
			}
			fsys := commitAll(t, dir)
			c, repo := load(fsys)
			if n := len(c.read("institutions/")); n < 5*10 || cache.Reads() != 5 {
				t.Fatalf("cold load read %d institution files, %d subtrees", n, cache.Reads())
			}
			c, _ = load(fsys)
			if got := c.read("institutions/"); len(got) != 0 || cache.Reads() != 0 {
				t.Errorf("second load of the same tree read %v (%d subtrees)", got, cache.Reads())
			}
			if tc.opts.Compliance {
				// site.yaml and the calendar (deadlines move off rest days).
				var other []string
				for _, f := range c.read("") {
					if !strings.HasPrefix(f, "calendar/") {
						other = append(other, f)
					}
				}
				if !reflect.DeepEqual(other, []string{"site.yaml"}) {
					t.Errorf("second Compliance load read %v, want only site.yaml and the calendar", c.read(""))
				}
			}

			// One report changes.
			slug := corpus.Slug(3)
			rep := repo.Institution(slug).Reports[0]
			received := regexp.MustCompile(`(?m)^received_at: .*$`)
			write(t, dir, rep.File, received.ReplaceAllString(readFile(t, filepath.Join(dir, rep.File)), "received_at: 2020-01-01T00:00:00+08:00"))
			fsys = commitAll(t, dir)
			c, repo = load(fsys)
			for _, p := range c.read("institutions/") {
				if !strings.HasPrefix(p, "institutions/"+slug+"/") {
					t.Errorf("after a change in %s, the load read %s", slug, p)
				}
			}
			if !slices.Contains(c.read("institutions/"), rep.File) || cache.Reads() != 1 {
				t.Errorf("after a change, read %v (%d subtrees), want %s", c.read("institutions/"), cache.Reads(), rep.File)
			}
			if got := repo.Institution(slug).Report(rep.Period).ReceivedAt; got != "2020-01-01T00:00:00+08:00" {
				t.Errorf("changed report has received_at %q", got)
			}

			// A result removes an institution: the histories change.
			write(t, dir, "results/2025.md", "---\nyear: 2025\nassessed_on: 2026-01-20\ngrades:\n  - institution: "+corpus.Slug(1)+"\n    grade: 不合格\n---\n")
			fsys = commitAll(t, dir)
			c, repo = load(fsys)
			if got := c.read("institutions/"); len(got) != 0 {
				t.Errorf("after a new result, read %v", got)
			}
			if h := repo.Institution(corpus.Slug(1)).History; len(h) == 0 || h[len(h)-1].Kind != content.EventRemoved {
				t.Errorf("history after the result: %+v", h)
			}
		})
	}
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestLoadTreePublicNeverFromPrivateCache: a cache filled by a load with
// private fields is not used by a Public load (and the other way round).
func TestLoadTreePublicNeverFromPrivateCache(t *testing.T) {
	needGit(t)
	dir := t.TempDir()
	if err := os.CopyFS(dir, corpusFS(t, 4)); err != nil {
		t.Fatal(err)
	}
	fsys := commitAll(t, dir)
	cache := new(content.TreeCache)
	private, _ := content.LoadTree(fsys, &content.TreeOptions{Cache: cache})
	if !hasPrivate(private) {
		t.Fatal("the corpus has no private report field to test with")
	}
	public, _ := content.LoadTree(fsys, &content.TreeOptions{Cache: cache, Public: true})
	if hasPrivate(public) || cache.Reads() != 4 {
		t.Errorf("Public load after a private one: private fields %v, %d subtrees read", hasPrivate(public), cache.Reads())
	}
	again, _ := content.LoadTree(fsys, &content.TreeOptions{Cache: cache})
	if !hasPrivate(again) {
		t.Error("a private load after a Public one lost the private fields")
	}
	if hasPrivate(public) {
		t.Error("loading private records again changed the Public repo")
	}
}

func hasPrivate(r *content.Repo) bool {
	for _, inst := range r.Institutions {
		for _, rep := range inst.Reports {
			if rep.Sender != "" || rep.Financing != nil || rep.Body != "" {
				return true
			}
		}
	}
	return false
}

// TestLoadTreeYears: with Years, a Compliance load attaches only those
// years' reports.
func TestLoadTreeYears(t *testing.T) {
	needGit(t)
	dir := t.TempDir()
	if err := os.CopyFS(dir, corpusFS(t, 3)); err != nil {
		t.Fatal(err)
	}
	fsys := commitAll(t, dir)
	all, _ := content.LoadTree(fsys, &content.TreeOptions{Compliance: true})
	some, _ := content.LoadTree(fsys, &content.TreeOptions{Compliance: true, Years: []int{2026}})
	n := 0
	for i, inst := range all.Institutions {
		var want []string
		for _, rep := range inst.Reports {
			if rep.Period.Year == 2026 {
				want = append(want, path.Base(rep.File))
			}
		}
		var got []string
		for _, rep := range some.Institutions[i].Reports {
			got = append(got, path.Base(rep.File))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: 2026 reports %v, want %v", inst.Slug, got, want)
		}
		n += len(want)
	}
	if n == 0 {
		t.Fatal("no report of 2026 to test with")
	}
}

// Only loads the chosen institutions as a load of the whole tree has
// them, and nothing of the others.
func TestLoadTreeOnly(t *testing.T) {
	needGit(t)
	dir := t.TempDir()
	if err := os.CopyFS(dir, corpusFS(t, 5)); err != nil {
		t.Fatal(err)
	}
	fsys := commitAll(t, dir)
	all, err := content.LoadTree(fsys, &content.TreeOptions{Public: true})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{corpus.Slug(2): true, corpus.Slug(4): true}
	some, err := content.LoadTree(fsys, &content.TreeOptions{Public: true, Only: func(slug string) bool { return want[slug] }})
	if err != nil {
		t.Fatal(err)
	}
	if len(some.Institutions) != len(want) {
		t.Fatalf("loaded %d institutions, want %d", len(some.Institutions), len(want))
	}
	for _, inst := range some.Institutions {
		if !want[inst.Slug] {
			t.Errorf("loaded %s, not asked for", inst.Slug)
		}
		full := all.Institution(inst.Slug)
		if full == nil || !reflect.DeepEqual(inst, full) {
			t.Errorf("%s differs from the whole load", inst.Slug)
		}
	}
	if len(some.Notices) != len(all.Notices) || len(some.Results) != len(all.Results) || len(some.Rounds) != len(all.Rounds) {
		t.Errorf("records outside institutions/: notices %d/%d, results %d/%d, rounds %d/%d",
			len(some.Notices), len(all.Notices), len(some.Results), len(all.Results), len(some.Rounds), len(all.Rounds))
	}
}

// Bare loads the chosen institutions' records as a whole load has them,
// and nothing outside institutions/ but site.yaml.
func TestLoadTreeBare(t *testing.T) {
	needGit(t)
	dir := t.TempDir()
	if err := os.CopyFS(dir, corpusFS(t, 4)); err != nil {
		t.Fatal(err)
	}
	fsys := commitAll(t, dir)
	all, err := content.LoadTree(fsys, &content.TreeOptions{Public: true})
	if err != nil {
		t.Fatal(err)
	}
	slug := corpus.Slug(2)
	bare, err := content.LoadTree(fsys, &content.TreeOptions{Public: true, Only: func(s string) bool { return s == slug }, Bare: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(bare.Institutions) != 1 || len(bare.Notices)+len(bare.Results)+len(bare.Rounds)+len(bare.Publicities) != 0 {
		t.Fatalf("loaded %d institutions, %d notices, %d results, %d rounds, %d publicities; want the one institution alone",
			len(bare.Institutions), len(bare.Notices), len(bare.Results), len(bare.Rounds), len(bare.Publicities))
	}
	got, want := bare.Institutions[0], all.Institution(slug)
	if !reflect.DeepEqual(got.Reports, want.Reports) || got.Name != want.Name {
		t.Errorf("%s: reports or name differ from the whole load", slug)
	}
	if bare.Site.Bureau != all.Site.Bureau {
		t.Errorf("site.yaml not read")
	}
}
