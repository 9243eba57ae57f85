package inbox

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"kjjr/internal/safetext"
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
		// Text from mail is data: one-line fields are clean and bounded,
		// the body keeps line breaks only.
		for _, s := range []string{p.Subject, p.FromName, p.FromRaw, p.MessageID, p.From} {
			if !safetext.Clean(s) {
				t.Fatalf("unclean field %q", s)
			}
		}
		if utf8.RuneCountInString(p.Subject) > maxSubjectRunes || utf8.RuneCountInString(p.MessageID) > maxMessageIDRunes {
			t.Fatalf("unbounded field: subject %d runes, id %d", utf8.RuneCountInString(p.Subject), utf8.RuneCountInString(p.MessageID))
		}
		if !safetext.Clean(strings.ReplaceAll(p.Text, "\n", "")) {
			t.Fatalf("unclean body %q", p.Text)
		}
		if (p.From == "") == (p.FromProblem == "") {
			t.Fatalf("from %q with problem %q", p.From, p.FromProblem)
		}
		for _, pt := range p.Parts {
			if !safetext.Clean(pt.Name) || utf8.RuneCountInString(pt.Name) > maxPartNameRunes {
				t.Fatalf("name %q not UTF-8", pt.Name)
			}
			n := sanitizeName(pt.Name)
			if n == "" || strings.ContainsAny(n, "/\\\x00") || n == "." || n == ".." || utf8.RuneCountInString(n) > maxNameRunes {
				t.Fatalf("unsafe name %q from %q", n, pt.Name)
			}
			if !pt.TooLarge && int64(len(pt.Data)) > lim.MaxAttachment {
				t.Fatal("part over the limit kept")
			}
		}
		_ = identify(raw, p.MessageID).Key()
	})
}
