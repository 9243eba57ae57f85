package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"time"

	"kjjr/content"
	"kjjr/health"
	"kjjr/inbox"
	"kjjr/outbox"
)

// cmdHealth checks that kjjr, running unattended, still works, and exits
// as a monitoring plugin does (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).
// --notify mails staff through the outbox (package health).
func cmdHealth(e *env, args []string) int {
	fl := flag.NewFlagSet("health", flag.ContinueOnError)
	fl.SetOutput(e.stderr)
	fl.Usage = func() {
		fmt.Fprint(e.stderr, `用法：kjjr health [--repo DIR] [--json] [--notify] [--now 时间] [SMTP 参数]

检查 kjjr 的运行状况，每项一行：收信（kjjr inbox）、发信（回执和提醒）、
催报提醒、网站发布、节假日安排、管理办法有效期、隔离区、磁盘。
退出码按监控插件惯例（Nagios、Zabbix、Icinga）：0 正常，1 警告，2 严重，3 未知。
限值在 site.yaml 的 ops 中设置。

--notify：有严重问题时给 site.yaml ops.alert_to 中的工作人员发告警邮件
（同一问题每天一封，恢复后再发一封“已恢复”），只发给工作人员，不发给机构。
设置了 --smtp-addr 时立即发送，否则排队，由运行中的 kjjr inbox 发送。
适合由 cron 或 systemd 定时器每 10 分钟运行一次。

参数：
`)
		fl.PrintDefaults()
	}
	repoDir := repoFlag(fl, ".", "内容仓库目录（git 仓库，可为裸仓库）")
	asJSON := fl.Bool("json", false, "以 JSON 输出（供监控系统读取）")
	notify := fl.Bool("notify", false, "有严重问题时给 ops.alert_to 发告警邮件，恢复时发“已恢复”邮件")
	nowFlag := fl.String("now", "", "以此时间为“现在”（YYYY-MM-DD 或 RFC 3339；试用和测试用）")
	smtpSrv := mailServerFlags(fl, "smtp", "告警邮件的 SMTP 提交服务器 host:port（KJJR_SMTP_ADDR；不设则只排队）")
	pos, code, ok := parseFlags(fl, args)
	if !ok {
		if code == 2 {
			return int(health.Unknown)
		}
		return code
	}
	unknown := func(format string, a ...any) int {
		fmt.Fprintf(e.stdout, "KJJR UNKNOWN - "+format+"\n", a...)
		return int(health.Unknown)
	}
	if len(pos) > 0 {
		return unknown("多余的参数 %q", pos)
	}
	now := time.Now()
	if *nowFlag != "" {
		t, err := parseHealthNow(*nowFlag)
		if err != nil {
			return unknown("--now %q 不是有效时间，应写作 YYYY-MM-DD 或 2006-01-02T15:04:05+08:00", *nowFlag)
		}
		now = t
	}
	stateDir, err := inbox.StateDir(*repoDir)
	if err != nil {
		return unknown("%s 不是 git 仓库：请用 --repo 指向内容仓库（%v）", *repoDir, err)
	}
	gitDir := filepath.Dir(stateDir)
	src, err := openContent(*repoDir)
	if err != nil {
		return unknown("%v", err)
	}
	if _, err := fs.Stat(src.fsys, "site.yaml"); err != nil {
		return unknown("%s 不是 kjjr 内容仓库（没有 site.yaml）", src.where)
	}
	repo, _ := content.Load(src.fsys, src.loadOpts) // what loaded; kjjr check names errors
	lim, err := health.LimitsFrom(&repo.Site)
	if err != nil {
		return unknown("%v", err)
	}
	in := &health.Input{GitDir: gitDir, Site: &repo.Site, Cal: repo.Calendar, Now: now, Limits: lim}
	health.Gather(in)
	rep := health.Check(in)

	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		_ = enc.Encode(rep)
	} else {
		fmt.Fprint(e.stdout, rep.Text())
	}
	if *notify {
		if err := healthNotify(e, gitDir, repo, rep, smtpSrv, now); err != nil {
			fmt.Fprintf(e.stderr, "kjjr health: 告警邮件：%v\n", err)
			return int(health.Worse(rep.Status, health.Unknown))
		}
	}
	return int(rep.Status)
}

// healthNotify queues (and with --smtp-addr sends) the alert mails.
func healthNotify(e *env, gitDir string, repo *content.Repo, rep health.Report, smtpSrv *mailServer, now time.Time) error {
	if err := smtpSrv.checkTLS(); err != nil {
		return err
	}
	srv := outbox.Server{Addr: *smtpSrv.addr, User: *smtpSrv.user, TLS: *smtpSrv.tls}
	if srv.Addr != "" {
		pw, err := smtpSrv.password()
		if err != nil {
			return fmt.Errorf("--smtp-password-file: %w", err)
		}
		srv.Password = pw
	}
	cfg := outbox.ConfigFor(&repo.Site, repo.Institution, srv)
	cfg.Logger = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	cfg.Now = func() time.Time { return now }
	ob, err := outbox.Open(filepath.Join(gitDir, "kjjr", "outbox"), cfg)
	if err != nil {
		return err
	}
	title := repo.Site.Title
	if title == "" {
		title = "kjjr"
	}
	sent, err := health.Notify(gitDir, rep, ob, health.Staff{To: repo.Site.Ops.AlertTo, Institutions: repo.Institutions, Site: title})
	for _, s := range sent {
		fmt.Fprintf(e.stderr, "告警邮件已排队：%s\n", s.Subject)
	}
	if err != nil {
		return err
	}
	if srv.Addr != "" && len(sent) > 0 {
		return ob.Flush(e.ctx)
	}
	return nil
}

// parseHealthNow reads --now: a date (the current time of day, Beijing time,
// on that day) or an RFC 3339 time.
func parseHealthNow(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	d, err := content.ParseDate(s)
	if err != nil {
		return time.Time{}, err
	}
	n := time.Now().In(content.CST)
	return time.Date(d.Year, d.Month, d.Day, n.Hour(), n.Minute(), n.Second(), 0, content.CST), nil
}

// recordHealth stores one run of job in the health record of repoDir's
// git directory; a failure to record is logged, never fatal to the job.
func recordHealth(e *env, repoDir, job string, run health.Run) {
	stateDir, err := inbox.StateDir(repoDir)
	if err != nil {
		return // not a git repository: nowhere to record
	}
	if err := health.Record(filepath.Dir(stateDir), job, run); err != nil {
		fmt.Fprintf(e.stderr, "kjjr %s: 无法写入运行记录：%v\n", job, err)
	}
}
