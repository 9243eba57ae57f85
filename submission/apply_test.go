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
