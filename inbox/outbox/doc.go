// Package outbox sends the mail kjjr writes to institutions: receipts
// (回执) for every submission and reminders before and after reporting
// deadlines, through an SMTP submission server, from a durable queue kept
// in a state directory so that a crash or restart never sends a mail twice.
package outbox
