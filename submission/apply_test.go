package submission

import (
	"strings"
	"testing"
)

func TestApplicantKey(t *testing.T) {
	for _, tc := range []struct{ uscc, from, want string }{
		{"91140700MA0K00001X", "a@b.cn", "91140700MA0K00001X"},
		{" 91140700ma0k00001x ", "a@b.cn", "91140700MA0K00001X"}, // case and spaces as typed
		{"9114 0700 MA0K 0000 1X", "", "91140700MA0K00001X"},
		{"91140700MA0K00001", "a@b.cn", ApplicantKey("", "A@B.cn ")}, // 17 characters: keyed by sender
		{"91140700MA0K0000IO", "a@b.cn", ApplicantKey("", "a@b.cn")}, // I and O are not in the alphabet
		{"../../etc/passwd", "a@b.cn", ApplicantKey("", "a@b.cn")},
	} {
		got := ApplicantKey(tc.uscc, tc.from)
		if got != tc.want {
			t.Errorf("ApplicantKey(%q, %q) = %q, want %q", tc.uscc, tc.from, got, tc.want)
		}
		if _, err := NewApplyBranch("2026-1", got); err != nil {
			t.Errorf("key %q names no branch: %v", got, err)
		}
	}
	if a, b := ApplicantKey("", "a@b.cn"), ApplicantKey("", "c@d.cn"); a == b || !strings.HasPrefix(a, "x-") {
		t.Errorf("keys of two senders without a code: %q, %q", a, b)
	}
}

func TestApplyBranch(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"apply/2026-1/91140700MA0K00001X", true},
		{"refs/heads/apply/2026-1/91140700MA0K00001X", true},
		{"apply/2026-1/x-0123456789abcdef", true},
		{"apply/2026-1/x-0123456789ABCDEF", false},
		{"apply/2026-1/x-0123", false},
		{"apply/2026-1/91140700ma0k00001x", false}, // lower case is another branch for the same code
		{"apply/2026-1/91140700MA0K00001X/more", false},
		{"apply/../91140700MA0K00001X", false},
		{"apply/2026-1", false},
		{"submit/2026-1/91140700MA0K00001X", false},
		{"apply/Round/91140700MA0K00001X", false},
	} {
		a, err := ParseApplyBranch(tc.name)
		if (err == nil) != tc.ok {
			t.Errorf("ParseApplyBranch(%q): err = %v, want ok=%v", tc.name, err, tc.ok)
			continue
		}
		if !tc.ok {
			if !strings.Contains(err.Error(), "申报分支") {
				t.Errorf("message for %q does not say what an application branch is: %v", tc.name, err)
			}
			continue
		}
		if again, err := ParseApplyBranch(string(a.Ref())); err != nil || again != a {
			t.Errorf("%q: Ref %s does not parse back (%v)", tc.name, a.Ref(), err)
		}
	}
	a, _ := NewApplyBranch("2026-1", "91140700MA0K00001X")
	if got := a.EvidenceDir(a.NewSlug()); got != "institutions/91140700ma0k00001x/evidence/application-2026-1" {
		t.Errorf("EvidenceDir = %q", got)
	}
}

// An application commit's trailers parse back; a forged or partial block
// does not count.
func TestApplyMeta(t *testing.T) {
	b, _ := NewApplyBranch("2026-1", "91140700MA0K00001X")
	m := ApplyMeta{Branch: b, Slug: "91140700ma0k00001x", MessageID: "<a@b>", SourceSHA256: "ab12", BodySHA256: "cd34", DKIM: "none"}
	msg := "申报 2026-1\n\n正文\n\n" + m.Trailers()
	got, ok := ParseApplyMeta(msg)
	m.MessageID = "a@b"
	if !ok || got != m {
		t.Fatalf("ParseApplyMeta = %+v, %v; want %+v", got, ok, m)
	}
	for _, bad := range []string{
		strings.Replace(msg, "Kjjr-Kind: application", "Kjjr-Kind: monthly", 1),
		strings.Replace(msg, "Kjjr-Institution: 91140700ma0k00001x", "Kjjr-Institution: ../x", 1),
		strings.Replace(msg, "Kjjr-Applicant: 91140700MA0K00001X", "Kjjr-Applicant: ../../x", 1),
		strings.Replace(msg, "DKIM: none", "DKIM: none\nstray line", 1),
	} {
		if _, ok := ParseApplyMeta(bad); ok {
			t.Errorf("ParseApplyMeta accepted %q", bad)
		}
	}
}
