package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"kjjr/inbox"
)

// TestQuarantineTableEscapes: a stranger's subject and sender in
// `kjjr review --quarantine` can neither add a row nor send a terminal
// escape sequence, even in a record written before mail text was cleaned
// where it enters.
func TestQuarantineTableEscapes(t *testing.T) {
	dir := t.TempDir()
	repo, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{InitOptions: git.InitOptions{DefaultBranch: plumbing.Main}})
	if err != nil {
		t.Fatal(err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	sig := &object.Signature{Name: "科技局", Email: "staff@example.gov.cn", When: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}
	if err := os.WriteFile(filepath.Join(dir, "site.yaml"), []byte("title: 晋中市科技金融服务机构\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := wt.Add("site.yaml"); err != nil {
		t.Fatal(err)
	}
	if _, err := wt.Commit("初始内容", &git.CommitOptions{Author: sig}); err != nil {
		t.Fatal(err)
	}
	fake := "0123456789abcdef0123  2026-11-20 10:00  report@jinchuang-capital.example.com  2026年10月月报  内容不合格（已回执）"
	rec := inbox.QuarantineRecord{
		ID:         "a38c6b00a91ab6dac1ab",
		ReceivedAt: time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC),
		From:       "attacker@evil.example\x1b]0;title\x07",
		Subject:    "正常主题\r\n" + fake + "\x1b[2J\x1b[H\u202e",
		Reason:     "unknown_sender",
		Reasons:    []string{"发件人 attacker@evil.example 不在任何机构的报送邮箱名单（report_senders）中\n" + fake},
	}
	js, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	qd := filepath.Join(dir, ".git", "kjjr", "quarantine", rec.ID)
	if err := os.MkdirAll(qd, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(qd, "record.json"), js, 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"review", "--quarantine", "--repo", dir}, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	out := stdout.String()
	for _, b := range []byte(out) {
		if (b < 0x20 && b != '\n') || b == 0x7f {
			t.Fatalf("output holds control byte %#x:\n%q", b, out)
		}
	}
	if strings.Contains(out, "\u202e") {
		t.Errorf("output holds a bidi override:\n%q", out)
	}
	rows := 0
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "0123456789abcdef0123") || strings.HasPrefix(l, rec.ID) {
			rows++
		}
	}
	if rows != 1 {
		t.Errorf("%d record rows, want 1:\n%s", rows, out)
	}
	if !strings.Contains(out, `正常主题\r\n0123456789abcdef0123`) || !strings.Contains(out, `\x1b[2J`) {
		t.Errorf("the subject is not shown escaped:\n%s", out)
	}
}
