package console

import (
	"bytes"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"kjjr/content"
	"kjjr/review"
	"kjjr/submission"
)

// Evidence files are served by GET /review/submit/{slug}/{period}/file
// with ?tip= (one of the branch's own commits, as the submission page
// shows it) and ?path= (the path exactly as the report at that commit
// lists it, relative to the institution directory). Anything else is a
// 404: a path the report does not list, one outside
// evidence/<period>/, a commit that is not the branch's, a branch that
// is gone.

// MaxServedFile is the largest evidence file the console serves.
const MaxServedFile = 64 << 20

// CSP of a served file: nothing runs, nothing loads, not framed. PDFs go
// without "sandbox": Chromium refuses to start its PDF viewer in a
// sandboxed document (it shows "blocked" instead), and its viewer runs the
// PDF in a process of its own.
const (
	fileCSP = "default-src 'none'; sandbox; frame-ancestors 'none'"
	pdfCSP  = "default-src 'none'; frame-ancestors 'none'"
)

// Preview kinds of an evidence file.
const (
	previewImage    = "image"    // shown inline in an <img>
	previewPDF      = "pdf"      // opened in the browser's PDF viewer
	previewDownload = "download" // downloaded (xlsx, Word, SVG, HTML, anything else)
)

// inlineTypes are the file types served inline, by extension, with the
// type their bytes must sniff as (http.DetectContentType); a file whose
// bytes do not match is downloaded as application/octet-stream.
var inlineTypes = map[string]string{
	"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp",
	"pdf": "application/pdf",
}

// downloadTypes are the Content-Types of files only downloaded; any other
// is application/octet-stream.
var downloadTypes = map[string]string{
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"xls":  "application/vnd.ms-excel",
	"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"doc":  "application/msword",
	"ofd":  "application/ofd",
}

func extOf(p string) string { return strings.ToLower(strings.TrimPrefix(path.Ext(p), ".")) }

// evidencePreview is what the submission page shows of one file.
type evidencePreview struct {
	File   content.File
	URL    string
	Kind   string
	Active string // the active-content warning of the file, if any
}

func init() {
	funcs["preview"] = previewOf
}

// previewOf returns how the submission page shows f of s.
func previewOf(s *review.Submission, f content.File) evidencePreview {
	q := url.Values{"tip": {s.Tip.String()}, "path": {f.Path}}
	p := evidencePreview{File: f, URL: "/review/" + s.Branch + "/file?" + q.Encode(), Kind: previewDownload}
	switch inlineTypes[extOf(f.Path)] {
	case "application/pdf":
		p.Kind = previewPDF
	case "":
	default:
		p.Kind = previewImage
	}
	name := f.Name
	if name == "" {
		name = path.Base(f.Path)
	}
	for _, w := range s.Warnings {
		if strings.HasPrefix(w, "附件“"+name+"”含有") {
			p.Active = w
		}
	}
	return p
}

// listedPathOK reports whether rel is a path a submission of period p may
// list: evidence/<period>/<name>, clean, one name, no backslash.
func listedPathOK(rel string, p content.Period) bool {
	name, ok := strings.CutPrefix(rel, submission.ListedPath(p, ""))
	return ok && name != "" && path.Clean(rel) == rel && !strings.ContainsAny(name, "/\\\x00") && name != "." && name != ".."
}

// evidence serves one file of a submission branch, as the package comment
// above says.
func (s *Server) evidence(w http.ResponseWriter, r *http.Request, se *session, _ string) {
	notFound := func() {
		w.Header().Set("Content-Security-Policy", fileCSP)
		http.Error(w, "404 没有这个附件：它不是该报送所列的文件，或该报送已被处理", http.StatusNotFound)
	}
	q := r.URL.Query()
	tip, rel := q.Get("tip"), q.Get("path")
	if len(tip) != 40 || strings.Trim(tip, "0123456789abcdef") != "" || rel == "" {
		notFound()
		return
	}
	repo, err := review.Open(s.cfg.Repo)
	if err != nil {
		s.fail(w, se, err)
		return
	}
	defer repo.Close()
	sub, err := repo.Get(branchOf(r))
	if err != nil || sub.Merged || !listedPathOK(rel, sub.Period) {
		notFound()
		return
	}
	var c *object.Commit
	for _, own := range sub.Commits {
		if own.Hash.String() == tip {
			c = own
		}
	}
	if c == nil {
		notFound()
		return
	}
	t, err := c.Tree()
	if err != nil {
		notFound()
		return
	}
	b := submission.Branch{Slug: sub.Slug, Period: sub.Period}
	rep := sub.Report
	if c.Hash != sub.Tip {
		rep = nil
		if f, err := t.File(b.ReportPath()); err == nil && f.Size <= content.MaxRecordSize {
			if data, err := f.Contents(); err == nil {
				var rp content.Report
				if !content.DecodeRecord(b.ReportPath(), []byte(data), &rp).HasErrors() {
					rep = &rp
				}
			}
		}
	}
	if rep == nil {
		notFound()
		return
	}
	var listed *content.File
	for _, f := range append(append([]content.File{}, rep.Documents...), rep.Evidence...) {
		if f.Path == rel {
			listed = &f
			break
		}
	}
	if listed == nil {
		notFound()
		return
	}
	e, err := t.FindEntry(b.InstitutionDir() + "/" + rel)
	if err != nil || e.Mode != filemode.Regular {
		notFound()
		return
	}
	blob, err := repo.Git.BlobObject(e.Hash)
	if err != nil || blob.Size > MaxServedFile {
		notFound()
		return
	}
	rc, err := blob.Reader()
	if err != nil {
		s.fail(w, se, err)
		return
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, MaxServedFile))
	if err != nil {
		s.fail(w, se, err)
		return
	}
	serveFile(w, r, listed, rel, data)
}

// serveFile writes data with the headers that keep the browser from
// running it: the type from the extension, inline only for images and
// PDFs whose bytes are what the extension says, nosniff, a sandboxing CSP,
// and the original name in Content-Disposition.
func serveFile(w http.ResponseWriter, r *http.Request, f *content.File, rel string, data []byte) {
	ext := extOf(rel)
	ctype, disp, csp := "application/octet-stream", "attachment", fileCSP
	if want := inlineTypes[ext]; want != "" && http.DetectContentType(data) == want {
		ctype, disp = want, "inline"
		if want == "application/pdf" {
			csp = pdfCSP
		}
	} else if t := downloadTypes[ext]; t != "" {
		ctype = t
	}
	name := f.Name
	if name == "" || strings.ContainsAny(name, "\r\n\x00") {
		name = path.Base(rel)
	}
	if ext != "" && extOf(name) != ext { // the name the browser saves it under ends as the served file does
		name += "." + ext
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", csp)
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	if cd := mime.FormatMediaType(disp, map[string]string{"filename": name}); cd != "" {
		h.Set("Content-Disposition", cd)
	} else {
		h.Set("Content-Disposition", disp)
	}
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = io.Copy(w, bytes.NewReader(data))
	}
}
