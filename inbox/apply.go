package inbox

// Applications to a selection round (第三条第2项), by mail.
//
// While a round's application window (content.Round.Application, both
// ends inclusive, in China Standard Time dates of the message's arrival,
// the server's INTERNALDATE: the Date header is the sender's word) is
// open, a message from any sender is read whole (within max_message_mib)
// and is an application when one of its attachments is the application
// form (application.Parse finds the form's labels, whatever the file is
// called; a subject with 申报, 申请 or 遴选 is only a hint, see below).
// It becomes one commit on apply/<round>/<applicant> (package submission:
// ApplyBranch, ApplyMeta) holding the draft institution record made from
// the form and the evidence, with the eligibility pre-check of 第二条
// (application.Check) in the commit message and the receipt.
//
// Identity is the applicant's own claim: the key is the form's USCC
// (submission.ApplicantKey; the sender's address only when the form gives
// no usable code), never the From address, and From is used for nothing
// but the receipt's recipient. An application whose code is a registered
// institution's, or that comes from a registered report sender, is filed
// under that institution's slug (its draft keeps the registered record's
// private DKIM keys, report senders and introduction). A stranger's
// message whose DKIM signature fails is quarantined as any other (a forged
// From gets no receipt); an auto-reply gets none either. Limits, names
// (submission.CleanFileName, EvidenceName) and cleaned text are those of
// every submission.
//
// Which round: the round whose window is open on the arrival date; when
// several are, the one whose title the subject contains, else the one
// opened last (then the greater slug). A second application with the
// same key to the same round is a new commit on the same branch that
// replaces the first: the evidence directory holds the latest form and
// attachments only (gitStore.commit, submission.Replace); the earlier
// ones stay in the branch's history. The same message delivered twice is
// recognised by its identity in the branch's trailers: no second commit,
// no second receipt.
//
// Outside every window an application gets a receipt saying so (which
// round, when its window opened and closed) and nothing is committed: the
// message is quarantined with reason application_closed, as a rejected
// report is. To answer it at all, a stranger's message outside any window
// is read whole only when its subject hints at an application and a
// round's window closed at most closedSlackDays before, or opens at most
// closedSlackDays after, its arrival; otherwise it stays an unknown
// sender's message (header only, no receipt).

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"kjjr/application"
	"kjjr/content"
	"kjjr/internal/safetext"
	"kjjr/sheet"
	submit "kjjr/submission"
)

// ReasonApplicationClosed is the quarantine reason of an application that
// arrived outside every round's application window.
const ReasonApplicationClosed = "application_closed"

// closedSlackDays is how far from a round's window a stranger's message
// with an application subject is still read, to answer that the window
// is closed.
const closedSlackDays = 60

// formName is the name the application form is kept under.
const formName = "form.xlsx"

// appPlan is what an application adds to a plan.
type appPlan struct {
	round    *content.Round // the round applied to (the nearest one when closed)
	closed   bool
	app      *application.Application
	branch   submit.ApplyBranch
	slug     string
	checks   []application.Finding
	replaced bool // set when committed over an earlier application
}

// roundsOpen returns the rounds whose application window holds d.
func roundsOpen(r *content.Repo, d content.Date) []*content.Round {
	var out []*content.Round
	for _, rd := range r.Rounds {
		w := rd.Application
		if w.From.IsZero() || w.To.IsZero() || d.Before(w.From) || d.After(w.To) {
			continue
		}
		out = append(out, rd)
	}
	return out
}

// openRound returns the round an application arriving on d is for: the
// only open one, else the open one whose title the subject holds, else the
// one opened last (then the greater slug); nil when none is open.
func openRound(r *content.Repo, d content.Date, subject string) *content.Round {
	open := roundsOpen(r, d)
	if len(open) == 0 {
		return nil
	}
	sort.Slice(open, func(i, j int) bool {
		a, b := open[i], open[j]
		if a.Application.From != b.Application.From {
			return a.Application.From.After(b.Application.From)
		}
		return a.Slug > b.Slug
	})
	subj := sheet.NormLabel(subject)
	for _, rd := range open {
		if t := sheet.NormLabel(rd.Title); t != "" && strings.Contains(subj, t) {
			return rd
		}
	}
	return open[0]
}

// nearestRound returns, for an application outside every window, the
// round to name in the receipt: the one whose window closed last before
// d, else the one that opens first after it; nil when no round has a
// window.
func nearestRound(r *content.Repo, d content.Date) *content.Round {
	var before, after *content.Round
	for _, rd := range r.Rounds {
		w := rd.Application
		if w.From.IsZero() || w.To.IsZero() {
			continue
		}
		if w.To.Before(d) && (before == nil || w.To.After(before.Application.To)) {
			before = rd
		}
		if w.From.After(d) && (after == nil || w.From.Before(after.Application.From)) {
			after = rd
		}
	}
	if before != nil {
		return before
	}
	return after
}

// applicationSubject reports whether a subject hints at an application.
func applicationSubject(s string) bool {
	return strings.Contains(s, "申报") || strings.Contains(s, "申请") || strings.Contains(s, "遴选")
}

// applicationsRelevant reports whether a message arriving at t with the
// subject may be an application worth reading: a window is open, or the
// subject hints at one and a window is within closedSlackDays.
func applicationsRelevant(r *content.Repo, t time.Time, subject string) bool {
	d := content.DateOf(t)
	if len(roundsOpen(r, d)) > 0 {
		return true
	}
	if !applicationSubject(subject) {
		return false
	}
	for _, rd := range r.Rounds {
		w := rd.Application
		if w.From.IsZero() || w.To.IsZero() {
			continue
		}
		if !d.Before(w.From.AddDays(-closedSlackDays)) && !d.After(w.To.AddDays(closedSlackDays)) {
			return true
		}
	}
	return false
}

// formPart is an attachment that is the application form, read.
type formPart struct {
	*part
	app *application.Application
}

// applicationForm returns the first attachment that is the application
// form (a readable workbook with its labels), read once, or nil.
func applicationForm(p *parsed) *formPart {
	for _, pt := range p.Parts {
		ext := extOf(pt.Name)
		if pt.Data == nil || !(ext == "xlsx" || (ext != "xls" && ext != "et" && isZip(pt.Data))) {
			continue
		}
		if app, err := application.Parse(pt.Data); err == nil {
			return &formPart{pt, app}
		}
	}
	return nil
}

// strangerApplication is the plan of a message from an address no
// institution lists, when it is an application; nil otherwise (the caller
// quarantines it as an unknown sender's).
func (a *analyzer) strangerApplication(pl *plan) *plan {
	p := pl.p
	if !applicationsRelevant(a.snap, pl.receivedAt, p.Subject) {
		return nil
	}
	form := applicationForm(p)
	if form == nil {
		return nil
	}
	pl.dkim = verifyDKIM(pl.raw, p.From, nil, a.lookup)
	switch {
	case pl.dkim.Status == "temperror":
		pl.out = outRetry
		pl.reasons = []string{"DKIM 公钥暂时无法查询（" + pl.dkim.String() + "）"}
		return pl
	case pl.dkim.Status == "fail":
		pl.out, pl.code = outQuarantine, ReasonDKIM
		pl.reasons = []string{fmt.Sprintf("申报邮件的 DKIM 签名验证失败（%s）：邮件可能被伪造或在途中被改动", pl.dkim.String())}
		return pl
	case pl.suppress != "":
		pl.out, pl.code = outQuarantine, ReasonAutoReply
		pl.reasons = []string{"自动回复、退信或群发邮件（" + pl.suppress + "），不作为申报处理"}
		return pl
	}
	if reasons := a.limitReasons(pl); len(reasons) > 0 {
		pl.app = &appPlan{round: openRound(a.snap, content.DateOf(pl.receivedAt), p.Subject)}
		return pl.reject(reasons...)
	}
	return a.application(pl, form)
}

// limitReasons are the limits a message breaks (size, structure, the
// number and size of attachments), for reports and applications alike.
func (a *analyzer) limitReasons(pl *plan) []string {
	lim, p := a.limits(), pl.p
	var reasons []string
	if int64(len(pl.raw)) > lim.MaxMessage {
		reasons = append(reasons, tooLargeReason(int64(len(pl.raw)), lim.MaxMessage))
	}
	if p.Incomplete != nil {
		reasons = append(reasons, "邮件不完整（MIME 结构损坏：缺少结束分隔符或附件编码损坏），内容可能有缺失，请重新发送")
	}
	if p.TooMany {
		reasons = append(reasons, fmt.Sprintf("邮件结构过于复杂（嵌套超过 %d 层或超过 %d 个部分），请重新发送，附件直接添加到邮件中", maxDepth, maxParts))
	}
	if len(p.Parts) > lim.MaxAttachments {
		reasons = append(reasons, fmt.Sprintf("附件数量 %d 个，超过上限 %d 个：请分成几封邮件发送", len(p.Parts), lim.MaxAttachments))
	}
	for _, pt := range p.Parts {
		if pt.TooLarge {
			reasons = append(reasons, fmt.Sprintf("附件“%s”大小 %s，超过单个附件上限 %s：请压缩或拆分后重新发送", pt.Name, mib(pt.Size), mib(lim.MaxAttachment)))
		}
	}
	return reasons
}

// institutionByUSCC returns the registered institution with the code.
func institutionByUSCC(r *content.Repo, uscc string) *content.Institution {
	if uscc == "" {
		return nil
	}
	for _, inst := range r.Institutions {
		if strings.EqualFold(strings.TrimSpace(inst.USCC), uscc) {
			return inst
		}
	}
	return nil
}

// application reads the form, finds the round and lays out the branch's
// files: the draft record, the form and the attachments.
func (a *analyzer) application(pl *plan, fp *formPart) *plan {
	d := content.DateOf(pl.receivedAt)
	rd := openRound(a.snap, d, pl.p.Subject)
	form, app := fp.part, fp.app
	ap := &appPlan{round: rd, app: app}
	pl.app = ap
	if rd == nil {
		ap.closed = true
		ap.round = nearestRound(a.snap, d)
		pl.reject(closedReason(ap.round, d))
		pl.code = ReasonApplicationClosed
		return pl
	}
	inst := app.Institution
	key := submit.ApplicantKey(inst.USCC, pl.p.From)
	br, err := submit.NewApplyBranch(rd.Slug, key)
	if err != nil {
		return pl.reject("内部错误：无法确定申报分支，请联系科技局")
	}
	ap.branch = br
	reg := institutionByUSCC(a.snap, strings.ToUpper(inst.USCC))
	if reg == nil && pl.inst != nil {
		reg = pl.inst
	}
	ap.slug = br.NewSlug()
	body := app.JinchuangguNote
	if reg != nil {
		ap.slug = reg.Slug
		pl.inst = reg
		// Taken as theirs: what the form does not ask stays as registered.
		inst.ShortName, inst.DKIMKeys, body = reg.ShortName, reg.DKIMKeys, reg.Body
		senders := append([]content.Sender(nil), reg.ReportSenders...)
		for _, s := range inst.ReportSenders {
			if senderIndex(senders, s.Email) < 0 {
				senders = append(senders, s)
			}
		}
		inst.ReportSenders = senders
		if inst.Website == "" {
			inst.Website = reg.Website
		}
	}
	dir := br.EvidenceDir(ap.slug)
	pl.files = map[string][]byte{dir + "/" + formName: form.Data}
	pl.rfiles = nil
	var atts []application.Attachment
	seen := map[string]bool{form.SHA256: true}
	for _, pt := range pl.p.Parts {
		rf := receiptFile{Name: pt.Name, Size: pt.Size, SHA256: pt.SHA256}
		ext := extOf(pt.Name)
		if ext == "" {
			ext = strings.TrimPrefix(extForMedia(pt.MediaType), ".")
		}
		switch {
		case pt == form:
			rf.Kept, rf.Note = true, "申报表"
		case seen[pt.SHA256]:
			rf.Note = "与其他附件内容相同，未重复保存"
		case imageTypes[ext] && pt.Size < smallImage:
			rf.Note = "图片小于 10 KiB（多为签名图标），未保存"
		case !keptTypes[ext]:
			rf.Note = fmt.Sprintf("文件类型 .%s 不在保存范围内（保存图片、PDF、OFD、Word、Excel、WPS、PowerPoint 文件）", ext)
		default:
			seen[pt.SHA256] = true
			name := sanitizeName(pt.Name)
			if extOf(name) == "" && ext != "" {
				name = sanitizeName(name + "." + ext)
			}
			pl.files[dir+"/"+submit.EvidenceName(pt.SHA256, name)] = pt.Data
			rf.Kept = true
			atts = append(atts, application.Attachment{Name: name, Size: pt.Size})
		}
		if rf.Kept {
			if w := activeWarning(pt); w != "" {
				pl.reasons = append(pl.reasons, w)
			}
		}
		pl.rfiles = append(pl.rfiles, rf)
	}
	ap.checks = application.Check(app, rd.Application.To, atts)
	data, err := content.EncodeRecord(&inst, noteText(body))
	if err == nil && len(data) > content.MaxRecordSize {
		data, err = content.EncodeRecord(&inst, "")
	}
	if err != nil {
		return pl.reject("内部错误：无法生成申报记录，请联系科技局")
	}
	pl.files["institutions/"+ap.slug+"/index.md"] = data
	pl.out = outAccept
	return pl
}

func senderIndex(l []content.Sender, email string) int {
	for i, s := range l {
		if strings.EqualFold(strings.TrimSpace(s.Email), strings.TrimSpace(email)) {
			return i
		}
	}
	return -1
}

// closedReason says that no window is open on d, and which round's was
// or will be.
func closedReason(rd *content.Round, d content.Date) string {
	if rd == nil {
		return fmt.Sprintf("%s没有正在申报的遴选批次：本次申报未受理。请关注市科技局发布的遴选通知", d.Chinese())
	}
	w := rd.Application
	if w.From.After(d) {
		return fmt.Sprintf("“%s”的申报时间为%s至%s，尚未开始（收到邮件的日期为%s）：本次申报未受理，请在申报时间内重新发送", rd.Title, w.From.Chinese(), w.To.Chinese(), d.Chinese())
	}
	return fmt.Sprintf("“%s”的申报时间为%s至%s，已于%s截止（收到邮件的日期为%s）：本次申报未受理", rd.Title, w.From.Chinese(), w.To.Chinese(), w.To.Chinese(), d.Chinese())
}

// appCommitMessage formats an application commit's message: a title
// (round, applicant), the sender and subject, each attachment, the
// pre-check, the warnings, then the trailers (submission.ApplyMeta).
// Every value goes through safetext.Line, as in commitMessage.
func (pl *plan) appCommitMessage() string {
	l := func(s string) string { return safetext.Line(s, 0) }
	ap := pl.app
	name := l(ap.app.Institution.Name)
	if name == "" {
		name = "（申报表未填单位名称）"
	}
	var b strings.Builder
	verb := "申报"
	if ap.replaced {
		verb = "重新申报"
	}
	fmt.Fprintf(&b, "%s %s %s\n\n", verb, ap.branch.Round, name)
	fmt.Fprintf(&b, "来自 %s 的邮件", l(pl.p.From))
	if s := l(pl.p.Subject); s != "" {
		fmt.Fprintf(&b, "《%s》", s)
	}
	b.WriteString("。\n")
	for _, f := range pl.rfiles {
		mark := "保存"
		if !f.Kept {
			mark = "未保存：" + l(f.Note)
		}
		fmt.Fprintf(&b, "- %s（%d 字节，%s）\n", l(f.Name), f.Size, mark)
	}
	b.WriteString("\n资格初审：\n")
	for _, c := range ap.checks {
		fmt.Fprintf(&b, "- %s\n", l(c.String()))
	}
	for _, w := range pl.reasons {
		fmt.Fprintf(&b, "警告：%s\n", l(w))
	}
	b.WriteString("\n")
	m := submit.ApplyMeta{Branch: ap.branch, Slug: ap.slug, MessageID: l(pl.id.MessageID), SourceSHA256: pl.id.RawSHA256, BodySHA256: pl.id.BodySHA256, DKIM: l(pl.dkim.String())}
	b.WriteString(m.Trailers())
	return b.String()
}

// appReceipt builds the receipt of an application plan.
func (pl *plan) appReceipt(branch string) *receipt {
	ap := pl.app
	r := &receipt{
		Key: pl.id.Key() + pl.keySuffix, To: pl.p.From, InReplyTo: bracket(pl.p.MessageID),
		OrigSubject: pl.p.Subject, ReceivedAt: pl.receivedAt, Accepted: pl.out == outAccept,
		Branch: branch, Files: pl.rfiles, Problems: pl.reasons,
		App: &appReceipt{Closed: ap.closed, Replaced: ap.replaced},
	}
	if ap.app != nil {
		r.Institution = ap.app.Institution.Name
	}
	if pl.out == outAccept {
		r.Slug = ap.slug
	}
	if ap.round != nil {
		r.App.Round, r.App.Window = ap.round.Title, ap.round.Application
	}
	for _, c := range ap.checks {
		r.App.Checks = append(r.App.Checks, c.String())
	}
	return r
}

// appliedBefore returns the commit of the branch's history (its own
// commits, newest first, down to where it left main) that holds the
// message with identity id, if any.
func (g *gitStore) appliedBefore(ref plumbing.ReferenceName, id identity) (plumbing.Hash, bool) {
	r, err := g.repo.Storer.Reference(ref)
	if err != nil {
		return plumbing.ZeroHash, false
	}
	h := r.Hash()
	for range 200 {
		c, err := object.GetCommit(g.repo.Storer, h)
		if err != nil {
			break
		}
		m, ok := submit.ParseApplyMeta(c.Message)
		if !ok {
			break
		}
		if (identity{MessageID: m.MessageID, RawSHA256: m.SourceSHA256, BodySHA256: m.BodySHA256}).Hash() == id.Hash() {
			return c.Hash, true
		}
		if len(c.ParentHashes) == 0 {
			break
		}
		h = c.ParentHashes[0]
	}
	return plumbing.ZeroHash, false
}

// commitApplication writes an accepted application: one commit on its
// branch replacing the evidence of an earlier one, pushed, then the
// receipt. A message already on the branch is a duplicate.
func (e *engine) commitApplication(ctx context.Context, pl *plan) (handled, error) {
	ctx = context.WithoutCancel(ctx)
	ap := pl.app
	ref := ap.branch.Ref()
	branch := ap.branch.String()
	if ch, dup := e.store.appliedBefore(ref, pl.id); dup {
		if err := e.store.push(ctx, ref); err != nil {
			return handled{}, err
		}
		if pl.suppress == "" {
			e.queueReceipt(pl.receipt(branch))
		}
		return handled{dest: destProcessed, duplicate: true, branch: branch, commit: ch}, nil
	}
	if _, err := e.store.repo.Storer.Reference(ref); err == nil {
		ap.replaced = true
	}
	from := e.snap.repo.Site.Inbox.ReceiptFrom
	if from == "" {
		from = "kjjr@localhost"
	}
	when := pl.p.Date
	if when.IsZero() {
		when = pl.receivedAt
	}
	author := safetext.Line(ap.app.Institution.Name, 100)
	if author == "" {
		author = "申报单位"
	}
	s := &submission{
		Branch:    ref,
		Files:     pl.files,
		Replace:   []string{ap.branch.EvidenceDir(ap.slug)},
		Author:    object.Signature{Name: author, Email: pl.p.From, When: when},
		Committer: object.Signature{Name: "kjjr inbox", Email: from, When: e.now()},
		Message:   pl.appCommitMessage(),
	}
	if s.Author.Email == "" {
		s.Author.Email = "unknown@invalid"
	}
	ch, err := e.store.commit(s, e.beforeCAS)
	if err != nil {
		return handled{}, err
	}
	if err := e.store.push(ctx, ref); err != nil {
		return handled{}, err
	}
	if pl.suppress == "" {
		e.queueReceipt(pl.receipt(branch))
	}
	e.log.Info("inbox: application committed", "branch", branch, "commit", ch.String()[:12], "from", pl.p.From, "replaced", ap.replaced)
	return handled{dest: destProcessed, branch: branch, commit: ch}, nil
}
