package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"kjjr/outbox"
)

// mailServer is the flag set of one mail server (proto "smtp" or "imap"):
// --<proto>-addr, --<proto>-user, --<proto>-password-file and --<proto>-tls,
// defaulting to KJJR_<PROTO>_ADDR, KJJR_<PROTO>_USER and KJJR_<PROTO>_TLS
// (else "tls"); the password comes from the file, else KJJR_<PROTO>_PASSWORD.
type mailServer struct {
	proto                     string
	addr, user, passFile, tls *string
}

// mailServerFlags defines the four flags of one mail server on fl; addrHelp
// is the command's own help for --<proto>-addr.
func mailServerFlags(fl *flag.FlagSet, proto, addrHelp string) *mailServer {
	p := strings.ToUpper(proto)
	return &mailServer{
		proto:    proto,
		addr:     fl.String(proto+"-addr", os.Getenv("KJJR_"+p+"_ADDR"), addrHelp),
		user:     fl.String(proto+"-user", os.Getenv("KJJR_"+p+"_USER"), p+" 用户名（KJJR_"+p+"_USER）"),
		passFile: fl.String(proto+"-password-file", "", "从文件读取 "+p+" 密码（否则用 KJJR_"+p+"_PASSWORD）"),
		tls:      fl.String(proto+"-tls", envOr("KJJR_"+p+"_TLS", "tls"), "tls | starttls | none（none 仅限本机地址）"),
	}
}

// password reads the server's password from --<proto>-password-file, else
// from KJJR_<PROTO>_PASSWORD.
func (m *mailServer) password() (string, error) {
	return secret(*m.passFile, "KJJR_"+strings.ToUpper(m.proto)+"_PASSWORD")
}

// checkTLS checks --<proto>-tls: it must be tls, starttls or none, and none
// (no encryption) only goes with a loopback --<proto>-addr or with no address
// at all. The error is the message for the user, in Chinese, naming the flag;
// commands print it after their name and exit with code 2.
func (m *mailServer) checkTLS() error {
	flag := "--" + m.proto + "-tls"
	switch *m.tls {
	case "tls", "starttls":
		return nil
	case "none":
		if *m.addr != "" && !outbox.IsLoopback(*m.addr) {
			return fmt.Errorf("%s none（不加密）只允许本机地址（127.0.0.1、::1、localhost），%s 不是：请改用 tls 或 starttls", flag, *m.addr)
		}
		return nil
	}
	return fmt.Errorf("%s %q 无效，应为 tls、starttls 或 none", flag, *m.tls)
}

// envOr returns the environment variable k, or def when it is unset or empty.
func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// secret reads a password from file (trailing newline dropped), else from
// the environment variable env.
func secret(file, env string) (string, error) {
	if file == "" {
		return os.Getenv(env), nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}
