package inbox

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// need returns the path of tool, or skips the test (fails when CI=true).
func need(t testing.TB, tool string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required in CI: %v", tool, err)
		}
		t.Skipf("%s not installed: %v", tool, err)
	}
	return p
}

// dovecotServer is one throwaway Dovecot for the whole package
// (real-components.md section 1), user kjjr / password pw.
type dovecotServer struct {
	dir  string
	addr string
	cmd  *exec.Cmd
}

var (
	dovecotOnce sync.Once
	dovecotSrv  *dovecotServer
	dovecotErr  error
)

// dovecot returns the package's Dovecot, starting it on first use.
func dovecot(t testing.TB) *dovecotServer {
	t.Helper()
	need(t, "dovecot")
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("the Dovecot tests run as root in CI")
		}
		t.Skip("the throwaway Dovecot config needs root")
	}
	if _, err := user.Lookup("dovecot"); err != nil {
		t.Fatalf("dovecot-imapd is installed but there is no dovecot user: %v", err)
	}
	dovecotOnce.Do(func() { dovecotSrv, dovecotErr = newDovecot() })
	if dovecotErr != nil {
		t.Fatal(dovecotErr)
	}
	return dovecotSrv
}

func newDovecot() (*dovecotServer, error) {
	dir, err := os.MkdirTemp("", "kjjr-inbox-dovecot-")
	if err != nil {
		return nil, err
	}
	os.Chmod(dir, 0o755)
	for _, d := range []string{"run", "state", "mail"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			return nil, err
		}
	}
	if out, err := exec.Command("chown", "dovecot:dovecot", filepath.Join(dir, "mail")).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("chown: %v %s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	conf := fmt.Sprintf(`protocols = imap
listen = 127.0.0.1
base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%n %[1]s/users
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=%[1]s/mail/%%n
}
mail_location = maildir:~/Maildir
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = %[2]d
  }
  inet_listener imaps {
    port = 0
  }
}
`, dir, port)
	if err := os.WriteFile(filepath.Join(dir, "dovecot.conf"), []byte(conf), 0o644); err != nil {
		return nil, err
	}
	var users strings.Builder
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&users, "kjjr%d:{PLAIN}pw::::::\n", i)
	}
	if err := os.WriteFile(filepath.Join(dir, "users"), []byte(users.String()), 0o644); err != nil {
		return nil, err
	}
	d := &dovecotServer{dir: dir, addr: "127.0.0.1:" + strconv.Itoa(port)}
	return d, d.start()
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

func (d *dovecotServer) start() error {
	cmd := exec.Command("dovecot", "-F", "-c", filepath.Join(d.dir, "dovecot.conf"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	d.cmd = cmd
	// Ready = the greeting (a hang guard of 20 s, not a timing assertion).
	for i := 0; i < 200; i++ {
		c, err := net.DialTimeout("tcp", d.addr, time.Second)
		if err == nil {
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			line, err := bufio.NewReader(c).ReadString('\n')
			c.Close()
			if err == nil && strings.Contains(line, "OK") {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	log, _ := os.ReadFile(filepath.Join(d.dir, "dovecot.log"))
	return fmt.Errorf("dovecot did not start:\n%s", log)
}

// stop kills the server (its whole process group) and waits for it.
func (d *dovecotServer) stop() {
	if d.cmd == nil {
		return
	}
	syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
	d.cmd.Wait()
	d.cmd = nil
	os.Remove(filepath.Join(d.dir, "run", "master.pid"))
}

// restart stops and starts the server on the same port and mail store.
func (d *dovecotServer) restart(t testing.TB) {
	d.stop()
	if err := d.start(); err != nil {
		t.Fatal(err)
	}
}

func stopDovecot() {
	if dovecotSrv != nil {
		dovecotSrv.stop()
		os.RemoveAll(dovecotSrv.dir)
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
