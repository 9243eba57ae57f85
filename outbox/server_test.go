package outbox

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// delivered is one mail a test server accepted: it read the whole DATA up
// to the final dot (a real MTA commits the mail at that point).
type delivered struct {
	From string
	Rcpt []string
	Data []byte
}

// testServer is a real SMTP server (emersion/go-smtp) on 127.0.0.1.
type testServer struct {
	srv  *smtp.Server
	ln   net.Listener
	Addr string

	mu    sync.Mutex
	msgs  []delivered
	conns int
	// Hooks (set before use). rcpt may refuse a recipient; data runs after
	// the whole message was read, before the reply; mail refuses MAIL FROM.
	rcpt func(to string) error
	data func(d delivered) error
	// user/pass: when set, AUTH PLAIN is required.
	user, pass string
	got        chan delivered
}

type serverOpts struct {
	addr     string      // "" = 127.0.0.1:0
	tls      *tls.Config // with implicit: TLS from the first byte; else STARTTLS offered
	implicit bool
	user     string
	pass     string
}

func startServer(t testing.TB, o serverOpts) *testServer {
	t.Helper()
	ts := &testServer{user: o.user, pass: o.pass, got: make(chan delivered, 100)}
	s := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		ts.mu.Lock()
		ts.conns++
		ts.mu.Unlock()
		return &session{ts: ts}, nil
	}))
	s.Domain = "localhost"
	s.AllowInsecureAuth = o.tls == nil
	s.ReadTimeout = 30 * time.Second
	s.WriteTimeout = 30 * time.Second
	addr := o.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ { // a port just closed by the test may linger briefly
		ln, err = net.Listen("tcp", addr)
		if err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	if o.tls != nil {
		if o.implicit {
			ln = tls.NewListener(ln, o.tls)
		} else {
			s.TLSConfig = o.tls
		}
	}
	ts.srv = s
	ts.ln = ln
	ts.Addr = ln.Addr().String()
	go s.Serve(ln)
	t.Cleanup(func() { s.Close() })
	return ts
}

// Close stops the server (closing the listener itself: Serve may not have
// registered it yet).
func (ts *testServer) Close() { ts.ln.Close(); ts.srv.Close() }

// Msgs returns what was delivered so far.
func (ts *testServer) Msgs() []delivered {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]delivered(nil), ts.msgs...)
}

type session struct {
	ts   *testServer
	auth bool
	from string
	rcpt []string
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != s.ts.user || password != s.ts.pass {
			return smtp.ErrAuthFailed
		}
		s.auth = true
		return nil
	}), nil
}

func (s *session) Mail(from string, opts *smtp.MailOptions) error {
	if s.ts.user != "" && !s.auth {
		return smtp.ErrAuthRequired
	}
	s.from = from
	s.rcpt = nil
	return nil
}

func (ts *testServer) hooks() (func(string) error, func(delivered) error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.rcpt, ts.data
}

// setHooks replaces the hooks (safe while the server runs).
func (ts *testServer) setHooks(rcpt func(string) error, data func(delivered) error) {
	ts.mu.Lock()
	ts.rcpt, ts.data = rcpt, data
	ts.mu.Unlock()
}

func (s *session) Rcpt(to string, opts *smtp.RcptOptions) error {
	if rcpt, _ := s.ts.hooks(); rcpt != nil {
		if err := rcpt(to); err != nil {
			return err
		}
	}
	s.rcpt = append(s.rcpt, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err // the client went away before the final dot: nothing delivered
	}
	d := delivered{From: s.from, Rcpt: append([]string(nil), s.rcpt...), Data: b}
	if _, data := s.ts.hooks(); data != nil {
		if err := data(d); err != nil {
			var se *smtp.SMTPError
			if errors.As(err, &se) {
				return err
			}
		}
	}
	s.ts.mu.Lock()
	s.ts.msgs = append(s.ts.msgs, d)
	s.ts.mu.Unlock()
	s.ts.got <- d
	return nil
}

func (s *session) Reset()        { s.from, s.rcpt = "", nil }
func (s *session) Logout() error { return nil }

// selfSigned returns a TLS config with a fresh certificate for 127.0.0.1.
func selfSigned(t *testing.T) *tls.Config {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "localhost"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:     []string{"localhost"},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
}

// headerOf returns the raw value of a header field of a delivered mail.
func headerOf(data []byte, key string) string {
	hdr, _, _ := bytes.Cut(data, []byte("\r\n\r\n"))
	var out string
	lines := strings.Split(string(hdr), "\r\n")
	for i := 0; i < len(lines); i++ {
		k, v, ok := strings.Cut(lines[i], ":")
		if !ok || !strings.EqualFold(k, key) {
			continue
		}
		out = strings.TrimSpace(v)
		for i+1 < len(lines) && (strings.HasPrefix(lines[i+1], " ") || strings.HasPrefix(lines[i+1], "\t")) {
			i++
			out += " " + strings.TrimSpace(lines[i])
		}
		return out
	}
	return out
}

var (
	smtpErr550 = smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "mailbox unavailable"}
	smtpErr554 = smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "message refused"}
	smtpErr451 = smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 7, 1}, Message: "greylisted, try later"}
)
