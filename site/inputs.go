package site

import (
	"crypto/sha256"
	"strconv"

	"kjjr/content"
)

// inputs are the keys of a build computed from the stamps of the content
// files (content.Repo.AppendStamp) rather than from what they render to.
// Reading a few stamps is much cheaper than deriving and hashing an
// institution's whole view, so a build after one report changed decides
// in milliseconds that the other institutions' pages are as they were.
//
// A key exists only when every file it covers has a trusted stamp (Load
// ran with a cache on a directory); otherwise the build falls back to
// hashing the views, which is always right. Every key covers the site's
// templates and settings (globalKey) and the build date: a build as of
// another day compares views.
type inputs struct {
	shared   [16]byte // site.yaml, calendar, rounds, publicity, results
	sharedOK bool
	inst     map[string][16]byte // by slug, when all the institution's files have stamps
	// global covers what the pages besides the institutions' show other
	// than report figures: notices and their attachments, institution
	// records, which reports exist.
	global   [16]byte
	globalOK bool
}

const inputsVersion = "kjjr-inputs 1\n"

func (b *builder) computeInputs() *inputs {
	in := &inputs{inst: make(map[string][16]byte, len(b.repo.Institutions))}
	r := b.repo
	buf := make([]byte, 0, 4096)
	ok := true
	stamp := func(p string) {
		buf = append(buf, p...)
		buf = append(buf, 0)
		var has bool
		buf, has = r.AppendStamp(buf, p)
		ok = ok && has
	}
	buf = append(buf, inputsVersion...)
	buf = append(buf, b.globalKey[:]...)
	buf = append(buf, b.now.String()...)
	stamp("site.yaml")
	if r.Calendar != nil {
		for _, y := range r.Calendar.Years() {
			stamp("calendar/" + strconv.Itoa(y) + ".yaml")
		}
	}
	for _, x := range r.Rounds {
		stamp(x.File)
	}
	for _, x := range r.Publicities {
		stamp(x.File)
	}
	for _, x := range r.Results {
		stamp(x.File)
	}
	in.shared, in.sharedOK = sum16(buf), ok
	if !in.sharedOK {
		return in
	}

	g := append(buf[:0:0], in.shared[:]...)
	for _, inst := range r.Institutions {
		buf = append(buf[:0], in.shared[:]...)
		ok = true
		stamp(inst.File)
		for _, rep := range inst.Reports {
			stamp(rep.File)
		}
		for _, x := range inst.Inspections {
			stamp(x.File)
		}
		if ok {
			in.inst[inst.Slug] = sum16(buf)
		}
		// The global key: the institution record and its reports' names.
		g = append(g, inst.Slug...)
		g = append(g, 0)
		var has bool
		g, has = r.AppendStamp(g, inst.File)
		in.globalOK = has
		for _, rep := range inst.Reports {
			g = append(g, rep.File...)
			g = append(g, 0)
		}
		if !has {
			return in
		}
	}
	buf, ok = g, true
	for _, n := range r.Notices {
		stamp(n.File)
		for _, a := range n.Attachments {
			// Attachments are not records (Load has no stamp for them), and
			// few: their bytes are the key.
			if src, ok := content.AttachmentFile(n, a); ok && content.AttachmentAllowed(src) {
				buf = append(buf, src...)
				buf = append(buf, 0)
				if data, err := content.ReadRegular(r.FS, src, content.MaxAttachmentSize); err == nil {
					h := sha256.Sum256(data)
					buf = append(buf, h[:]...)
				}
			}
		}
	}
	in.global, in.globalOK = sum16(buf), ok
	return in
}

func sum16(b []byte) [16]byte {
	s := sha256.Sum256(b)
	var k [16]byte
	copy(k[:], s[:16])
	return k
}
