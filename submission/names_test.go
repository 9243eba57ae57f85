package submission

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCheckFileName(t *testing.T) {
	long := strings.Repeat("长", 67) // 201 bytes
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"0123456789ab-证明.pdf", true},
		{"报表 2026.xlsx", true},
		{strings.Repeat("长", 66) + ".x", true}, // 200 bytes
		{"a.b.c", true},
		{"", false},
		{long, false},
		{"\xff.pdf", false},
		{".", false}, {"..", false}, {"...", false}, {".. ", false},
		{".git", false}, {".GIT", false}, {".Git.", false}, {".git ", false}, {"GIT~1", false},
		{".hidden", false}, {".gitmodules", false},
		{"a/b", false}, {`a\b`, false}, {"a:b", false}, {"a<b", false}, {"a>b", false}, {`a"b`, false}, {"a|b", false}, {"a?b", false}, {"a*b", false},
		{"a\x00b", false}, {"a\x1bb", false}, {"a\x7fb", false}, {"a\u0085b", false}, {"a\u009bb", false},
		{"a\u202eb", false}, {"a\u2066b", false}, {"a\u2069b", false}, {"a\u200bb", false}, {"a\u200db", false}, {"a\u2060b", false}, {"a\ufeffb", false},
		{"a\u2028b", false}, {"a\nb", false},
		{"CON", false}, {"con.txt", false}, {"Nul.tar.gz", false}, {"COM1.pdf", false}, {"lpt9", false}, {"COM¹.pdf", false}, {"CONIN$", false}, {"con .txt", false},
		{"COM0", true}, {"CONSOLE.pdf", true}, {"com10", true},
		{"a.", false}, {"a ", false}, {" a", false},
	} {
		err := CheckFileName(tc.name)
		if (err == nil) != tc.ok {
			t.Errorf("CheckFileName(%q) = %v, want ok %v", tc.name, err, tc.ok)
		}
		if err != nil && tc.name != "" && !strings.Contains(err.Error(), "文件名") {
			t.Errorf("CheckFileName(%q) = %v: the message should name the file", tc.name, err)
		}
	}
}

func TestCleanFileName(t *testing.T) {
	for in, want := range map[string]string{
		"../../etc/passwd":                   "passwd",
		`..\..\win.ini`:                      "win.ini",
		"/abs/证明.pdf":                        "证明.pdf",
		"C:报告.pdf":                           "报告.pdf",
		"a\x00b\x1fc\u202ed\u200b.pdf":       "abcd.pdf",
		"..":                                 "attachment",
		".git":                               "git",
		"":                                   "attachment",
		"  .hidden.pdf ":                     "hidden.pdf",
		"报表:2026?.xlsx":                      "报表_2026_.xlsx",
		"a \t\n b.pdf":                       "a b.pdf",
		"CON":                                "_CON",
		"nul.txt":                            "_nul.txt",
		"git~1":                              "_git~1",
		"x.pdf.":                             "x.pdf",
		strings.Repeat("长", 300) + ".docx":   strings.Repeat("长", 65) + ".docx",
		strings.Repeat("a", 300):             strings.Repeat("a", 200),
		strings.Repeat("长", 100) + ".tar.gz": strings.Repeat("长", 65) + ".gz",
	} {
		got := CleanFileName(in)
		if got != want {
			t.Errorf("CleanFileName(%q) = %q, want %q", in, got, want)
		}
	}
	// The evidence name keeps the hash prefix within the limit: a long
	// Chinese name that made a 300-byte file name before.
	orig := "晋中市科技金融服务机构绩效评价考核证明材料" + strings.Repeat("（补充说明）", 10) + ".pdf"
	got := EvidenceName("0123456789abcdef", orig)
	if len(got) > MaxNameBytes || !strings.HasPrefix(got, "0123456789ab-晋中市") || !strings.HasSuffix(got, ".pdf") || !utf8.ValidString(got) {
		t.Errorf("EvidenceName = %q (%d bytes)", got, len(got))
	}
	if err := CheckFileName(got); err != nil {
		t.Error(err)
	}
}

// FuzzCleanFileName: whatever goes in, what comes out passes the check,
// fits MaxNameBytes, and cleaning it again changes nothing.
func FuzzCleanFileName(f *testing.F) {
	for _, s := range nastyNames {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, out := range []string{CleanFileName(s), EvidenceName("0123456789abcdef", s)} {
			if err := CheckFileName(out); err != nil {
				t.Fatalf("%q -> %q: %v", s, out, err)
			}
			if again := CleanFileName(out); again != out {
				t.Fatalf("%q -> %q -> %q", s, out, again)
			}
		}
	})
}

var nastyNames = []string{
	"", ".", "..", "...", ".git", ".GIT.", ".git ", "git~1", "GIT~1.pdf", ".gitmodules",
	"CON", "con.txt", "AUX.tar.gz", "COM1", "LPT9.doc", "COM¹", "CONIN$", "nul .pdf",
	"../../etc/passwd", `..\..\win.ini`, "C:\\x.pdf", "a/b/c",
	"a\x00b", "\x1b[2J\x1b]0;title\x07.pdf", "\u202egpj.exe", "a\u2066b\u2069.pdf", "\u200b\u200c\u200d\u2060\ufeff", "x\u2028y\u2029z",
	"a\u0085b\u009b", "\xff\xfe.pdf", "<>:\"|?*.txt", "trailing. . .", "   ", "\t\n",
	"晋中市科技金融服务机构绩效评价考核证明材料" + strings.Repeat("（补充说明）", 12) + ".pdf",
	strings.Repeat("长", 300) + ".docx", strings.Repeat("a", 250) + "." + strings.Repeat("b", 30),
	strings.Repeat("😀", 80) + ".png", "x." + strings.Repeat("长", 10),
}

// TestCleanNamesInGit writes files under cleaned names (the nasty names
// above and random strings) into a work tree, commits them with the C git
// CLI, checks that `git fsck --strict` is clean and that `git clone`
// checks every file out under its name on this file system.
func TestCleanNamesInGit(t *testing.T) {
	cgit(t, t.TempDir(), "--version") // skip, or fail in CI, without git
	rnd := rand.New(rand.NewPCG(3, 4))
	alphabet := []rune("ab.. \t\x00\x1f\x7f\u0085\u009b\u202a\u202e\u2066\u2069\u200b\u200d\u2060\ufeff\u2028/\\:<>\"|?*长証😀~gGiItT1CcOoNnLlPpUuXx$")
	inputs := append([]string{}, nastyNames...)
	for range 300 {
		var b strings.Builder
		for range rnd.IntN(120) {
			b.WriteRune(alphabet[rnd.IntN(len(alphabet))])
		}
		inputs = append(inputs, b.String())
	}
	dir := filepath.Join(t.TempDir(), "src")
	names := map[string]bool{}
	for i, in := range inputs {
		for _, name := range []string{CleanFileName(in), EvidenceName(fmt.Sprintf("%064x", i), in)} {
			if names[strings.ToLower(name)] {
				continue // case-insensitive file systems: one of each
			}
			names[strings.ToLower(name)] = true
			d := filepath.Join(dir, fmt.Sprintf("d%03d", len(names)))
			if err := os.MkdirAll(d, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(d, name), []byte(in), 0o644); err != nil {
				t.Fatalf("write %q: %v", name, err)
			}
		}
	}
	git := func(dir string, args ...string) string { return cgit(t, dir, args...) }
	git(dir, "init", "-q", "-b", "main")
	git(dir, "add", "-A")
	git(dir, "commit", "-q", "-m", "names")
	if out := git(dir, "fsck", "--strict", "--no-dangling"); out != "" {
		t.Fatalf("git fsck --strict:\n%s", out)
	}
	clone := filepath.Join(t.TempDir(), "clone")
	git(filepath.Dir(clone), "clone", "-q", "--no-local", dir, clone)
	got, err := filepath.Glob(filepath.Join(clone, "d*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(names) {
		t.Fatalf("clone checked out %d files, want %d", len(got), len(names))
	}
	for _, p := range got {
		if err := CheckFileName(filepath.Base(p)); err != nil {
			t.Errorf("checked out %q: %v", p, err)
		}
	}
}
