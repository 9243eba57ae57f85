package submission

import (
	"path"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/memory"

	"kjjr/content"
)

// entry is a tree entry to write: data is the blob (mode 100644 unless
// mode says otherwise; a gitlink's data is ignored).
type entry struct {
	mode filemode.FileMode
	data string
}

// buildTree writes a tree of path -> entry into g with go-git objects
// (names are not checked: hand-made branches can hold anything).
func buildTree(t *testing.T, g *git.Repository, files map[string]entry) *object.Tree {
	t.Helper()
	es := map[string]object.TreeEntry{}
	for p, e := range files {
		mode := e.mode
		if mode == 0 {
			mode = filemode.Regular
		}
		h := plumbing.NewHash("1111111111111111111111111111111111111111") // a gitlink's commit
		if mode != filemode.Submodule {
			obj := g.Storer.NewEncodedObject()
			obj.SetType(plumbing.BlobObject)
			w, _ := obj.Writer()
			w.Write([]byte(e.data))
			w.Close()
			var err error
			if h, err = g.Storer.SetEncodedObject(obj); err != nil {
				t.Fatal(err)
			}
		}
		es[p] = object.TreeEntry{Name: path.Base(p), Mode: mode, Hash: h}
	}
	return writeTree(t, g, es)
}

func reportListing(t *testing.T, p content.Period, names ...string) string {
	t.Helper()
	rep := &content.Report{Kind: p.Kind.String(), Period: p}
	for _, n := range names {
		rep.Evidence = append(rep.Evidence, content.File{Path: ListedPath(p, n), Name: n})
	}
	b, err := content.EncodeRecord(rep, "")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCheck(t *testing.T) {
	g, err := git.Init(memory.NewStorage(), nil)
	if err != nil {
		t.Fatal(err)
	}
	b := Branch{Slug: "gamma", Period: mustPeriod("2026-04")}
	old := Branch{Slug: "gamma", Period: mustPeriod("2026-03")}
	base := map[string]entry{
		"site.yaml":               {data: "title: x\n"},
		old.ReportPath():          {data: reportListing(t, old.Period, "a.pdf")},
		old.EvidencePath("a.pdf"): {data: "a"},
	}
	with := func(add map[string]entry, del ...string) map[string]entry {
		out := map[string]entry{}
		for k, v := range base {
			out[k] = v
		}
		for k, v := range add {
			out[k] = v
		}
		for _, k := range del {
			delete(out, k)
		}
		return out
	}
	long := strings.Repeat("晋中市科技金融服务机构绩效评价考核证明材料", 5) + ".pdf" // over 255 bytes
	lim := Limits{MaxReport: 1 << 20, MaxFile: 10, MaxFiles: 3, MaxTotal: 25}
	for _, tc := range []struct {
		name string
		tip  map[string]entry
		want map[string]string // path -> part of the problem ("" accepted)
	}{
		{"ok", with(map[string]entry{b.ReportPath(): {data: reportListing(t, b.Period, "0123456789ab-证明.pdf")}, b.EvidencePath("0123456789ab-证明.pdf"): {data: "pdf"}}),
			map[string]string{b.ReportPath(): "", b.EvidencePath("0123456789ab-证明.pdf"): ""}},
		{"dot-dot and .git under evidence", with(map[string]entry{b.ReportPath(): {data: reportListing(t, b.Period, "..", ".git")}, b.EvidencePath(".."): {data: "x"}, b.EvidencePath(".git/config"): {data: "[core]"}}),
			map[string]string{b.ReportPath(): "", b.EvidencePath(".."): "上级目录", b.EvidencePath(".git/config"): "git 的保留名称"}},
		{"symlinks", with(map[string]entry{b.ReportPath(): {data: reportListing(t, b.Period, "p.pdf", "c.pdf")}, b.EvidencePath("p.pdf"): {filemode.Symlink, "/etc/passwd"}, b.EvidencePath("c.pdf"): {filemode.Symlink, "../../../../.git/config"}}),
			map[string]string{b.ReportPath(): "", b.EvidencePath("p.pdf"): "符号链接", b.EvidencePath("c.pdf"): "符号链接"}},
		{"gitlink", with(map[string]entry{b.ReportPath(): {data: reportListing(t, b.Period, "m")}, b.EvidencePath("m"): {mode: filemode.Submodule}}),
			map[string]string{b.ReportPath(): "", b.EvidencePath("m"): "gitlink"}},
		{"executable", with(map[string]entry{b.ReportPath(): {filemode.Executable, reportListing(t, b.Period)}}),
			map[string]string{b.ReportPath(): "可执行文件"}},
		{"deletes an approved report", with(nil, old.ReportPath()),
			map[string]string{old.ReportPath(): "删除了已审核的报告"}},
		{"deletes evidence and site.yaml", with(nil, old.EvidencePath("a.pdf"), "site.yaml"),
			map[string]string{old.EvidencePath("a.pdf"): "删除", "site.yaml": "删除"}},
		{"unlisted evidence", with(map[string]entry{b.ReportPath(): {data: reportListing(t, b.Period)}, b.EvidencePath("x.pdf"): {data: "x"}}),
			map[string]string{b.ReportPath(): "", b.EvidencePath("x.pdf"): "没有列出"}},
		{"evidence of another period", with(map[string]entry{b.ReportPath(): {data: reportListing(t, b.Period)}, old.EvidencePath("b.pdf"): {data: "x"}}),
			map[string]string{b.ReportPath(): "", old.EvidencePath("b.pdf"): "报送范围以外"}},
		{"long name", with(map[string]entry{b.ReportPath(): {data: reportListing(t, b.Period, long)}, b.EvidencePath(long): {data: "x"}}),
			map[string]string{b.ReportPath(): "", b.EvidencePath(long): "过长"}},
		{"outside", with(map[string]entry{"site.yaml": {data: "title: y\n"}}),
			map[string]string{"site.yaml": "报送范围以外"}},
		{"directory at the report path", with(map[string]entry{b.ReportPath() + "/x": {data: "x"}}),
			map[string]string{b.ReportPath() + "/x": "是目录"}},
		{"subdirectory of evidence", with(map[string]entry{b.ReportPath(): {data: reportListing(t, b.Period, "d/x")}, b.EvidencePath("d/x"): {data: "x"}}),
			map[string]string{b.ReportPath(): "", b.EvidencePath("d/x"): "子目录"}},
		{"sizes", with(map[string]entry{b.ReportPath(): {data: reportListing(t, b.Period, "a", "b", "c", "d", "e")},
			b.EvidencePath("a"): {data: strings.Repeat("x", 11)}, b.EvidencePath("b"): {data: "xxxxxxxxxx"}, b.EvidencePath("c"): {data: "xxxxxxxxxx"}, b.EvidencePath("d"): {data: "xxxxxxxxxx"}, b.EvidencePath("e"): {data: "x"}}),
			map[string]string{b.ReportPath(): "", b.EvidencePath("a"): "文件过大", b.EvidencePath("b"): "", b.EvidencePath("c"): "", b.EvidencePath("d"): "合计超过", b.EvidencePath("e"): "文件数上限"}},
		{"control characters in a name", with(map[string]entry{b.ReportPath(): {data: reportListing(t, b.Period)}, b.EvidencePath("a\x1b[2Jb\u202e.pdf"): {data: "x"}}),
			map[string]string{b.ReportPath(): "", b.EvidencePath("a\x1b[2Jb\u202e.pdf"): "不允许的字符"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bt, tt := buildTree(t, g, base), buildTree(t, g, tc.tip)
			got, err := Check(g.Storer, b, bt, tt, lim)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, c := range got {
				seen[c.Path] = true
				want, ok := tc.want[c.Path]
				switch {
				case !ok:
					t.Errorf("unexpected change %s (%s)", c.Path, c.Problem)
				case want == "" && c.Problem != "":
					t.Errorf("%s refused: %s", c.Path, c.Problem)
				case !strings.Contains(c.Problem, want):
					t.Errorf("%s: problem %q, want %q", c.Path, c.Problem, want)
				}
			}
			for p := range tc.want {
				if !seen[p] {
					t.Errorf("change %s not listed", p)
				}
			}
			err = Refusal(b, got)
			refused := false
			for _, w := range tc.want {
				refused = refused || w != ""
			}
			if refused != (err != nil) {
				t.Fatalf("Refusal = %v, want refused %v", err, refused)
			}
			if err != nil && (strings.ContainsAny(err.Error(), "\x1b\u202e") || !strings.Contains(err.Error(), "未合并")) {
				t.Errorf("Refusal message %q: raw control characters or no outcome", err)
			}
		})
	}
}

// TestCheckResubmission: the inbox adds a resubmission's files without
// removing the previous submission's; a file an earlier report on the
// branch listed is accepted with a note, one no report listed is not.
func TestCheckResubmission(t *testing.T) {
	g, _ := git.Init(memory.NewStorage(), nil)
	b := Branch{Slug: "gamma", Period: mustPeriod("2026-04")}
	base := buildTree(t, g, map[string]entry{"site.yaml": {data: "x"}})
	first := buildTree(t, g, map[string]entry{"site.yaml": {data: "x"}, b.ReportPath(): {data: reportListing(t, b.Period, "a.xlsx")}, b.EvidencePath("a.xlsx"): {data: "a"}})
	tip := buildTree(t, g, map[string]entry{"site.yaml": {data: "x"}, b.ReportPath(): {data: reportListing(t, b.Period, "b.xlsx")},
		b.EvidencePath("a.xlsx"): {data: "a"}, b.EvidencePath("b.xlsx"): {data: "b"}, b.EvidencePath("c.xlsx"): {data: "c"}})
	got, err := Check(g.Storer, b, base, tip, Limits{MaxFiles: 1}, first)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]string{ // path -> problem, note
		b.ReportPath():           {"", ""},
		b.EvidencePath("a.xlsx"): {"", "上一次报送的文件"},
		b.EvidencePath("b.xlsx"): {"", ""},
		b.EvidencePath("c.xlsx"): {"没有列出", ""},
	}
	if len(got) != len(want) {
		t.Fatalf("%d changes: %+v", len(got), got)
	}
	for _, c := range got {
		w := want[c.Path]
		if (w[0] == "") != (c.Problem == "") || !strings.Contains(c.Problem, w[0]) || (w[1] == "") != (c.Note == "") || !strings.Contains(c.Note, w[1]) {
			t.Errorf("%s: problem %q note %q, want %q %q", c.Path, c.Problem, c.Note, w[0], w[1])
		}
	}
}

// TestCheckDuplicateEntries: a tree that names an entry twice (git fsck
// duplicateEntries) is refused, whatever the entries are.
func TestCheckDuplicateEntries(t *testing.T) {
	g, _ := git.Init(memory.NewStorage(), nil)
	b := Branch{Slug: "gamma", Period: mustPeriod("2026-04")}
	base := buildTree(t, g, map[string]entry{"site.yaml": {data: "x"}})
	ok := buildTree(t, g, map[string]entry{"site.yaml": {data: "x"}, b.EvidencePath("a.pdf"): {data: "a"}})
	// Rewrite the evidence directory with a.pdf twice.
	dir, err := ok.Tree(b.EvidenceDir())
	if err != nil {
		t.Fatal(err)
	}
	dup := &object.Tree{Entries: append(append([]object.TreeEntry{}, dir.Entries...), dir.Entries...)}
	obj := g.Storer.NewEncodedObject()
	if err := dup.Encode(obj); err != nil {
		t.Fatal(err)
	}
	dh, _ := g.Storer.SetEncodedObject(obj)
	// Rebuild the parents bottom-up around the duplicate directory.
	h := dh
	parts := strings.Split(b.EvidenceDir(), "/")
	for i := len(parts) - 1; i >= 0; i-- {
		parent := strings.Join(parts[:i], "/")
		pt := ok
		if parent != "" {
			if pt, err = ok.Tree(parent); err != nil {
				t.Fatal(err)
			}
		}
		es := append([]object.TreeEntry{}, pt.Entries...)
		for j := range es {
			if es[j].Name == parts[i] {
				es[j].Hash = h
			}
		}
		obj := g.Storer.NewEncodedObject()
		if err := (&object.Tree{Entries: es}).Encode(obj); err != nil {
			t.Fatal(err)
		}
		h, _ = g.Storer.SetEncodedObject(obj)
	}
	tip, err := g.TreeObject(h)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Check(g.Storer, b, base, tip, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if Refusal(b, got) == nil || !strings.Contains(Refusal(b, got).Error(), "重复的条目") {
		t.Fatalf("duplicate entries not refused: %+v", got)
	}
}
