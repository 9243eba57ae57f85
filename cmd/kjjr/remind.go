package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"kjjr/content"
	"kjjr/content/gitfs"
	"kjjr/health"
	"kjjr/internal/gitdir"
	"kjjr/outbox"
	"kjjr/submission"
)

// cmdRemind emails reminders before and after reporting deadlines:
// once per institution, item and stage, through the outbox in
// <gitdir>/kjjr/outbox.
func cmdRemind(e *env, args []string) int {
	fl := flag.NewFlagSet("remind", flag.ContinueOnError)
	fl.SetOutput(e.stderr)
	fl.Usage = func() {
		fmt.Fprint(e.stderr, `用法：kjjr remind [--repo DIR] [--dry-run] [--now YYYY-MM-DD] [SMTP 参数]

对名录内每家机构，月报、半年工作进展报告、年度工作总结在截止前
deadlines.remind_days 天内、截止当天、逾期 30 天内尚未收到（也不在待审核
分支上）的，各发一次提醒邮件，只发给该机构登记的报送邮箱。
同一事项同一阶段只发一次；一天内重复运行不会重复发送。适合每天由
cron 或 systemd 定时器运行一次。

参数：
`)
		fl.PrintDefaults()
		fmt.Fprint(e.stderr, `
环境变量：KJJR_SMTP_ADDR、KJJR_SMTP_USER、KJJR_SMTP_PASSWORD、KJJR_SMTP_TLS，
发件副本存入“已发送”：KJJR_IMAP_ADDR、KJJR_IMAP_USER、KJJR_IMAP_PASSWORD、KJJR_IMAP_TLS。
`)
	}
	repoDir := repoFlag(fl, ".", "内容仓库目录（git 仓库时读取 main 分支）")
	dryRun := fl.Bool("dry-run", false, "只列出将要发送的提醒，不发送、不记录")
	verbose := fl.Bool("v", false, "与 --dry-run 同用时打印每封邮件的正文")
	nowFlag := fl.String("now", "", "以此日期为“今天”（YYYY-MM-DD，默认今天，北京时间；试用和测试用，邮件日期也按此）")
	stateDir := fl.String("state-dir", "", "发送记录目录（默认 <gitdir>/kjjr/outbox）")
	smtpSrv := mailServerFlags(fl, "smtp", "SMTP 提交服务器 host:port（KJJR_SMTP_ADDR）")
	from := fl.String("from", "", "发件地址（默认 site.yaml 的 inbox.receipt_from）")
	imapSrv := mailServerFlags(fl, "imap", "把发出的邮件存入此 IMAP 账户的“已发送”（KJJR_IMAP_ADDR，可不设）")
	pos, code, ok := parseFlags(fl, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(e.stderr, "kjjr remind: 多余的参数 %q\n", pos)
		return 2
	}
	start := time.Now()
	today := content.Today()
	if *nowFlag != "" {
		d, err := content.ParseDate(*nowFlag)
		if err != nil {
			fmt.Fprintf(e.stderr, "kjjr remind: --now %q 不是有效日期，应写作 YYYY-MM-DD\n", *nowFlag)
			return 2
		}
		today = d
	}

	src, err := openContent(*repoDir)
	if err != nil {
		fmt.Fprintf(e.stderr, "kjjr remind: %v\n", err)
		return 1
	}
	repo, lerr := content.Load(src.fsys, src.loadOpts)
	if _, err := fs.Stat(src.fsys, "site.yaml"); err != nil {
		fmt.Fprintf(e.stderr, "kjjr remind: %s 不是 kjjr 内容仓库（没有 site.yaml）\n", src.where)
		return 1
	}
	if lerr != nil {
		// Reminders use what loaded; kjjr check names every problem.
		fmt.Fprintf(e.stderr, "kjjr remind: 警告：内容仓库有 %d 处错误（运行 kjjr check 查看），有错的记录未计入\n", len(repo.Diags.Errors()))
	}
	reminders, skipped := outbox.Plan(repo, today, src.pending)

	if *from == "" && repo.Site.Inbox.ReceiptFrom == "" {
		fmt.Fprintln(e.stderr, "kjjr remind: 没有发件地址：请在 site.yaml 的 inbox.receipt_from 填写，或用 --from 指定")
		return 2
	}
	srv := outbox.Server{Addr: *smtpSrv.addr, User: *smtpSrv.user, TLS: *smtpSrv.tls}
	configure := func() *outbox.Config {
		cfg := outbox.ConfigFor(&repo.Site, repo.Institution, srv)
		cfg.Logger = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		if *from != "" {
			cfg.From = *from
		}
		if *nowFlag != "" {
			// Act wholly as on that day: expiry of stale reminders and the
			// Date of the mail follow it (for trials and tests).
			cfg.Now = func() time.Time {
				n := time.Now().In(content.CST)
				return time.Date(today.Year, today.Month, today.Day, n.Hour(), n.Minute(), n.Second(), 0, content.CST)
			}
		}
		return cfg
	}
	sdir := *stateDir
	if sdir == "" {
		sdir = src.stateDir
	}

	fmt.Fprintf(e.stdout, "kjjr remind：%s，截止前 %d 天起提醒\n", today, repo.Site.Deadlines.RemindDays)
	if *dryRun {
		return remindDryRun(e, configure(), sdir, reminders, skipped, *verbose)
	}

	if sdir == "" {
		fmt.Fprintf(e.stderr, "kjjr remind: %s 不是 git 仓库，无处记录已发送的提醒：请用 --state-dir 指定一个目录\n", src.where)
		return 2
	}
	for _, m := range []*mailServer{smtpSrv, imapSrv} {
		if err := m.checkTLS(); err != nil {
			fmt.Fprintf(e.stderr, "kjjr remind: %v\n", err)
			return 2
		}
	}
	if *smtpSrv.addr != "" {
		pw, err := smtpSrv.password()
		if err != nil {
			fmt.Fprintf(e.stderr, "kjjr remind: --smtp-password-file: %v\n", err)
			return 2
		}
		srv.Password = pw
	}
	if *imapSrv.addr != "" {
		pw, err := imapSrv.password()
		if err != nil {
			fmt.Fprintf(e.stderr, "kjjr remind: --imap-password-file: %v\n", err)
			return 2
		}
		srv.Sent = outbox.IMAPConfig{Addr: *imapSrv.addr, User: *imapSrv.user, Password: pw, TLS: *imapSrv.tls}
	}
	ob, err := outbox.Open(sdir, configure())
	if err != nil {
		fmt.Fprintf(e.stderr, "kjjr remind: %v\n", err)
		return 2
	}
	var queued []string
	for _, r := range reminders {
		key := outbox.ReminderKey(r.Slug, r.Period, r.Stage)
		had, err := ob.Has(key)
		if err != nil {
			fmt.Fprintf(e.stderr, "kjjr remind: %v\n", err)
			return 1
		}
		if had {
			continue
		}
		if err := ob.QueueReminder(r); err != nil {
			fmt.Fprintf(e.stderr, "kjjr remind: %s %s: %v\n", r.Slug, r.Period, err)
			return 1
		}
		queued = append(queued, key)
		fmt.Fprintf(e.stdout, "排队：%s（%s）%s %s → %s\n", r.Institution, r.Slug, r.Subject(), r.Stage.Chinese(), strings.Join(r.To, ", "))
	}
	printSkipped(e.stdout, skipped)
	if len(queued) == 0 {
		fmt.Fprintln(e.stdout, "今天没有新的提醒需要发送。")
	}
	if *smtpSrv.addr == "" {
		recordHealth(e, *repoDir, health.JobRemind, health.Run{Start: start, End: time.Now(), Counts: map[string]int{"queued": len(queued)}})
		if len(queued) > 0 {
			fmt.Fprintf(e.stdout, "未设置 --smtp-addr：%d 封提醒已排队，将由运行中的 kjjr inbox（或下次带 --smtp-addr 运行本命令时）发送。\n", len(queued))
		}
		return 0
	}
	ferr := ob.Flush(e.ctx)
	// Report on every mail still waiting, not only today's: a cron run is
	// also how yesterday's failures get retried and noticed.
	list, _ := ob.List()
	sent, waiting, failed := 0, 0, 0
	todays := map[string]bool{}
	for _, k := range queued {
		todays[k] = true
	}
	for _, en := range list {
		switch {
		case todays[en.Key] && en.State == outbox.StateSent:
			sent++
		case en.State == outbox.StateQueued:
			waiting++
			fmt.Fprintf(e.stdout, "待重试：%s（第 %d 次失败：%s）\n", en.Subject, en.Attempts, en.LastError)
		case todays[en.Key] && (en.State == outbox.StateFailed || en.State == outbox.StateUnconfirmed):
			failed++
			fmt.Fprintf(e.stdout, "发送失败：%s → %s：%s\n", en.Subject, strings.Join(en.To, ", "), en.LastError)
		}
	}
	fmt.Fprintf(e.stdout, "已发送 %d 封，待重试 %d 封，失败 %d 封。\n", sent, waiting, failed)
	runErr := ferr
	if runErr == nil && waiting+failed > 0 {
		runErr = fmt.Errorf("%d reminders waiting, %d failed", waiting, failed)
	}
	recordHealth(e, *repoDir, health.JobRemind, health.Run{Start: start, End: time.Now(), Err: runErr, Server: srv.Addr,
		Secrets: []string{srv.Password, srv.Sent.Password}, Counts: map[string]int{"queued": len(queued), "sent": sent, "waiting": waiting, "failed": failed}})
	if ferr != nil || waiting > 0 || failed > 0 {
		if ferr != nil {
			fmt.Fprintf(e.stderr, "kjjr remind: %v\n", ferr)
		}
		return 1
	}
	return 0
}

func remindDryRun(e *env, cfg *outbox.Config, sdir string, reminders, skipped []*outbox.Reminder, verbose bool) int {
	var ob *outbox.Outbox
	if sdir != "" {
		if _, err := os.Stat(sdir); err == nil {
			ob, _ = outbox.Open(sdir, nil)
		}
	}
	fmt.Fprintln(e.stdout, "演练（--dry-run）：不发送、不记录任何邮件")
	n, done := 0, 0
	for _, r := range reminders {
		if ob != nil {
			if had, _ := ob.Has(outbox.ReminderKey(r.Slug, r.Period, r.Stage)); had {
				done++
				continue
			}
		}
		n++
		subject, body := outbox.Preview(cfg, r)
		fmt.Fprintf(e.stdout, "%d. %s（%s）%s，截止 %s，%s\n", n, r.Institution, r.Slug, periodName(r.Period), r.Deadline, r.Stage.Chinese())
		fmt.Fprintf(e.stdout, "   收件人：%s\n", strings.Join(r.To, ", "))
		fmt.Fprintf(e.stdout, "   主题：%s\n", subject)
		if verbose {
			for _, l := range strings.Split(strings.TrimRight(body, "\n"), "\n") {
				fmt.Fprintf(e.stdout, "   | %s\n", l)
			}
		}
	}
	printSkipped(e.stdout, skipped)
	fmt.Fprintf(e.stdout, "将发送 %d 封提醒", n)
	if done > 0 {
		fmt.Fprintf(e.stdout, "；另有 %d 封此前已排队或发送，不再重复", done)
	}
	fmt.Fprintln(e.stdout, "。")
	return 0
}

func printSkipped(w io.Writer, skipped []*outbox.Reminder) {
	if len(skipped) == 0 {
		return
	}
	fmt.Fprintln(w, "以下机构未登记报送邮箱（report_senders），无法提醒，请补充后重新运行：")
	for _, r := range skipped {
		fmt.Fprintf(w, "   %s（%s）%s，截止 %s，%s\n", r.Institution, r.Slug, periodName(r.Period), r.Deadline, r.Stage.Chinese())
	}
}

// periodName is 2026年10月月报 and the like.
func periodName(p content.Period) string {
	switch p.Kind {
	case content.Monthly:
		return p.Chinese() + "月报"
	case content.HalfYear:
		return p.Chinese() + "工作进展报告"
	default:
		return p.Chinese() + "工作总结"
	}
}

// contentSource is where remind reads the content and keeps its state.
type contentSource struct {
	fsys     fs.FS
	where    string
	stateDir string          // <gitdir>/kjjr/outbox, or "" for a plain directory
	pending  map[string]bool // outbox.PendingKey of each pending submission (submission.Pending)
	loadOpts *content.LoadOptions
}

// openContent reads main's tree when dir is a git repository (bare or
// not), else the directory itself.
func openContent(dir string) (*contentSource, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if st, err := os.Stat(abs); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("内容仓库目录 %s 不存在", dir)
	}
	// gitdir lists refs past the lock files a killed git leaves.
	r, gd, err := gitdir.Open(abs)
	if errors.Is(err, gitdir.ErrNotRepo) {
		return &contentSource{fsys: os.DirFS(abs), where: dir}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("打开 git 仓库 %s：%v", dir, err)
	}
	fsys, _, err := gitfs.Rev(r, "refs/heads/main")
	if err != nil {
		return nil, fmt.Errorf("%s 没有 main 分支（%v）：提醒按 main 上已批准的报送计算", dir, err)
	}
	// One worker: go-git's object.Tree caches lookups in a map without a
	// lock, so a gitfs.FS must not be read from several goroutines (go
	// test -race finds it in content.Load's parallel decode).
	src := &contentSource{fsys: fsys, where: dir + "（main 分支）", pending: map[string]bool{}, loadOpts: &content.LoadOptions{Workers: 1}}
	src.stateDir = filepath.Join(gd, "kjjr", "outbox")
	// Pending as kjjr review and status count it (package submission):
	// unmerged local submit/… branches only.
	pend, err := submission.Pending(r.Storer)
	if err != nil {
		return nil, fmt.Errorf("列出 %s 的分支：%v", dir, err)
	}
	for b := range pend {
		src.pending[outbox.PendingKey(b.Slug, b.Period)] = true
	}
	return src, nil
}
