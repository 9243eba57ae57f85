package inbox

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"kjjr/internal/safetext"
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

// FuzzScreen feeds arbitrary headers and sizes to the decision made before
// a body is fetched: it must never panic; a body is fetched only for a
// registered sender within the limit; what is stored is at most the header
// limit; only a registered sender can be sent a receipt.
func FuzzScreen(f *testing.F) {
	for _, name := range []string{"foxmail_gbk.eml", "unknown_sender.eml", "auto_reply.eml", "no_sheet.eml"} {
		b := readFixture(f, name)
		f.Add(b[:headerEnd(b)], int64(len(b)))
		f.Add(b[:headerEnd(b)], int64(60<<20))
	}
	f.Add([]byte("From: "+instSender+"\r\nFrom: x@evil.example\r\n\r\n"), int64(1<<30))
	f.Add([]byte("From: \""+instSender+"\" <x@evil.example>\r\nAuto-Submitted: auto-replied\r\n\r\n"), int64(4<<20))
	dir := newFixtureRepo(f, true, fixtureFiles(f, ""))
	e, err := newEngine(dir, testOptions(newMemQueue()))
	if err != nil {
		f.Fatal(err)
	}
	defer e.close()
	snap, err := e.snapshotNow()
	if err != nil {
		f.Fatal(err)
	}
	a := e.analyzer(snap)
	lim := a.limits()
	f.Fuzz(func(t *testing.T, header []byte, size int64) {
		if len(header) > maxHeaderBytes {
			header = header[:maxHeaderBytes]
		}
		pl := a.previewPlan(preview{header: header, size: size, receivedAt: testNow}, lim)
		if pl == nil {
			p := walkMessage(header[:headerEnd(header)], lim)
			if size > lim.MaxMessage || a.snap.InstitutionByEmail(p.From) == nil {
				t.Fatalf("body fetched: size %d, from %q", size, p.From)
			}
			return
		}
		if len(pl.raw) > maxHeaderBytes || pl.id.HeaderSHA256 == "" {
			t.Fatalf("stored %d bytes, identity %+v", len(pl.raw), pl.id)
		}
		switch pl.out {
		case outQuarantine:
		case outReject:
			if pl.inst == nil || pl.suppress != "" {
				t.Fatalf("receipt for a stranger or an auto-reply: %+v", pl)
			}
		default:
			t.Fatalf("outcome %d without a body", pl.out)
		}
		_ = pl.id.Key()
	})
}
