package submission

import (
	"maps"
	"strings"
	"testing"

	"kjjr/content"
)

func mustPeriod(s string) content.Period {
	p, err := content.ParsePeriod(s)
	if err != nil {
		panic(err)
	}
	return p
}

func TestParseBranch(t *testing.T) {
	for _, tc := range []struct {
		in   string
		slug string
		per  string
		ok   bool
	}{
		{"submit/alpha/2026-04", "alpha", "2026-04", true},
		{"refs/heads/submit/alpha-2/2026-H1", "alpha-2", "2026-H1", true},
		{"submit/alpha/2026-annual", "alpha", "2026-annual", true},
		{"submit/0a/2026-12", "0a", "2026-12", true},
		{"main", "", "", false},
		{"refs/remotes/origin/submit/alpha/2026-04", "", "", false},
		{"submit/alpha", "", "", false},
		{"submit/Alpha/2026-04", "", "", false},
		{"submit/-alpha/2026-04", "", "", false},
		{"submit/alpha/2026-4", "", "", false},
		{"submit/alpha/2026-h1", "", "", false}, // one spelling per period
		{"submit/alpha/ 2026-04", "", "", false},
		{"submit/alpha/2026-04/x", "", "", false},
		{"submit/../2026-04", "", "", false},
		{"submit/alpha/2026-13", "", "", false},
	} {
		b, err := ParseBranch(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("ParseBranch(%q) err = %v, want ok %v", tc.in, err, tc.ok)
			continue
		}
		if !tc.ok {
			if !strings.Contains(err.Error(), "不是报送分支") {
				t.Errorf("ParseBranch(%q) = %v, want a 不是报送分支 message", tc.in, err)
			}
			continue
		}
		if b.Slug != tc.slug || b.Period.String() != tc.per {
			t.Errorf("ParseBranch(%q) = %s %s", tc.in, b.Slug, b.Period)
		}
	}
}

func TestPaths(t *testing.T) {
	b := Branch{Slug: "alpha", Period: mustPeriod("2026-H1")}
	for got, want := range map[string]string{
		b.String():                    "submit/alpha/2026-H1",
		b.Ref().String():              "refs/heads/submit/alpha/2026-H1",
		b.ReportPath():                "institutions/alpha/reports/2026-H1.md",
		b.EvidenceDir():               "institutions/alpha/evidence/2026-H1",
		b.EvidencePath("x.pdf"):       "institutions/alpha/evidence/2026-H1/x.pdf",
		ListedPath(b.Period, "x.pdf"): "evidence/2026-H1/x.pdf",
		b.InstitutionDir() + "/" + ListedPath(b.Period, "x.pdf"): b.EvidencePath("x.pdf"),
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
	if _, err := NewBranch("Alpha", b.Period); err == nil {
		t.Error("NewBranch accepted an upper-case slug")
	}
}

func FuzzParseBranch(f *testing.F) {
	for _, s := range []string{"submit/alpha/2026-04", "refs/heads/submit/a-1/2026-H2", "submit/x/2026-annual", "main", "submit//2026-04", "submit/Ä/2026-13"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseBranch(s)
		if err != nil {
			if !strings.Contains(err.Error(), "不是报送分支") {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if got := b.String(); got != strings.TrimPrefix(s, "refs/heads/") {
			t.Fatalf("%q parsed to %q", s, got)
		}
		if back, err := ParseBranch(b.Ref().String()); err != nil || back != b {
			t.Fatalf("%q: ref %q does not parse back: %v", s, b.Ref(), err)
		}
	})
}

const inboxMsg = "月报 2026-04 甲\n\n来自 a@b 的邮件。\n- 报表.xlsx（10 字节，保存）\n\nKjjr-Institution: alpha\nKjjr-Period: 2026-04\nKjjr-Kind: monthly\nMessage-Id: <m1@b>\nSource-Sha256: aa\nBody-Sha256: bb\nDKIM: pass (d=example.com)\n"

func TestParseTrailers(t *testing.T) {
	for _, tc := range []struct {
		name string
		msg  string
		want map[string]string
	}{
		{"inbox", inboxMsg, map[string]string{"Kjjr-Institution": "alpha", "Kjjr-Period": "2026-04", "Kjjr-Kind": "monthly", "Message-Id": "<m1@b>", "Source-Sha256": "aa", "Body-Sha256": "bb", "DKIM": "pass (d=example.com)"}},
		{"trailing blank lines", "s\n\nA: 1\n\n\n", map[string]string{"A": "1"}},
		{"CRLF", "s\r\n\r\nA: 1\r\nB: 2\r\n", map[string]string{"A": "1", "B": "2"}},
		{"several blank lines before", "s\n\n\n\nA: 1\n", map[string]string{"A": "1"}},
		{"subject alone", "Kjjr-Institution: alpha", map[string]string{}},
		{"one paragraph", "Kjjr-Institution: alpha\nKjjr-Period: 2026-04\n", map[string]string{}},
		// Strict: one line that is not a trailer voids the block (the
		// inbox's index used to skip it and keep the rest).
		{"stray line", "s\n\nKjjr-Institution: alpha\nnot a trailer\nKjjr-Period: 2026-04\n", map[string]string{}},
		{"key with space", "s\n\nKjjr Institution: alpha\n", map[string]string{}},
		{"no space after colon", "s\n\nKjjr-Institution:alpha\n", map[string]string{}},
		{"continuation line", "s\n\nA: 1\n  more\n", map[string]string{}},
		{"duplicate key", "s\n\nKjjr-Institution: alpha\nKjjr-Institution: beta\n", map[string]string{}},
		{"body lines only in last paragraph count", "s\n\nKjjr-Institution: evil\n\n正文\n", map[string]string{}},
		{"empty", "", map[string]string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ParseTrailers(tc.msg); !maps.Equal(got, tc.want) {
				t.Errorf("ParseTrailers(%q) = %v, want %v", tc.msg, got, tc.want)
			}
		})
	}
}

func TestMetaRoundTrip(t *testing.T) {
	m := Meta{Branch: Branch{Slug: "alpha", Period: mustPeriod("2026-04")}, MessageID: "m1@b\r\nKjjr-Institution: evil", SourceSHA256: "aa", BodySHA256: "bb", DKIM: "fail\n(x)"}
	msg := "月报\n\n正文\n\n" + m.Trailers()
	got, ok := ParseMeta(msg)
	if !ok {
		t.Fatalf("ParseMeta(%q) failed", msg)
	}
	if got.Branch != m.Branch || got.SourceSHA256 != "aa" || got.BodySHA256 != "bb" || got.DKIM != "fail (x)" || got.MessageID != "m1@b  Kjjr-Institution: evil" {
		t.Errorf("ParseMeta = %+v", got)
	}
	if b, ok := BranchOf(ParseTrailers("x\n\n" + ApprovalTrailers(m.Branch, "王审核 <wang@example.gov.cn>"))); !ok || b != m.Branch {
		t.Errorf("approval trailers: %v %v", b, ok)
	}
	// Not the inbox's: no source hash, or a slug that is not one.
	for _, msg := range []string{"x\n\nKjjr-Institution: alpha\nKjjr-Period: 2026-04\n", "x\n\nKjjr-Institution: ../x\nKjjr-Period: 2026-04\nSource-Sha256: aa\n"} {
		if _, ok := ParseMeta(msg); ok {
			t.Errorf("ParseMeta(%q) ok", msg)
		}
	}
}

// FuzzTrailers: parsing never panics and yields only valid keys; whatever
// FormatTrailers writes from any keys and values parses back to the
// cleaned values.
func FuzzTrailers(f *testing.F) {
	f.Add(inboxMsg, "Kjjr-Institution", "alpha\nKjjr-Period: 2026-04")
	f.Add("x", "", "")
	f.Add("\n\n\n: \n", "A", "\x00\u2028")
	f.Fuzz(func(t *testing.T, msg, key, value string) {
		for k := range ParseTrailers(msg) {
			if !validKey(k) {
				t.Fatalf("bad key %q from %q", k, msg)
			}
		}
		block := FormatTrailers(Trailer{"Kjjr-Kind", "monthly"}, Trailer{key, value})
		got := ParseTrailers("subject\n\n" + block)
		if got["Kjjr-Kind"] != "monthly" {
			t.Fatalf("block %q parsed to %v", block, got)
		}
		if validKey(key) && key != "Kjjr-Kind" && oneLine(value) != "" && got[key] != oneLine(value) {
			t.Fatalf("%q: %q parsed back as %q", key, oneLine(value), got[key])
		}
	})
}
