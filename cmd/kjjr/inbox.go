package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"kjjr/health"
	"kjjr/inbox"
	"kjjr/outbox"
)

// serveMetrics serves m on addr at /metrics until stop is called.
func serveMetrics(addr string, m *health.Metrics) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", m.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return func() { srv.Close() }, nil
}

// cmdInbox fetches emailed reports over IMAP and writes each submission as
// a commit on its review branch. --once processes what is in the
// mailbox and exits; otherwise it runs until SIGINT/SIGTERM.
func cmdInbox(e *env, args []string) int {
	fl := flag.NewFlagSet("inbox", flag.ContinueOnError)
	fl.SetOutput(e.stderr)
	fl.Usage = func() {
		fmt.Fprint(e.stderr, `用法：kjjr inbox --repo DIR [--once] [IMAP 参数] [SMTP 参数]

从 IMAP 邮箱收取机构报送的邮件：月报表、半年工作进展、年度工作总结及印证资料
写入内容仓库的审核分支 submit/<机构>/<期间>（不动工作区），处理完的邮件移入
“已处理”，未知发件人、DKIM 验证失败和无法受理的邮件移入“待核查”，
并给报送机构发回执。不加 --once 时持续运行（IDLE，断线自动重连），
Ctrl-C 或 SIGTERM 时处理完当前邮件后退出。

参数：
`)
		fl.PrintDefaults()
		fmt.Fprint(e.stderr, `
环境变量：KJJR_IMAP_ADDR、KJJR_IMAP_USER、KJJR_IMAP_PASSWORD、KJJR_IMAP_TLS，
KJJR_SMTP_ADDR、KJJR_SMTP_USER、KJJR_SMTP_PASSWORD、KJJR_SMTP_TLS。
密码只从环境变量或 --*-password-file 读取，不从命令行读取。
`)
	}
	repoDir := repoFlag(fl, ".", "内容仓库目录（git 仓库，可为裸仓库）")
	once := fl.Bool("once", false, "处理完邮箱中现有邮件后退出")
	imapSrv := mailServerFlags(fl, "imap", "IMAP 服务器 host:port（KJJR_IMAP_ADDR）")
	mailbox := fl.String("mailbox", "INBOX", "收取的邮箱文件夹")
	processed := fl.String("processed-mailbox", "已处理", "已入库邮件移入的文件夹（不存在时创建）")
	quarantine := fl.String("quarantine-mailbox", "待核查", "隔离和退回的邮件移入的文件夹（不存在时创建）")
	smtpSrv := mailServerFlags(fl, "smtp", "发送回执的 SMTP 提交服务器 host:port（KJJR_SMTP_ADDR；不设则回执只排队不发送）")
	poll := fl.Duration("poll", time.Minute, "服务器不支持 IDLE 时的轮询间隔")
	verbose := fl.Bool("v", false, "输出每封邮件的处理日志")
	metricsAddr := fl.String("metrics-addr", "", "在此地址提供 Prometheus 指标 /metrics（如 127.0.0.1:9464；默认不提供）")
	metricsRemote := fl.Bool("metrics-allow-remote", false, "允许 --metrics-addr 使用非本机地址")
	pos, code, ok := parseFlags(fl, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(e.stderr, "kjjr inbox: 多余的参数 %q\n", pos)
		return 2
	}
	if *imapSrv.addr == "" {
		fmt.Fprintln(e.stderr, "kjjr inbox: 请用 --imap-addr 或环境变量 KJJR_IMAP_ADDR 指定 IMAP 服务器（host:port）")
		return 2
	}
	imapPass, err := imapSrv.password()
	if err != nil {
		fmt.Fprintf(e.stderr, "kjjr inbox: 无法读取密码文件：%v\n", err)
		return 2
	}
	smtpPass, err := smtpSrv.password()
	if err != nil {
		fmt.Fprintf(e.stderr, "kjjr inbox: 无法读取密码文件：%v\n", err)
		return 2
	}
	for _, m := range []*mailServer{imapSrv, smtpSrv} {
		if err := m.checkTLS(); err != nil {
			fmt.Fprintf(e.stderr, "kjjr inbox: %v\n", err)
			return 2
		}
	}
	var metrics *health.Metrics
	if *metricsAddr != "" {
		stateDir, err := inbox.StateDir(*repoDir)
		if err != nil {
			fmt.Fprintf(e.stderr, "kjjr inbox: %s 不是 git 仓库：请用 --repo 指向内容仓库（%v）\n", *repoDir, err)
			return 1
		}
		if !*metricsRemote && !outbox.IsLoopback(*metricsAddr) {
			fmt.Fprintf(e.stderr, "kjjr inbox: --metrics-addr %s 不是本机地址：指标默认只对本机提供，确需对外请加 --metrics-allow-remote\n", *metricsAddr)
			return 2
		}
		metrics = health.NewMetrics(filepath.Dir(stateDir))
		stop, err := serveMetrics(*metricsAddr, metrics)
		if err != nil {
			fmt.Fprintf(e.stderr, "kjjr inbox: --metrics-addr：%v\n", err)
			return 1
		}
		defer stop()
	}
	level := slog.LevelWarn
	if *verbose || !*once {
		level = slog.LevelInfo
	}
	opts := &inbox.Options{
		IMAP: inbox.IMAPConfig{Addr: *imapSrv.addr, User: *imapSrv.user, Password: imapPass, TLS: *imapSrv.tls,
			Mailbox: *mailbox, Processed: *processed, Quarantine: *quarantine},
		SMTP:         inbox.SMTPConfig{Addr: *smtpSrv.addr, User: *smtpSrv.user, Password: smtpPass, TLS: *smtpSrv.tls},
		Logger:       slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level})),
		PollInterval: *poll,
		OnPass: func(p inbox.PassReport) {
			if metrics != nil {
				metrics.ObservePass(p)
			}
			recordHealth(e, *repoDir, health.JobInbox, health.Run{Start: p.Start, End: p.End, Err: p.Err,
				Server: p.Server, Mailbox: p.Mailbox, Secrets: []string{imapPass, smtpPass},
				Counts: map[string]int{"fetched": p.Stats.Seen, "accepted": p.Stats.Committed,
					"quarantined": p.Stats.Quarantined - p.Stats.Rejected, "rejected": p.Stats.Rejected}})
		},
	}
	w, err := inbox.NewWorker(*repoDir, opts)
	if err != nil {
		if errors.Is(err, inbox.ErrLocked) {
			fmt.Fprintf(e.stderr, "kjjr inbox: 已有另一个 kjjr inbox 在处理仓库 %s\n", *repoDir)
			return 1
		}
		if errors.Is(err, inbox.ErrNotRepo) {
			fmt.Fprintf(e.stderr, "kjjr inbox: %s 不是 git 仓库：请用 --repo 指向内容仓库（可用 kjjr init 新建）(%v)\n", *repoDir, err)
			return 1
		}
		fmt.Fprintf(e.stderr, "kjjr inbox: %v\n", err)
		return 1
	}
	defer w.Close()
	if *once {
		st, err := w.RunOnce(e.ctx)
		fmt.Fprintf(e.stdout, "共 %d 封：入库 %d，待核查 %d，重复 %d，暂留 %d\n", st.Seen, st.Committed, st.Quarantined, st.Duplicates, st.Left)
		if err != nil {
			fmt.Fprintf(e.stderr, "kjjr inbox: %v\n", err)
			return 1
		}
		return 0
	}
	if err := w.Run(e.ctx); err != nil {
		fmt.Fprintf(e.stderr, "kjjr inbox: %v\n", err)
		return 1
	}
	return 0
}
