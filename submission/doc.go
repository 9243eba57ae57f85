// Package submission is the contract between the inbox, which writes an
// institution's report onto a review branch, and staff review (kjjr review
// and the console), which approves it into main. Everything that both sides
// must spell the same way lives here, and only here.
//
// # Branch
//
// Each submission of institution <slug> for period <period> is committed on
// the local branch
//
//	refs/heads/submit/<slug>/<period>
//
// where <slug> matches content.SlugPattern (lower-case letters, digits and
// hyphens, starting with a letter or digit) and <period> is the period in
// its file-name form (content.Period.String: 2026-04, 2026-H1, 2026-annual;
// no other spelling of the same period). A resubmission for the same period
// is a new commit on the same branch. Branch, ParseBranch and
// Branch.String format and parse the name; nothing else does.
//
// # Files
//
// A submission writes exactly these paths of the content tree, nothing else:
//
//	institutions/<slug>/reports/<period>.md          the report (a content.Report record)
//	institutions/<slug>/evidence/<period>/<name>     a file the report lists
//
// The report lists its files in documents and evidence by their path
// relative to the institution directory, evidence/<period>/<name>. The
// inbox names an evidence file EvidenceName(sha256, original name):
// the first 12 hex digits of its SHA-256, a hyphen and the cleaned
// original name.
//
// # File names
//
// One name policy covers every file name kjjr writes (CheckFileName,
// CleanFileName): one path component of at most MaxNameBytes (200) UTF-8
// bytes, hash prefix included; no control characters (C0, DEL, C1), no
// Unicode format characters (among them the bidi overrides U+202A–U+202E
// and U+2066–U+2069 and the zero-width characters U+200B–U+200D, U+2060,
// U+FEFF), no line or paragraph separators; no leading dot (so never ".",
// ".." or ".git" in any case, with or without trailing dots or spaces) and
// not git's NTFS short name "git~1"; safe on Windows, where staff clone the
// repo: none of <>:"|?*\ or /, no reserved device name (CON, PRN, AUX, NUL,
// COM1–COM9, LPT1–LPT9, CONIN$, CONOUT$, also with an extension), no leading
// or trailing space and no trailing dot. Such a name passes
// `git fsck --strict` and checks out on ext4, APFS and NTFS.
//
// # Trailers
//
// An inbox commit ends with a trailer block, the last paragraph of its
// message (after a blank line), one "Key: value" line each:
//
//	Kjjr-Institution: <slug>
//	Kjjr-Period: <period>
//	Kjjr-Kind: monthly | half_year | annual
//	Message-Id: <id>                (when the mail had one)
//	Source-Sha256: <hex>            the raw message
//	Body-Sha256: <hex>              the message without its transport headers
//	DKIM: <result>
//
// The merge commit of an approval ends with
//
//	Approved-By: <name> <<email>>
//	Kjjr-Institution: <slug>
//	Kjjr-Period: <period>
//
// Parsing is strict (ParseTrailers): the last paragraph is a trailer block
// only when every one of its lines is "Key: value" with a key of ASCII
// letters, digits and hyphens and no key appears twice; otherwise the
// message has no trailers at all. A stray line cannot smuggle a trailer
// into a message, and a block that is not wholly trailers does not count.
// FormatTrailers writes values on one line (control characters and line
// breaks become spaces), so what it writes always parses back.
//
// # Applications
//
// An application to a selection round (第三条第2项) is committed on
//
//	refs/heads/apply/<round>/<applicant>
//
// where <round> is the slug of rounds/<round>.md and <applicant> is
// ApplicantKey: the applicant's unified social credit code (18 characters
// of the code's alphabet, upper case), or "x-" and 16 hex digits when the
// form gives no usable code. ApplyBranch, NewApplyBranch and
// ParseApplyBranch format and parse the name. A second application from
// the same applicant to the same round is a new commit on the same branch.
// The branch writes
//
//	institutions/<slug>/index.md                                the draft institution record made from the form
//	institutions/<slug>/evidence/application-<round>/form.xlsx  the form as sent
//	institutions/<slug>/evidence/application-<round>/<name>     each attachment, named by EvidenceName
//
// where <slug> is the registered institution's slug when the code or the
// sender belongs to one (its application is taken as theirs), and
// otherwise ApplyBranch.NewSlug. Its commit ends with the trailers
// Kjjr-Kind: application, Kjjr-Round: <round>, Kjjr-Applicant: <applicant>
// and Kjjr-Institution: <slug>, with the mail's Message-Id, Source-Sha256,
// Body-Sha256 and DKIM as a report's commit has them (ApplyMeta.Trailers
// writes them, ParseApplyMeta reads them back).
//
// A second application replaces the first: its commit removes the files
// of the earlier one under evidence/application-<round>/ and writes its
// own, so the tip's tree holds exactly the latest application (its form,
// its attachments and the draft record made from it); the earlier ones
// stay in the branch's history. Staff (kjjr round applications) read the
// tip.
//
// # Pending
//
// A submission is pending while its branch is a local branch
// refs/heads/submit/<slug>/<period> (not a remote-tracking ref such as
// refs/remotes/origin/submit/…) whose tip is not merged into main: the tip
// is neither a commit on main's first-parent history nor another parent of
// one of those commits (a merge by kjjr or by plain `git merge --no-ff`),
// and main does not already hold the same report blob at the report path.
// Pending computes the set; kjjr review, status and remind all use it.
//
// # Validation
//
// A branch is untrusted input. Check compares the branch tip with its merge
// base and returns every entry the branch adds, changes or deletes, each
// with what approval would refuse. Approval requires that every changed
// entry is a regular file (mode 100644) at the report path or at an evidence
// path whose <name> satisfies CheckFileName and is listed in the report at
// the tip, within the inbox's limits (the report at most
// content.MaxRecordSize, each evidence file at most max_attachment_mib,
// at most max_attachments evidence files and max_message_mib in all, per
// submission on the branch). A resubmission is a new commit on the same
// branch that adds files without removing the previous submission's: a file
// that an earlier report on the branch listed is accepted too, with a note.
// Deletions, symlinks (120000), gitlinks (160000), executables, directories
// where a file belongs, names such as "..", ".git" or an over-long name,
// and anything outside the submission's own paths are refused, each with a
// Chinese message naming the path and what is wrong.
package submission
