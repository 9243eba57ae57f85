//go:build linux

package site

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"kjjr/content"
	"kjjr/internal/testenv"
)

// buildKJJR builds the kjjr command into a temporary directory.
func buildKJJR(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	testenv.Need(t, "go", err)
	bin := filepath.Join(t.TempDir(), "kjjr")
	cmd := exec.Command(gobin, "build", "-o", bin, "kjjr/cmd/kjjr")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build kjjr/cmd/kjjr: %v\n%s", err, out)
	}
	return bin
}

// runKJJR runs the kjjr command with a deadline: a command that hangs
// (a FIFO read) or loops is killed and the test fails. It returns the
// exit code, the output and the peak memory in bytes.
func runKJJR(t *testing.T, bin string, args ...string) (code int, stdout, stderr string, maxRSS int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.WaitDelay = 5 * time.Second
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	start := time.Now()
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("kjjr %s did not finish within %v (hangs on a special file?)\nstderr: %s", strings.Join(args, " "), time.Since(start), e.String())
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("kjjr %s: %v", strings.Join(args, " "), err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		maxRSS = ru.Maxrss * 1024
	}
	return cmd.ProcessState.ExitCode(), o.String(), e.String(), maxRSS
}

// scanSecrets fails for every file under dir that holds one of secrets.
func scanSecrets(t *testing.T, what, dir string, secrets []string) {
	t.Helper()
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() {
			t.Errorf("%s: %s is not a regular file (%v)", what, p, d.Type())
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			t.Errorf("%s: %v", what, err)
			return nil
		}
		for _, s := range secrets {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("%s: %s holds the secret %q", what, p, s)
			}
		}
		return nil
	})
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestHostileContentRepo: whatever a content repo holds — links to files
// outside it, to a private report, to evidence, to .git/config, to
// /dev/zero, a link to a directory, FIFOs, a 1 GiB record, an .svg
// attachment — kjjr check fails promptly naming every path, without
// reading the big file, kjjr build refuses, and neither the site built
// from what loaded (what kjjr serve shows next to the errors) nor the
// dev server holds a byte from outside the repo or a private field.
func TestHostileContentRepo(t *testing.T) {
	bin := buildKJJR(t)
	dir := writeFixtureDir(t, "basic.txtar")
	outside := t.TempDir()
	mustDo(t, os.WriteFile(filepath.Join(outside, "secret.pdf"), []byte("OUTSIDE-SECRET-q7Zx"), 0o644))
	mustDo(t, os.MkdirAll(filepath.Join(outside, "inst"), 0o755))
	inst, err := os.ReadFile(filepath.Join(dir, "institutions/gamma/index.md"))
	mustDo(t, err)
	mustDo(t, os.WriteFile(filepath.Join(outside, "inst/index.md"), bytes.Replace(inst, []byte("晋中伽马咨询有限公司"), []byte("OUTSIDE-INST-SECRET"), 1), 0o644))
	mustDo(t, os.MkdirAll(filepath.Join(dir, ".git"), 0o755))
	mustDo(t, os.WriteFile(filepath.Join(dir, ".git/config"), []byte("[remote \"origin\"]\n\turl = https://GITCONFIG-SECRET-k2@example.com/x.git\n"), 0o644))
	ev := filepath.Join(dir, "institutions/alpha/evidence/2025-08")
	mustDo(t, os.MkdirAll(ev, 0o755))
	mustDo(t, os.WriteFile(filepath.Join(ev, "proof.pdf"), []byte("EVIDENCE-SECRET-m4"), 0o644))
	editInPlace(t, filepath.Join(dir, "institutions/alpha/reports/2025-08.md"), "phone: 13800000000", "phone: 13899990000")

	// First, alone: a 1 GiB record (sparse) is refused by its size, not read.
	big := filepath.Join(dir, "notices/big.md")
	f, err := os.Create(big)
	mustDo(t, err)
	mustDo(t, f.Truncate(1<<30))
	mustDo(t, f.Close())
	code, out, _, rss := runKJJR(t, bin, "check", dir)
	if code != 1 || !strings.Contains(out, "notices/big.md") || !strings.Contains(out, "文件过大") {
		t.Errorf("kjjr check with a 1 GiB record: exit %d\n%s", code, out)
	}
	if rss > 200<<20 {
		t.Errorf("kjjr check with a 1 GiB record peaked at %d MiB: the file was read", rss>>20)
	}

	// Then everything else.
	n := filepath.Join(dir, "notices/2025-04-02-hostile")
	mustDo(t, os.MkdirAll(n, 0o755))
	mustDo(t, os.WriteFile(n+".md", []byte(`---
kind: 通知
title: 附件
date: 2025-04-02
attachments:
  - {title: a, file: 2025-04-02-hostile/passwd.pdf}
  - {title: b, file: 2025-04-02-hostile/outside.pdf}
  - {title: c, file: 2025-04-02-hostile/report.pdf}
  - {title: d, file: 2025-04-02-hostile/evidence.pdf}
  - {title: e, file: 2025-04-02-hostile/gitconfig.pdf}
  - {title: f, file: 2025-04-02-hostile/sub/proof.pdf}
  - {title: g, file: 2025-04-02-hostile/zero.pdf}
  - {title: h, file: 2025-04-02-hostile/fifo.pdf}
  - {title: i, file: 2025-04-02-hostile/image.svg}
---
正文
`), 0o644))
	links := map[string]string{
		"notices/2025-04-02-hostile/passwd.pdf":    "/etc/passwd",
		"notices/2025-04-02-hostile/outside.pdf":   filepath.Join(outside, "secret.pdf"),
		"notices/2025-04-02-hostile/report.pdf":    "../../institutions/alpha/reports/2025-08.md",
		"notices/2025-04-02-hostile/evidence.pdf":  "../../institutions/alpha/evidence/2025-08/proof.pdf",
		"notices/2025-04-02-hostile/gitconfig.pdf": "../../.git/config",
		"notices/2025-04-02-hostile/sub":           "../../institutions/alpha/evidence/2025-08",
		"notices/2025-04-02-hostile/zero.pdf":      "/dev/zero",
		"notices/zero.md":                          "/dev/zero",
		"institutions/evil":                        filepath.Join(outside, "inst"),
	}
	for p, target := range links {
		mustDo(t, os.Symlink(target, filepath.Join(dir, filepath.FromSlash(p))))
	}
	for _, p := range []string{"notices/2025-04-02-hostile/fifo.pdf", "notices/fifo.md"} {
		mustDo(t, syscall.Mkfifo(filepath.Join(dir, filepath.FromSlash(p)), 0o644))
	}
	mustDo(t, os.WriteFile(filepath.Join(n, "image.svg"), []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">SVG-SECRET-p9</svg>`), 0o644))
	secrets := []string{"OUTSIDE-SECRET-q7Zx", "OUTSIDE-INST-SECRET", "GITCONFIG-SECRET-k2", "EVIDENCE-SECRET-m4", "13899990000", "SVG-SECRET-p9", "root:x:0:0"}

	code, out, stderr, _ := runKJJR(t, bin, "check", dir)
	if code != 1 {
		t.Errorf("kjjr check on the hostile repo: exit %d; want 1\n%s%s", code, out, stderr)
	}
	for _, p := range []string{
		"notices/2025-04-02-hostile/passwd.pdf", "notices/2025-04-02-hostile/outside.pdf", "notices/2025-04-02-hostile/report.pdf",
		"notices/2025-04-02-hostile/evidence.pdf", "notices/2025-04-02-hostile/gitconfig.pdf", "notices/2025-04-02-hostile/sub",
		"notices/2025-04-02-hostile/zero.pdf", "notices/2025-04-02-hostile/fifo.pdf", "notices/zero.md", "notices/fifo.md", "institutions/evil",
	} {
		if !strings.Contains(out, dir+"/"+p+": 这是") && !strings.Contains(out, p+":") {
			t.Errorf("kjjr check does not name %s:\n%s", p, out)
		}
	}
	if !strings.Contains(out, "notices/2025-04-02-hostile.md") || !strings.Contains(out, "image.svg 的文件类型不能发布") {
		t.Errorf("kjjr check does not refuse the .svg attachment:\n%s", out)
	}
	if !strings.Contains(out, "符号链接") || !strings.Contains(out, "命名管道") {
		t.Errorf("kjjr check does not say what the entries are:\n%s", out)
	}

	pub := filepath.Join(t.TempDir(), "public")
	code, _, stderr, _ = runKJJR(t, bin, "build", "--content", dir, "--out", pub, "--no-cache", "--now", "2025-12-01")
	if code == 0 {
		t.Errorf("kjjr build of the hostile repo succeeded")
	}
	if !strings.Contains(stderr, "notices/2025-04-02-hostile/passwd.pdf") {
		t.Errorf("kjjr build does not name the link:\n%s", stderr)
	}
	scanSecrets(t, "kjjr build", pub, secrets)

	// What loaded, built anyway (as kjjr serve does before the first good
	// build): the hostile notice is there, none of its attachments.
	repo, err := content.Load(content.DirFS(dir), &content.LoadOptions{Public: true})
	if err == nil {
		t.Fatal("Load of the hostile repo reported no error")
	}
	out2 := t.TempDir()
	if _, err := Build(repo, &Options{Out: out2, Now: testNow}); err != nil {
		t.Fatalf("Build of what loaded: %v", err)
	}
	page, err := os.ReadFile(filepath.Join(out2, "notices/2025-04-02-hostile/index.html"))
	if err != nil {
		t.Fatalf("the hostile notice's page was not built: %v", err)
	}
	if bytes.Contains(page, []byte(".pdf\"")) || bytes.Contains(page, []byte("image.svg")) {
		t.Errorf("the notice page links an attachment that must not be copied:\n%s", page)
	}
	scanSecrets(t, "site.Build", out2, secrets)

	srv, err := NewServer(&ServerOptions{Content: dir, Now: testNow, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	hs := httptest.NewServer(srv)
	defer hs.Close()
	for _, p := range []string{"passwd.pdf", "outside.pdf", "report.pdf", "evidence.pdf", "gitconfig.pdf", "sub/proof.pdf", "image.svg"} {
		code, body := get(t, hs.URL+"/notices/2025-04-02-hostile/"+p)
		for _, s := range secrets {
			if strings.Contains(body, s) {
				t.Errorf("serve: %s (%d) holds %q", p, code, s)
			}
		}
		if code != 404 {
			t.Errorf("serve: %s: %d; want 404", p, code)
		}
	}
	if code, body := get(t, hs.URL+"/"); code != 200 || !strings.Contains(body, "dev-error") || !strings.Contains(body, "符号链接") {
		t.Errorf("serve: the home page does not show the content errors: %d", code)
	}
	scanSecrets(t, "serve", srv.Out(), secrets)
}
