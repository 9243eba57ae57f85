// Package inbox turns emailed reports into commits on review branches.
//
// A Worker fetches the messages of one IMAP mailbox (go-imap/v2), reads
// their MIME structure (go-message, with its charset support), checks who
// sent them (the institution's report_senders and DKIM), hands a monthly
// sheet to package sheet, keeps the evidence, and writes each submission as
// one commit on branch submit/<slug>/<period> with the go-git object API
// (never a working tree or index; refs move by compare-and-swap). Only once
// the commit (and the push to origin, when the repo has one) is durable is
// the message moved out of the watched mailbox. Unknown senders and DKIM
// failures are quarantined; a trusted sender's unusable message is rejected
// with its reasons, which go back in the receipt (package outbox).
//
// Applications to a selection round are the one kind of mail taken from
// anyone: while a round's application window is open, a message whose
// attachment is the application form (package application) becomes a
// commit on apply/<round>/<applicant> with the draft institution record,
// the evidence and the eligibility pre-check, and the applicant gets a
// receipt; outside every window it gets a receipt saying the window is
// closed and nothing is committed. apply.go states the rules (which
// round, identity, resubmission, what is read of a stranger's message).
//
// A message is read in two steps: its size (RFC822.SIZE) and header block
// first, its body only when the sender is registered and the message is
// within site.yaml inbox.max_message_mib (or, a stranger's, when it may
// be an application: see apply.go). The quarantine
// (<gitdir>/kjjr/quarantine/<id>/record.json, see QuarantineRecord) keeps
// the raw message only of a registered sender's message within the limit;
// of anything else, the header, size and reason. It stays within
// inbox.quarantine_budget_mib: strangers' records expire first, oldest
// first, then the stored messages of registered senders.
//
// Two kinds of mail of a selection round never become commits on a
// branch (objection.go, expertmail.go): mail to a 公示's objection address
// during the 公示 (an objection, from anyone), and mail from an address on
// a round's expert panel carrying the scoring workbook. Both are kept on
// the round's private ref by package selection and answered (package
// outbox); the header alone decides whether the body is fetched for them.
//
// State that is not content lives in <gitdir>/kjjr/: the index of ingested
// messages (rebuildable from the Kjjr-* and Message-Id trailers of the
// submit commits), the quarantine and the outbox.
package inbox
