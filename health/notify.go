package health

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"kjjr/content"
	"kjjr/internal/atomicfile"
	"kjjr/outbox"
)

// AlertsFileName is the file in <gitdir>/kjjr that keeps the open alert
// conditions.
const AlertsFileName = "alerts.json"

// condition is one open alert: a check CRITICAL for one code.
type condition struct {
	Check   string    `json:"check"`
	Name    string    `json:"name"`
	Code    string    `json:"code"`
	Since   time.Time `json:"since"`
	Summary string    `json:"summary"`
}

// Sent is one notice Notify queued.
type Sent struct {
	Key     string
	Subject string
	Recover bool // an 已恢复 notice
}

// Staff is who Notify mails, and the register it must not mail.
type Staff struct {
	To []string // site.yaml ops.alert_to
	// Institutions are the register; an address in To that is a report
	// sender of one of them is refused.
	Institutions []*content.Institution
	Site         string // the site's title, for the subject
}

// ErrNoAlertTo is returned by Notify when site.yaml names no staff.
var ErrNoAlertTo = errors.New("site.yaml 没有设置 ops.alert_to（接收运行告警的工作人员邮箱）")

// checkStaff refuses alert addresses that belong to an institution.
func checkStaff(s Staff) error {
	if len(s.To) == 0 {
		return ErrNoAlertTo
	}
	for _, to := range s.To {
		for _, in := range s.Institutions {
			for _, rs := range in.ReportSenders {
				if strings.EqualFold(strings.TrimSpace(rs.Email), strings.TrimSpace(to)) {
					return fmt.Errorf("site.yaml ops.alert_to 中的 %s 是机构 %s 的报送邮箱：运行告警只发给本局工作人员，请改为工作人员邮箱", to, in.Name)
				}
			}
		}
	}
	return nil
}

// Notify queues in ob an alert for every CRITICAL result of rep (once
// per check and code per day, Beijing time) and a recovery notice for
// every condition alerted before that is no longer CRITICAL. It keeps
// the open conditions in <gitdir>/kjjr/alerts.json. Nothing is sent
// here: ob.Flush, or a running kjjr inbox, sends.
func Notify(gitDir string, rep Report, ob *outbox.Outbox, staff Staff) ([]Sent, error) {
	if err := checkStaff(staff); err != nil {
		return nil, err
	}
	dir := filepath.Join(gitDir, "kjjr")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("health: %w", err)
	}
	unlock, err := lockFile(filepath.Join(dir, "alerts.lock"))
	if err != nil {
		return nil, fmt.Errorf("health: lock: %w", err)
	}
	defer unlock()
	open, err := readAlerts(gitDir)
	if err != nil {
		return nil, err
	}
	var sent []Sent
	queue := func(key, subject, body string, recovered bool) error {
		had, err := ob.Has("notice:" + key)
		if err != nil {
			return err
		}
		if had {
			return nil
		}
		if err := ob.QueueNotice(&outbox.Notice{Key: key, To: staff.To, Subject: subject, Body: body}); err != nil {
			return err
		}
		sent = append(sent, Sent{Key: key, Subject: subject, Recover: recovered})
		return nil
	}
	day := content.DateOf(rep.At).String()
	now := map[string]bool{}
	critChecks := map[string]bool{}
	var errs []error
	for _, r := range rep.Results {
		if r.Status != Critical {
			continue
		}
		id := r.Check + "/" + r.Code
		now[id] = true
		critChecks[r.Check] = true
		c, ok := open[id]
		if !ok {
			since := r.Since
			if since.IsZero() {
				since = rep.At
			}
			c = &condition{Check: r.Check, Name: r.Name, Code: r.Code, Since: since.UTC()}
			open[id] = c
		}
		c.Summary = r.Summary
		subject := fmt.Sprintf("【%s运行告警】%s：%s", staff.Site, r.Name, shortCause(r))
		if err := queue("health/"+id+"/"+day, subject, alertBody(r, c, rep), false); err != nil {
			errs = append(errs, err)
		}
	}
	ids := make([]string, 0, len(open))
	for id := range open {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if now[id] {
			continue
		}
		c := open[id]
		if critChecks[c.Check] {
			// Still broken, another way: that alert went out; no 已恢复.
			delete(open, id)
			continue
		}
		subject := fmt.Sprintf("【%s已恢复】%s", staff.Site, c.Name)
		if err := queue("health/"+id+"/recovered/"+c.Since.Format("20060102T150405Z"), subject, recoveryBody(c, rep), true); err != nil {
			errs = append(errs, err)
			continue
		}
		delete(open, id)
	}
	if err := writeAlerts(gitDir, open); err != nil {
		errs = append(errs, err)
	}
	return sent, errors.Join(errs...)
}

func readAlerts(gitDir string) (map[string]*condition, error) {
	open := map[string]*condition{}
	b, err := os.ReadFile(filepath.Join(gitDir, "kjjr", AlertsFileName))
	if errors.Is(err, fs.ErrNotExist) {
		return open, nil
	}
	if err != nil {
		return nil, fmt.Errorf("health: %w", err)
	}
	if err := json.Unmarshal(b, &open); err != nil {
		return nil, fmt.Errorf("health: %s: %w", AlertsFileName, err)
	}
	return open, nil
}

func writeAlerts(gitDir string, open map[string]*condition) error {
	b, err := json.MarshalIndent(open, "", "  ")
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	if err := atomicfile.WriteFile(filepath.Join(gitDir, "kjjr", AlertsFileName), append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("health: %w", err)
	}
	return nil
}

// shortCause is the subject's few words.
func shortCause(r Result) string {
	switch r.Check {
	case "inbox", "remind", "publish":
		if _, ok := causeText[r.Code]; ok {
			return CauseText(r.Code)
		}
		return "停止工作"
	case "outbox":
		return "邮件发送失败"
	case "calendar":
		return "缺少节假日安排"
	case "policy":
		return "管理办法已到期"
	case "disk":
		return "磁盘将满"
	}
	return r.Status.Chinese()
}

// impact is what the institutions meet while the check is broken.
var impact = map[string]string{
	"inbox":    "机构发来的报表留在邮箱里无人处理：不进入审核，机构也收不到回执。时间一长，催报提醒会把已报送的机构算作未报送。",
	"outbox":   "机构收不到回执或催报提醒，可能以为报送没有成功而重复发送，或错过截止日。",
	"remind":   "机构收不到截止前的催报提醒。",
	"publish":  "公开网站没有更新，公众看到的名录和公告是旧的。",
	"calendar": "报送截止日暂按周末计算：遇节假日和调休时，截止日、催报提醒和回执里的日期可能是错的。",
	"policy":   "名录所依据的《管理办法》已过有效期，网站和催报邮件仍按旧办法运行。",
	"disk":     "磁盘写满后报表无法入库，回执和提醒也无法排队发送，机构的邮件会一直留在邮箱里。",
}

// action is what staff do, by check and code.
func action(r Result) string {
	switch r.Check {
	case "inbox":
		switch r.Code {
		case CauseAuth:
			return "登录报送邮箱核对密码（密码可能已过期或被修改），更新 kjjr inbox 使用的密码（--imap-password-file 指向的文件或环境变量 KJJR_IMAP_PASSWORD），然后重启服务：systemctl restart kjjr-inbox。"
		case CauseCertificate, CauseTLS:
			return "IMAP 服务器的证书不被信任或已更换：请向邮箱服务商核实证书，确认无误后再重启 kjjr inbox；不要关闭证书校验。"
		case CauseConnect, CauseDNS, CauseTimeout:
			return "检查本机网络、防火墙和 --imap-addr 所填的服务器地址与端口，确认邮箱服务器可以访问。"
		case CauseDiskFull:
			return "磁盘已满：清理磁盘后重启 kjjr inbox。"
		case "stalled":
			return "kjjr inbox 可能已停止：运行 systemctl status kjjr-inbox 和 journalctl -u kjjr-inbox 查看原因并重启。"
		}
		return "运行 journalctl -u kjjr-inbox 查看错误详情，处理后重启 kjjr inbox。"
	case "outbox":
		return "检查 SMTP 服务器地址、发信账户和密码（--smtp-addr、KJJR_SMTP_PASSWORD）；失败的邮件记录在仓库的 kjjr/outbox 目录中，必要时请电话通知相关机构。"
	case "remind", "publish":
		return "查看定时任务的日志（journalctl -u kjjr-" + r.Check + "），处理后手动运行一次。"
	case "calendar":
		return "按国务院办公厅发布的放假通知，在内容仓库中添加对应年份的 calendar/<年份>.yaml，提交到 main 分支。"
	case "policy":
		return "按新修订或延续的办法更新 site.yaml 的 policy（notice、effective、years），提交到 main 分支。"
	case "disk":
		return "清理磁盘（旧日志、旧的构建输出）或扩容；隔离区的占用可在 site.yaml inbox.quarantine_budget_mib 中限制。"
	}
	return "请运行 kjjr health 查看详情。"
}

func alertBody(r Result, c *condition, rep Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "kjjr 运行检查发现严重问题：%s。\n\n", r.Name)
	fmt.Fprintf(&b, "问题：%s\n", r.Summary)
	fmt.Fprintf(&b, "开始于：%s（北京时间）\n", clock(c.Since))
	fmt.Fprintf(&b, "检查时间：%s\n\n", clock(rep.At))
	if im := impact[r.Check]; im != "" {
		fmt.Fprintf(&b, "机构会遇到：%s\n\n", im)
	}
	fmt.Fprintf(&b, "处理办法：%s\n\n", action(r))
	b.WriteString("全部检查结果：\n")
	for _, x := range rep.Results {
		b.WriteString(x.Line() + "\n")
	}
	b.WriteString("\n同一问题每天最多提醒一次，问题解决后会再发一封“已恢复”邮件。\n（本邮件由 kjjr health --notify 自动发送，只发给本局工作人员。）\n")
	return b.String()
}

func recoveryBody(c *condition, rep Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s已恢复正常。\n\n", c.Name)
	fmt.Fprintf(&b, "此前的问题：%s\n", c.Summary)
	fmt.Fprintf(&b, "开始于：%s，恢复于：%s（北京时间）\n\n", clock(c.Since), clock(rep.At))
	b.WriteString("当前检查结果：\n")
	for _, x := range rep.Results {
		b.WriteString(x.Line() + "\n")
	}
	b.WriteString("\n（本邮件由 kjjr health --notify 自动发送，只发给本局工作人员。）\n")
	return b.String()
}
