package outbox

import (
	"bufio"
	"bytes"
	"net/mail"
	"net/textproto"
	"strings"
	"testing"
)

func hdr(t testing.TB, raw string) mail.Header {
	m, err := mail.ReadMessage(strings.NewReader(strings.ReplaceAll(raw, "\n", "\r\n") + "\r\n\r\nbody"))
	if err != nil {
		t.Fatal(err)
	}
	return m.Header
}

const normal = "From: 张三 <zhang@alpha.example.com>\nTo: inbox@kjjr.example.gov.cn\nSubject: =?GBK?B?MjAyNsTqMTDUwtTCsag=?=\nReturn-Path: <zhang@alpha.example.com>\nContent-Type: multipart/mixed; boundary=x"

func TestSuppressReply(t *testing.T) {
	for _, tc := range []struct {
		name, raw string
		suppress  bool
	}{
		{"a normal submission", normal, false},
		{"Auto-Submitted: no", normal + "\nAuto-Submitted: no", false},
		{"Auto-Submitted: no with comment", normal + "\nAuto-Submitted: No (manually sent)", false},
		{"Auto-Submitted: auto-replied", normal + "\nAuto-Submitted: auto-replied", true},
		{"Auto-Submitted: auto-generated", normal + "\nauto-submitted: auto-generated; owner-email=x@y", true},
		{"Precedence: bulk", normal + "\nPrecedence: bulk", true},
		{"Precedence: junk", normal + "\nPrecedence: junk", true},
		{"Precedence: list", normal + "\nPrecedence: List", true},
		{"Precedence: first-class", normal + "\nPrecedence: first-class", false},
		{"empty Return-Path", strings.Replace(normal, "Return-Path: <zhang@alpha.example.com>", "Return-Path: <>", 1), true},
		{"Return-Path blank", strings.Replace(normal, "Return-Path: <zhang@alpha.example.com>", "Return-Path: < >", 1), true},
		{"X-Autoreply", normal + "\nX-Autoreply: yes", true},
		{"X-Autorespond", normal + "\nX-Autorespond: 1", true},
		{"X-Failed-Recipients", normal + "\nX-Failed-Recipients: a@b.cn", true},
		{"DSN", strings.Replace(normal, "multipart/mixed; boundary=x", `multipart/report; report-type=delivery-status; boundary="b"`, 1), true},
		{"read receipt", strings.Replace(normal, "multipart/mixed; boundary=x", `multipart/report; report-type=disposition-notification; boundary="b"`, 1), true},
		{"MAILER-DAEMON", strings.Replace(normal, "张三 <zhang@alpha.example.com>", "Mail Delivery System <MAILER-DAEMON@mx.alpha.example.com>", 1), true},
		{"postmaster", strings.Replace(normal, "张三 <zhang@alpha.example.com>", "postmaster@alpha.example.com", 1), true},
		{"List-Id", normal + "\nList-Id: <news.alpha.example.com>", true},
		{"List-Unsubscribe", normal + "\nList-Unsubscribe: <mailto:u@x.cn>", true},
		{"QQ auto reply subject", strings.Replace(normal, "=?GBK?B?MjAyNsTqMTDUwtTCsag=?=", "=?UTF-8?B?6Ieq5Yqo5Zue5aSNOiAyMDI25bm0MTDmnIjmnIjmiqU=?=", 1), true},
		{"Outlook OOF", strings.Replace(normal, "=?GBK?B?MjAyNsTqMTDUwtTCsag=?=", "Automatic reply: October report", 1), true},
		{"no Return-Path at all", strings.Replace(normal, "Return-Path: <zhang@alpha.example.com>\n", "", 1), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reason, sup := SuppressReply(hdr(t, tc.raw))
			if sup != tc.suppress {
				t.Fatalf("suppress = %v (%q), want %v", sup, reason, tc.suppress)
			}
			if sup && reason == "" {
				t.Fatal("suppressed without a reason")
			}
		})
	}
}

// FuzzSuppressReply: any header block, however broken, gets an answer
// without a panic, and a suppression always has a reason.
func FuzzSuppressReply(f *testing.F) {
	f.Add([]byte(normal))
	f.Add([]byte(normal + "\nAuto-Submitted: auto-replied"))
	f.Add([]byte("Content-Type: multipart/report; report-type=\"delivery-status\nReturn-Path: <>"))
	f.Add([]byte("From: =?gb18030?B?1cXI/Q==?= <\nSubject: =?x?q?=ZZ?="))
	f.Fuzz(func(t *testing.T, raw []byte) {
		r := textproto.NewReader(bufio.NewReader(bytes.NewReader(append(raw, "\r\n\r\n"...))))
		h, _ := r.ReadMIMEHeader()
		reason, sup := SuppressReply(mail.Header(h))
		if sup && reason == "" {
			t.Fatal("suppressed without a reason")
		}
	})
}
