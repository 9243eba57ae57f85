package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"kjjr/console"
	"kjjr/inbox"
	"kjjr/review"
)

const consoleUsage = `用法：
  kjjr console --repo content.git [--addr 127.0.0.1:8080] [--tls-cert FILE --tls-key FILE | --behind-proxy ADDR] [--host NAME]
  kjjr console adduser NAME --email E [--password-file FILE] --repo content.git
  kjjr console deluser NAME --repo content.git
  kjjr console passwd NAME [--password-file FILE] --repo content.git

在浏览器中审核报送的控制台。默认只监听本机（127.0.0.1）；监听其他地址时须启用 HTTPS（--tls-cert/--tls-key），
或用 --behind-proxy 指明前置 HTTPS 反向代理连接本机的地址。账号保存在仓库的 <gitdir>/kjjr/staff 中，不进入内容。
在“待核查”页放行未登记发件人的邮件时，需用 --imap-addr 等参数（或 KJJR_IMAP_* 环境变量）指定收件邮箱，
从隔离文件夹取回原邮件；--smtp-addr 等参数让回执立即发出。
`

// cmdConsole is "kjjr console": the staff console (package console) and its accounts.
func cmdConsole(e *env, args []string) int {
	if len(args) > 0 {
		switch args[0] {
		case "adduser", "deluser", "passwd":
			return consoleAccounts(e, args[0], args[1:])
		}
	}
	fl := flag.NewFlagSet("kjjr console", flag.ContinueOnError)
	fl.SetOutput(e.stderr)
	repo := repoFlag(fl, ".", "内容仓库 `DIR`（裸仓库或工作区）")
	addr := fl.String("addr", "127.0.0.1:8080", "监听地址 `ADDR`")
	cert := fl.String("tls-cert", "", "HTTPS 证书 `FILE`（PEM）")
	key := fl.String("tls-key", "", "HTTPS 私钥 `FILE`（PEM）")
	proxy := fl.String("behind-proxy", "", "前置 HTTPS 反向代理连接本机的 IP `ADDR`（信任其 X-Forwarded-For，Cookie 标为 Secure）")
	hosts := fl.String("host", "", "浏览器访问时使用的主机名 `NAME[:PORT]`（逗号分隔；反向代理后面时必填）")
	addrFile := fl.String("addr-file", "", "就绪后把实际监听地址写入 `FILE`")
	imapSrv := mailServerFlags(fl, "imap", "放行隔离邮件时收件邮箱的 IMAP 服务器 host:port（KJJR_IMAP_ADDR）：未登记发件人的邮件隔离区只存了邮件头，放行时从隔离文件夹取回原邮件")
	qbox := fl.String("quarantine-mailbox", "待核查", "放行时取回原邮件的隔离文件夹（与 kjjr inbox 的 --quarantine-mailbox 相同）")
	smtpSrv := mailServerFlags(fl, "smtp", "放行后立即发送回执的 SMTP 服务器 host:port（KJJR_SMTP_ADDR；不设则回执排队，由运行中的 kjjr inbox 发出）")
	fl.Usage = func() { fmt.Fprint(e.stderr, consoleUsage+"\n参数：\n"); fl.PrintDefaults() }
	pos, code, ok := parseFlags(fl, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(e.stderr, "kjjr console: 未知子命令 %q\n\n%s", pos[0], consoleUsage)
		return 2
	}
	if (*cert == "") != (*key == "") {
		fmt.Fprintln(e.stderr, "kjjr console: --tls-cert 和 --tls-key 须同时给出")
		return 2
	}
	tls := *cert != ""
	for _, m := range []*mailServer{imapSrv, smtpSrv} {
		if err := m.checkTLS(); err != nil {
			fmt.Fprintf(e.stderr, "kjjr console: %v\n", err)
			return 2
		}
	}
	rel := &inbox.Options{
		IMAP:   inbox.IMAPConfig{Addr: *imapSrv.addr, User: *imapSrv.user, TLS: *imapSrv.tls, Quarantine: *qbox},
		SMTP:   inbox.SMTPConfig{Addr: *smtpSrv.addr, User: *smtpSrv.user, TLS: *smtpSrv.tls},
		Logger: slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	for _, m := range []struct {
		srv *mailServer
		pw  *string
	}{{imapSrv, &rel.IMAP.Password}, {smtpSrv, &rel.SMTP.Password}} {
		if *m.srv.addr == "" {
			continue
		}
		var err error
		if *m.pw, err = m.srv.password(); err != nil {
			fmt.Fprintf(e.stderr, "kjjr console: --%s-password-file: %v\n", m.srv.proto, err)
			return 1
		}
	}
	if *proxy != "" && *hosts == "" {
		fmt.Fprintln(e.stderr, "kjjr console: 使用 --behind-proxy 时请用 --host 给出浏览器访问的主机名（例如 --host console.example.gov.cn），否则所有请求都会因主机名不符被拒绝")
		return 2
	}
	if err := console.CheckListen(*addr, tls, *proxy); err != nil {
		fmt.Fprintf(e.stderr, "kjjr console: %v\n", err)
		return 2
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(e.stderr, "kjjr console: 无法监听 %s：%v\n", *addr, err)
		return 1
	}
	cfg := console.Config{Repo: *repo, Addr: ln.Addr().String(), TLS: tls, Proxy: *proxy, Inbox: rel}
	for _, h := range strings.Split(*hosts, ",") {
		if h = strings.TrimSpace(h); h != "" {
			cfg.Hosts = append(cfg.Hosts, h)
		}
	}
	srv, err := console.New(cfg)
	if err != nil {
		ln.Close()
		fmt.Fprintf(e.stderr, "kjjr console: %v\n", err)
		return 1
	}
	if st, err := console.LoadStaff(console.StaffFile(srv.GitDir())); err == nil && len(st.Accounts()) == 0 {
		fmt.Fprintln(e.stderr, "kjjr console: 还没有账号：请先运行 kjjr console adduser 姓名 --email 邮箱 --repo …")
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute}
	scheme := "http"
	if tls {
		scheme = "https"
	}
	fmt.Fprintf(e.stdout, "控制台已启动：%s://%s/（Ctrl-C 停止）\n", scheme, ln.Addr())
	if *addrFile != "" {
		if err := os.WriteFile(*addrFile, []byte(ln.Addr().String()), 0o644); err != nil {
			fmt.Fprintf(e.stderr, "kjjr console: --addr-file: %v\n", err)
		}
	}
	done := make(chan error, 1)
	go func() {
		if tls {
			done <- hs.ServeTLS(ln, *cert, *key)
		} else {
			done <- hs.Serve(ln)
		}
	}()
	select {
	case err = <-done:
	case <-e.ctx.Done():
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = hs.Shutdown(ctx)
		cancel()
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(e.stderr, "kjjr console: %v\n", err)
		return 1
	}
	return 0
}

// consoleAccounts is adduser, deluser and passwd.
func consoleAccounts(e *env, sub string, args []string) int {
	fl := flag.NewFlagSet("kjjr console "+sub, flag.ContinueOnError)
	fl.SetOutput(e.stderr)
	repo := repoFlag(fl, ".", "内容仓库 `DIR`")
	email := fl.String("email", "", "账号的邮箱 `E`（作为审核提交的作者邮箱）")
	pwFile := fl.String("password-file", "", "从 `FILE` 的第一行读取密码（默认：提示输入）")
	fl.Usage = func() { fmt.Fprint(e.stderr, consoleUsage+"\n参数：\n"); fl.PrintDefaults() }
	pos, code, ok := parseFlags(fl, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintf(e.stderr, "kjjr console %s: 请给出一个账号名，例如 kjjr console %s 王科长\n", sub, sub)
		return 2
	}
	name := pos[0]
	r, err := review.Open(*repo)
	if err != nil {
		fmt.Fprintf(e.stderr, "kjjr console: %v\n", err)
		return 1
	}
	gitDir := r.GitDir
	r.Close()
	staff, err := console.LoadStaff(console.StaffFile(gitDir))
	if err != nil {
		fmt.Fprintf(e.stderr, "kjjr console: %v\n", err)
		return 1
	}
	switch sub {
	case "deluser":
		err = staff.Delete(name)
	case "adduser", "passwd":
		if sub == "adduser" && *email == "" {
			fmt.Fprintln(e.stderr, "kjjr console adduser: 请用 --email 给出邮箱（审核通过的合并提交以此署名）")
			return 2
		}
		var pw string
		if pw, err = readPassword(e, *pwFile); err != nil {
			fmt.Fprintf(e.stderr, "kjjr console %s: %v\n", sub, err)
			return 1
		}
		if sub == "adduser" {
			err = staff.Add(name, *email, pw)
		} else {
			err = staff.SetPassword(name, pw)
		}
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "kjjr console %s: %v\n", sub, err)
		return 1
	}
	switch sub {
	case "adduser":
		fmt.Fprintf(e.stdout, "已添加账号 %s <%s>。\n", name, *email)
	case "deluser":
		fmt.Fprintf(e.stdout, "已删除账号 %s（已登录的会话在下一次操作时结束）。\n", name)
	case "passwd":
		fmt.Fprintf(e.stdout, "已修改账号 %s 的密码。\n", name)
	}
	return 0
}

// readPassword reads the password from the first line of file, or from a
// prompt on the terminal (without echo), or from the first line of stdin.
func readPassword(e *env, file string) (string, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("无法读取密码文件：%w", err)
		}
		return strings.TrimRight(strings.SplitN(string(b), "\n", 2)[0], "\r"), nil
	}
	if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(e.stderr, "密码：")
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(e.stderr, "再输入一次：")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		if err != nil {
			return "", err
		}
		if string(a) != string(b) {
			return "", errors.New("两次输入的密码不一致")
		}
		return string(a), nil
	}
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", errors.New("没有读到密码：请在终端中运行，或用 --password-file")
	}
	return strings.TrimRight(line, "\r\n"), nil
}
