package submission

import (
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/memory"
)

// TestCheckTree: entries no content tree may hold are refused wherever
// they are; entries the base already had are not the change's.
func TestCheckTree(t *testing.T) {
	st := memory.NewStorage()
	blob := func(s string) plumbing.Hash {
		o := st.NewEncodedObject()
		o.SetType(plumbing.BlobObject)
		w, _ := o.Writer()
		w.Write([]byte(s))
		w.Close()
		h, err := st.SetEncodedObject(o)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	tree := func(es ...object.TreeEntry) *object.Tree {
		tr := &object.Tree{Entries: es}
		o := st.NewEncodedObject()
		if err := tr.Encode(o); err != nil {
			t.Fatal(err)
		}
		h, err := st.SetEncodedObject(o)
		if err != nil {
			t.Fatal(err)
		}
		got, err := object.GetTree(st, h)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	ok := object.TreeEntry{Name: "index.md", Mode: filemode.Regular, Hash: blob("x")}
	link := object.TreeEntry{Name: "passwd.md", Mode: filemode.Symlink, Hash: blob("/etc/passwd")}
	gitlink := object.TreeEntry{Name: "vendor", Mode: filemode.Submodule, Hash: blob("c")}
	bidi := object.TreeEntry{Name: "a\u202eb.md", Mode: filemode.Regular, Hash: blob("y")}
	sub := func(es ...object.TreeEntry) object.TreeEntry {
		return object.TreeEntry{Name: "notices", Mode: filemode.Dir, Hash: tree(es...).Hash}
	}
	base := tree(ok, sub(ok))
	for _, c := range []struct {
		name string
		tip  *object.Tree
		base *object.Tree
		want []string // paths refused
	}{
		{"clean", tree(ok, sub(ok)), nil, nil},
		{"symlink deep", tree(ok, sub(ok, link)), base, []string{"notices/passwd.md"}},
		{"gitlink at the root", tree(ok, sub(ok), gitlink), base, []string{"vendor"}},
		{"unsafe name", tree(ok, sub(bidi, ok)), base, []string{"notices/a\u202eb.md"}},
		{"already in base", tree(ok, sub(ok, link)), tree(ok, sub(ok, link)), nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			bad, err := CheckTree(st, c.base, c.tip)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, b := range bad {
				got = append(got, b.Path)
				if b.Problem == "" {
					t.Errorf("%s: refused without a reason", b.Path)
				}
			}
			if strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Errorf("refused %q, want %q", got, c.want)
			}
		})
	}
}
