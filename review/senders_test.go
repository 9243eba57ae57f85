package review

import (
	"io/fs"
	"reflect"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/object"

	"kjjr/content"
	"kjjr/content/jinzhong"
)

var registrar = object.Signature{Name: "王科长", Email: "wang@example.gov.cn"}

// TestAddSender adds an address to beta's report_senders: one commit on
// main by the staff member, changing only beta's index.md, which then
// lists the address after the old one; git fsck --strict is clean.
func TestAddSender(t *testing.T) {
	for _, bare := range []bool{true, false} {
		t.Run(map[bool]string{true: "bare", false: "worktree"}[bare], func(t *testing.T) {
			f := newFixture(t, bare)
			old := f.head("refs/heads/main")
			if already, err := f.r.CheckSender("beta", "new@beta.example.com", at("2026-05-06 09:00")); err != nil || already {
				t.Fatalf("CheckSender: %v %v", already, err)
			}
			if f.head("refs/heads/main") != old {
				t.Fatal("CheckSender moved main")
			}
			ch, err := f.r.AddSender("beta", "new@beta.example.com", registrar, at("2026-05-06 09:00"))
			if err != nil || ch.Already || ch.Commit.IsZero() || ch.OldMain != old {
				t.Fatalf("AddSender: %+v %v", ch, err)
			}
			if f.head("refs/heads/main") != ch.Commit {
				t.Fatal("main did not move to the commit")
			}
			if got := f.git("log", "-1", "--format=%an <%ae>|%cn <%ce>|%P", "main"); strings.TrimSpace(got) != "王科长 <wang@example.gov.cn>|王科长 <wang@example.gov.cn>|"+old.String() {
				t.Errorf("commit: %s", got)
			}
			if got := strings.TrimSpace(f.git("diff", "--name-only", old.String(), "main")); got != "institutions/beta/index.md" {
				t.Errorf("changed: %q", got)
			}
			f.git("fsck", "--strict")
			if !bare {
				if out := f.git("status", "--porcelain"); out != "" {
					t.Errorf("worktree not clean:\n%s", out)
				}
			}
			cr, err := f.r.LoadMain()
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range cr.Institution("beta").ReportSenders {
				got = append(got, s.Email)
			}
			if !reflect.DeepEqual(got, []string{"report@beta.example.com", "new@beta.example.com"}) {
				t.Errorf("beta's senders: %v", got)
			}
			// Again, in another case: nothing to do, no commit.
			ch, err = f.r.AddSender("beta", "NEW@beta.example.com", registrar, at("2026-05-06 09:01"))
			if err != nil || !ch.Already || !ch.Commit.IsZero() || f.head("refs/heads/main") != ch.OldMain {
				t.Errorf("second AddSender: %+v %v", ch, err)
			}
		})
	}
}

// TestAddSenderRefusals: what AddSender refuses leaves main where it was.
func TestAddSenderRefusals(t *testing.T) {
	f := newFixture(t, true)
	old := f.head("refs/heads/main")
	for _, c := range []struct{ slug, email, code, says string }{
		{"beta", "report@alpha.example.com", CodeCheckFailed, "已属于"}, // alpha's address
		{"beta", "王 <x@beta.example.com>", CodeBadSender, "不是有效的邮箱地址"},
		{"beta", "x@beta.example.com\nreport_senders: []", CodeBadSender, "不是有效的邮箱地址"},
		{"beta", "", CodeBadSender, "不是有效的邮箱地址"},
		{"delta", "x@delta.example.com", CodeNoInstitution, "没有机构"},
		{"../alpha", "x@delta.example.com", CodeNoInstitution, "无效"},
	} {
		if _, err := f.r.CheckSender(c.slug, c.email, at("2026-05-06 09:00")); CodeOf(err) != c.code {
			t.Errorf("CheckSender(%q, %q) = %v, want %s", c.slug, c.email, err, c.code)
		}
		_, err := f.r.AddSender(c.slug, c.email, registrar, at("2026-05-06 09:00"))
		if CodeOf(err) != c.code || !strings.Contains(err.Error(), c.says) {
			t.Errorf("AddSender(%q, %q) = %v, want %s saying %q", c.slug, c.email, err, c.code, c.says)
		}
		if f.head("refs/heads/main") != old {
			t.Fatalf("refused AddSender(%q, %q) moved main", c.slug, c.email)
		}
	}
}

// TestAppendSenderKeepsRecords appends an address to every institution of
// the embedded Jinzhong dataset: each decodes to what it was plus the
// address, and the body is kept.
func TestAppendSenderKeepsRecords(t *testing.T) {
	fsys := jinzhong.FS()
	paths, err := fs.Glob(fsys, "institutions/*/index.md")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no institutions: %v", err)
	}
	recs := map[string]string{"flow list": "---\nname: 甲\n# 报送邮箱\nreport_senders: [{email: a@x.example.com}] # 旧\n---\n正文\n",
		"empty":   "---\nname: 甲\nreport_senders:\n---\n",
		"missing": "---\nname: 甲\n---\n\n正文\n"}
	for _, p := range paths {
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			t.Fatal(err)
		}
		recs[p] = string(b)
	}
	for name, data := range recs {
		var before, after content.Institution
		if ds := content.DecodeRecord(name, []byte(data), &before); ds.HasErrors() {
			t.Fatalf("%s: %v", name, ds)
		}
		out, err := AppendSender([]byte(data), "added@example.com")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if ds := content.DecodeRecord(name, out, &after); ds.HasErrors() {
			t.Fatalf("%s after: %v\n%s", name, ds, out)
		}
		before.ReportSenders = append(before.ReportSenders, content.Sender{Email: "added@example.com"})
		before.BodyLine, after.BodyLine = 0, 0 // the front matter grew
		if !reflect.DeepEqual(before, after) {
			t.Errorf("%s: decoded record changed beyond the sender:\n%s", name, out)
		}
		_, b1, _, _ := content.SplitFrontMatter([]byte(data))
		_, b2, _, _ := content.SplitFrontMatter(out)
		if string(b1) != string(b2) {
			t.Errorf("%s: body changed", name)
		}
	}
	if out, _ := AppendSender([]byte(recs["flow list"]), "added@example.com"); !strings.Contains(string(out), "# 报送邮箱") {
		t.Errorf("comment lost:\n%s", out)
	}
	if _, err := AppendSender([]byte("---\nreport_senders: x\n---\n"), "a@b.example.com"); err == nil {
		t.Error("a scalar report_senders was extended")
	}
}

// FuzzAppendSender: whatever an index.md holds, AppendSender does not
// panic, and a record it returns decodes as before plus the address.
func FuzzAppendSender(f *testing.F) {
	f.Add([]byte(instMD("甲", "a@x.example.com")))
	f.Add([]byte("---\nname: 甲\nreport_senders: [{email: a@x.example.com}]\n---\n正文\n"))
	f.Add([]byte("---\nreport_senders:\n---\n"))
	f.Add([]byte("---\n- a\n- b\n---\n"))
	f.Add([]byte("---\nname: &a 甲\nshort_name: *a\nreport_senders: !!seq []\n---\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var before content.Institution
		if content.DecodeRecord("x.md", data, &before).HasErrors() {
			return
		}
		out, err := AppendSender(data, "added@example.com")
		if err != nil {
			return
		}
		var after content.Institution
		if ds := content.DecodeRecord("x.md", out, &after); ds.HasErrors() {
			t.Fatalf("output does not decode: %v\n%q\n%q", ds, data, out)
		}
		before.ReportSenders = append(before.ReportSenders, content.Sender{Email: "added@example.com"})
		before.BodyLine, after.BodyLine = 0, 0
		if !reflect.DeepEqual(before, after) {
			t.Fatalf("record changed beyond the sender:\n%q\n%q", data, out)
		}
	})
}
