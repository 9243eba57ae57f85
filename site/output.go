package site

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"kjjr/internal/atomicfile"
	"kjjr/internal/readall"
)

// ManifestName is the file Build keeps in the output directory: one line
// per output file (its render group, size and a hash of its bytes), per
// render group (a hash of the public data it was rendered from, and one of
// the stamps of the content files it was rendered from), per directory
// (its modification and change times, so that a later build sees files
// deleted or added behind its back without listing the whole tree) and
// the date the site was built as of, and for a build from git (BuildRef)
// the hash of the tree it was built from. It holds no content and nothing
// private. Exclude it from a deploy if you like (rsync --exclude
// .kjjr-manifest); Build needs it only to skip work.
const ManifestName = ".kjjr-manifest"

// manifestHeader is the first line of a manifest of this version: file
// lines grouped by render group. The manifest is a cache: a build that
// finds any other first line (an older version, or a build stopped half
// way, see dirtyHeader) ignores it and renders everything.
const manifestHeader = "kjjr-manifest 3"

type fileEntry struct {
	Group string
	Size  int64
	Sum   [16]byte
}

// manifest is what a build produced: files and render-group keys.
type manifest struct {
	Files  map[string]fileEntry // by slash path relative to the output dir
	Groups map[string][16]byte  // render group -> hash of the view it was rendered from
	// Inputs: render group -> hash of the stamps of the content files it
	// was rendered from (see inputs), for the groups whose files all had
	// trusted stamps.
	Inputs map[string][16]byte
	// Dirs: every directory holding the files (and the root, "."), with
	// its stamp after the build.
	Dirs    map[string]dirStamp
	Now     string              // the date the site was built as of
	Tree    string              // the git tree the site was built from (BuildRef), or ""
	byGroup map[string][]string // files of each group; nil until needed
	// raw holds, for a manifest read from disk, the file lines of the
	// render groups not parsed yet: a build that keeps a group as it was
	// copies its lines to the next manifest without ever parsing them
	// (at 5000 institutions, parsing and writing 125k lines is most of
	// a build after one report changed).
	raw map[string]rawGroup
}

// rawGroup is the unparsed file lines of one render group.
type rawGroup struct {
	text         string // "F group size sum path\n" lines
	files, pages int
}

func newManifest() *manifest {
	return &manifest{Files: map[string]fileEntry{}, Groups: map[string][16]byte{}, Inputs: map[string][16]byte{},
		Dirs: map[string]dirStamp{}, byGroup: map[string][]string{}, raw: map[string]rawGroup{}}
}

// parse moves the file lines of group from raw into Files and byGroup.
func (m *manifest) parse(group string) {
	rg, ok := m.raw[group]
	if !ok {
		return
	}
	delete(m.raw, group)
	for rest := rg.text; rest != ""; {
		var line string
		line, rest, _ = strings.Cut(rest, "\n")
		if p, e, ok := parseFileLine(line); ok {
			m.Files[p] = e
			if m.byGroup != nil {
				m.byGroup[e.Group] = append(m.byGroup[e.Group], p)
			}
		}
	}
}

// parseAll parses every raw group.
func (m *manifest) parseAll() {
	for g := range m.raw {
		m.parse(g)
	}
}

// counts returns the number of files and of HTML pages in m.
func (m *manifest) counts() (files, pages int) {
	for p := range m.Files {
		if strings.HasSuffix(p, ".html") {
			pages++
		}
	}
	files = len(m.Files)
	for _, rg := range m.raw {
		files += rg.files
		pages += rg.pages
	}
	return files, pages
}

// parseFileLine parses "F group size sum path".
func parseFileLine(line string) (string, fileEntry, bool) {
	var e fileEntry
	if !strings.HasPrefix(line, "F ") {
		return "", e, false
	}
	g, line, ok1 := strings.Cut(line[2:], " ")
	sz, line, ok2 := strings.Cut(line, " ")
	h, p, ok3 := strings.Cut(line, " ")
	if !ok1 || !ok2 || !ok3 || len(h) != 2*len(e.Sum) {
		return "", e, false
	}
	size, err := strconv.ParseInt(sz, 10, 64)
	if err != nil {
		return "", e, false
	}
	if _, err := hex.Decode(e.Sum[:], []byte(h)); err != nil {
		return "", e, false
	}
	e.Group, e.Size = g, size
	return p, e, true
}

// addGroup records that files (kept as they were) belong to group.
func (m *manifest) addGroup(group string, files []string) {
	m.byGroup[group] = append(m.byGroup[group][:0:0], files...)
}

func readManifest(dir string) (*manifest, error) {
	// One string for the whole file: every path and group below is a
	// substring of it, not an allocation of its own.
	all, err := readall.String(filepath.Join(dir, ManifestName))
	if err != nil {
		return nil, err
	}
	head, rest, _ := strings.Cut(all, "\n")
	if head != manifestHeader {
		return newManifest(), nil // another version or a build stopped half way: start over
	}
	m := newManifest()
	m.byGroup = nil // computed from Files when needed
	// File lines come grouped by render group; each group's lines stay
	// one unparsed substring until needed (see manifest.raw).
	var cur string // group of the block being read
	var blk rawGroup
	split := false // a group's file lines are not all together
	start := -1
	pos := len(all) - len(rest)
	flush := func(end int) {
		if start >= 0 {
			if _, dup := m.raw[cur]; dup {
				split = true
			}
			blk.text = all[start:end]
			m.raw[cur] = blk
		}
		start, blk = -1, rawGroup{}
	}
	for rest != "" {
		var line string
		line, rest, _ = strings.Cut(rest, "\n")
		lineStart := pos
		pos = len(all) - len(rest)
		if len(line) < 2 || line[1] != ' ' {
			continue
		}
		tag, body := line[0], line[2:]
		if tag == 'F' {
			g, _, _ := strings.Cut(body, " ")
			if start < 0 || g != cur {
				flush(lineStart)
				cur, start = g, lineStart
			}
			blk.files++
			if strings.HasSuffix(body, ".html") {
				blk.pages++
			}
			continue
		}
		flush(lineStart)
		switch tag {
		case 'N':
			m.Now = body
		case 'T':
			m.Tree = body
		case 'G', 'S':
			g, h, ok := strings.Cut(body, " ")
			var k [16]byte
			if !ok || len(h) != 2*len(k) {
				continue
			}
			if _, err := hex.Decode(k[:], []byte(h)); err == nil {
				if tag == 'G' {
					m.Groups[g] = k
				} else {
					m.Inputs[g] = k
				}
			}
		case 'D':
			h, d, ok := strings.Cut(body, " ")
			var st dirStamp
			if !ok || len(h) != 2*len(st) {
				continue
			}
			if _, err := hex.Decode(st[:], []byte(h)); err == nil {
				m.Dirs[d] = st
			}
		}
	}
	flush(len(all))
	if split {
		return newManifest(), nil // not written by Build: start over
	}
	return m, nil
}

func (m *manifest) write(dir string) error {
	var b bytes.Buffer
	size := len(m.Groups)*64 + len(m.Inputs)*64 + len(m.Dirs)*96 + len(m.Files)*96 + 64
	for _, rg := range m.raw {
		size += len(rg.text) + 1
	}
	b.Grow(size) // one growth of a 10 MB buffer instead of many
	hexOf := func(x []byte) {
		var h [2 * len(dirStamp{})]byte
		b.Write(h[:hex.Encode(h[:], x)])
	}
	b.WriteString(dirtyHeader + "\n") // until the whole file is written, below
	if m.Now != "" {
		b.WriteString("N " + m.Now + "\n")
	}
	if m.Tree != "" {
		b.WriteString("T " + m.Tree + "\n")
	}
	for _, keys := range []struct {
		tag string
		m   map[string][16]byte
	}{{"G ", m.Groups}, {"S ", m.Inputs}} {
		for _, g := range slices.Sorted(maps.Keys(keys.m)) {
			k := keys.m[g]
			b.WriteString(keys.tag + g + " ")
			hexOf(k[:])
			b.WriteByte('\n')
		}
	}
	// Paths go last on their lines: they may hold spaces.
	for _, d := range slices.Sorted(maps.Keys(m.Dirs)) {
		st := m.Dirs[d]
		b.WriteString("D ")
		hexOf(st[:])
		b.WriteString(" " + d + "\n")
	}
	// File lines by render group, each group's sorted by path; a group
	// kept raw is copied as it was read.
	byGroup := m.groupFiles()
	groups := slices.Collect(maps.Keys(byGroup))
	for g := range m.raw {
		if _, dup := byGroup[g]; !dup {
			groups = append(groups, g)
		}
	}
	slices.Sort(groups)
	for _, g := range groups {
		if rg, ok := m.raw[g]; ok {
			b.WriteString(rg.text)
			if !strings.HasSuffix(rg.text, "\n") {
				b.WriteByte('\n')
			}
		}
		paths := byGroup[g]
		slices.Sort(paths)
		for _, p := range paths {
			e := m.Files[p]
			var num [20]byte
			b.WriteString("F ")
			b.WriteString(e.Group)
			b.WriteByte(' ')
			b.Write(strconv.AppendInt(num[:0], e.Size, 10))
			b.WriteByte(' ')
			hexOf(e.Sum[:])
			b.WriteByte(' ')
			b.WriteString(p)
			b.WriteByte('\n')
		}
	}
	return writeInPlace(filepath.Join(dir, ManifestName), b.Bytes())
}

// writeInPlace writes the manifest data (which starts with dirtyHeader)
// into the file p, then puts the real header in. It rewrites the file in
// place rather than renaming a new one over it, so that the output
// directory's own stamp (taken before, see stampDirs) stays as it is; a
// build killed meanwhile leaves the dirty header, which the next build
// does not trust.
func writeInPlace(p string, data []byte) error {
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	_, err = f.WriteAt(data, 0)
	if err == nil {
		err = f.Truncate(int64(len(data)))
	}
	if err == nil {
		_, err = f.WriteAt([]byte(manifestHeader), 0)
	}
	if err2 := f.Close(); err == nil {
		err = err2
	}
	return err
}

// groupFiles lists the files of each group.
func (m *manifest) groupFiles() map[string][]string {
	out := map[string][]string{}
	for p, e := range m.Files {
		out[e.Group] = append(out[e.Group], p)
	}
	return out
}

// output writes a build's files into dir: only those whose bytes differ
// from what is there, and it remembers what belongs so that finish can
// remove the rest. Safe for concurrent use by the render workers.
//
// What is on disk at the start is known in one of three ways: the dev
// server's previous build in this process (trusted as is); the manifest
// checked against the directory stamps it recorded (only directories whose
// stamp changed are listed again); or, without a usable manifest, a walk
// of the whole directory.
type output struct {
	dir   string
	old   *manifest
	oldBy map[string][]string // old group -> files
	// exists: files on disk at the start (slash paths), when the
	// directory was walked; nil otherwise.
	exists map[string]bool
	// With a checked manifest: manifest files found missing, and files on
	// disk that the manifest does not list.
	missing, strays map[string]bool
	// lazy: the directory is as the old manifest says (checked, nothing
	// missing or stray), so old groups are parsed only when rendered
	// again or gone, and kept ones are copied unparsed (manifest.raw).
	// The old manifest's maps are then guarded by mu.
	lazy bool

	mu   sync.Mutex
	cur  *manifest
	dirs sync.Map

	written, rendered atomic.Int64
	noFile            bool // do not write the manifest file
	dirty             sync.Once
	// trust: the directory is written by these builds only (see
	// Options.TrustOutput): its manifest is taken as it is, and only the
	// directories this build changed (touched) are stamped again.
	trust   bool
	touched sync.Map // slash dir -> true
}

// touch records that the directory of rel and its parents changed.
func (o *output) touch(rel string) {
	for d := path.Dir(rel); ; d = path.Dir(d) {
		if _, dup := o.touched.LoadOrStore(d, true); dup || d == "." || d == "/" {
			return
		}
	}
}

// dirtyHeader replaces the manifest's header while a build changes the
// directory: a build that stops half way (an error, a crash, power loss)
// leaves a manifest the next build does not trust, so that it compares
// every file with what it renders instead of with the manifest.
const dirtyHeader = "kjjr-manifest 0"

// markDirty marks the manifest on disk as not matching the files, once,
// before the build's first change to the directory.
func (o *output) markDirty() {
	if o.noFile {
		return
	}
	o.dirty.Do(func() {
		// Without a manifest, a dirty one is made now rather than at the
		// end, so that the output directory's stamp taken at the end
		// (stampDirs) does not change when the manifest is written.
		f, err := os.OpenFile(filepath.Join(o.dir, ManifestName), os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return
		}
		defer f.Close()
		head := make([]byte, len(manifestHeader)+1)
		if _, err := io.ReadFull(f, head); err == nil && len(dirtyHeader) == len(manifestHeader) {
			_, _ = f.WriteAt([]byte(dirtyHeader+"\n"), 0)
		} else {
			_ = f.Truncate(0)
		}
	})
}

// ErrNotSiteDir is returned (wrapped) when the output directory holds files but no
// manifest: Build will not delete files it did not write.
var ErrNotSiteDir = errors.New("output directory is not empty and was not written by kjjr")

// openOutput prepares dir. prev, when not nil, is the state of the previous
// build into the same dir in this process (the dev server): the directory
// is then not looked at again.
func openOutput(dir string, prev *manifest, trust bool) (*output, error) {
	o := &output{dir: dir, cur: newManifest()}
	if prev != nil {
		o.old = prev // the files on disk are the previous build's
		o.old.parseAll()
	} else {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("create output directory: %w", err)
		}
		m, err := readManifest(dir)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("read %s: %w", ManifestName, err)
		}
		if trust && m != nil && len(m.Dirs) > 0 {
			o.trust = true // the files are those the manifest lists
		} else if m == nil || len(m.Dirs) == 0 || !o.check(m) {
			if err := o.walk(); err != nil {
				return nil, err
			}
		}
		if m == nil {
			if len(o.exists) > 0 {
				return nil, fmt.Errorf("%s: %w", dir, ErrNotSiteDir)
			}
			m = newManifest()
		}
		o.old = m
		o.lazy = o.exists == nil && len(o.missing) == 0 && len(o.strays) == 0
		if !o.lazy {
			o.old.parseAll()
		}
	}
	if o.old.byGroup == nil {
		o.old.byGroup = o.old.groupFiles()
	}
	o.cur.Files = make(map[string]fileEntry, len(o.old.Files))
	o.oldBy = o.old.byGroup
	return o, nil
}

// walk lists every file under the output directory into o.exists.
func (o *output) walk() error {
	o.exists = map[string]bool{}
	o.missing, o.strays = nil, nil
	err := filepath.WalkDir(o.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(o.dir, p)
		rel = filepath.ToSlash(rel)
		if rel != ManifestName {
			o.exists[rel] = true
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("list output directory: %w", err)
	}
	return nil
}

// check compares the directories m recorded with the disk: a directory
// whose stamp is unchanged has had no entry added, removed or renamed
// since m was written, so its files are those m lists; the others are
// listed again. It fills o.missing and o.strays and reports false when it
// cannot tell (the caller then walks the whole directory).
func (o *output) check(m *manifest) bool {
	o.missing, o.strays = map[string]bool{}, map[string]bool{}
	var inDir map[string][]string // dir -> base names of m's files in it; built when first needed
	filesIn := func(d string) []string {
		if inDir == nil {
			inDir = make(map[string][]string, len(m.Dirs))
			for p := range m.Files {
				dd, base := path.Split(p)
				dd = strings.TrimSuffix(dd, "/")
				if dd == "" {
					dd = "."
				}
				inDir[dd] = append(inDir[dd], base)
			}
		}
		return inDir[d]
	}
	join := func(d, name string) string {
		if d == "." {
			return name
		}
		return d + "/" + name
	}
	if _, ok := m.Dirs["."]; !ok {
		return false
	}
	// The stamps are taken in parallel (thousands of lstat calls are most
	// of a small build's time); only the directories that differ are
	// looked at below.
	var changed []string
	var cmu sync.Mutex
	var wg sync.WaitGroup
	dirs := make(chan string, 256)
	for range max(2, runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			var mine []string
			for d := range dirs {
				if st, err := statDir(filepath.Join(o.dir, filepath.FromSlash(d))); err != nil || st != m.Dirs[d] {
					mine = append(mine, d)
				}
			}
			cmu.Lock()
			changed = append(changed, mine...)
			cmu.Unlock()
		})
	}
	for d := range m.Dirs {
		dirs <- d
	}
	close(dirs)
	wg.Wait()
	for _, d := range changed {
		full := filepath.Join(o.dir, filepath.FromSlash(d))
		_, err := statDir(full)
		o.touched.Store(d, true) // its stamp is to be taken again
		m.parseAll()             // what the manifest lists is needed to compare
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
				return false
			}
			for _, name := range filesIn(d) {
				o.missing[join(d, name)] = true
			}
			continue
		}
		ents, err := os.ReadDir(full)
		if err != nil {
			return false
		}
		present := make(map[string]bool, len(ents))
		for _, e := range ents {
			rel := join(d, e.Name())
			present[e.Name()] = true
			switch {
			case e.IsDir():
				if _, known := m.Dirs[rel]; !known {
					// A directory made behind the build's back: all of it is foreign.
					err := filepath.WalkDir(filepath.Join(full, e.Name()), func(p string, de fs.DirEntry, err error) error {
						if err != nil {
							return err
						}
						if !de.IsDir() {
							r, _ := filepath.Rel(o.dir, p)
							o.strays[filepath.ToSlash(r)] = true
						}
						return nil
					})
					if err != nil {
						return false
					}
				}
			case rel == ManifestName:
			default:
				if _, known := m.Files[rel]; !known {
					o.strays[rel] = true
				}
			}
		}
		for _, name := range filesIn(d) {
			if !present[name] {
				o.missing[join(d, name)] = true
			}
		}
	}
	return true
}

// has reports whether rel was on disk when the build started.
func (o *output) has(rel string) bool {
	switch {
	case o.exists != nil:
		return o.exists[rel]
	case o.missing != nil:
		if _, ok := o.old.Files[rel]; ok {
			return !o.missing[rel]
		}
		return o.strays[rel]
	}
	_, ok := o.old.Files[rel]
	return ok
}

// keep reuses the files of group as they are when the group's key is the
// one they were rendered from and all of them are still on disk. It
// reports whether it did; if not, the caller renders the group.
func (o *output) keep(group string, key [16]byte) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if k, ok := o.old.Groups[group]; !ok || k != key {
		return false
	}
	if !o.keepFiles(group) {
		return false
	}
	o.cur.Groups[group] = key
	return true
}

// keepAll reuses the files of group as they are, without a key check
// (the caller knows the group cannot have changed). It reports false when
// a file of the group is missing.
func (o *output) keepAll(group string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.keepFiles(group)
}

// keepFiles moves the old files of group into the new manifest if they
// are all on disk. Caller holds mu.
func (o *output) keepFiles(group string) bool {
	if rg, ok := o.old.raw[group]; ok && rg.files > 0 {
		o.cur.raw[group] = rg // lazy: on disk as the old manifest says
		return true
	}
	files := o.oldBy[group]
	if len(files) == 0 {
		return false
	}
	for _, p := range files {
		if !o.has(p) {
			return false
		}
	}
	for _, p := range files {
		o.cur.Files[p] = o.old.Files[p]
	}
	o.cur.addGroup(group, files)
	return true
}

// keepExcept keeps every group of the old manifest that is not in render
// as it is, with its keys (a delta build, which renders only the groups
// in render). It reports false when a file of a kept group is missing:
// the caller then drops this output (nothing was written) and renders
// everything. The
// site-wide input key is dropped: the next build that uses input keys
// renders the site-wide pages again.
func (o *output) keepExcept(render map[string]bool) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	kept := func(g string) bool { _, ok := o.oldBy[g]; return ok && !render[g] }
	if o.lazy {
		// On disk as the old manifest says: every group moves over unparsed.
		o.cur.raw = maps.Clone(o.old.raw)
		for g := range render {
			delete(o.cur.raw, g)
		}
		kept = func(g string) bool { _, ok := o.cur.raw[g]; return ok }
	} else {
		for g := range o.oldBy {
			if !render[g] && !o.keepFiles(g) {
				return false
			}
		}
	}
	o.cur.Groups = make(map[string][16]byte, len(o.old.Groups))
	for g, k := range o.old.Groups {
		if kept(g) {
			o.cur.Groups[g] = k
		}
	}
	o.cur.Inputs = make(map[string][16]byte, len(o.old.Inputs))
	for g, k := range o.old.Inputs {
		if kept(g) {
			o.cur.Inputs[g] = k
		}
	}
	return true
}

// setInput records the input key (see inputs) a group was rendered from.
func (o *output) setInput(group string, key [16]byte) {
	o.mu.Lock()
	o.cur.Inputs[group] = key
	o.mu.Unlock()
}

// setKey records the key a group was rendered from.
func (o *output) setKey(group string, key [16]byte) {
	o.mu.Lock()
	o.cur.Groups[group] = key
	o.mu.Unlock()
}

// emit stores one file of the build. data may be reused by the caller
// after emit returns.
func (o *output) emit(group, rel string, data []byte) error {
	o.rendered.Add(1)
	full := sha256.Sum256(data)
	e := fileEntry{Group: group, Size: int64(len(data))}
	copy(e.Sum[:], full[:16])
	o.mu.Lock()
	if _, dup := o.cur.Files[rel]; dup {
		o.mu.Unlock()
		return fmt.Errorf("two pages want the same file %s", rel)
	}
	o.cur.Files[rel] = e
	o.cur.byGroup[group] = append(o.cur.byGroup[group], rel)
	if o.lazy {
		o.old.parse(group) // what this group was, to compare with
	}
	onDisk := o.has(rel)
	old, inOld := o.old.Files[rel]
	o.mu.Unlock()

	if onDisk {
		if inOld {
			if old.Size == e.Size && old.Sum == e.Sum {
				return nil
			}
		} else if sameFile(filepath.Join(o.dir, filepath.FromSlash(rel)), data) {
			return nil
		}
		o.written.Add(1)
		o.markDirty()
		o.touch(rel)
		return writeAtomic(filepath.Join(o.dir, filepath.FromSlash(rel)), data)
	}
	o.written.Add(1)
	o.markDirty()
	o.touch(rel)
	p := filepath.Join(o.dir, filepath.FromSlash(rel))
	if err := o.mkdir(path.Dir(rel)); err != nil {
		return err
	}
	if err := createFile(p, data); err != nil {
		if errors.Is(err, fs.ErrExist) {
			// Never write into a file that is there: it may be a hard
			// link shared with a live release (package publish).
			return writeAtomic(p, data)
		}
		return fmt.Errorf("write %s: %w", rel, err)
	}
	return nil
}

func (o *output) mkdir(rel string) error {
	if rel == "." || rel == "" {
		return nil
	}
	if _, ok := o.dirs.Load(rel); ok {
		return nil
	}
	if err := os.MkdirAll(filepath.Join(o.dir, filepath.FromSlash(rel)), 0o755); err != nil {
		return fmt.Errorf("create directory: %w", err)
	}
	o.dirs.Store(rel, true)
	return nil
}

func sameFile(p string, data []byte) bool {
	fi, err := os.Stat(p)
	if err != nil || fi.Size() != int64(len(data)) || !fi.Mode().IsRegular() {
		return false
	}
	b, err := os.ReadFile(p)
	return err == nil && bytes.Equal(b, data)
}

// finish removes files that no longer belong (and directories left empty)
// and writes the manifest. It returns the number of files removed.
func (o *output) finish() (int, error) {
	if o.lazy {
		// Groups neither kept nor rendered again are gone: their files are stale.
		for g := range o.old.raw {
			if _, kept := o.cur.raw[g]; !kept {
				o.old.parse(g)
			}
		}
	}
	var stale []string
	notCur := func(p string) {
		if _, ok := o.cur.Files[p]; !ok {
			stale = append(stale, p)
		}
	}
	switch {
	case o.exists != nil:
		for p := range o.exists {
			notCur(p)
		}
	default:
		for p := range o.old.Files {
			if !o.missing[p] {
				notCur(p)
			}
		}
		for p := range o.strays {
			notCur(p)
		}
	}
	sort.Strings(stale)
	if len(stale) > 0 {
		o.markDirty()
	}
	dirs := map[string]bool{}
	for _, p := range stale {
		o.touch(p)
		if err := os.Remove(filepath.Join(o.dir, filepath.FromSlash(p))); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return 0, fmt.Errorf("remove stale file: %w", err)
		}
		for d := path.Dir(p); d != "." && d != "/"; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	ds := make([]string, 0, len(dirs))
	for d := range dirs {
		ds = append(ds, d)
	}
	sort.Slice(ds, func(i, j int) bool { return len(ds[i]) > len(ds[j]) })
	for _, d := range ds {
		_ = os.Remove(filepath.Join(o.dir, filepath.FromSlash(d))) // fails when not empty: fine
		o.dirs.Delete(d)
	}
	if o.noFile {
		return len(stale), nil
	}
	o.stampDirs()
	if err := o.cur.write(o.dir); err != nil {
		return len(stale), fmt.Errorf("write %s: %w", ManifestName, err)
	}
	return len(stale), nil
}

// stampDirs records the stamp of every directory of the new manifest's
// files, taken after every write and removal of this build. Without a
// stamp for a directory, the next build lists the whole tree.
//
// When the directory was found as the old manifest says (trusted, or
// checked with nothing missing or stray: lazy), only the directories this
// build changed, or whose stamp check found changed, are stamped again:
// the others still have the stamps the old manifest recorded.
func (o *output) stampDirs() {
	if o.trust || o.lazy {
		o.cur.Dirs = o.old.Dirs
		o.touched.Range(func(k, _ any) bool {
			d := k.(string)
			if st, err := statDir(filepath.Join(o.dir, filepath.FromSlash(d))); err == nil {
				o.cur.Dirs[d] = st
			} else {
				delete(o.cur.Dirs, d)
			}
			return true
		})
		return
	}
	seen := map[string]bool{".": true}
	for p := range o.cur.Files {
		for d := path.Dir(p); d != "." && !seen[d]; d = path.Dir(d) {
			seen[d] = true
		}
	}
	o.cur.Dirs = make(map[string]dirStamp, len(seen))
	if len(o.cur.raw) > 0 {
		// The directories of groups kept unparsed are among the old ones
		// (those that still exist).
		for d := range o.old.Dirs {
			if seen[d] {
				continue
			}
			if st, err := statDir(filepath.Join(o.dir, filepath.FromSlash(d))); err == nil {
				o.cur.Dirs[d] = st
			}
		}
	}
	for d := range seen {
		st, err := statDir(filepath.Join(o.dir, filepath.FromSlash(d)))
		if err != nil {
			o.cur.Dirs = map[string]dirStamp{}
			return
		}
		o.cur.Dirs[d] = st
	}
}

// writeAtomic replaces p by data through a temporary file in the same
// directory, so that a reader (a web server) never sees half a file.
func writeAtomic(p string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return atomicfile.WriteFileNoSync(p, data, 0o644) // output is rebuilt from content: no fsync
}
