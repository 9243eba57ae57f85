package review

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// PrepareEdit and Commit: several files and a merged parent in one
// commit by the staff member, the checked-out main updated and staged,
// git fsck clean; an edit that changes nothing, a dirty checked-out main
// and a stale base are refused without moving main.
func TestPrepareEditCommit(t *testing.T) {
	f := newFixture(t, false)
	base := f.head("refs/heads/main")
	now := at("2026-05-20 10:00")
	staff := object.Signature{Name: "王科长", Email: "wang@example.gov.cn"}
	side := f.commit(base, map[string][]byte{"notices/.gitkeep": nil}, "旁支", staff, "refs/heads/side")
	beta := editedInstitution(t, f, false)
	note := []byte("备注\n")
	files := map[string]plumbing.Hash{}
	for p, data := range map[string][]byte{"institutions/beta/index.md": beta, "institutions/beta/evidence/note.txt": note} {
		h, err := f.r.WriteBlob(data)
		if err != nil {
			t.Fatal(err)
		}
		files[p] = h
	}

	// A file of the work tree changed by hand: refused, main stays.
	other := filepath.Join(f.dir, "site.yaml")
	orig, err := os.ReadFile(other)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(other, append(orig, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	ed, err := f.r.PrepareEdit(files, []plumbing.Hash{side}, base, now)
	if err != nil || len(ed.NewErrors) != 0 || len(ed.Paths) != 2 {
		t.Fatalf("prepare: %v %+v", err, ed)
	}
	if _, err := f.r.Commit(ed, "两处修改", staff, now); CodeOf(err) != CodeDirty {
		t.Fatalf("dirty work tree: %v", err)
	} else if e := err.(*Error); len(e.Paths) != 1 || e.Paths[0] != "site.yaml" {
		t.Errorf("dirty paths %q", e.Paths)
	}
	if f.head("refs/heads/main") != base {
		t.Fatal("main moved on a refusal")
	}
	if err := os.WriteFile(other, orig, 0o644); err != nil {
		t.Fatal(err)
	}

	mc, err := f.r.Commit(ed, "两处修改", staff, now)
	if err != nil {
		t.Fatal(err)
	}
	if f.head("refs/heads/main") != mc.Commit || mc.OldMain != base || mc.Worktree != "updated" {
		t.Fatalf("commit %+v, main at %s", mc, f.head("refs/heads/main"))
	}
	c, err := f.r.Git.CommitObject(mc.Commit)
	if err != nil || len(c.ParentHashes) != 2 || c.ParentHashes[0] != base || c.ParentHashes[1] != side || c.Author.Name != staff.Name {
		t.Fatalf("commit %v: %+v", err, c)
	}
	got, err := os.ReadFile(filepath.Join(f.dir, "institutions/beta/evidence/note.txt"))
	if err != nil || !bytes.Equal(got, note) {
		t.Errorf("work tree: %q %v", got, err)
	}
	if st := f.git("status", "--porcelain"); st != "" {
		t.Errorf("work tree not as main after the commit:\n%s", st)
	}
	f.git("fsck", "--strict")

	// The same edit again (main moved since): refused as concurrent.
	if _, err := f.r.PrepareEdit(files, nil, base, now); CodeOf(err) != CodeConcurrent {
		t.Errorf("stale base: %v", err)
	}
	// Writing what main has: nothing to commit.
	ed, err = f.r.PrepareEdit(files, nil, mc.Commit, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.r.Commit(ed, "无改动", staff, now); CodeOf(err) != CodeNoChange {
		t.Errorf("empty edit: %v", err)
	}
}
