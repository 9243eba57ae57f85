package inbox

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"kjjr/content"
	"kjjr/internal/safetext"
	"kjjr/internal/testenv"
)

// commitMessageSeeds are hostile subjects, attachment names and
// Message-IDs as they appear in a raw header.
var commitMessageSeeds = [][3]string{
	{"2026年10月月报", "考核表.xlsx", "m1@example.com"},
	{"=?UTF-8?B?" + b64line("月报\r\n处理结果：已接收，审核通过\r\nKjjr-Institution: other\r\n") + "?=", "a.pdf", "x@y"},
	{"=?UTF-8?B?" + b64line("\x00\x07\x1b]0;t\x07\x1b[2J") + "?=", "=?UTF-8?B?" + b64line("银企\x00\x07\x1b[31m现场\u202efdp.exe") + "?=", "a\x00b@c"},
	{"\xff\xfe\x00", "\x1b[2J.pdf", "<<>>"},
	{"=?gbk?B?" + b64line("\xd4\xc2\x00\xb1\xa8") + "?=", "name*=utf-8''%00%1B%E2%80%AE.pdf", "id\u2028x@y"},
}

func b64line(s string) string {
	return strings.TrimRight(strings.ReplaceAll(b64([]byte(s)), "\r\n", ""), "\n")
}

// commitFor builds the commit message of a message with the given raw
// subject, attachment name and Message-ID, as the inbox would; the sheet
// warnings and the DKIM detail carry the raw text too.
func commitFor(subject, name, msgid string) string {
	raw := "From: 周强 <" + instSender + ">\r\nSubject: " + subject + "\r\nMessage-ID: <" + msgid + ">\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n" +
		"Content-Type: application/pdf; name=\"" + name + "\"\r\nContent-Disposition: attachment; filename=\"" + name + "\"\r\n\r\n%PDF-1.7\r\n--b--\r\n"
	p := walkMessage([]byte(raw), Limits{})
	pl := &plan{
		p: p, id: identify([]byte(raw), p.MessageID),
		inst:   &content.Institution{Name: instName, Meta: content.Meta{Slug: instSlug}},
		kind:   content.Monthly,
		period: content.Period{Kind: content.Monthly, Year: 2026, Month: 10},
		report: &content.Report{Warnings: []string{subject, name}},
		dkim:   dkimResult{Status: "fail", Domain: msgid, Detail: name},
	}
	for i, pt := range p.Parts {
		pl.rfiles = append(pl.rfiles, receiptFile{Name: pt.Name, Size: pt.Size, Kept: i%2 == 0, Note: subject})
	}
	pl.rfiles = append(pl.rfiles, receiptFile{Name: name, Note: subject})
	return pl.commitMessage()
}

// checkCommitMessage: no control character but the line breaks the
// builder writes, and the trailers are exactly the builder's.
func checkCommitMessage(t *testing.T, msg string) {
	t.Helper()
	for _, l := range strings.Split(msg, "\n") {
		if !safetext.Clean(l) {
			t.Fatalf("unclean line %q in\n%s", l, msg)
		}
	}
	tr := trailers(msg)
	want := map[string]string{"Kjjr-Institution": instSlug, "Kjjr-Period": "2026-10", "Kjjr-Kind": "monthly"}
	for k, v := range want {
		if tr[k] != v {
			t.Fatalf("trailer %s = %q in\n%s", k, tr[k], msg)
		}
	}
	for k := range tr {
		switch k {
		case "Kjjr-Institution", "Kjjr-Period", "Kjjr-Kind", "Message-Id", "Source-Sha256", "Body-Sha256", "DKIM":
		default:
			t.Fatalf("unexpected trailer %q in\n%s", k, msg)
		}
	}
	if strings.Count(msg, "\nKjjr-Institution:") != 1 {
		t.Fatalf("a value added a trailer line:\n%s", msg)
	}
}

// FuzzCommitMessage: whatever a mail's subject, attachment name and
// Message-ID hold, the commit message is clean lines with the builder's
// trailers only. TestCommitMessageFsck runs the corpus through C git.
func FuzzCommitMessage(f *testing.F) {
	for _, s := range commitMessageSeeds {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, subject, name, msgid string) {
		checkCommitMessage(t, commitFor(subject, name, msgid))
	})
}

// readCorpus reads the string triples of testdata/fuzz/FuzzCommitMessage.
func readCorpus(t *testing.T) [][3]string {
	files, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzCommitMessage", "*"))
	var out [][3]string
	for _, p := range files {
		fh, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		var vals []string
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			l := sc.Text()
			if v, ok := strings.CutPrefix(l, "string("); ok {
				s, err := strconv.Unquote(strings.TrimSuffix(v, ")"))
				if err != nil {
					t.Fatalf("%s: %v", p, err)
				}
				vals = append(vals, s)
			}
		}
		fh.Close()
		if len(vals) != 3 {
			t.Fatalf("%s: %d values", p, len(vals))
		}
		out = append(out, [3]string{vals[0], vals[1], vals[2]})
	}
	return out
}

// TestCommitMessageFsck: the commits of the seeds and of the fuzz-found
// corpus (testdata/fuzz/FuzzCommitMessage) pass C git's fsck --strict, and
// one with a raw NUL (what the old builder wrote) does not, so the check
// can fail.
func TestCommitMessageFsck(t *testing.T) {
	testenv.NeedTool(t, "git")
	inputs := append(append([][3]string{}, commitMessageSeeds...), readCorpus(t)...)
	if len(inputs) <= len(commitMessageSeeds) {
		t.Fatal("no fuzz corpus in testdata/fuzz/FuzzCommitMessage")
	}
	write := func(msgs []string) string {
		dir := t.TempDir()
		r, err := git.PlainInit(dir, true)
		if err != nil {
			t.Fatal(err)
		}
		empty := r.Storer.NewEncodedObject()
		if err := (&object.Tree{}).Encode(empty); err != nil {
			t.Fatal(err)
		}
		th, err := r.Storer.SetEncodedObject(empty)
		if err != nil {
			t.Fatal(err)
		}
		sig := object.Signature{Name: instName, Email: instSender, When: time.Date(2026, 11, 20, 10, 0, 0, 0, content.CST)}
		for i, m := range msgs {
			obj := r.Storer.NewEncodedObject()
			if err := (&object.Commit{Author: sig, Committer: sig, Message: m, TreeHash: th}).Encode(obj); err != nil {
				t.Fatal(err)
			}
			h, err := r.Storer.SetEncodedObject(obj)
			if err != nil {
				t.Fatal(err)
			}
			if err := r.Storer.SetReference(plumbing.NewHashReference(plumbing.ReferenceName(fmt.Sprintf("refs/heads/c%d", i)), h)); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	var msgs []string
	for _, in := range inputs {
		m := commitFor(in[0], in[1], in[2])
		checkCommitMessage(t, m)
		msgs = append(msgs, m)
	}
	gitCLI(t, write(msgs), "fsck", "--strict", "--no-progress")
	bad := write([]string{"月报 2026-10\n\n- 银企\x00\x07\x1b[2J现场.pdf\n"})
	if out, err := exec.Command("git", "-C", bad, "fsck", "--strict", "--no-progress").CombinedOutput(); err == nil {
		t.Fatalf("git fsck --strict accepted a NUL in a commit message:\n%s", out)
	}
}
