package inbox

import (
	"testing"

	"github.com/go-git/go-git/v5/plumbing/object"

	submit "kjjr/submission"
)

// trailers returns the trailers of a commit message as the contract
// parses them (submission.ParseTrailers).
func trailers(msg string) map[string]string { return submit.ParseTrailers(msg) }

// TestCommitIdentityStrict: the index knows a commit as the inbox's only
// when its trailer block parses under the contract's strict rule; a stray
// line in the block (which the index used to skip) or an invalid slug
// makes it not the inbox's.
func TestCommitIdentityStrict(t *testing.T) {
	const block = "Kjjr-Institution: alpha\nKjjr-Period: 2026-04\nKjjr-Kind: monthly\nMessage-Id: <m@x>\nSource-Sha256: aa\nBody-Sha256: bb\nDKIM: none\n"
	for _, tc := range []struct {
		msg    string
		branch string
	}{
		{"月报\n\n正文\n\n" + block, "submit/alpha/2026-04"},
		{"月报\n\n正文\n\nnot a trailer\n" + block, ""},
		{"月报\n\n" + "Kjjr-Institution: Alpha\nKjjr-Period: 2026-04\nSource-Sha256: aa\n", ""},
		{block, ""},
	} {
		id, b := commitIdentity(&object.Commit{Message: tc.msg})
		got := ""
		if id != "" {
			got = b.String()
		}
		if got != tc.branch {
			t.Errorf("commitIdentity(%q) = %q %q, want branch %q", tc.msg, id, got, tc.branch)
		}
	}
	want := identity{MessageID: "m@x", RawSHA256: "aa", BodySHA256: "bb"}.Hash()
	if id, _ := commitIdentity(&object.Commit{Message: "月报\n\n" + block}); id != want {
		t.Errorf("identity %q, want %q", id, want)
	}
}
