package content

import (
	"net/mail"
	"strings"
	"time"
)

// opsLimits checks site.yaml ops (OpsLimits): durations that parse,
// percentages in range with the warning below the critical one, counts
// not negative, and alert addresses that are addresses and belong to no
// institution (a health alert never goes to an institution).
func (c *checker) opsLimits(o *OpsLimits) {
	for _, d := range []struct{ field, v string }{
		{"ops.inbox_max_age", o.InboxMaxAge}, {"ops.outbox_queued_max_age", o.OutboxQueuedMaxAge},
	} {
		if d.v == "" {
			continue
		}
		if v, err := time.ParseDuration(d.v); err != nil || v <= 0 {
			c.errf(siteFile, d.field, "%q 不是有效的时长：请写作 30m、1h 这样的形式，或删去此项使用默认值", d.v)
		}
	}
	for _, n := range []struct {
		field string
		v     int
	}{
		{"ops.inbox_error_passes", o.InboxErrorPasses}, {"ops.outbox_window_days", o.OutboxWindowDays},
		{"ops.quarantine_review_days", o.QuarantineReviewDays},
	} {
		if n.v < 0 {
			c.errf(siteFile, n.field, "不能为负数（%d）：请填正整数，或删去此项使用默认值", n.v)
		}
	}
	warn, crit := o.DiskWarnPercent, o.DiskCritPercent
	for _, p := range []struct {
		field string
		v     int
	}{{"ops.disk_warn_percent", warn}, {"ops.disk_crit_percent", crit}} {
		if p.v < 0 || p.v > 100 {
			c.errf(siteFile, p.field, "应为 1 到 100 之间的百分数（%d）", p.v)
		}
	}
	if warn == 0 {
		warn = 90
	}
	if crit == 0 {
		crit = 97
	}
	if warn >= crit {
		c.errf(siteFile, "ops.disk_warn_percent", "磁盘警告线 %d%% 应低于严重线 %d%%（ops.disk_crit_percent）", warn, crit)
	}
	for _, a := range o.AlertTo {
		addr, err := mail.ParseAddress(a)
		if err != nil {
			c.errf(siteFile, "ops.alert_to", "%q 不是有效的邮箱地址", a)
			continue
		}
		for _, in := range c.r.Institutions {
			for _, s := range in.ReportSenders {
				if strings.EqualFold(strings.TrimSpace(s.Email), addr.Address) {
					c.errf(siteFile, "ops.alert_to", "%s 是机构 %s 的报送邮箱：运行告警只发给本局工作人员，请改为工作人员邮箱", addr.Address, in.Name)
				}
			}
		}
	}
}
