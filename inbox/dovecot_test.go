package inbox

import (
	"io"
	"net"
	"strconv"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"

	"kjjr/internal/dovecottest"
)

// dovecotServer is one throwaway Dovecot for the whole package
// (internal/dovecottest), users kjjr0..kjjr19 / password pw.
type dovecotServer struct {
	*dovecottest.Server
}

var (
	dovecotOnce sync.Once
	dovecotSrv  *dovecotServer
	dovecotErr  error
)

// dovecot returns the package's Dovecot, starting it on first use.
func dovecot(t testing.TB) *dovecotServer {
	t.Helper()
	dovecottest.Require(t)
	dovecotOnce.Do(func() {
		users := map[string]string{}
		for i := 0; i < 20; i++ {
			users["kjjr"+strconv.Itoa(i)] = "pw"
		}
		s, err := dovecottest.New(dovecottest.Config{Users: users})
		if s != nil {
			dovecotSrv = &dovecotServer{Server: s}
		}
		dovecotErr = err
	})
	if dovecotErr != nil {
		t.Fatal(dovecotErr)
	}
	return dovecotSrv
}

var nextUser struct {
	sync.Mutex
	n int
}

// account returns a fresh mailbox user (kjjr0, kjjr1, ...) so tests do not
// see each other's mail.
func (d *dovecotServer) account(t testing.TB) string {
	nextUser.Lock()
	defer nextUser.Unlock()
	if nextUser.n >= 20 {
		t.Fatal("out of Dovecot test users")
	}
	u := "kjjr" + strconv.Itoa(nextUser.n)
	nextUser.n++
	return u
}

// restart stops and starts the server on the same port and mail store.
func (d *dovecotServer) restart(t testing.TB) {
	if err := d.Restart(); err != nil {
		t.Fatal(err)
	}
}

func stopDovecot() {
	if dovecotSrv != nil {
		dovecotSrv.Close()
	}
}

// smtpSink is an SMTP server that keeps every delivered message.
type smtpSink struct {
	Addr string
	mu   sync.Mutex
	msgs []sunk
}

type sunk struct {
	From string
	To   []string
	Data []byte
}

func newSMTPSink(t testing.TB) *smtpSink {
	t.Helper()
	s := &smtpSink{}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &sinkSession{s: s}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Addr = ln.Addr().String()
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return s
}

func (s *smtpSink) all() []sunk {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sunk(nil), s.msgs...)
}

type sinkSession struct {
	s   *smtpSink
	cur sunk
}

func (x *sinkSession) Reset()        { x.cur = sunk{} }
func (x *sinkSession) Logout() error { return nil }
func (x *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	x.cur.From = from
	return nil
}
func (x *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.cur.To = append(x.cur.To, to)
	return nil
}
func (x *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.cur.Data = b
	x.s.mu.Lock()
	x.s.msgs = append(x.s.msgs, x.cur)
	x.s.mu.Unlock()
	return nil
}
