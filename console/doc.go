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
//     atomically, mode 0600), never in the content tree; a deleted account's
//     session ends at its next request. Sessions live in memory only: a
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
//     escaped) with 通过 and 驳回, and 待核查 (the inbox's quarantine, and
//     a page per message with its reasons, its header block escaped and
//     its attachments by name).
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
