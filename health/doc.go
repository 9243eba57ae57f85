// Package health tells whether kjjr, running unattended, still works: it
// owns the health record the jobs write, the checks kjjr health runs on
// it and on the repo, and the alert mails to staff.
//
// # The record
//
// <gitdir>/kjjr/health.json (the .git directory of a non-bare content
// repo, or the bare repo itself) holds one entry per job, keyed by job
// name: JobInbox ("inbox", written by kjjr inbox after every pass and
// every failed attempt at one), JobRemind ("remind", by kjjr remind after
// each run) and JobPublish ("publish", reserved for the publishing timer:
// it records its runs with Record(gitDir, JobPublish, run) and the
// publishing check reads them). An entry says when the last run started
// and ended, its counts (for the inbox: fetched, accepted, quarantined,
// rejected), when a run last succeeded, and the last error: its cause
// (a code, named in Chinese by CauseText), its text, when it first and
// last occurred and for how many runs in a row. It names the IMAP server
// and mailbox; it never holds a password: Run.Secrets are blanked from
// every error text before it is stored. Record rewrites the file
// atomically (a temporary file renamed over it, under a lock file so two
// jobs do not lose each other's entry), so a reader sees the old or the
// new file, never half. The file also holds when staff last listed the
// quarantine (MarkQuarantineReviewed).
//
// # The checks
//
// Check returns one Result per check, each with a monitoring-plugin
// Status (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN); the report's status
// is the worst, counting CRITICAL over WARNING over UNKNOWN over OK. The
// limits come from site.yaml ops (content.OpsLimits), with the defaults
// of Limits:
//
//   - inbox: no inbox record is UNKNOWN; no successful pass within
//     ops.inbox_max_age (30m) is CRITICAL; the same cause of error
//     ops.inbox_error_passes (3) passes in a row is WARNING.
//   - outbox: mail queued within ops.outbox_window_days (7) that is
//     failed or expired is CRITICAL; unconfirmed, or still queued after
//     ops.outbox_queued_max_age (1h), is WARNING.
//   - remind: the last run failed, or none in 36 hours, is WARNING (only
//     once kjjr remind has recorded a run).
//   - publish: the last publish failed is CRITICAL; the site older than
//     the next change it recorded (Run.NextChange, kjjr build's next
//     date) is WARNING (only once publishing records its runs).
//   - calendar: from 1 November a missing calendar/<next year>.yaml is
//     WARNING; a deadline that is still ahead, whose period has ended (so
//     institutions are filing and reminders quote it) and that is
//     content.Due.Provisional is CRITICAL.
//   - policy: the measures (第八条) expired is CRITICAL, expiring within
//     policy.warn_days is WARNING (the rule of kjjr check).
//   - quarantine: over inbox.quarantine_budget_mib, or holding a message
//     older than ops.quarantine_review_days (7) that was neither released
//     nor listed by staff since it came (kjjr review --quarantine), is
//     WARNING.
//   - disk: the file system of the git directory fuller than
//     ops.disk_warn_percent (90) is WARNING, than ops.disk_crit_percent
//     (97) CRITICAL.
//
// # Alerts
//
// Notify mails ops.alert_to through the outbox (outbox.QueueNotice) when
// a check is CRITICAL: once per condition (check and cause) per day (the
// outbox key holds the day), and once more when the check is no longer
// CRITICAL (已恢复; a check still CRITICAL for another cause gets that
// cause's alert instead). The
// open conditions and since when are kept in <gitdir>/kjjr/alerts.json.
// An alert address that is an institution's report sender is refused: a
// health mail never goes to an institution.
//
// # Metrics
//
// Metrics are the Prometheus metrics kjjr inbox --metrics-addr serves
// (see Metrics for the names): counters of this process's passes and
// messages, and gauges of the outbox and the quarantine read at each
// scrape.
package health
