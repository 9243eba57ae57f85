package console

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Limits of the login throttle and of sessions. Zero fields of Config take these.
const (
	DefaultAccountFailures = 5                // failed logins per account within FailureWindow before a lockout
	DefaultAddressFailures = 20               // failed logins per client address within FailureWindow
	DefaultFailureWindow   = 15 * time.Minute //
	DefaultLockout         = 15 * time.Minute // how long a lockout lasts
	DefaultIdle            = 30 * time.Minute // a session ends after this long without a request
	DefaultAbsolute        = 8 * time.Hour    // and after a working day in any case
)

// limiter counts failed logins per key ("account:NAME", "addr:IP") and
// locks a key out for a while once it has too many.
type limiter struct {
	mu     sync.Mutex
	window time.Duration
	lock   time.Duration
	fails  map[string][]time.Time
	until  map[string]time.Time
}

func newLimiter(window, lock time.Duration) *limiter {
	return &limiter{window: window, lock: lock, fails: map[string][]time.Time{}, until: map[string]time.Time{}}
}

// locked returns when the lockout of key ends, if it is locked at now.
func (l *limiter) locked(key string, now time.Time) (time.Time, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	u, ok := l.until[key]
	if ok && now.Before(u) {
		return u, true
	}
	if ok {
		delete(l.until, key)
	}
	return time.Time{}, false
}

// fail records a failure of key; it reports whether key is now locked out.
func (l *limiter) fail(key string, max int, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	kept := l.fails[key][:0]
	for _, t := range l.fails[key] {
		if now.Sub(t) < l.window {
			kept = append(kept, t)
		}
	}
	kept = append(kept, now)
	l.fails[key] = kept
	if len(kept) >= max {
		l.until[key] = now.Add(l.lock)
		delete(l.fails, key)
		return true
	}
	return false
}

// success forgets the failures of key.
func (l *limiter) success(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, key)
}

// session is one logged-in staff member.
type session struct {
	name, email string
	account     [32]byte // SHA-256 of the account's password hash at login: a new password ends the session
	csrf        string
	created     time.Time
	seen        time.Time
	flash       string
}

// sessions holds the live sessions, keyed by the SHA-256 of their ID (the
// ID itself is only in the cookie).
type sessions struct {
	mu       sync.Mutex
	idle     time.Duration
	absolute time.Duration
	m        map[string]*session
}

func newSessions(idle, absolute time.Duration) *sessions {
	return &sessions{idle: idle, absolute: absolute, m: map[string]*session{}}
}

func token() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("console: crypto/rand: %v", err)) // crypto/rand does not fail on supported systems
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashID(id string) string {
	h := sha256.Sum256([]byte(id))
	return hex.EncodeToString(h[:])
}

// create starts a session and returns its ID (a fresh one at every login).
func (s *sessions) create(a Account, now time.Time) (string, *session) {
	id := token()
	se := &session{name: a.Name, email: a.Email, account: sha256.Sum256([]byte(a.Hash)), csrf: token(), created: now, seen: now}
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range s.m { // drop expired sessions
		if s.expired(v, now) {
			delete(s.m, k)
		}
	}
	s.m[hashID(id)] = se
	return id, se
}

func (s *sessions) expired(se *session, now time.Time) bool {
	return now.Sub(se.seen) >= s.idle || now.Sub(se.created) >= s.absolute
}

// get returns the live session of id and marks it seen.
func (s *sessions) get(id string, now time.Time) *session {
	if id == "" {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := hashID(id)
	se := s.m[k]
	if se == nil {
		return nil
	}
	if s.expired(se, now) {
		delete(s.m, k)
		return nil
	}
	se.seen = now
	return se
}

// end ends the session of id.
func (s *sessions) end(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, hashID(id))
}

// auditLine is one line of <gitdir>/kjjr/audit.log (JSON lines).
type auditLine struct {
	Time   time.Time `json:"time"`
	Event  string    `json:"event"` // login, login_failed, lockout, logout, refused, approve, reject, edit, assess
	User   string    `json:"user,omitempty"`
	Addr   string    `json:"addr,omitempty"`
	Detail string    `json:"detail,omitempty"`
}

// audit appends one line to the audit log.
type audit struct {
	mu   sync.Mutex
	path string
}

// AuditFile is the path of the audit log below a git directory.
func AuditFile(gitDir string) string { return filepath.Join(gitDir, "kjjr", "audit.log") }

func (a *audit) log(l auditLine) error {
	b, err := json.Marshal(l)
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(a.path), 0o755); err != nil {
		return fmt.Errorf("console: audit dir: %w", err)
	}
	f, err := os.OpenFile(a.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("console: audit log: %w", err)
	}
	_, err = f.Write(append(b, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("console: audit log: %w", err)
	}
	return nil
}
