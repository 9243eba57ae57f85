package site

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// ManifestName is the file Build keeps in the output directory: one line
// per output file (its render group, size and a hash of its bytes) and one
// per render group (a hash of the public data it was rendered from). It
// holds no content and nothing private. Exclude it from a deploy if you
// like (rsync --exclude .kjjr-manifest); Build needs it only to skip work.
const ManifestName = ".kjjr-manifest"

const manifestHeader = "kjjr-manifest 1"

type fileEntry struct {
	Group string
	Size  int64
	Sum   [16]byte
}

// manifest is what a build produced: files and render-group keys.
type manifest struct {
	Files   map[string]fileEntry // by slash path relative to the output dir
	Groups  map[string][16]byte
	byGroup map[string][]string // files of each group; nil until needed
}

func newManifest() *manifest {
	return &manifest{Files: map[string]fileEntry{}, Groups: map[string][16]byte{}, byGroup: map[string][]string{}}
}

// addGroup records that files (kept as they were) belong to group.
func (m *manifest) addGroup(group string, files []string) {
	m.byGroup[group] = append(m.byGroup[group][:0:0], files...)
}

func readManifest(dir string) (*manifest, error) {
	m := newManifest()
	m.byGroup = nil // computed from Files when needed
	f, err := os.Open(filepath.Join(dir, ManifestName))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	if !sc.Scan() || sc.Text() != manifestHeader {
		return newManifest(), nil // unknown version: start over
	}
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "G "):
			parts := strings.SplitN(line[2:], " ", 2)
			if len(parts) != 2 {
				continue
			}
			var k [16]byte
			if b, err := hex.DecodeString(parts[1]); err == nil && len(b) == 16 {
				copy(k[:], b)
				m.Groups[parts[0]] = k
			}
		case strings.HasPrefix(line, "F "):
			parts := strings.SplitN(line[2:], " ", 4)
			if len(parts) != 4 {
				continue
			}
			size, err := strconv.ParseInt(parts[1], 10, 64)
			b, err2 := hex.DecodeString(parts[2])
			if err != nil || err2 != nil || len(b) != 16 {
				continue
			}
			e := fileEntry{Group: parts[0], Size: size}
			copy(e.Sum[:], b)
			m.Files[parts[3]] = e
		}
	}
	return m, sc.Err()
}

func (m *manifest) write(dir string) error {
	var b bytes.Buffer
	b.Grow(len(m.Groups)*64 + len(m.Files)*96 + 64) // one growth of a 10 MB buffer instead of many
	b.WriteString(manifestHeader + "\n")
	groups := make([]string, 0, len(m.Groups))
	for g := range m.Groups {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	for _, g := range groups {
		k := m.Groups[g]
		fmt.Fprintf(&b, "G %s %s\n", g, hex.EncodeToString(k[:]))
	}
	paths := make([]string, 0, len(m.Files))
	for p := range m.Files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		e := m.Files[p]
		var sum [32]byte
		hex.Encode(sum[:], e.Sum[:])
		b.WriteString("F ")
		b.WriteString(e.Group)
		b.WriteByte(' ')
		b.Write(strconv.AppendInt(sum[:0:0], e.Size, 10))
		b.WriteByte(' ')
		b.Write(sum[:])
		b.WriteByte(' ')
		b.WriteString(p)
		b.WriteByte('\n')
	}
	return writeAtomic(filepath.Join(dir, ManifestName), b.Bytes())
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
type output struct {
	dir    string
	old    *manifest
	oldBy  map[string][]string // old group -> files
	exists map[string]bool     // files on disk at the start (slash paths); nil: old.Files

	mu   sync.Mutex
	cur  *manifest
	dirs sync.Map

	written, rendered, kept atomic.Int64
	noFile                  bool // do not write the manifest file
}

// ErrNotSiteDir is returned (wrapped) when the output directory holds files but no
// manifest: Build will not delete files it did not write.
var ErrNotSiteDir = errors.New("output directory is not empty and was not written by kjjr")

// openOutput prepares dir. prev, when not nil, is the state of the previous
// build into the same dir in this process (the dev server): the directory
// is then not walked again.
func openOutput(dir string, prev *manifest) (*output, error) {
	o := &output{dir: dir, cur: newManifest()}
	if prev != nil {
		o.old = prev // the files on disk are the previous build's
	} else {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("create output directory: %w", err)
		}
		m, err := readManifest(dir)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("read %s: %w", ManifestName, err)
		}
		if m != nil {
			o.exists = make(map[string]bool, len(m.Files))
		} else {
			o.exists = map[string]bool{}
		}
		err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				return nil
			}
			rel, _ := filepath.Rel(dir, p)
			rel = filepath.ToSlash(rel)
			if rel != ManifestName {
				o.exists[rel] = true
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("list output directory: %w", err)
		}
		if m == nil {
			if len(o.exists) > 0 {
				return nil, fmt.Errorf("%s: %w", dir, ErrNotSiteDir)
			}
			m = newManifest()
		}
		o.old = m
	}
	if o.old.byGroup == nil {
		o.old.byGroup = o.old.groupFiles()
	}
	o.cur.Files = make(map[string]fileEntry, len(o.old.Files))
	o.oldBy = o.old.byGroup
	return o, nil
}

// has reports whether rel was on disk when the build started.
func (o *output) has(rel string) bool {
	if o.exists == nil {
		_, ok := o.old.Files[rel]
		return ok
	}
	return o.exists[rel]
}

// keep reuses the files of group as they are when the group's key is the
// one they were rendered from and all of them are still on disk. It
// reports whether it did; if not, the caller renders the group.
func (o *output) keep(group string, key [16]byte) bool {
	if k, ok := o.old.Groups[group]; !ok || k != key {
		return false
	}
	files := o.oldBy[group]
	for _, p := range files {
		if !o.has(p) {
			return false
		}
	}
	o.mu.Lock()
	for _, p := range files {
		o.cur.Files[p] = o.old.Files[p]
	}
	o.cur.Groups[group] = key
	o.cur.addGroup(group, files)
	o.mu.Unlock()
	o.kept.Add(int64(len(files)))
	return true
}

// keepAll reuses the files of group as they are, without a key check
// (the caller knows the group cannot have changed). It reports false when
// a file of the group is missing.
func (o *output) keepAll(group string) bool {
	files := o.oldBy[group]
	if len(files) == 0 {
		return false
	}
	for _, p := range files {
		if !o.has(p) {
			return false
		}
	}
	o.mu.Lock()
	for _, p := range files {
		o.cur.Files[p] = o.old.Files[p]
	}
	o.cur.addGroup(group, files)
	o.mu.Unlock()
	return true
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
	o.mu.Unlock()

	if o.has(rel) {
		if old, ok := o.old.Files[rel]; ok {
			if old.Size == e.Size && old.Sum == e.Sum {
				return nil
			}
		} else if sameFile(filepath.Join(o.dir, filepath.FromSlash(rel)), data) {
			return nil
		}
		o.written.Add(1)
		return writeAtomic(filepath.Join(o.dir, filepath.FromSlash(rel)), data)
	}
	o.written.Add(1)
	p := filepath.Join(o.dir, filepath.FromSlash(rel))
	if err := o.mkdir(path.Dir(rel)); err != nil {
		return err
	}
	if err := createFile(p, data); err != nil {
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
	var stale []string
	if o.exists == nil {
		for p := range o.old.Files {
			if _, ok := o.cur.Files[p]; !ok {
				stale = append(stale, p)
			}
		}
	} else {
		for p := range o.exists {
			if _, ok := o.cur.Files[p]; !ok {
				stale = append(stale, p)
			}
		}
	}
	sort.Strings(stale)
	dirs := map[string]bool{}
	for _, p := range stale {
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
	if err := o.cur.write(o.dir); err != nil {
		return len(stale), fmt.Errorf("write %s: %w", ManifestName, err)
	}
	return len(stale), nil
}

// writeAtomic replaces p by data through a temporary file in the same
// directory, so that a reader (a web server) never sees half a file.
func writeAtomic(p string, data []byte) error {
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err2 := f.Close(); err == nil {
		err = err2
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), p)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", p, err)
	}
	return nil
}
