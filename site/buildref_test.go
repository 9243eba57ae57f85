package site

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"kjjr/content"
	"kjjr/content/corpus"
	"kjjr/content/jinzhong"
)

// needGitTB skips a test without the C git CLI, or fails it in CI.
func needGitTB(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("git CLI missing")
		}
		t.Skip("git CLI missing")
	}
}

// git runs the C git CLI in dir with a fixed identity.
func git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main"}, args...)...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out.String())
	}
	return strings.TrimSpace(out.String())
}

// gitRepos commits the content directory dir with C git (it becomes a
// normal repository) and returns a bare clone of it.
func gitRepos(t testing.TB, dir string) (bare string) {
	t.Helper()
	needGitTB(t)
	git(t, dir, "init", "-q")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "content")
	bare = filepath.Join(t.TempDir(), "content.git")
	git(t, filepath.Dir(bare), "clone", "-q", "--bare", dir, bare)
	git(t, bare, "fsck", "--strict")
	return bare
}

// contentBuild is kjjr build --content: Load of the directory with a load
// cache, then Build.
func contentBuild(t testing.TB, dir, out string) *Result {
	t.Helper()
	repo, err := content.Load(content.DirFS(dir), &content.LoadOptions{Public: true, Cache: filepath.Join(t.TempDir(), "load.cache")})
	if err != nil {
		t.Fatalf("load %s: %v", dir, err)
	}
	res, err := Build(repo, &Options{Out: out, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// sameSite fails unless the two output directories hold the same files
// with the same bytes (the manifest aside: it records how each was built).
func sameSite(t *testing.T, want, got string) {
	t.Helper()
	w, g := walkOut(t, want), walkOut(t, got)
	delete(w, ManifestName)
	delete(g, ManifestName)
	if len(w) == 0 {
		t.Fatal("empty site")
	}
	for p, b := range w {
		if gb, ok := g[p]; !ok {
			t.Errorf("%s: missing from the build from git", p)
		} else if gb != b {
			t.Errorf("%s: differs from the --content build", p)
		}
	}
	for p := range g {
		if _, ok := w[p]; !ok {
			t.Errorf("%s: only in the build from git", p)
		}
	}
}

func buildRef(t testing.TB, repo, ref, out string) *RefResult {
	t.Helper()
	res, err := BuildRef(repo, ref, &RefOptions{Out: out, Now: testNow})
	if err != nil {
		t.Fatalf("BuildRef %s %s: %v", repo, ref, err)
	}
	if res.CacheErr != nil {
		t.Fatalf("tree cache: %v", res.CacheErr)
	}
	return res
}

// TestBuildRefSameAsContent: a build from git, from the bare clone and
// from the normal repository, is byte for byte the build of the checkout,
// on the default dataset and on a generated corpus.
func TestBuildRefSameAsContent(t *testing.T) {
	for _, tc := range []struct {
		name  string
		write func(dir string) error
	}{
		{"jinzhong", func(dir string) error { return os.CopyFS(dir, jinzhong.FS()) }},
		{"corpus", func(dir string) error { return corpus.Write(dir, &corpus.Options{Institutions: 30}) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "content")
			if err := tc.write(dir); err != nil {
				t.Fatal(err)
			}
			bare := gitRepos(t, dir)
			want := filepath.Join(t.TempDir(), "want")
			contentBuild(t, dir, want)
			for _, repo := range []string{bare, dir} {
				out := filepath.Join(t.TempDir(), "public")
				res := buildRef(t, repo, "main", out)
				sameSite(t, want, out)
				if res.Tree != git(t, bare, "rev-parse", "main^{tree}") {
					t.Errorf("tree %s, want main's", res.Tree)
				}
				m, err := os.ReadFile(filepath.Join(out, ManifestName))
				if err != nil || !strings.Contains(string(m), "\nT "+res.Tree+"\n") {
					t.Errorf("manifest does not record the tree %s", res.Tree)
				}
			}
		})
	}
}

// TestBuildRefIncremental: after one report changes in a commit, the next
// build from git (a new process: the tree cache comes from its file)
// reads only that institution's subtree, renders only what shows it, and
// gives the site a --content build of the new commit gives.
func TestBuildRefIncremental(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "content")
	if err := corpus.Write(dir, &corpus.Options{Institutions: 30}); err != nil {
		t.Fatal(err)
	}
	bare := gitRepos(t, dir)
	out := filepath.Join(t.TempDir(), "public")
	first := buildRef(t, bare, "main", out)
	if first.Reads != 30 {
		t.Fatalf("first build read %d institutions, want 30", first.Reads)
	}
	again := buildRef(t, bare, "main", out)
	if again.Reads != 0 || again.Written != 0 {
		t.Errorf("unchanged tree: read %d institutions, wrote %d files; want 0, 0", again.Reads, again.Written)
	}

	file := filepath.Join(dir, "institutions", corpus.Slug(3), "reports", corpus.LastMonth.String()+".md")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	edited := bytes.Replace(data, []byte("enterprises_served: "), []byte("enterprises_served: 9"), 1)
	if bytes.Equal(edited, data) {
		t.Fatal("report has no enterprises_served")
	}
	if err := os.WriteFile(file, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, dir, "commit", "-q", "-am", "one report")
	git(t, dir, "push", "-q", bare, "main")

	res := buildRef(t, bare, "main", out)
	if res.Reads != 1 || !res.Delta {
		t.Errorf("after one report changed: read %d institutions (want 1), delta build %t (want true)", res.Reads, res.Delta)
	}
	if res.Rendered >= first.Rendered/4 {
		t.Errorf("after one report changed: rendered %d files of %d", res.Rendered, first.Rendered)
	}
	want := filepath.Join(t.TempDir(), "want")
	contentBuild(t, dir, want)
	sameSite(t, want, out)
	page := readOut(t, out, "institutions/"+corpus.Slug(3)+"/index.html")
	if !strings.Contains(page, strconv.Itoa(9)) {
		t.Errorf("institution page does not show the change")
	}
}

// TestBuildRefTrustOutput: builds into a directory only they write
// (RefOptions.TrustOutput, package publish's build directory) give the
// site a --content build gives, after a report and an institution are
// removed too, and leave a manifest whose directory stamps an untrusting
// build agrees with: it finds nothing to write, remove or list again.
func TestBuildRefTrustOutput(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "content")
	if err := corpus.Write(dir, &corpus.Options{Institutions: 12}); err != nil {
		t.Fatal(err)
	}
	bare := gitRepos(t, dir)
	out := filepath.Join(t.TempDir(), "public")
	trusted := func() *RefResult {
		t.Helper()
		res, err := BuildRef(bare, "main", &RefOptions{Out: out, Now: testNow, TrustOutput: true})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	trusted()
	for i, change := range []func(){
		func() {
			p := filepath.Join(dir, "institutions", corpus.Slug(3), "index.md")
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, append(b, "\n机构补充说明。\n"...), 0o644); err != nil {
				t.Fatal(err)
			}
		},
		func() {
			if err := os.Remove(filepath.Join(dir, "institutions", corpus.Slug(4), "reports", "2025-09.md")); err != nil {
				t.Fatal(err)
			}
		},
		func() { os.RemoveAll(filepath.Join(dir, "institutions", corpus.Slug(5))) },
	} {
		change()
		git(t, dir, "add", "-A")
		git(t, dir, "commit", "-q", "-m", "change "+strconv.Itoa(i))
		git(t, dir, "push", "-q", bare, "main")
		if res := trusted(); res.Written+res.Removed == 0 {
			t.Fatalf("change %d: nothing written (read %d, rendered %d)", i, res.Reads, res.Rendered)
		}
		want := filepath.Join(t.TempDir(), "want")
		contentBuild(t, dir, want)
		sameSite(t, want, out)
		o, err := openOutput(out, nil, false)
		if err != nil {
			t.Fatal(err)
		}
		if o.exists != nil || len(o.missing) > 0 || len(o.strays) > 0 {
			t.Fatalf("change %d: an untrusting build does not trust the manifest (walked %v, missing %v, strays %v)", i, o.exists != nil, o.missing, o.strays)
		}
		if res := buildRef(t, bare, "main", out); res.Written != 0 || res.Removed != 0 {
			t.Errorf("change %d: an untrusting build after a trusted one wrote %d, removed %d", i, res.Written, res.Removed)
		}
	}
}

// TestBuildRefCacheOutsideOutput: the tree cache is in the git directory,
// never in the output (it holds records the site does not publish yet).
func TestBuildRefCacheOutsideOutput(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "content")
	if err := corpus.Write(dir, &corpus.Options{Institutions: 3}); err != nil {
		t.Fatal(err)
	}
	bare := gitRepos(t, dir)
	out := filepath.Join(t.TempDir(), "public")
	buildRef(t, bare, "main", out)
	if _, err := os.Stat(DefaultCacheFile(bare, out)); err != nil {
		t.Errorf("no tree cache in the git directory: %v", err)
	}
	for p := range walkOut(t, out) {
		if strings.Contains(p, "cache") {
			t.Errorf("%s: a cache in the output", p)
		}
	}
}

// TestBuildRefErrors: a ref that does not exist and a directory that is
// not a repository are errors, not panics, and build nothing.
func TestBuildRefErrors(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "content")
	if err := corpus.Write(dir, &corpus.Options{Institutions: 2}); err != nil {
		t.Fatal(err)
	}
	bare := gitRepos(t, dir)
	out := filepath.Join(t.TempDir(), "public")
	if _, err := BuildRef(bare, "no-such-branch", &RefOptions{Out: out, Now: testNow}); err == nil {
		t.Error("a missing ref built")
	}
	if _, err := BuildRef(t.TempDir(), "main", &RefOptions{Out: out, Now: testNow}); err == nil {
		t.Error("a directory that is not a repository built")
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("output written on error")
	}
}
