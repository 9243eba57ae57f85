package submission

import (
	"fmt"
	"io"
	"maps"
	"sort"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"kjjr/content"
)

// Limits are the sizes a submission may have: the inbox's limits from
// site.yaml (content.InboxPolicy). A zero field sets no limit.
type Limits struct {
	MaxReport int64 // bytes of the report; content.MaxRecordSize
	MaxFile   int64 // bytes of one evidence file; max_attachment_mib
	MaxFiles  int   // evidence files one submission adds or changes; max_attachments
	MaxTotal  int64 // bytes of those files together; max_message_mib
}

// LimitsOf returns the limits of an inbox policy as content.Load returns
// it (defaults applied).
func LimitsOf(p content.InboxPolicy) Limits {
	return Limits{
		MaxReport: content.MaxRecordSize,
		MaxFile:   int64(p.MaxAttachmentMiB) << 20,
		MaxFiles:  p.MaxAttachments,
		MaxTotal:  int64(p.MaxMessageMiB) << 20,
	}
}

// Change is one entry that a branch adds, changes or deletes relative to
// its merge base. A directory that replaced a file, or the reverse, shows
// as the file and as each file of the directory.
type Change struct {
	Path    string
	OldMode filemode.FileMode // 0: the entry is new
	Mode    filemode.FileMode // 0: the entry is deleted
	OldHash plumbing.Hash
	Hash    plumbing.Hash
	Size    int64  // bytes of the new blob; -1 when not a blob or deleted
	Problem string // why approval refuses it (Chinese); "" when it is accepted
	Note    string // what a reviewer should know of an accepted entry (Chinese)
}

// Added reports whether the entry is new on the branch.
func (c *Change) Added() bool { return c.OldMode == 0 }

// Deleted reports whether the branch deletes the entry.
func (c *Change) Deleted() bool { return c.Mode == 0 }

// ModeString returns the git mode of the entry on the branch (the deleted
// one's for a deletion) as git prints it: 100644, 120000, 160000, …
func (c *Change) ModeString() string {
	m := c.Mode
	if m == 0 {
		m = c.OldMode
	}
	return fmt.Sprintf("%06o", uint32(m))
}

// DisplayPath returns the path for a terminal: as is when it is plain
// printable text, else quoted with escapes (control and bidi characters
// never reach the screen raw).
func DisplayPath(p string) string {
	q := strconv.Quote(p)
	if q == `"`+p+`"` {
		return p
	}
	return q
}

// Check returns every entry that the branch's tree tip changes relative
// to its merge base's tree base (nil: no common history, everything is
// new), in path order, each with the reason approval would refuse it, if
// any. It returns an error only when git objects cannot be read.
//
// earlier are the trees of the branch's earlier submissions (a
// resubmission is a new commit on the same branch, and the inbox adds files
// without removing the previous submission's): an evidence file that the
// report at the tip does not list but an earlier report on the branch did
// is accepted, with a Note.
func Check(st storer.EncodedObjectStorer, b Branch, base, tip *object.Tree, lim Limits, earlier ...*object.Tree) ([]Change, error) {
	w := &walker{st: st}
	if err := w.diff(base, tip, "", ""); err != nil {
		return nil, err
	}
	listed, err := listedFiles(st, b, tip)
	if err != nil {
		return nil, err
	}
	before := map[string]bool{}
	for _, t := range earlier {
		l, err := listedFiles(st, b, t)
		if err != nil {
			return nil, err
		}
		maps.Copy(before, l)
	}
	sort.SliceStable(w.out, func(i, j int) bool { return w.out[i].Path < w.out[j].Path })
	report, evidence := b.ReportPath(), b.EvidenceDir()+"/"
	// The limits hold for each submission: a branch with earlier ones may
	// hold that many times as much.
	n := int64(1 + len(earlier))
	maxFiles, maxTotal := lim.MaxFiles*int(n), lim.MaxTotal*n
	files, total := 0, int64(0)
	for i := range w.out {
		c := &w.out[i]
		if c.Problem != "" {
			continue
		}
		c.Problem = classify(c, b, report, evidence, listed, before, lim)
		if c.Problem == "" && !c.Deleted() && c.Path != report && !listed[c.Path] {
			c.Note = "上一次报送的文件，本次报告未列出（合并后仍保留）"
		}
		if c.Problem == "" && strings.HasPrefix(c.Path, evidence) {
			files++
			total += c.Size
			switch {
			case maxFiles > 0 && files > maxFiles:
				c.Problem = fmt.Sprintf("超过一次报送的文件数上限（%d 个，site.yaml 的 inbox.max_attachments）", lim.MaxFiles)
			case maxTotal > 0 && total > maxTotal:
				c.Problem = fmt.Sprintf("证明材料合计超过一次报送的上限 %s（site.yaml 的 inbox.max_message_mib）", mib(lim.MaxTotal))
			}
		}
	}
	return w.out, nil
}

// Refusal returns nil when every change is accepted, else an error naming
// each refused entry and why.
func Refusal(b Branch, changes []Change) error {
	var lines []string
	for i := range changes {
		c := &changes[i]
		if c.Problem == "" {
			continue
		}
		lines = append(lines, fmt.Sprintf("%s（%s）：%s", DisplayPath(c.Path), c.ModeString(), c.Problem))
	}
	if len(lines) == 0 {
		return nil
	}
	if len(lines) > 20 {
		lines = append(lines[:20], fmt.Sprintf("……共 %d 处（kjjr review show %s 列出全部）", len(lines), b))
	}
	return &Error{Path: b.String(), Msg: fmt.Sprintf("%s 有 %d 处改动不能作为报送合并，未合并（main 未改动）：\n  %s\n报送只能新增或修改 %s 和报告中列出的 %s/<文件名>（普通文件）。请用 kjjr review reject 驳回，并请机构重新报送。",
		b, countProblems(changes), strings.Join(lines, "\n  "), b.ReportPath(), b.EvidenceDir())}
}

func countProblems(cs []Change) int {
	n := 0
	for i := range cs {
		if cs[i].Problem != "" {
			n++
		}
	}
	return n
}

func classify(c *Change, b Branch, report, evidence string, listed, before map[string]bool, lim Limits) string {
	inScope := c.Path == report || strings.HasPrefix(c.Path, evidence)
	if c.Deleted() {
		if parts := strings.Split(c.Path, "/"); len(parts) == 4 && parts[0] == "institutions" && parts[2] == "reports" {
			return "删除了已审核的报告：报送不能删除文件"
		}
		if inScope {
			return "删除了已有的证明材料：报送不能删除文件"
		}
		return "删除了报送范围以外的文件：报送不能删除文件"
	}
	switch {
	case strings.HasPrefix(c.Path, report+"/"):
		return "报告的位置上是目录，应为普通文件"
	case !inScope:
		return fmt.Sprintf("修改了报送范围以外的文件（报送只能改动 %s 和 %s）", report, evidence)
	}
	if p := modeProblem(c.Mode); p != "" {
		return p
	}
	if c.Path == report {
		if lim.MaxReport > 0 && c.Size > lim.MaxReport {
			return fmt.Sprintf("报告文件过大（%d 字节，上限 %d 字节）", c.Size, lim.MaxReport)
		}
		return ""
	}
	name := strings.TrimPrefix(c.Path, evidence)
	if strings.Contains(name, "/") {
		return "证明材料目录下不能有子目录，只能有文件"
	}
	if err := CheckFileName(name); err != nil {
		return err.Error()
	}
	if !listed[c.Path] && !before[c.Path] {
		return "报告中没有列出这个文件（documents 或 evidence）"
	}
	if lim.MaxFile > 0 && c.Size > lim.MaxFile {
		return fmt.Sprintf("文件过大（%s，单个文件上限 %s，site.yaml 的 inbox.max_attachment_mib）", mib(c.Size), mib(lim.MaxFile))
	}
	return ""
}

func modeProblem(m filemode.FileMode) string {
	switch m {
	case filemode.Regular:
		return ""
	case filemode.Symlink:
		return "是符号链接（120000），报送只能是普通文件：符号链接可指向仓库以外的文件"
	case filemode.Submodule:
		return "是 gitlink（160000，子模块），报送只能是普通文件"
	case filemode.Executable:
		return "是可执行文件（100755），报送只能是普通文件（100644）"
	case filemode.Dir:
		return "是目录，应为普通文件"
	}
	return fmt.Sprintf("文件模式 %06o 不是普通文件（100644）", uint32(m))
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// listedFiles returns the full paths of the files the report at the tip
// lists (documents and evidence).
func listedFiles(st storer.EncodedObjectStorer, b Branch, tip *object.Tree) (map[string]bool, error) {
	out := map[string]bool{}
	e, err := tip.FindEntry(b.ReportPath())
	if err != nil || e.Mode != filemode.Regular {
		return out, nil
	}
	obj, err := st.EncodedObject(plumbing.BlobObject, e.Hash)
	if err != nil {
		return nil, fmt.Errorf("submission: read %s: %w", b.ReportPath(), err)
	}
	if obj.Size() > content.MaxRecordSize {
		return out, nil
	}
	rd, err := obj.Reader()
	if err != nil {
		return nil, fmt.Errorf("submission: read %s: %w", b.ReportPath(), err)
	}
	defer rd.Close()
	data, err := io.ReadAll(io.LimitReader(rd, content.MaxRecordSize+1))
	if err != nil {
		return nil, fmt.Errorf("submission: read %s: %w", b.ReportPath(), err)
	}
	var rep content.Report
	_ = content.DecodeRecord(b.ReportPath(), data, &rep) // its errors are kjjr check's to report
	for _, list := range [][]content.File{rep.Documents, rep.Evidence} {
		for _, f := range list {
			out[b.InstitutionDir()+"/"+f.Path] = true
		}
	}
	return out, nil
}

// walker diffs two trees, reading only subtrees whose hashes differ.
type walker struct {
	st  storer.EncodedObjectStorer
	out []Change
}

func (w *walker) tree(h plumbing.Hash, path string) (*object.Tree, error) {
	t, err := object.GetTree(w.st, h)
	if err != nil {
		return nil, fmt.Errorf("submission: tree %s: %w", path, err)
	}
	return t, nil
}

// diff appends the changes from tree a to tree b (either nil: empty) under
// prefix. bad, when set, is a problem of a directory above that every
// change below inherits.
func (w *walker) diff(a, b *object.Tree, prefix, bad string) error {
	var ae, be []object.TreeEntry
	if a != nil {
		ae = a.Entries
	}
	if b != nil {
		be = b.Entries
		if p := treeProblem(be); p != "" && bad == "" {
			dir := strings.TrimSuffix(prefix, "/")
			if dir == "" {
				dir = "."
			}
			w.out = append(w.out, Change{Path: dir, OldMode: filemode.Dir, Mode: filemode.Dir, Hash: b.Hash, Size: -1, Problem: p})
		}
	}
	inA := make(map[string]*object.TreeEntry, len(ae))
	for i := range ae {
		inA[ae[i].Name] = &ae[i]
	}
	inB := make(map[string]bool, len(be))
	for i := range be {
		f := &be[i]
		if inB[f.Name] {
			continue // a duplicate: reported by treeProblem
		}
		inB[f.Name] = true
		e := inA[f.Name]
		if e != nil && e.Hash == f.Hash && e.Mode == f.Mode {
			continue
		}
		fbad := bad
		if fbad == "" {
			if err := CheckFileName(f.Name); err != nil {
				fbad = "路径中的" + err.Error()
			}
		}
		switch {
		case e != nil && e.Mode == filemode.Dir && f.Mode == filemode.Dir:
			at, err := w.tree(e.Hash, prefix+e.Name)
			if err != nil {
				return err
			}
			bt, err := w.tree(f.Hash, prefix+f.Name)
			if err != nil {
				return err
			}
			if err := w.diff(at, bt, prefix+f.Name+"/", fbad); err != nil {
				return err
			}
		default:
			if e != nil {
				if err := w.side(e, prefix, true, ""); err != nil {
					return err
				}
			}
			if err := w.side(f, prefix, false, fbad); err != nil {
				return err
			}
		}
	}
	for i := range ae {
		if e := &ae[i]; !inB[e.Name] {
			if err := w.side(e, prefix, true, ""); err != nil {
				return err
			}
		}
	}
	return nil
}

// side appends entry e (a file, or a directory and everything below it) as
// deleted or added.
func (w *walker) side(e *object.TreeEntry, prefix string, deleted bool, bad string) error {
	p := prefix + e.Name
	if e.Mode == filemode.Dir {
		t, err := w.tree(e.Hash, p)
		if err != nil {
			return err
		}
		if deleted {
			return w.diff(t, nil, p+"/", bad)
		}
		return w.diff(nil, t, p+"/", bad)
	}
	c := Change{Path: p, Size: -1, Problem: bad}
	if deleted {
		c.OldMode, c.OldHash = e.Mode, e.Hash
		w.out = append(w.out, c)
		return nil
	}
	c.Mode, c.Hash = e.Mode, e.Hash
	if e.Mode.IsFile() {
		obj, err := w.st.EncodedObject(plumbing.BlobObject, e.Hash)
		if err != nil {
			if c.Problem == "" {
				c.Problem = "分支上缺少这个文件的内容（git 对象 " + e.Hash.String() + "）"
			}
		} else {
			c.Size = obj.Size()
		}
	}
	// A changed file is its deletion, appended just before, and its addition.
	if n := len(w.out); n > 0 {
		if o := &w.out[n-1]; o.Path == p && o.Mode == 0 {
			o.Mode, o.Hash, o.Size = c.Mode, c.Hash, c.Size
			if o.Problem == "" {
				o.Problem = c.Problem
			}
			return nil
		}
	}
	w.out = append(w.out, c)
	return nil
}

// treeProblem checks what `git fsck --strict` checks of a tree's entries:
// no name twice, and git's order.
func treeProblem(es []object.TreeEntry) string {
	seen := make(map[string]bool, len(es))
	for _, e := range es {
		if seen[e.Name] {
			return fmt.Sprintf("目录中有重复的条目 %s（git fsck 会报错）", DisplayPath(e.Name))
		}
		seen[e.Name] = true
	}
	if !sort.IsSorted(object.TreeEntrySorter(es)) {
		return "目录条目的顺序不符合 git 的规定（git fsck 会报错）"
	}
	return ""
}
