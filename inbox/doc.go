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
// State that is not content lives in <gitdir>/kjjr/: the index of ingested
// messages (rebuildable from commit trailers), the quarantine records and
// the outbox. DESIGN.md ("The inbox") is the design of record; CONTRACTS.md
// section 2 fixes the branch, commit and quarantine formats.
package inbox
