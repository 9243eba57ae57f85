package progid

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"kjjr/internal/testenv"
)

// build builds a tiny program for goos/goarch into dir with extra go
// build flags and returns its path.
func build(t *testing.T, dir, goos, goarch string, flags ...string) string {
	t.Helper()
	goTool := testenv.NeedTool(t, "go")
	src := filepath.Join(dir, "main.go")
	if err := os.WriteFile(src, []byte("package main\n\nfunc main() { println(\"hello\") }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "hello-"+goos+"-"+goarch+strings.Join(flags, ""))
	args := append([]string{"build", "-o", out}, flags...)
	cmd := exec.Command(goTool, append(args, src)...)
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "CGO_ENABLED=0", "GOFLAGS=")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build for %s/%s: %v\n%s", goos, goarch, err, b)
	}
	return out
}

// goBuildID is `go tool buildid`'s answer for the file p.
func goBuildID(t *testing.T, p string) string {
	t.Helper()
	b, err := exec.Command(testenv.NeedTool(t, "go"), "tool", "buildid", p).CombinedOutput()
	if err != nil {
		t.Fatalf("go tool buildid %s: %v\n%s", p, err, b)
	}
	return strings.TrimSpace(string(b))
}

// TestFileFindsGoBuildID: for binaries built for each system kjjr is
// built for, File names the build by `go tool buildid`'s answer.
func TestFileFindsGoBuildID(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ goos, goarch string }{
		{"linux", "amd64"}, {"linux", "arm64"}, {"windows", "amd64"}, {"darwin", "arm64"}, {"darwin", "amd64"},
	} {
		t.Run(tc.goos+"-"+tc.goarch, func(t *testing.T) {
			p := build(t, dir, tc.goos, tc.goarch)
			want := goBuildID(t, p)
			if want == "" {
				t.Fatalf("go tool buildid found no build ID in %s", p)
			}
			got, err := File(p)
			if err != nil {
				t.Fatal(err)
			}
			if got != "go:"+want {
				t.Fatalf("File(%s) = %q, want %q", filepath.Base(p), got, "go:"+want)
			}
		})
	}
}

// TestFileELFNote: on ELF the id comes from the Go note, which stays
// where the program headers say even when the raw marker is not in the
// first bytes.
func TestFileELFNote(t *testing.T) {
	p := build(t, t.TempDir(), "linux", "amd64")
	want := goBuildID(t, p)
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data := make([]byte, readSize)
	if _, err := f.ReadAt(data, 0); err != nil {
		t.Fatal(err)
	}
	// Blank the raw marker: only the note can give the id.
	if i := strings.Index(string(data), string(rawPrefix)); i >= 0 {
		clear(data[i : i+len(rawPrefix)])
	}
	got, err := elfNote(f, data)
	if err != nil || got != want {
		t.Fatalf("elfNote = %q, %v; want %q", got, err, want)
	}
}

// TestFileWithoutBuildID: a binary linked without a build ID, or a file
// that is no binary, is named by the hash of its bytes, so that two
// different ones still differ.
func TestFileWithoutBuildID(t *testing.T) {
	dir := t.TempDir()
	noID := build(t, dir, "linux", "amd64", "-ldflags=-buildid=")
	junk := filepath.Join(dir, "junk")
	if err := os.WriteFile(junk, []byte("\x7fELF not really"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{noID, junk} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		got, err := File(p)
		if err != nil {
			t.Fatal(err)
		}
		if want := "sha256:" + hex.EncodeToString(sum[:]); got != want {
			t.Errorf("File(%s) = %q, want %q", filepath.Base(p), got, want)
		}
	}
	if _, err := File(filepath.Join(dir, "missing")); err == nil {
		t.Error("File of a missing file: no error")
	}
}

// TestID: the running program (this test binary) has an id, its build ID.
func TestID(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	want := "go:" + goBuildID(t, exe)
	if got := ID(); got != want {
		t.Fatalf("ID() = %q, want %q", got, want)
	}
}
