package health

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-smtp"

	"kjjr/internal/atomicfile"
)

// Job names in the health record.
const (
	JobInbox   = "inbox"
	JobRemind  = "remind"
	JobPublish = "publish" // reserved for the publishing timer
)

// FileName is the health record's name in <gitdir>/kjjr.
const FileName = "health.json"

// File is the health record, <gitdir>/kjjr/health.json.
type File struct {
	Version int             `json:"version"`
	Jobs    map[string]*Job `json:"jobs"`
	// QuarantineReviewed is when staff last listed the quarantine.
	QuarantineReviewed time.Time `json:"quarantine_reviewed,omitzero"`
}

// Job is the record of one job's runs.
type Job struct {
	Start       time.Time      `json:"start"`
	End         time.Time      `json:"end"`
	OK          bool           `json:"ok"` // the last run succeeded
	LastSuccess time.Time      `json:"last_success,omitzero"`
	Counts      map[string]int `json:"counts,omitempty"`
	Server      string         `json:"server,omitempty"`
	Mailbox     string         `json:"mailbox,omitempty"`
	// Error is the last error; it stays after a success, with Cleared set.
	Error *Failure `json:"error,omitempty"`
	// NextChange (publishing) is when the published site changes by itself
	// next (kjjr build's next date): by then a new publish is due.
	NextChange time.Time `json:"next_change,omitzero"`
}

// Failure is a job's last error.
type Failure struct {
	Cause   string    `json:"cause"`   // a code, see CauseText
	Message string    `json:"message"` // the error text (secrets blanked)
	Since   time.Time `json:"since"`   // the first run of this streak that failed so
	At      time.Time `json:"at"`      // the latest run that failed so
	Passes  int       `json:"passes"`  // runs in a row failing with this cause
	Cleared time.Time `json:"cleared,omitzero"`
}

// Failing reports whether the job's last run failed.
func (j *Job) Failing() bool { return j != nil && !j.OK && j.Error != nil && j.Error.Cleared.IsZero() }

// Run is one run of a job, as Record takes it.
type Run struct {
	Start, End time.Time
	Counts     map[string]int
	Err        error // nil: success
	Server     string
	Mailbox    string
	NextChange time.Time // publishing: see Job.NextChange
	// Secrets (passwords) are replaced by *** in the stored error text.
	Secrets []string
}

// Path returns the health record's path for a git directory.
func Path(gitDir string) string { return filepath.Join(gitDir, "kjjr", FileName) }

// Read reads the health record of gitDir; a missing file is an empty
// record.
func Read(gitDir string) (*File, error) {
	f := &File{Version: 1, Jobs: map[string]*Job{}}
	b, err := os.ReadFile(Path(gitDir))
	if errors.Is(err, fs.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		return nil, fmt.Errorf("health: %w", err)
	}
	if err := json.Unmarshal(b, f); err != nil {
		return nil, fmt.Errorf("health: %s: %w", Path(gitDir), err)
	}
	if f.Jobs == nil {
		f.Jobs = map[string]*Job{}
	}
	return f, nil
}

// update applies fn to the record under the lock and writes it back
// atomically.
func update(gitDir string, fn func(*File)) error {
	dir := filepath.Join(gitDir, "kjjr")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("health: %w", err)
	}
	unlock, err := lockFile(filepath.Join(dir, "health.lock"))
	if err != nil {
		return fmt.Errorf("health: lock: %w", err)
	}
	defer unlock()
	f, err := Read(gitDir)
	if err != nil {
		// A damaged record must not stop the jobs from recording: start
		// afresh (the checks then see no history).
		f = &File{Version: 1, Jobs: map[string]*Job{}}
	}
	fn(f)
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	if err := atomicfile.WriteFile(Path(gitDir), append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("health: write %s: %w", Path(gitDir), err)
	}
	return nil
}

// Record stores run as the latest run of job in gitDir's health record.
func Record(gitDir, job string, run Run) error {
	return update(gitDir, func(f *File) {
		j := f.Jobs[job]
		if j == nil {
			j = &Job{}
			f.Jobs[job] = j
		}
		j.Start, j.End, j.Counts = run.Start.UTC(), run.End.UTC(), run.Counts
		j.Server, j.Mailbox, j.NextChange = run.Server, run.Mailbox, run.NextChange.UTC()
		if run.Err == nil {
			j.OK = true
			j.LastSuccess = j.End
			if j.Error != nil && j.Error.Cleared.IsZero() {
				j.Error.Cleared = j.End
			}
			return
		}
		j.OK = false
		cause, msg := Cause(run.Err), blank(run.Err.Error(), run.Secrets)
		if j.Error != nil && j.Error.Cleared.IsZero() && j.Error.Cause == cause {
			j.Error.Passes++
			j.Error.At, j.Error.Message = j.End, msg
			return
		}
		j.Error = &Failure{Cause: cause, Message: msg, Since: j.End, At: j.End, Passes: 1}
	})
}

// MarkQuarantineReviewed records that staff listed the quarantine at t.
func MarkQuarantineReviewed(gitDir string, t time.Time) error {
	return update(gitDir, func(f *File) { f.QuarantineReviewed = t.UTC() })
}

// blank replaces every secret in s by ***, and cuts s to a readable length.
func blank(s string, secrets []string) string {
	for _, p := range secrets {
		if p != "" {
			s = strings.ReplaceAll(s, p, "***")
		}
	}
	if r := []rune(s); len(r) > 500 {
		s = string(r[:500]) + "…"
	}
	return s
}

// Causes of a failed run (Failure.Cause).
const (
	CauseAuth        = "auth"         // the mailbox refused the user or password
	CauseCertificate = "certificate"  // the server's certificate is not trusted
	CauseTLS         = "tls"          // the TLS handshake failed otherwise
	CauseDNS         = "dns"          // the server's name does not resolve
	CauseConnect     = "connect"      // the server cannot be reached
	CauseTimeout     = "timeout"      // the server did not answer in time
	CauseMailbox     = "mailbox"      // the watched folder cannot be opened
	CauseSMTPAuth    = "smtp_auth"    // the SMTP server refused the login
	CauseSMTPRefused = "smtp_refused" // the SMTP server refused the mail
	CauseDiskFull    = "disk_full"    // no space left on the device
	CauseOther       = "other"
)

var causeText = map[string]string{
	CauseAuth:        "邮箱密码错误（服务器拒绝登录）",
	CauseCertificate: "证书不受信任",
	CauseTLS:         "TLS 加密连接失败",
	CauseDNS:         "服务器域名无法解析",
	CauseConnect:     "服务器无法连接",
	CauseTimeout:     "服务器响应超时",
	CauseMailbox:     "邮箱文件夹无法打开",
	CauseSMTPAuth:    "发信邮箱密码错误（SMTP 服务器拒绝登录）",
	CauseSMTPRefused: "发信服务器拒收邮件",
	CauseDiskFull:    "磁盘已满",
	CauseOther:       "其他错误",
}

// CauseText names a cause in Chinese, for staff.
func CauseText(cause string) string {
	if t, ok := causeText[cause]; ok {
		return t
	}
	return causeText[CauseOther]
}

// Cause classifies err into one of the Cause constants.
func Cause(err error) string {
	var ie *imap.Error
	if errors.As(err, &ie) {
		switch {
		case ie.Code == imap.ResponseCodeAuthenticationFailed, ie.Code == imap.ResponseCodeAuthorizationFailed,
			strings.Contains(err.Error(), "login as"):
			return CauseAuth
		case strings.Contains(err.Error(), "select"):
			return CauseMailbox
		}
	}
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		if se.Code == 535 || se.Code == 534 || se.Code == 530 {
			return CauseSMTPAuth
		}
		return CauseSMTPRefused
	}
	var ua x509.UnknownAuthorityError
	var ci x509.CertificateInvalidError
	var he x509.HostnameError
	var cv *tls.CertificateVerificationError
	if errors.As(err, &ua) || errors.As(err, &ci) || errors.As(err, &he) || errors.As(err, &cv) {
		return CauseCertificate
	}
	if errors.Is(err, syscall.ENOSPC) {
		return CauseDiskFull
	}
	var de *net.DNSError
	if errors.As(err, &de) {
		return CauseDNS
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return CauseTimeout
	}
	var oe *net.OpError
	if errors.As(err, &oe) || errors.Is(err, syscall.ECONNREFUSED) {
		if oe != nil && oe.Op == "remote error" {
			return CauseTLS
		}
		return CauseConnect
	}
	var ra tls.RecordHeaderError
	var ae tls.AlertError
	if errors.As(err, &ra) || errors.As(err, &ae) {
		return CauseTLS
	}
	return CauseOther
}
