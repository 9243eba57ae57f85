// Package console is the staff console in the browser: a view over the
// content repo, served over HTTP, in which the bureau's staff review the
// submission branches the inbox writes.
//
// The contract:
//
//   - The content repo is the only truth. Every page is read from git at
//     request time (package review, as `kjjr review` reads it); the console
//     keeps no copy of what it shows, no database and no cache that could
//     drift from the refs.
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
//     queue and quarantine counts, the next deadlines), 待审核 (the queue as
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
//   - The console listens on loopback unless it is given TLS or the address
//     of the trusted proxy in front (CheckListen).
package console
