package inbox

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/emersion/go-msgauth/dkim"

	"kjjr/content"
)

type dkimKey struct {
	priv   ed25519.PrivateKey
	record string
}

func newDKIMKey(t *testing.T) dkimKey {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return dkimKey{priv, "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)}
}

func sign(t *testing.T, raw []byte, k dkimKey, domain, selector string) []byte {
	var b bytes.Buffer
	err := dkim.Sign(&b, bytes.NewReader(raw), &dkim.SignOptions{Domain: domain, Selector: selector, Signer: k.priv,
		HeaderKeys: []string{"From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"}})
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestDKIM(t *testing.T) {
	pinned := newDKIMKey(t)
	other := newDKIMKey(t)
	dnsKey := newDKIMKey(t)
	files := fixtureFiles(t, pinned.record)
	var pin content.Institution
	content.DecodeRecord("x.md", files["institutions/"+pinSlug+"/index.md"], &pin)
	pinSheet := makeSheet(t, sheetSpec{Name: pin.Name, USCC: pin.USCC, Period: "2026年10月"})
	msg := func(from, id string, sheet []byte, extra ...string) []byte {
		return compose(from, "2026年10月月报", id, testNow, "月报", []attachment{{Name: "月报.xlsx", Type: xlsxType, Data: sheet}}, extra...)
	}
	tests := []struct {
		name    string
		raw     []byte
		require bool
		dest    destination
		dkim    string
	}{
		{"pinned pass", sign(t, msg(pinSender, "p1@x", pinSheet), pinned, "pingyao-huitong.example.com", "sel1"), false, destProcessed, "pass (d=pingyao-huitong.example.com)"},
		{"pinned body changed", func() []byte {
			b := sign(t, msg(pinSender, "p2@x", pinSheet), pinned, "pingyao-huitong.example.com", "sel1")
			i := bytes.Index(b, []byte("\r\n\r\n"))
			return append(b[:i+4:i+4], append([]byte("X"), b[i+4:]...)...)
		}(), false, destQuarantine, ""},
		{"pinned unsigned", msg(pinSender, "p3@x", pinSheet), false, destQuarantine, ""},
		{"pinned wrong key", sign(t, msg(pinSender, "p4@x", pinSheet), other, "pingyao-huitong.example.com", "sel1"), false, destQuarantine, ""},
		{"pinned unknown selector (no DNS fallback)", sign(t, msg(pinSender, "p5@x", pinSheet), dnsKey, "pingyao-huitong.example.com", "dns"), false, destQuarantine, ""},
		{"unaligned signature and forged Authentication-Results", sign(t, msg(pinSender, "p6@x", pinSheet,
			"Authentication-Results: mx.example.gov.cn; dkim=pass header.d=pingyao-huitong.example.com"), other, "evil.example.net", "sel1"), false, destQuarantine, ""},
		{"DNS key pass", sign(t, msg(instSender, "d1@x", goodSheet(t, "2026-10")), dnsKey, "jinchuang-capital.example.com", "dns"), false, destProcessed, "pass (d=jinchuang-capital.example.com)"},
		{"unsigned allowed", msg(instSender, "d2@x", goodSheet(t, "2026-10")), false, destProcessed, "none"},
		{"unsigned with require_dkim", msg(instSender, "d3@x", goodSheet(t, "2026-10")), true, destQuarantine, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := map[string][]byte{}
			for k, v := range files {
				f[k] = v
			}
			if tc.require {
				f["site.yaml"] = bytes.Replace(f["site.yaml"], []byte("require_dkim: false"), []byte("require_dkim: true"), 1)
			}
			dir := newFixtureRepo(t, true, f)
			q := newMemQueue()
			opts := testOptions(q)
			opts.LookupTXT = func(name string) ([]string, error) {
				if name == "dns._domainkey.jinchuang-capital.example.com" {
					return []string{dnsKey.record}, nil
				}
				return nil, &netErr{}
			}
			e, err := newEngine(dir, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer e.close()
			h, err := e.handle(context.Background(), tc.raw, testNow)
			if err != nil {
				t.Fatal(err)
			}
			if h.dest != tc.dest {
				t.Fatalf("dest %v, want %v (%v)", h.dest, tc.dest, h.reasons)
			}
			if tc.dest == destQuarantine {
				recs, _ := ListQuarantine(dir)
				if len(recs) != 1 || recs[0].Reason != ReasonDKIM || len(q.order) != 0 {
					t.Fatalf("records %+v receipts %d", recs, len(q.order))
				}
				if !strings.Contains(recs[0].Reasons[0], "DKIM") {
					t.Errorf("reason %q", recs[0].Reasons)
				}
				return
			}
			c, _ := e.store.repo.CommitObject(h.commit)
			if got := trailers(c.Message)["DKIM"]; got != tc.dkim {
				t.Errorf("DKIM trailer %q, want %q", got, tc.dkim)
			}
		})
	}
}

// netErr is a permanent DNS failure (no such record).
type netErr struct{}

func (*netErr) Error() string   { return "no such host" }
func (*netErr) Timeout() bool   { return false }
func (*netErr) Temporary() bool { return false }
