package inbox

import (
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// FuzzIndexParse: whatever ingested.log holds, parse does not panic, and
// it accepts a log only when every line after the header is an entry it
// took in.
func FuzzIndexParse(f *testing.F) {
	c := "c " + strings.Repeat("ab", 32) + " " + strings.Repeat("1", 40) + " submit/a-b/2026-10\n"
	tl := "t refs/heads/submit/a-b/2026-10 " + strings.Repeat("2", 40) + "\n"
	for _, s := range []string{"", indexHeader + "\n", indexHeader + "\n" + c + tl, c + tl, indexHeader + "\n" + c[:30],
		indexHeader + "\n" + strings.Repeat("x", 70000) + "\n", indexHeader + "\n\x00\x00\n", indexHeader + "\r\n" + c} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		ix := &ingestIndex{byID: map[string]indexEntry{}, commits: map[plumbing.Hash]bool{}, tips: map[string]plumbing.Hash{}}
		if ix.parse(data) != "" {
			return
		}
		body := strings.TrimPrefix(data, indexHeader+"\n")
		if !strings.HasPrefix(data, indexHeader+"\n") || (body != "" && !strings.HasSuffix(body, "\n")) {
			t.Fatalf("accepted a log without header or final newline: %q", data)
		}
		for _, l := range strings.Split(strings.TrimSuffix(body, "\n"), "\n") {
			if body == "" {
				break
			}
			f := strings.Split(l, " ")
			switch {
			case len(f) == 4 && f[0] == "c":
				if e, ok := ix.byID[f[1]]; !ok || !ix.commits[e.Commit] {
					t.Fatalf("accepted line %q not taken in", l)
				}
			case len(f) == 3 && f[0] == "t":
				if _, ok := ix.tips[f[1]]; !ok {
					t.Fatalf("accepted line %q not taken in", l)
				}
			default:
				t.Fatalf("accepted line %q", l)
			}
		}
	})
}
