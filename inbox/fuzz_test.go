package inbox

import (
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	submit "kjjr/submission"
)

// FuzzWalk feeds arbitrary bytes to the MIME walk: it must never panic,
// and what it reports must be safe to use (valid UTF-8 names, bounded
// parts, sanitised names without path parts).
func FuzzWalk(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.eml"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err == nil && len(b) < 12<<10 {
			f.Add(b)
		}
	}
	f.Add([]byte("Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x--\r\n"))
	f.Add([]byte("Content-Disposition: attachment; filename*0*=gbk''%D4%C2; filename*1*=%B1%A8.xlsx\r\n\r\nabc"))
	lim := Limits{MaxAttachment: 1 << 16, MaxMessage: 1 << 20, MaxAttachments: 30}
	f.Fuzz(func(t *testing.T, raw []byte) {
		p := walkMessage(raw, lim)
		if len(p.Parts) > maxParts {
			t.Fatalf("%d parts", len(p.Parts))
		}
		if !utf8.ValidString(p.Subject) || !utf8.ValidString(p.Text) {
			t.Fatal("invalid UTF-8 out of the walk")
		}
		for _, pt := range p.Parts {
			if !utf8.ValidString(pt.Name) {
				t.Fatalf("name %q not UTF-8", pt.Name)
			}
			n := sanitizeName(pt.Name)
			if err := submit.CheckFileName(n); err != nil {
				t.Fatalf("unsafe name %q from %q: %v", n, pt.Name, err)
			}
			if !pt.TooLarge && int64(len(pt.Data)) > lim.MaxAttachment {
				t.Fatal("part over the limit kept")
			}
		}
		_ = identify(raw, p.MessageID).Key()
	})
}
