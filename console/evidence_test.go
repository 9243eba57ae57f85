package console

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand"
	"net/http"
	"net/url"
	"path"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"kjjr/content"
	"kjjr/internal/tinypdf"
	"kjjr/submission"
)

// testPNG is a noisy w×h PNG (noise keeps it over the inbox's 10 KiB
// floor for images).
func testPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	rnd := rand.New(rand.NewSource(1))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(rnd.Intn(256)), uint8(x), uint8(y), 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// activeXLSX is a workbook with a WEBSERVICE formula (active content).
func activeXLSX(t testing.TB) []byte {
	t.Helper()
	f := excelize.NewFile()
	if err := f.SetCellFormula("Sheet1", "A1", `WEBSERVICE("http://evil.example/x")`); err != nil {
		t.Fatal(err)
	}
	b, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// submitFiles commits rep on slug's submission branch with files (paths
// relative to the institution directory) as the inbox would, listing those
// under listed as the report's evidence; the others are only in the tree.
// It returns the tip.
func (f *repoFixture) submitFiles(slug string, rep *content.Report, listed map[string]string, files map[string][]byte) string {
	f.t.Helper()
	b := submission.Branch{Slug: slug, Period: rep.Period}
	for rel, name := range listed {
		rep.Evidence = append(rep.Evidence, content.File{Path: rel, Name: name, Size: int64(len(files[rel]))})
	}
	f.git("fetch", "-q", "content", "+refs/heads/*:refs/remotes/content/*")
	start := "content/main"
	if out := gitCmd(f.t, f.work, nil, "branch", "-r", "--list", "content/"+b.String()); out != "" {
		start = "content/" + b.String()
	}
	f.git("checkout", "-q", "-B", b.String(), start)
	f.write(b.ReportPath(), encode(f.t, rep))
	for rel, data := range files {
		f.write(b.InstitutionDir()+"/"+rel, data)
	}
	f.git("add", "-A")
	meta := submission.Meta{Branch: b, MessageID: rep.MessageID, SourceSHA256: fmt.Sprintf("%064x", 1), BodySHA256: fmt.Sprintf("%064x", 2), DKIM: "none"}
	msg := fmt.Sprintf("%s %s %s\n\n%s", rep.Period.Kind.Chinese(), rep.Period, institutions[slug][0], meta.Trailers())
	date := rep.ReceivedAt
	gitCmd(f.t, f.work, []string{"GIT_AUTHOR_NAME=" + institutions[slug][0], "GIT_AUTHOR_EMAIL=" + rep.Sender, "GIT_AUTHOR_DATE=" + date,
		"GIT_COMMITTER_NAME=kjjr inbox", "GIT_COMMITTER_EMAIL=kjjr@example.gov.cn", "GIT_COMMITTER_DATE=" + date}, "commit", "-q", "-m", msg)
	f.git("push", "-q", "-f", "content", b.String()+":refs/heads/"+b.String())
	f.git("checkout", "-q", "main")
	return f.git("rev-parse", b.String())
}

func (c *client) getRaw(path string) (*http.Response, []byte) {
	c.t.Helper()
	resp, err := c.c.Get(c.url + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return resp, b.Bytes()
}

func fileURL(branch, tip, rel string) string {
	return "/review/" + branch + "/file?" + url.Values{"tip": {tip}, "path": {rel}}.Encode()
}

// evidenceFixture is a console with beta's April submission holding an
// image, a PDF, an .xlsx with active content, an SVG, HTML named .png, a
// file the report does not list, and a report that lists a path outside
// its evidence directory; alpha's March evidence is on main.
type evidenceFixture struct {
	*consoleFixture
	tip    string
	png    []byte
	pdf    []byte
	branch string
}

func newEvidenceFixture(t *testing.T) *evidenceFixture {
	f := startConsole(t, nil)
	// alpha's approved evidence on main, for "another institution's file".
	f.write("institutions/alpha/evidence/2026-03/a.png", testPNG(t, 20, 20))
	f.git("add", "-A")
	f.git("commit", "-q", "-m", "alpha 的佐证材料")
	f.git("push", "-q", "content", "main")
	e := &evidenceFixture{consoleFixture: f, png: testPNG(t, 120, 90), pdf: tinypdf.Lines("kjjr evidence"), branch: "submit/beta/2026-04"}
	ev := "evidence/2026-04/"
	files := map[string][]byte{
		ev + "photo.png":    e.png,
		ev + "minutes.pdf":  e.pdf,
		ev + "report.xlsx":  activeXLSX(t),
		ev + "logo.svg":     []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>`),
		ev + "fake.png":     []byte("<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"),
		ev + "unlisted.png": testPNG(t, 30, 30),
		ev + "page.html":    []byte("<html><script>alert(3)</script></html>"),
	}
	listed := map[string]string{
		ev + "photo.png": "现场照片.png", ev + "minutes.pdf": "会议纪要.pdf", ev + "report.xlsx": "报表.xlsx",
		ev + "logo.svg": "logo.svg", ev + "fake.png": "fake.png", ev + "page.html": "说明.html",
		"../alpha/evidence/2026-03/a.png": "a.png", // listed, but outside the evidence directory
		"index.md":                        "index.md",
	}
	rep := monthly("beta", "2026-04", at("2026-05-05 10:00"), 8, "50")
	e.tip = f.submitFiles("beta", rep, listed, files)
	return e
}

// TestEvidenceServed: each listed file comes with the headers that keep
// the browser from running it; images and PDFs inline, the rest as
// downloads, SVG and HTML never inline.
func TestEvidenceServed(t *testing.T) {
	e := newEvidenceFixture(t)
	c := newClient(t, e.url)
	c.login(staffName, staffPass)
	ev := "evidence/2026-04/"
	for _, tc := range []struct {
		rel, ctype, disp, name string
		sandbox                bool
	}{
		{ev + "photo.png", "image/png", "inline", "现场照片.png", true},
		{ev + "minutes.pdf", "application/pdf", "inline", "会议纪要.pdf", false},
		{ev + "report.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "attachment", "报表.xlsx", true},
		{ev + "logo.svg", "application/octet-stream", "attachment", "logo.svg", true},
		{ev + "fake.png", "application/octet-stream", "attachment", "fake.png", true},
		{ev + "page.html", "application/octet-stream", "attachment", "说明.html", true},
	} {
		resp, body := c.getRaw(fileURL(e.branch, e.tip, tc.rel))
		h := resp.Header
		if resp.StatusCode != 200 {
			t.Errorf("%s: status %d", tc.rel, resp.StatusCode)
			continue
		}
		if h.Get("Content-Type") != tc.ctype || h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: Content-Type %q nosniff %q", tc.rel, h.Get("Content-Type"), h.Get("X-Content-Type-Options"))
		}
		cd := h.Get("Content-Disposition")
		if !strings.HasPrefix(cd, tc.disp+";") || !strings.Contains(cd, url.PathEscape(tc.name)) && !strings.Contains(cd, tc.name) {
			t.Errorf("%s: Content-Disposition %q, want %s naming %s", tc.rel, cd, tc.disp, tc.name)
		}
		csp := h.Get("Content-Security-Policy")
		if strings.Contains(csp, "sandbox") != tc.sandbox || !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") {
			t.Errorf("%s: CSP %q (sandbox %v)", tc.rel, csp, tc.sandbox)
		}
		if tc.rel == ev+"photo.png" && !bytes.Equal(body, e.png) {
			t.Errorf("%s: body is not the committed image", tc.rel)
		}
	}
	// The submission page shows the image inline, links the PDF and offers
	// the workbook as a download with its active-content warning.
	_, page := c.get("/review/" + e.branch)
	for _, want := range []string{
		`<img src="` + strings.ReplaceAll(fileURL(e.branch, e.tip, ev+"photo.png"), "&", "&amp;") + `"`,
		`class="evidence-pdf"`, `download class="evidence-download">报表.xlsx`, "WEBSERVICE",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("submission page lacks %q", want)
		}
	}
	if strings.Contains(page, `<img src="`+strings.ReplaceAll(fileURL(e.branch, e.tip, ev+"logo.svg"), "&", "&amp;")) {
		t.Error("the SVG is shown inline")
	}
}

// TestEvidenceRefused: over plain HTTP, everything but a file the
// report at a commit of the branch lists, inside its evidence directory,
// is a 404 that says nothing about the file.
func TestEvidenceRefused(t *testing.T) {
	e := newEvidenceFixture(t)
	c := newClient(t, e.url)
	c.login(staffName, staffPass)
	mainTip := gitCmd(t, e.bare, nil, "rev-parse", "main")
	ok := fileURL(e.branch, e.tip, "evidence/2026-04/photo.png")
	if resp, _ := c.getRaw(ok); resp.StatusCode != 200 {
		t.Fatalf("the listed image: status %d", resp.StatusCode)
	}
	for name, u := range map[string]string{
		"dot-dot":                    fileURL(e.branch, e.tip, "evidence/2026-04/../../index.md"),
		"dot-dot to another":         fileURL(e.branch, e.tip, "evidence/2026-04/../../../alpha/evidence/2026-03/a.png"),
		"listed outside evidence":    fileURL(e.branch, e.tip, "../alpha/evidence/2026-03/a.png"),
		"listed index.md":            fileURL(e.branch, e.tip, "index.md"),
		"another institution's path": fileURL(e.branch, e.tip, "institutions/alpha/evidence/2026-03/a.png"),
		"absolute":                   fileURL(e.branch, e.tip, "/etc/passwd"),
		"absolute in repo":           fileURL(e.branch, e.tip, "/institutions/beta/evidence/2026-04/photo.png"),
		"encoded slash in path":      "/review/" + e.branch + "/file?tip=" + e.tip + "&path=evidence%2F2026-04%2F..%2F..%2Findex.md",
		"double-encoded":             "/review/" + e.branch + "/file?tip=" + e.tip + "&path=evidence%252F2026-04%252Fphoto.png",
		"backslash":                  fileURL(e.branch, e.tip, `evidence/2026-04\photo.png`),
		"not listed":                 fileURL(e.branch, e.tip, "evidence/2026-04/unlisted.png"),
		"other branch's URL":         fileURL("submit/alpha/2026-04", e.tip, "evidence/2026-04/photo.png"),
		"encoded slash in branch":    "/review/submit/beta%2F..%2Falpha/2026-04/file?tip=" + e.tip + "&path=evidence/2026-04/photo.png",
		"main's tip":                 fileURL(e.branch, mainTip, "evidence/2026-04/photo.png"),
		"no tip":                     "/review/" + e.branch + "/file?path=evidence/2026-04/photo.png",
		"upper-case tip":             fileURL(e.branch, strings.ToUpper(e.tip), "evidence/2026-04/photo.png"),
		"no path":                    "/review/" + e.branch + "/file?tip=" + e.tip,
		"other period":               fileURL("submit/beta/2026-03", e.tip, "evidence/2026-04/photo.png"),
	} {
		resp, body := c.getRaw(u)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %s: status %d, want 404", name, u, resp.StatusCode)
		}
		if bytes.Contains(body, []byte("PNG")) || bytes.Contains(body, []byte("report_senders")) {
			t.Errorf("%s: the refusal carries file content", name)
		}
	}
	// Without a session: the login page, not the file.
	c2 := newClient(t, e.url)
	if resp, _ := c2.getRaw(ok); resp.Request.URL.Path != "/login" {
		t.Errorf("anonymous request: landed on %s", resp.Request.URL.Path)
	}
}

// FuzzListedPath: a path listedPathOK accepts is, once joined to the
// institution directory, inside that institution's evidence directory of
// the period, whatever the path holds.
func FuzzListedPath(f *testing.F) {
	for _, s := range []string{"evidence/2026-04/a.png", "evidence/2026-04/../../index.md", "evidence/2026-04/", "evidence/2026-04/.",
		"evidence/2026-04/..", `evidence/2026-04/a\..\b`, "/evidence/2026-04/a", "evidence/2026-04//a", "evidence/2026-04/a/b"} {
		f.Add(s)
	}
	per := mustPeriod("2026-04")
	dir := "institutions/beta/evidence/2026-04/"
	f.Fuzz(func(t *testing.T, rel string) {
		if !listedPathOK(rel, per) {
			return
		}
		full := path.Join("institutions/beta", rel)
		if !strings.HasPrefix(full, dir) || strings.Contains(full[len(dir):], "/") || full != "institutions/beta/"+rel {
			t.Fatalf("accepted %q, which is %q", rel, full)
		}
	})
}
