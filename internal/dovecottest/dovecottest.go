// Package dovecottest runs a throwaway Dovecot IMAP server on loopback for
// tests: its own dovecot.conf, run, state and mail directories in a
// temporary directory, a plain-text IMAP listener on 127.0.0.1 at a free
// port, and test users in a passwd-file. It needs the dovecot binary,
// a dovecot system user and root; Require turns their absence into a test
// failure when CI=true and a skip otherwise.
package dovecottest

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"kjjr/internal/testenv"
)

// Config says what the server holds.
type Config struct {
	// Users maps each IMAP login to its plain-text password.
	Users map[string]string
	// Extra is appended to the generated dovecot.conf (for example a
	// namespace block marking a mailbox SPECIAL-USE).
	Extra string
}

// Server is one running Dovecot. Mail of user u is stored under
// Dir/mail/u/Maildir.
type Server struct {
	// Dir holds the config, the log, the run and state directories and the mail.
	Dir string
	// Addr is the plain-text IMAP listener, 127.0.0.1:port.
	Addr string

	bin string
	cmd *exec.Cmd
}

// Require checks that a throwaway Dovecot can run here: the dovecot
// binary, root, and the dovecot system user. When one is missing the test
// fails if CI=true, else it is skipped (kjjr/internal/testenv).
func Require(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("dovecot"); err != nil {
		testenv.Missing(t, "dovecot not installed (apt-get install dovecot-imapd): %v", err)
	}
	testenv.NeedRoot(t, "the throwaway Dovecot config")
	if _, err := user.Lookup("dovecot"); err != nil {
		testenv.Missing(t, "no dovecot system user (is dovecot-imapd installed properly?): %v", err)
	}
}

// Start runs a Dovecot for one test and stops and removes it when the test
// ends. It calls Require first.
func Start(t testing.TB, cfg Config) *Server {
	t.Helper()
	Require(t)
	s, err := New(cfg)
	if s != nil {
		t.Cleanup(s.Close)
	}
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// New writes a config into a fresh temporary directory and starts Dovecot
// on a free loopback port; it returns once the server greets. It does not
// check the environment (see Require) and does not clean up: call Close.
// A non-nil Server is returned with an error when its directory exists.
func New(cfg Config) (*Server, error) {
	bin, err := exec.LookPath("dovecot")
	if err != nil {
		return nil, fmt.Errorf("dovecot: %w", err)
	}
	dir, err := os.MkdirTemp("", "kjjr-dovecot-")
	if err != nil {
		return nil, fmt.Errorf("dovecot dir: %w", err)
	}
	s := &Server{Dir: dir, bin: bin}
	// The dovecot user must reach mail/ below the temporary directory.
	if err := os.Chmod(dir, 0o755); err != nil {
		return s, fmt.Errorf("dovecot dir: %w", err)
	}
	for _, d := range []string{"run", "state", "mail"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			return s, fmt.Errorf("dovecot dir: %w", err)
		}
	}
	if out, err := exec.Command("chown", "dovecot:dovecot", filepath.Join(dir, "mail")).CombinedOutput(); err != nil {
		return s, fmt.Errorf("chown: %v %s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return s, fmt.Errorf("dovecot port: %w", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	s.Addr = "127.0.0.1:" + strconv.Itoa(port)
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
`, dir, port) + cfg.Extra
	if err := os.WriteFile(filepath.Join(dir, "dovecot.conf"), []byte(conf), 0o644); err != nil {
		return s, fmt.Errorf("dovecot config: %w", err)
	}
	names := make([]string, 0, len(cfg.Users))
	for u := range cfg.Users {
		names = append(names, u)
	}
	sort.Strings(names)
	var users strings.Builder
	for _, u := range names {
		fmt.Fprintf(&users, "%s:{PLAIN}%s::::::\n", u, cfg.Users[u])
	}
	if err := os.WriteFile(filepath.Join(dir, "users"), []byte(users.String()), 0o644); err != nil {
		return s, fmt.Errorf("dovecot users: %w", err)
	}
	return s, s.start()
}

// start runs the server and waits for its greeting.
func (s *Server) start() error {
	cmd := exec.Command(s.bin, "-F", "-c", filepath.Join(s.Dir, "dovecot.conf"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start dovecot: %w", err)
	}
	s.cmd = cmd
	// Ready = the greeting (a hang guard of 20 s, not a timing assertion).
	for i := 0; i < 200; i++ {
		c, err := net.DialTimeout("tcp", s.Addr, time.Second)
		if err == nil {
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			line, err := bufio.NewReader(c).ReadString('\n')
			c.Close()
			if err == nil && strings.HasPrefix(line, "* OK") {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	log, _ := os.ReadFile(filepath.Join(s.Dir, "dovecot.log"))
	return fmt.Errorf("dovecot did not start:\n%s", log)
}

// Stop kills the server (its whole process group) and waits for it; the
// mail store is kept.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	s.cmd.Wait()
	s.cmd = nil
	os.Remove(filepath.Join(s.Dir, "run", "master.pid"))
}

// Restart stops the server and starts it again on the same port and mail store.
func (s *Server) Restart() error {
	s.Stop()
	return s.start()
}

// Close stops the server and removes its directory.
func (s *Server) Close() {
	s.Stop()
	os.RemoveAll(s.Dir)
}
