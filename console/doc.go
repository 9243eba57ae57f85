// Package console is the staff console in the browser: a view over the
// content repo, served over HTTP, in which the bureau's staff review the
// submission branches the inbox writes.
//
// The contract:
//
//   - The content repo is the only truth. Every page is read from git at
//     request time (package review, as `kjjr review` reads it); the console
//     keeps no database and no copy of what it shows that could drift from
//     the refs. What is costly to derive (the review list, main loaded for
//     the compliance matrix or in full for the export, the matrix of a
//     year, main's history, the counties, the 公示, the .xlsx) is kept in
//     memory under the exact key it was derived from: the hash of main,
//     and where the submission branches matter, a digest of every
//     refs/heads/submit/* ref and its target (and the day, where "today"
//     matters). Every request reads the refs first and uses a kept view
//     only when its key equals them, so a commit by kjjr inbox, a plain
//     git push or another console shows at the next request; files outside
//     git (the quarantine, the health record, the audit log) are read at
//     every request. A view is computed once for concurrent requests; main
//     moving makes the next load re-read only the institutions whose
//     directory changed (content.TreeCache). The full load for the export
//     is made on the first export and its tree cache then kept in memory
//     (about 500 MB for the 5000-institution benchmark corpus). Pages that
//     only read borrow an opened repo from a small pool (opening one loads
//     every pack index); a pooled repo reads refs and loose objects from
//     disk at every use, and the pool is emptied whenever the set of pack
//     files changes. Actions open the repo afresh.
//   - Every action is a git commit or a ref move made by the logged-in
//     staff member through the same functions the CLI uses: 通过 is
//     review.Repo.Approve with the staff member as author and committer of
//     the merge; 驳回 is review.Repo.Reject with the staff member as "by"
//     and the receipt queued by review.Repo.QueueRejectReceipt. The console
//     never shells out.
//   - An action names the tip the staff member saw; if the branch moved
//     since, nothing happens and the page says so. A refused action changes
//     nothing; a form submitted twice acts once (the second submission finds
//     the branch merged or gone and says who did it).
//   - Accounts live in <gitdir>/kjjr/staff (argon2id hashes, written
//     atomically, mode 0600), never in the content tree; the session of a deleted
//     account, or of one whose password has changed since the login,
//     ends at its next request. Sessions live in memory only: a
//     restart logs everyone out. Actions that make
//     no commit (logins, failed logins, lockouts, refused actions) are lines
//     in <gitdir>/kjjr/audit.log; no password, token or session ID is ever
//     logged.
//   - Security frame: a Chinese login page; failed logins rate limited per
//     account and per address with a temporary lockout; session cookies
//     HttpOnly, SameSite=Strict, Secure behind TLS or a proxy, expiring
//     after inactivity and after a working day; a CSRF token on every
//     state-changing POST, plus net/http's cross-origin protection; a
//     Content-Security-Policy without any external source and with
//     frame-ancestors 'none'; requests for another Host are refused. Pages
//     work without JavaScript and load nothing from elsewhere.
//   - Pages: 工作台 (the month's sheets from the compliance rows, the
//     queue and quarantine counts, the next deadlines, the 公示 running
//     today with its end on the working-day calendar, the last publish
//     from the health record (health.JobPublish) and whether it failed),
//     待审核 (the queue as
//     `kjjr review` lists it), one page per submission (figures beside the
//     institution's previous three months and the earlier version, every
//     warning, the financing rows, every entry the branch touches with
//     what approval would refuse, evidence previews, the mail text
//     escaped) with 通过 and 驳回, 待核查 (the inbox's quarantine, and a
//     page per message with its reasons, its header block escaped and its
//     attachments by name), 机构 (the roster
//     from main, filtered by name or code and RosterPageSize to a page, and
//     per institution a form for its public contact, report_senders,
//     partners, team and office) and 考核 (a year's results/YEAR.md from
//     main, or the draft `kjjr assess` would write, with a grade and notes
//     per institution and 定稿 to drop draft: true).
//   - Edits of records on main (机构, 考核) are previewed before they are
//     committed: the diff of the file and content.Check of the changed
//     tree, with the errors the change brings in apart from those main
//     already had (review.Repo.PrepareFile, counted as `kjjr review
//     approve` counts them). 提交 is offered only for a previewed change
//     that adds no error, and the server checks again: a change that adds
//     an error, or that differs from the previewed one, is not committed.
//     The commit is review.Repo.CommitFile with the staff member as author
//     and committer, moving main by compare-and-swap from the tip the form
//     was opened on; if main moved since (another edit, an approval, the
//     same form submitted twice) nothing happens and the page says who
//     moved it. Entered values are cleaned (internal/safetext), bounded,
//     and the record is written with content.EncodeRecord (the project's
//     canonical form: YAML comments in the file are not kept, and the
//     diff shows every line that changes). A record on main that does not
//     decode cleanly is not editable here.
//   - Every page, logged in or not, is valid HTML (the W3C Nu checker
//     reports no error) and has no serious or critical axe-core violation:
//     the tests crawl the console along its links, so a new page is checked
//     as soon as a link leads to it (package internal/webcheck).
//   - 放行 on a quarantined message is inbox.Release to the institution the
//     staff member picks from the roster (as `kjjr review release`, with
//     Config.Inbox as the mailbox a stranger's message is fetched from);
//     asked to, it also registers the sender with review.Repo.AddSender, a
//     commit on main by the staff member. CheckSender runs first, so a
//     refusal of either step changes nothing. 删除 is
//     inbox.DeleteQuarantine, recorded in the audit log. A released or
//     deleted message cannot be acted on again; the page says what
//     happened to it.
//   - Evidence previews: GET /review/submit/<slug>/<period>/file?tip=&path=
//     serves a blob of one of the branch's own commits, and only at a path
//     the report at that commit lists under evidence/<period>/ as a regular
//     file; anything else is a 404. Images (PNG, JPEG, GIF, WebP) and PDFs
//     whose bytes sniff as their extension says are served inline, the
//     rest (the original .xlsx, Word, SVG, HTML, anything else) only as
//     attachments; always with nosniff, Content-Disposition naming the
//     original file, and a CSP with sandbox (except for PDFs: Chromium will
//     not start its PDF viewer in a sandboxed document). The page shows
//     images in <img>, opens PDFs in the browser's viewer and offers the
//     .xlsx as a download beside its active-content warning.
//   - 报送情况 (/status/): the compliance matrix of a year as `kjjr status`
//     computes it (content.Repo.Compliance with the pending branches),
//     MatrixPageSize institutions a page, filtered by name, 区县 (the
//     office county on main) and state; an approved cell links to the
//     report on main (/report/<slug>/<period>, read only), a pending one to
//     its submission page. 导出 Excel (/status/export.xlsx?year=) is
//     ExportXLSX: the matrix, the approved monthly figures per institution
//     and month and per institution with totals, and the 第六条 figures of
//     content.Repo.AssessDraft; each export is a line in the audit log.
//   - 记录 (/history/): main's first-parent history, HistoryPageSize a
//     page, with author, time, subject and the Approved-By trailer; each
//     commit links to /history/<hash>, which lists the files it changed
//     against its first parent (at most CommitFilesShown) and shows its
//     message escaped. Only commits on main's first-parent history are
//     shown.
//   - The console listens on loopback unless it is given TLS or the address
//     of the trusted proxy in front (CheckListen).
package console
