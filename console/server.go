package console

import (
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"kjjr/inbox"
	"kjjr/review"
)

//go:embed templates/*.html assets/*
var embedded embed.FS

// ContentSecurityPolicy is sent with every response: nothing from
// elsewhere, no script, forms post to the console only, no framing.
const ContentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// Config configures a console Server.
type Config struct {
	Repo  string   // the content repo (bare or not), as for kjjr review --repo
	Addr  string   // the address it listens on (host:port), for the Host check
	Hosts []string // further Host header values to accept (the public name behind a proxy)
	TLS   bool     // served over HTTPS: cookies are Secure
	Proxy string   // the trusted reverse proxy's IP: its X-Forwarded-For is believed and cookies are Secure
	// Inbox is what 放行 passes to inbox.Release: the IMAP mailbox whose
	// quarantine folder holds a stranger's message (the quarantine keeps
	// only its header) and the SMTP server for the receipt. Nil: only
	// messages the quarantine keeps whole can be released.
	Inbox *inbox.Options

	Now  func() time.Time                 // clock (default time.Now)
	Logf func(format string, args ...any) // operational log (default log.Printf)

	AccountFailures int           // default DefaultAccountFailures
	AddressFailures int           // default DefaultAddressFailures
	FailureWindow   time.Duration // default DefaultFailureWindow
	Lockout         time.Duration // default DefaultLockout
	Idle            time.Duration // default DefaultIdle
	Absolute        time.Duration // default DefaultAbsolute
}

// Server is the staff console. Make one with New; serve Handler.
type Server struct {
	cfg    Config
	gitDir string
	lim    *limiter
	sess   *sessions
	audit  *audit
	tmpl   *template.Template
	hosts  map[string]bool
	proxy  netip.Addr
	// act serialises the actions of this console (one approval at a
	// time); other writers (kjjr inbox, git) are met by compare-and-swap.
	act sync.Mutex
	// views are the derived views, kept under the refs they come from.
	views *views
}

// New checks that cfg.Repo is a kjjr content repo and returns its console.
func New(cfg Config) (*Server, error) {
	r, err := review.Open(cfg.Repo)
	if err != nil {
		return nil, err
	}
	gitDir := r.GitDir
	_ = r.Close()
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logf == nil {
		cfg.Logf = log.Printf
	}
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defD := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&cfg.AccountFailures, DefaultAccountFailures)
	def(&cfg.AddressFailures, DefaultAddressFailures)
	defD(&cfg.FailureWindow, DefaultFailureWindow)
	defD(&cfg.Lockout, DefaultLockout)
	defD(&cfg.Idle, DefaultIdle)
	defD(&cfg.Absolute, DefaultAbsolute)
	s := &Server{cfg: cfg, gitDir: gitDir, lim: newLimiter(cfg.FailureWindow, cfg.Lockout),
		sess: newSessions(cfg.Idle, cfg.Absolute), audit: &audit{path: AuditFile(gitDir)}, hosts: map[string]bool{},
		views: newViews()}
	if cfg.Proxy != "" {
		if s.proxy, err = netip.ParseAddr(cfg.Proxy); err != nil {
			return nil, fmt.Errorf("console: proxy address %q: %w", cfg.Proxy, err)
		}
	}
	for _, h := range cfg.Hosts {
		s.hosts[strings.ToLower(h)] = true
	}
	if host, port, err := net.SplitHostPort(cfg.Addr); err == nil {
		s.hosts[strings.ToLower(cfg.Addr)] = true
		if isLoopbackHost(host) || host == "" {
			for _, h := range []string{"127.0.0.1", "localhost", "[::1]"} {
				s.hosts[h+":"+port] = true
			}
		}
	}
	s.tmpl, err = template.New("").Funcs(funcs).ParseFS(embedded, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("console: templates: %w", err)
	}
	return s, nil
}

// GitDir returns the git directory of the content repo.
func (s *Server) GitDir() string { return s.gitDir }

// secure reports whether cookies must be Secure.
func (s *Server) secure() bool { return s.cfg.TLS || s.cfg.Proxy != "" }

func (s *Server) cookieName() string {
	if s.secure() {
		return "__Host-kjjr-session"
	}
	return "kjjr-session"
}

// Handler returns the console's HTTP handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	assets, _ := fs.Sub(embedded, "assets")
	mux.Handle("GET /assets/", http.StripPrefix("/assets/", http.FileServerFS(assets)))
	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /logout", s.authed(s.logout))
	mux.HandleFunc("GET /{$}", s.authed(s.dashboard))
	mux.HandleFunc("GET /review/{$}", s.authed(s.queue))
	mux.HandleFunc("GET /review/submit/{slug}/{period}", s.authed(s.submission))
	mux.HandleFunc("GET /quarantine/{$}", s.authed(s.quarantine))
	mux.HandleFunc("GET /quarantine/{id}", s.authed(s.quarantineRecord))
	mux.HandleFunc("POST /quarantine/{id}/release", s.authed(s.releaseQ))
	mux.HandleFunc("POST /quarantine/{id}/delete", s.authed(s.deleteQ))
	mux.HandleFunc("GET /review/submit/{slug}/{period}/file", s.authed(s.evidence))
	mux.HandleFunc("GET /status/{$}", s.authed(s.matrixPage))
	mux.HandleFunc("GET /status/export.xlsx", s.authed(s.exportPage))
	mux.HandleFunc("GET /report/{slug}/{period}", s.authed(s.reportPage))
	mux.HandleFunc("GET /history/{$}", s.authed(s.historyPage))
	mux.HandleFunc("GET /history/{hash}", s.authed(s.commitPage))
	mux.HandleFunc("POST /review/submit/{slug}/{period}/approve", s.authed(s.approve))
	mux.HandleFunc("POST /review/submit/{slug}/{period}/reject", s.authed(s.reject))
	mux.HandleFunc("GET /institutions/{$}", s.authed(s.roster))
	mux.HandleFunc("GET /institutions/{slug}", s.authed(s.institution))
	mux.HandleFunc("POST /institutions/{slug}", s.authed(s.editInstitution))
	mux.HandleFunc("GET /assess/{$}", s.authed(s.assessYears))
	mux.HandleFunc("GET /assess/{year}", s.authed(s.assess))
	mux.HandleFunc("POST /assess/{year}", s.authed(s.editAssess))
	cop := http.NewCrossOriginProtection()
	return s.frame(cop.Handler(mux))
}

// frame sets the security headers of every response and refuses a Host
// the console does not answer to (DNS rebinding).
func (s *Server) frame(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		if s.secure() {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		if !s.hosts[strings.ToLower(r.Host)] {
			http.Error(w, "421 此地址不是本控制台的访问地址（Host 不符）", http.StatusMisdirectedRequest)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// clientAddr is the client's IP: the proxy's X-Forwarded-For (its last
// entry, which the proxy itself added) when the request comes from the
// trusted proxy, else the peer address.
func (s *Server) clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if s.proxy.IsValid() {
		if ip, err := netip.ParseAddr(host); err == nil && ip.Unmap() == s.proxy.Unmap() {
			if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
				parts := strings.Split(xff[len(xff)-1], ",")
				if ip, err := netip.ParseAddr(strings.TrimSpace(parts[len(parts)-1])); err == nil {
					return ip.String()
				}
			}
		}
	}
	return host
}

// authed runs h for a logged-in staff member (else redirects to the login
// page) and, for a POST, only with the session's CSRF token.
func (s *Server) authed(h func(w http.ResponseWriter, r *http.Request, se *session, id string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		now := s.cfg.Now()
		var id string
		if c, err := r.Cookie(s.cookieName()); err == nil {
			id = c.Value
		}
		se := s.sess.get(id, now)
		if se != nil && !s.stillStaff(se) {
			s.sess.end(id)
			s.logAudit(auditLine{Event: "refused", User: se.name, Addr: s.clientAddr(r), Detail: "account removed or password changed"})
			se = nil
		}
		if se == nil {
			if r.Method == http.MethodPost {
				s.render(w, http.StatusUnauthorized, "message", page{Title: "需要登录", Message: "登录已过期或尚未登录，操作未执行：请重新登录后再打开该页面。"})
				return
			}
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
			if err := r.ParseForm(); err != nil {
				s.render(w, http.StatusBadRequest, "message", page{Title: "表单有误", Message: "表单无法读取，操作未执行：请返回重新填写。", Staff: se})
				return
			}
			if subtle.ConstantTimeCompare([]byte(r.PostForm.Get("csrf")), []byte(se.csrf)) != 1 {
				s.logAudit(auditLine{Event: "refused", User: se.name, Addr: s.clientAddr(r), Detail: "csrf " + r.URL.Path})
				s.render(w, http.StatusForbidden, "message", page{Title: "表单已失效", Message: "表单校验码缺失或不符，操作未执行：请回到控制台重新打开该页面后再提交。", Staff: se})
				return
			}
		}
		h(w, r, se, id)
	}
}

func (s *Server) logAudit(l auditLine) {
	if l.Time.IsZero() {
		l.Time = s.cfg.Now()
	}
	if err := s.audit.log(l); err != nil {
		s.cfg.Logf("console: %v", err)
	}
}

// page is what every template gets.
type page struct {
	Title   string
	Staff   *session
	Flash   string
	Error   string
	Message string
	Data    any
}

// CSRF returns the session's token for forms.
func (p page) CSRF() string {
	if p.Staff == nil {
		return ""
	}
	return p.Staff.csrf
}

// StaffName returns the logged-in staff member's name.
func (p page) StaffName() string {
	if p.Staff == nil {
		return ""
	}
	return p.Staff.name
}

func (s *Server) render(w http.ResponseWriter, status int, name string, p page) {
	var b strings.Builder
	if err := s.tmpl.ExecuteTemplate(&b, name, p); err != nil {
		s.cfg.Logf("console: render %s: %v", name, err)
		http.Error(w, "500 页面生成出错，请稍后重试", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(b.String()))
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, http.StatusOK, "login", page{Title: "登录"})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	now := s.cfg.Now()
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		s.render(w, http.StatusBadRequest, "login", page{Title: "登录", Error: "表单无法读取，请重新填写。"})
		return
	}
	name, pw := strings.TrimSpace(r.PostForm.Get("name")), r.PostForm.Get("password")
	addr := s.clientAddr(r)
	acctKey, addrKey := "account:"+name, "addr:"+addr
	for _, k := range []string{acctKey, addrKey} {
		if until, ok := s.lim.locked(k, now); ok {
			s.logAudit(auditLine{Time: now, Event: "refused", User: name, Addr: addr, Detail: "locked out"})
			mins := int(until.Sub(now).Minutes()) + 1
			s.render(w, http.StatusTooManyRequests, "login", page{Title: "登录", Error: fmt.Sprintf("登录失败次数过多，已暂时锁定：请 %d 分钟后再试。如忘记密码，请管理员运行 kjjr console passwd 重设。", mins)})
			return
		}
	}
	staff, err := LoadStaff(StaffFile(s.gitDir))
	if err != nil {
		s.cfg.Logf("console: %v", err)
		s.render(w, http.StatusInternalServerError, "login", page{Title: "登录", Error: "账号文件无法读取，请联系管理员。"})
		return
	}
	a, ok := staff.Verify(name, pw)
	if !ok {
		s.logAudit(auditLine{Time: now, Event: "login_failed", User: name, Addr: addr})
		l1 := s.lim.fail(acctKey, s.cfg.AccountFailures, now)
		l2 := s.lim.fail(addrKey, s.cfg.AddressFailures, now)
		if l1 || l2 {
			s.logAudit(auditLine{Time: now, Event: "lockout", User: name, Addr: addr})
		}
		s.render(w, http.StatusUnauthorized, "login", page{Title: "登录", Error: "账号或密码不对，请重新输入。"})
		return
	}
	s.lim.success(acctKey)
	id, _ := s.sess.create(a, now)
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: id, Path: "/", HttpOnly: true, Secure: s.secure(), SameSite: http.SameSiteStrictMode})
	s.logAudit(auditLine{Time: now, Event: "login", User: a.Name, Addr: addr})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, se *session, id string) {
	s.sess.end(id)
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.secure(), SameSite: http.SameSiteStrictMode})
	s.logAudit(auditLine{Event: "logout", User: se.name, Addr: s.clientAddr(r)})
	s.render(w, http.StatusOK, "login", page{Title: "登录", Message: "已退出登录。"})
}

// openRepo opens the content repo for one request; the console reads git
// afresh every time (it keeps no copy).
func (s *Server) openRepo(w http.ResponseWriter, se *session) (*review.Repo, bool) {
	r, err := review.Open(s.cfg.Repo)
	if err != nil {
		s.fail(w, se, err)
		return nil, false
	}
	return r, true
}

// fail shows err: a refusal's message for staff, else a generic one (and
// the error in the log).
func (s *Server) fail(w http.ResponseWriter, se *session, err error) {
	var re *review.Error
	if errors.As(err, &re) {
		status := http.StatusConflict
		if re.Code == review.CodeNoBranch {
			status = http.StatusNotFound
		}
		s.render(w, status, "message", page{Title: "未执行", Message: re.Msg, Staff: se})
		return
	}
	s.cfg.Logf("console: %v", err)
	s.render(w, http.StatusInternalServerError, "message", page{Title: "出错", Message: "读取内容仓库时出错，请稍后重试；如反复出现，请联系管理员查看日志。", Staff: se})
}

// stillStaff reports whether the session's account still exists with the
// same email (kjjr console deluser takes effect at the next request).
func (s *Server) stillStaff(se *session) bool {
	st, err := LoadStaff(StaffFile(s.gitDir))
	if err != nil {
		s.cfg.Logf("console: %v", err)
		return false
	}
	a, ok := st.Lookup(se.name)
	return ok && a.Email == se.email && sha256.Sum256([]byte(a.Hash)) == se.account
}
