package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing/object"

	"kjjr/content"
	"kjjr/health"
	"kjjr/inbox"
	"kjjr/internal/safetext"
	"kjjr/internal/textwidth"
	"kjjr/outbox"
	"kjjr/review"
	"kjjr/submission"
)

const reviewUsage = `用法：
  kjjr review [--repo DIR]                         待审核的报送分支，每个一行
  kjjr review show BRANCH [--repo DIR]             一个报送的全部内容；重新报送时列出逐项变化
  kjjr review approve BRANCH [--by '姓名 <邮箱>']  合并进 main（--no-ff），合并结果须通过校验
  kjjr review reject BRANCH --reason "……"          驳回：记录理由、删除分支、给发件人回执
  kjjr review --quarantine                         隔离区中的邮件及原因
  kjjr review release ID --institution SLUG        核实后把一封隔离邮件作为该机构的报送收取
`

func cmdReview(e *env, args []string) int {
	fs := flag.NewFlagSet("review", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	dir := repoFlag(fs, ".", "内容仓库目录")
	by := fs.String("by", "", "审核人：'姓名 <邮箱>'（默认取仓库的 git config user.name / user.email）")
	reason := fs.String("reason", "", "驳回理由（reject）")
	quarantine := fs.Bool("quarantine", false, "列出隔离区中的邮件")
	inst := fs.String("institution", "", "机构代号（release）")
	nowFlag := fs.String("now", "", "以此时间为当前时间（RFC 3339，如 2026-05-20T09:00:00+08:00；试用和测试用）")
	smtpSrv := mailServerFlags(fs, "smtp", "reject：立即发送回执的 SMTP 服务器 host:port（KJJR_SMTP_ADDR；不设则排队，由运行中的 kjjr inbox 发出）")
	imapSrv := mailServerFlags(fs, "imap", "release：收件邮箱的 IMAP 服务器 host:port（KJJR_IMAP_ADDR）；隔离区只存了邮件头时，从“待核查”文件夹取回原邮件")
	fs.Usage = func() {
		fmt.Fprint(e.stderr, reviewUsage)
		fs.PrintDefaults()
	}
	pos, code, ok := parseFlags(fs, args)
	if !ok {
		return code
	}
	now := time.Now()
	if *nowFlag != "" {
		t, err := time.Parse(time.RFC3339, *nowFlag)
		if err != nil {
			fmt.Fprintf(e.stderr, "kjjr review: --now %q 应写作 RFC 3339 时间，例如 2026-05-20T09:00:00+08:00\n", *nowFlag)
			return 2
		}
		now = t
	}
	fail := func(err error) int {
		if review.CodeOf(err) != "" {
			fmt.Fprintf(e.stderr, "kjjr review: %v\n", err)
		} else {
			fmt.Fprintf(e.stderr, "kjjr review: 出错：%v\n", err)
		}
		return 1
	}
	sub := ""
	if len(pos) > 0 {
		sub = pos[0]
	}
	need := func(n int, what string) bool {
		if len(pos) != n {
			fmt.Fprintf(e.stderr, "kjjr review %s: %s\n", sub, what)
			return false
		}
		return true
	}
	if sub == "release" {
		if !need(2, "请给出隔离邮件的编号：kjjr review release ID --institution SLUG（编号见 kjjr review --quarantine）") {
			return 2
		}
		if *inst == "" {
			fmt.Fprintln(e.stderr, "kjjr review release: 请用 --institution SLUG 指明这封邮件属于哪家机构（先核实发件人）")
			return 2
		}
	}
	// reject and release send a receipt: a bad --smtp-tls is refused before
	// anything is changed.
	if sub == "reject" || sub == "release" {
		if err := smtpSrv.checkTLS(); err != nil {
			fmt.Fprintf(e.stderr, "kjjr review: %v\n", err)
			return 2
		}
	}
	if sub == "release" {
		if err := imapSrv.checkTLS(); err != nil {
			fmt.Fprintf(e.stderr, "kjjr review: %v\n", err)
			return 2
		}
	}
	r, err := review.Open(*dir)
	if err != nil {
		return fail(err)
	}
	defer r.Close()
	if *quarantine {
		return writeQuarantine(e, r)
	}
	switch sub {
	case "release":
		opts := &inbox.Options{SMTP: inbox.SMTPConfig{Addr: *smtpSrv.addr, User: *smtpSrv.user, TLS: *smtpSrv.tls}}
		if *smtpSrv.addr != "" {
			if opts.SMTP.Password, err = smtpSrv.password(); err != nil {
				fmt.Fprintf(e.stderr, "kjjr review: --smtp-password-file: %v\n", err)
				return 1
			}
		}
		opts.IMAP = inbox.IMAPConfig{Addr: *imapSrv.addr, User: *imapSrv.user, TLS: *imapSrv.tls}
		if *imapSrv.addr != "" {
			if opts.IMAP.Password, err = imapSrv.password(); err != nil {
				fmt.Fprintf(e.stderr, "kjjr review: --imap-password-file: %v\n", err)
				return 1
			}
		}
		opts.Logger = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		branch, err := inbox.Release(e.ctx, r.Dir, pos[1], *inst, opts)
		if err != nil {
			var re *inbox.ReleaseError
			if errors.As(err, &re) {
				fmt.Fprintf(e.stderr, "kjjr review release: %v\n", err)
				return 1
			}
			if errors.Is(err, os.ErrNotExist) {
				fmt.Fprintf(e.stderr, "kjjr review release: 隔离区没有编号为 %s 的邮件（kjjr review --quarantine 列出编号）\n", pos[1])
				return 1
			}
			return fail(err)
		}
		fmt.Fprintf(e.stdout, "已放行隔离邮件 %s，作为 %s 的报送写入分支 %s。\n下一步：kjjr review show %s\n", pos[1], *inst, branch, branch)
		return 0
	case "", "list":
		subs, err := r.List()
		if err != nil {
			return fail(err)
		}
		writeReviewList(e.stdout, subs)
		return 0
	case "show":
		if !need(2, "请给出分支名，例如 kjjr review show submit/abc-kejijinrong/2026-04") {
			return 2
		}
		s, err := r.Get(pos[1])
		if err != nil {
			return fail(err)
		}
		writeSubmission(e.stdout, s)
		return 0
	case "approve":
		if !need(2, "请给出分支名，例如 kjjr review approve submit/abc-kejijinrong/2026-04") {
			return 2
		}
		var sig object.Signature
		if *by != "" {
			sig, err = review.ParseApprover(*by)
		} else {
			sig, err = r.Approver()
		}
		if err != nil {
			return fail(err)
		}
		a, err := r.Approve(pos[1], sig, now)
		if a != nil && err != nil {
			fmt.Fprintf(e.stdout, "已合并 %s 进 main（合并提交 %s），但工作区未能更新。\n", a.Submission.Branch, a.Merge.String()[:12])
			return fail(err)
		}
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(e.stdout, "已合并 %s 进 main：%s %s %s（合并提交 %s，审核人 %s <%s>）。\n",
			a.Submission.Branch, a.Submission.Institution, a.Submission.Period.Chinese(), a.Submission.Period.Kind.Chinese(), a.Merge.String()[:12], sig.Name, sig.Email)
		switch a.Worktree {
		case "updated":
			fmt.Fprintf(e.stdout, "工作区（main）已同步更新 %d 个文件。\n", len(a.Paths))
		case "not_checked_out":
			fmt.Fprintln(e.stdout, "当前检出的不是 main，工作区未改动；切换到 main 时（git switch main）即可看到合并结果。")
		}
		fmt.Fprintf(e.stdout, "已删除分支 %s。\n", a.Submission.Branch)
		return 0
	case "reject":
		if !need(2, "请给出分支名，例如 kjjr review reject submit/abc-kejijinrong/2026-04 --reason \"……\"") {
			return 2
		}
		who := *by
		if who == "" {
			if sig, err := r.Approver(); err == nil {
				who = sig.Name + " <" + sig.Email + ">"
			}
		}
		rej, err := r.Reject(pos[1], *reason, who, now)
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(e.stdout, "已驳回 %s：%s。\n理由已记录在 %s/rejections.log；原提交保留在 %s。\n", rej.Branch, rej.Reason, r.StateDir(), rej.Kept)
		srv := outbox.Server{Addr: *smtpSrv.addr, User: *smtpSrv.user, TLS: *smtpSrv.tls}
		if *smtpSrv.addr != "" {
			if srv.Password, err = smtpSrv.password(); err != nil {
				fmt.Fprintf(e.stderr, "kjjr review: --smtp-password-file: %v\n", err)
				return 1
			}
		}
		return rejectReceipt(e, r, rej, srv, now)
	}
	fmt.Fprintf(e.stderr, "kjjr review: 未知子命令 %q\n\n%s", sub, reviewUsage)
	return 2
}

// rejectReceipt queues the receipt of a rejection (回执) in the outbox at
// <gitdir>/kjjr/outbox, to the sender and the institution's other
// report_senders only, and sends it at once when an SMTP server is given;
// otherwise a running kjjr inbox sends it.
func rejectReceipt(e *env, r *review.Repo, rej *review.Rejection, srv outbox.Server, now time.Time) int {
	rr, err := r.QueueRejectReceipt(rej, srv)
	if err != nil {
		fmt.Fprintf(e.stderr, "kjjr review: 回执未能排队：%v\n", err)
		return 1
	}
	if !rr.Queued {
		fmt.Fprintf(e.stdout, "未发送回执：发件人 %q 不是该机构登记的报送邮箱，请另行通知机构。\n", rej.Sender)
		return 0
	}
	if rr.Config.Addr == "" {
		fmt.Fprintf(e.stdout, "回执已放入发件队列（%s），收件人 %s：由运行中的 kjjr inbox 发出，或加 --smtp-addr 立即发送。\n", rr.Outbox.Dir(), rr.To)
		return 0
	}
	if err := rr.Outbox.Flush(e.ctx); err != nil {
		fmt.Fprintf(e.stdout, "回执已放入发件队列，但暂未发出（%v）：kjjr inbox 会重试。\n", err)
		return 0
	}
	fmt.Fprintf(e.stdout, "回执已发送给 %s。\n", rr.To)
	return 0
}

// quarantineReason names the inbox's reason codes for staff.
var quarantineReason = map[string]string{
	"unknown_sender":   "发件人未登记",
	"dkim_fail":        "DKIM 签名未通过",
	"auto_reply":       "自动回复/退信",
	"empty":            "空邮件",
	"header_too_large": "邮件头过大（未读取）",
	"bad_sender":       "发件人不明确（From 不是唯一的有效地址）",
	"rejected":         "内容不合格（已回执）",
}

// writeQuarantine lists the quarantined and rejected messages (kjjr inbox)
// and the submissions staff rejected (kjjr review reject), with reasons.
func writeQuarantine(e *env, r *review.Repo) int {
	recs, err := inbox.ListQuarantine(r.GitDir)
	if err != nil {
		fmt.Fprintf(e.stderr, "kjjr review: 无法读取隔离区：%v\n", err)
		return 1
	}
	_ = health.MarkQuarantineReviewed(r.GitDir, time.Now()) // kjjr health: staff have looked
	w := e.stdout
	if len(recs) == 0 {
		fmt.Fprintln(w, "隔离区没有邮件。")
	} else {
		fmt.Fprintf(w, "隔离区：%d 封邮件\n\n", len(recs))
		rows := [][]string{{"编号", "收到时间", "发件人", "主题", "原因", "机构", "状态"}}
		for _, q := range recs {
			reason := quarantineReason[q.Reason]
			if reason == "" {
				reason = q.Reason
			}
			if len(q.Reasons) > 0 {
				reason += "：" + strings.Join(q.Reasons, "；")
			}
			state := "待核查"
			if q.Released != "" {
				state = "已放行 → " + q.Released
			} else if !q.Expired.IsZero() {
				state = "待核查（隔离区超出容量，原邮件已删除）"
			}
			inst := q.Institution
			if inst == "" {
				inst = "—"
			}
			rows = append(rows, []string{q.ID, cst(q.ReceivedAt), q.From, q.Subject, reason, inst, state})
		}
		writeTable(w, rows)
		fmt.Fprintln(w, "\n核实发件人后放行：kjjr review release 编号 --institution 机构代号（已登记机构换了新邮箱时，请同时在其 index.md 的 report_senders 中加上新地址）")
	}
	rejs, err := r.Rejections()
	if err != nil {
		fmt.Fprintf(e.stderr, "kjjr review: %v\n", err)
		return 1
	}
	if len(rejs) > 0 {
		fmt.Fprintf(w, "\n审核驳回：%d 次\n\n", len(rejs))
		rows := [][]string{{"驳回时间", "分支", "机构", "理由", "审核人"}}
		for _, j := range rejs {
			rows = append(rows, []string{cst(j.Time), j.Branch, j.Name, j.Reason, j.By})
		}
		writeTable(w, rows)
	}
	return 0
}

func cst(t time.Time) string { return t.In(content.CST).Format("2006-01-02 15:04") }

func writeReviewList(w io.Writer, subs []*review.Submission) {
	if len(subs) == 0 {
		fmt.Fprintln(w, "没有待审核的报送分支。")
		return
	}
	fmt.Fprintf(w, "待审核的报送：%d 个\n\n", len(subs))
	rows := [][]string{{"分支", "机构", "期间", "类型", "收到时间", "时限", "警告"}}
	for _, s := range subs {
		late := "按时"
		if s.Late {
			late = "逾期"
		}
		warn := strings.Join(s.Warnings, "；")
		if warn == "" {
			warn = "—"
		}
		rows = append(rows, []string{s.Branch, s.Institution, s.Period.Chinese(), s.Period.Kind.Chinese(), cst(s.ReceivedAt), late, warn})
	}
	writeTable(w, rows)
	fmt.Fprintln(w, "\n查看：kjjr review show BRANCH；通过：kjjr review approve BRANCH；驳回：kjjr review reject BRANCH --reason \"……\"")
}

// writeTable writes rows as left-aligned columns, two spaces apart, with
// CJK widths counted. Cells may hold text from mail or from a branch: each
// is shown with safetext.Terminal, so none can add a row or send a
// terminal escape sequence.
func writeTable(w io.Writer, rows [][]string) {
	rows = escapeRows(rows)
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], textwidth.String(c))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		for i, c := range r {
			if i > 0 {
				b.WriteString("  ")
			}
			b.WriteString(pad(c, widths[i]))
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

// escapeRows returns rows with every cell escaped for a terminal.
func escapeRows(rows [][]string) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = make([]string, len(r))
		for j, c := range r {
			out[i][j] = safetext.Terminal(c)
		}
	}
	return out
}

func writeSubmission(w io.Writer, s *review.Submission) {
	p := func(format string, args ...any) { fmt.Fprint(w, escapeLines(fmt.Sprintf(format, args...))+"\n") }
	p("分支：%s", s.Branch)
	if s.Merged {
		p("状态：已合并进 main")
	} else {
		p("状态：待审核")
	}
	p("机构：%s（%s）", s.Institution, s.Slug)
	p("期间：%s（%s）", s.Period.Chinese(), s.Period.Kind.Chinese())
	late := "按时"
	if s.Late {
		late = "逾期"
	}
	p("收到：%s（截止 %s，%s）", cst(s.ReceivedAt), s.Due, late)
	p("提交：%d 次", len(s.Commits))
	if s.Report != nil {
		if s.Report.Sender != "" {
			p("发件人：%s", s.Report.Sender)
		}
		if s.Report.MessageID != "" {
			p("Message-Id：%s", s.Report.MessageID)
		}
	}
	if dk := s.Trailers["DKIM"]; dk != "" {
		p("DKIM：%s", dk)
	}
	if len(s.Warnings) > 0 {
		p("警告：")
		for _, x := range s.Warnings {
			p("  - %s", x)
		}
	}
	if len(s.Diags) > 0 {
		p("报告文件的问题：")
		for _, d := range s.Diags {
			p("  %s", d)
		}
	}
	writeChanges(w, s)
	rep := s.Report
	if rep == nil {
		return
	}
	if rep.Indicators != nil {
		p("\n指标：")
		rows := [][]string{}
		for _, f := range review.Figures {
			rows = append(rows, []string{"  " + f.Label, f.Format(f.Get(rep.Indicators))})
		}
		writeTable(w, rows)
	}
	if len(rep.PartnerBanks) > 0 {
		p("合作银行：%s", strings.Join(rep.PartnerBanks, "、"))
	}
	if rep.ChargedFees != nil {
		v := "否"
		if *rep.ChargedFees {
			v = "是"
		}
		p("是否向服务对象收取费用：%s", v)
	}
	if len(rep.Financing) > 0 {
		var sum content.Wan
		for _, f := range rep.Financing {
			sum += f.AmountWan
		}
		p("\n融资明细：%d 行，合计 %s 万元", len(rep.Financing), sum)
		rows := [][]string{{"  序号", "企业名称", "统一社会信用代码", "晋创谷", "融资机构", "方式", "金额（万元）", "放款日期"}}
		for i, f := range rep.Financing {
			jc := "否"
			if f.Jinchuanggu {
				jc = "是"
			}
			rows = append(rows, []string{fmt.Sprintf("  %d", i+1), f.Enterprise, f.USCC, jc, f.Lender, f.Method, f.AmountWan.String(), f.Disbursed.String()})
		}
		writeTable(w, rows)
	}
	if len(rep.Enterprises) > 0 {
		p("\n服务企业名单：%d 家", len(rep.Enterprises))
		rows := [][]string{{"  序号", "企业名称", "统一社会信用代码", "晋创谷", "服务内容"}}
		for i, e := range rep.Enterprises {
			jc := "否"
			if e.Jinchuanggu {
				jc = "是"
			}
			rows = append(rows, []string{fmt.Sprintf("  %d", i+1), e.Name, e.USCC, jc, e.Service})
		}
		writeTable(w, rows)
	}
	if rep.Filer != "" || rep.Phone != "" {
		p("填报人：%s %s（%s）", rep.Filer, rep.Phone, rep.FiledOn)
	}
	files := append(append([]content.File{}, rep.Documents...), rep.Evidence...)
	if len(files) > 0 {
		p("\n附件：")
		for _, f := range files {
			p("  %s（%d 字节）", f.Path, f.Size)
		}
	}
	for _, sk := range rep.Skipped {
		p("  未保留：%s（%s）", sk.Name, sk.Reason)
	}
	if s.Previous != nil {
		what := "与上一次提交相比"
		if s.PreviousFrom == "main" {
			what = "与 main 上已审核的版本相比"
		}
		ch := review.Diff(s.Previous, rep)
		p("\n变化（%s）：", what)
		if len(ch) == 0 {
			p("  无变化")
		}
		for _, c := range ch {
			p("  %s：%s → %s", c.Label, c.Old, c.New)
		}
	}
	if strings.TrimSpace(rep.Body) != "" {
		p("\n邮件正文：\n%s", strings.TrimRight(rep.Body, "\n"))
	}
}

// writeChanges lists every entry the branch adds, changes or deletes
// relative to its merge base with main, with mode and size, and marks what
// approval would refuse and why (submission.Check).
func writeChanges(w io.Writer, s *review.Submission) {
	if s.MergeBase.IsZero() {
		fmt.Fprintln(w, "\n改动：该分支与 main 没有共同的历史，不能作为报送合并。")
		return
	}
	fmt.Fprintf(w, "\n改动（与分支和 main 的共同祖先相比）：%d 项\n", len(s.Changes))
	rows := [][]string{{"  ", "操作", "模式", "大小（字节）", "路径"}}
	refused := 0
	for i := range s.Changes {
		c := &s.Changes[i]
		mark, op, size := "  ✓", "修改", "—"
		switch {
		case c.Added():
			op = "新增"
		case c.Deleted():
			op = "删除"
		}
		if c.Size >= 0 {
			size = fmt.Sprint(c.Size)
		}
		if c.Problem != "" {
			mark = "  ✗"
			refused++
		}
		rows = append(rows, []string{mark, op, c.ModeString(), size, submission.DisplayPath(c.Path)})
		if c.Problem != "" {
			rows = append(rows, []string{"", "", "", "", "↳ 不能合并：" + c.Problem})
		} else if c.Note != "" {
			rows = append(rows, []string{"", "", "", "", "↳ 注：" + c.Note})
		}
	}
	writeTable(w, rows)
	if refused > 0 {
		fmt.Fprintf(w, "审核通过（approve）会拒绝此分支：%d 项改动不能合并（标 ✗），请驳回（kjjr review reject）并请机构重新报送。\n", refused)
	}
}

// escapeLines escapes each line of s for a terminal, keeping the line
// breaks of the text kjjr itself formats.
func escapeLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = safetext.Terminal(l)
	}
	return strings.Join(lines, "\n")
}
