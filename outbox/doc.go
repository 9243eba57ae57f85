// Package outbox sends the mail kjjr writes to institutions: receipts
// (回执) for every submission and reminders before and after reporting
// deadlines, through an SMTP submission server (emersion/go-smtp, AUTH
// PLAIN, implicit TLS, STARTTLS or plain on loopback only).
//
// # Where the state lives, and why
//
// Every mail is first written as one JSON file in a state directory,
// <gitdir>/kjjr/outbox/ (the .git directory of a non-bare content repo, or
// the bare repo itself), beside the inbox's own state (<gitdir>/kjjr/). It
// is not in the content tree, because what was mailed when is operational
// state, not a record staff review and merge, and because committing it
// would race with staff's own commits; it is not in /var or $HOME, because
// it belongs to one content repo and moves, is backed up and is deleted
// with it. Files are named by the SHA-256 of the mail's Key and written
// atomically (kjjr/internal/atomicfile: a temporary file, fsync'ed,
// renamed over the old one, then the directory is fsync'ed), so a crash leaves either the old or the new state, never half.
//
// # Exactly once, as near as SMTP allows
//
// QueueReceipt and QueueReminder do no network I/O: they compose the mail
// and write its file, and queueing a Key that already has a file is a no-op.
// Flush (and Run, which calls it in a loop) holds an exclusive lock on the
// directory (kjjr/internal/filelock on <dir>/lock), so one process at a time sends, and for
// each due mail:
//
//  1. MAIL FROM, RCPT TO and the whole message body are sent;
//  2. the state "sending" is written (fsync'ed);
//  3. the terminating "." is sent, the server's reply read;
//  4. the state "sent" is written.
//
// SMTP cannot be made exactly-once: the server commits the mail when it
// gets the ".", and we can only learn that from its reply. A crash before
// step 2 leaves the mail "queued" and it is sent on restart (the server had
// no "." and discarded it). A crash between 2 and 4 leaves "sending"; the
// next Flush, holding the lock, knows its sender died and marks the entry
// "unconfirmed" and does NOT send it again: the issue demands "never twice",
// and the window in which the "." may not have left this host is the few
// microseconds between the fsync of step 2 and the write of step 3,
// whereas the rest of the window (the server's reply, one round trip, and
// the fsync of step 4) is after the server got the mail. Likewise a broken
// connection while the reply to "." is read is "unconfirmed", while a
// failed write of the "." is retried. Unconfirmed entries are logged with
// their Key so staff can check; List shows them.
//
// Temporary failures (connection refused, timeouts, 4xx replies) are
// retried with capped, jittered exponential backoff for up to three days
// from the first failure;
// 5xx replies are permanent and recorded as "failed" with the server's
// words. A recipient refused with 5xx while others are accepted is left out
// and noted.
package outbox
