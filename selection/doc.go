// Package selection runs the steps of a selection round (第三条) that
// follow the applications: the expert review (第3项), the party group's
// decision (第4项), the 公示 with its objections (第5项), the announcement
// (第五条第1项) and the filing (第6项). Applications are read only through
// the contract of package submission: a branch
// refs/heads/apply/<round>/<applicant> whose tip's Kjjr-Institution
// trailer names the slug and whose tip holds the draft
// institutions/<slug>/index.md and the application's evidence directory
// with the form (Applicants, the one listing of applications: `kjjr round
// applications`, the scoring workbook and Decide all read it). Every
// applicant of the round is listed, with the pre-check of 第二条
// (package application) recomputed from the form at its tip: its results
// are staff's to weigh, not a filter here.
//
// # What is private and where it lives
//
// Expert names, their workbooks and scores, and objections (with the
// objector's address and words) are private. They are never in main,
// never on a branch, never on the site. They live in the content repo's
// own git directory on one ref per round,
//
//	refs/kjjr/rounds/<round>
//
// which is outside refs/heads and refs/tags: a clone, fetch or push with
// the default refspecs (refs/heads/*) does not copy it, and kjjr build and
// publish read main only. It is backed up with the git directory (and by
// a mirror clone, git clone --mirror, which copies every ref). Its tree
// holds
//
//	experts.json              the round's expert panel: name and the address each returns the workbook from (Expert)
//	scores/<id>.xlsx          an expert's workbook as returned (id: 16 hex digits of the SHA-256 of the name)
//	scores/<id>.json          who, when, added by whom, and the scores read (Workbook)
//	objections/<id>.json      one objection (Objection; id: 16 hex digits of the mail's identity)
//
// Each addition is one commit (by the staff member, or "kjjr inbox" for
// an objection) whose parent is the ref's previous tip; the ref moves by
// compare-and-swap through kjjr/internal/gitdir, the project's one
// ref-update mechanism, so a staff command and the inbox adding at the
// same time both land (the loser starts again from the new tip). `git log
// refs/kjjr/rounds/<round>` shows the history; plain git can read it.
//
// # The scoring workbook
//
// Template writes, and ParseScores reads, the expert workbook from one
// label table (Criteria): the six conditions of 第二条 with their maximum
// points, 资质与信用 15, 服务能力 25, 合作机构 15, 常态化活动 20, 服务晋创谷
// 15, 团队与场所 10 (100 in all), then 总分 (a SUM formula) and 推荐意见
// (推荐 or 不推荐). ParseScores reads by labels, with the tolerance of
// package sheet (see ParseScores), after sheet.Guard. Staff add a returned
// workbook (AddScores); an expert on the round's panel may also mail it
// to the report address, and the inbox adds it the same way (ExpertRounds
// tells the inbox who is an expert).
//
// # Decision, 公示, objections, announcement
//
// Decide, Announce and File change main as a staff member's commit, by
// package review's one mechanism for it (review.Repo.PrepareEdit and
// Commit): the tree they make must pass content.Load and Repo.Check (no
// error that main does not already have), a checked-out main must be
// clean, then main moves by compare-and-swap, and a checked-out main gets
// the files written and staged. Decide merges the
// selected apply branches (the commit's other parents), writes
// rounds/<round>.md (decision, applicants, publicity),
// publicity/<start>-round-<round>.md whose end is start plus WorkingDays
// working days of the content calendar, and the 公示 notice
// notices/<start>-publicity-<round>.md. The site lists an institution on
// the roster only from the announcement date (content.Institution.StatusOn:
// 公示中 before, 已公告 from then).
//
// Mail to a 公示's objection address (its objection_contact.email, which
// must differ from the report address site.yaml inbox.address) from the
// 公示's first day to its last is an objection; up to LateDays after, a
// late one (ObjectionWindow). The inbox records it (RecordObjection) and
// acknowledges it (package outbox, ObjectionReceipt).
package selection
