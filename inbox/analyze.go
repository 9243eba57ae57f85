package inbox

import (
	"bytes"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"kjjr/content"
	"kjjr/internal/safetext"
	"kjjr/sheet"
	submit "kjjr/submission"
)

// Outcomes of a message.
type outcome int

const (
	outAccept     outcome = iota + 1 // commit on submit/<slug>/<period>
	outReject                        // trusted sender, unusable content: record + receipt
	outQuarantine                    // unknown sender, DKIM failure, auto-reply: record, no receipt
	outRetry                         // a temporary failure (DNS): leave the message, try again later
)

// Quarantine reason codes (QuarantineRecord.Reason).
const (
	ReasonUnknownSender = "unknown_sender"
	ReasonDKIM          = "dkim_fail"
	ReasonAutoReply     = "auto_reply"
	ReasonEmpty         = "empty"
	ReasonRejected      = "rejected"
)

// plan is everything decided about one message before anything is written.
type plan struct {
	out        outcome
	code       string   // quarantine reason code
	reasons    []string // Chinese
	id         identity
	p          *parsed
	raw        []byte
	receivedAt time.Time
	inst       *content.Institution
	dkim       dkimResult
	suppress   string // why no reply, "" when a receipt may go

	kind   content.PeriodKind
	period content.Period
	due    content.Due // period's deadline (content.Repo.Deadline), for the receipt
	report *content.Report
	files  map[string][]byte // path relative to the repo root
	rfiles []receiptFile
	// app is set when the message is an application to a selection
	// round (apply.go).
	app *appPlan
	// keySuffix makes the receipt key of a release differ from the
	// original message's (whose rejection receipt went out already).
	keySuffix string
}

// analyzer holds what analysis needs besides the message.
type analyzer struct {
	snap   *content.Repo
	now    time.Time
	lookup func(string) ([]string, error)
	// parse and looks are sheet.Parse and sheet.Looks (swappable in tests).
	parse func([]byte, *sheet.Options) (*content.Report, error)
	looks func([]byte) bool
}

func (a *analyzer) limits() Limits {
	in := a.snap.Site.Inbox
	return Limits{
		MaxAttachment:  int64(in.MaxAttachmentMiB) << 20,
		MaxMessage:     int64(in.MaxMessageMiB) << 20,
		MaxAttachments: in.MaxAttachments,
	}.withDefaults()
}

// analyze decides what happens to raw. override, when set, is the
// institution a person vouched for (Release): sender and DKIM checks are
// skipped.
func (a *analyzer) analyze(raw []byte, receivedAt time.Time, override *content.Institution) *plan {
	lim := a.limits()
	pl := &plan{raw: raw, receivedAt: receivedAt}
	if len(bytes.TrimSpace(raw)) == 0 {
		pl.p = &parsed{}
		pl.id = identify(raw, "")
		pl.out, pl.code = outQuarantine, ReasonEmpty
		pl.reasons = []string{"邮件为空（0 字节）"}
		return pl
	}
	p := walkMessage(raw, lim)
	pl.p = p
	pl.id = identify(raw, p.MessageID)
	if p.Header.Header.Len() > 0 {
		if why, ok := suppressReply(netHeader(p)); ok {
			pl.suppress = why
		}
	}

	// Step 2: who sent it.
	if override != nil {
		pl.inst = override
		pl.dkim = dkimResult{Status: "none", Detail: "released by staff"}
	} else if p.FromProblem != "" {
		pl.out, pl.code = outQuarantine, ReasonBadSender
		pl.reasons = []string{p.FromProblem}
		return pl
	} else {
		pl.inst = a.snap.InstitutionByEmail(p.From)
		if pl.inst == nil {
			if ap := a.strangerApplication(pl); ap != nil {
				return ap
			}
			pl.out, pl.code = outQuarantine, ReasonUnknownSender
			pl.reasons = []string{unknownSenderReason(p.From)}
			return pl
		}
		pl.dkim = verifyDKIM(raw, p.From, pl.inst, a.lookup)
		switch {
		case pl.dkim.Status == "temperror":
			pl.out = outRetry
			pl.reasons = []string{"DKIM 公钥暂时无法查询（" + pl.dkim.String() + "）"}
			return pl
		case pl.dkim.Status == "fail":
			pl.out, pl.code = outQuarantine, ReasonDKIM
			pl.reasons = []string{fmt.Sprintf("DKIM 签名验证失败（%s）：邮件可能被伪造或在途中被改动", pl.dkim.String())}
			return pl
		case pl.dkim.Status != "pass" && pinsDomain(pl.inst, p.From):
			pl.out, pl.code = outQuarantine, ReasonDKIM
			pl.reasons = []string{fmt.Sprintf("该机构登记了 DKIM 公钥，但邮件没有通过验证的 DKIM 签名（%s）", pl.dkim.String())}
			return pl
		case pl.dkim.Status != "pass" && a.snap.Site.Inbox.RequireDKIM:
			pl.out, pl.code = outQuarantine, ReasonDKIM
			pl.reasons = []string{fmt.Sprintf("site.yaml 要求 DKIM 验证通过（require_dkim），本邮件为 %s", pl.dkim.String())}
			return pl
		}
	}
	if pl.suppress != "" {
		pl.out, pl.code = outQuarantine, ReasonAutoReply
		pl.reasons = []string{"自动回复、退信或群发邮件（" + pl.suppress + "），不作为报送处理"}
		return pl
	}

	// Step 3-4: structure, limits, classification.
	for _, pt := range p.Parts {
		pl.rfiles = append(pl.rfiles, receiptFile{Name: pt.Name, Size: pt.Size, SHA256: pt.SHA256})
	}
	reasons := a.limitReasons(pl)
	if len(reasons) == 0 && len(p.Parts) == 0 && strings.TrimSpace(p.Text) == "" {
		reasons = append(reasons, "邮件没有正文也没有附件：请附上月报表（.xlsx）或报告文件后重新发送")
	}
	if len(reasons) > 0 {
		return pl.reject(reasons...)
	}
	return a.classify(pl)
}

func (pl *plan) reject(reasons ...string) *plan {
	pl.out, pl.code = outReject, ReasonRejected
	pl.reasons = append(pl.reasons, reasons...)
	return pl
}

func mib(n int64) string {
	if n >= 1<<20 {
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
	}
	return strconv.FormatFloat(float64(n)/1024, 'f', 1, 64) + " KiB"
}

// netHeader converts the parsed header for outbox.SuppressReply.
func netHeader(p *parsed) mail.Header {
	h := mail.Header{}
	fields := p.Header.Header.Fields()
	for fields.Next() {
		k := http1Canonical(fields.Key())
		h[k] = append(h[k], fields.Value())
	}
	return h
}

func http1Canonical(k string) string {
	b := []byte(strings.ToLower(k))
	up := true
	for i, c := range b {
		if up && c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
		up = c == '-'
	}
	return string(b)
}

var (
	yearRE   = regexp.MustCompile(`(20\d{2})\s*年?`)
	annualRE = regexp.MustCompile(`年度(工作)?总结|年终(工作)?总结|全年(工作)?总结|年度(工作)?报告`)
)

// textPeriod finds a half-year or annual period in s (a subject or a file
// name). kind is 0 when s names neither; problem is set when it names one
// but the year or the half cannot be told.
func textPeriod(s string) (p content.Period, kind content.PeriodKind, problem string) {
	s = strings.ReplaceAll(s, " ", "")
	half := strings.Contains(s, "半年")
	annual := annualRE.MatchString(s)
	year := 0
	if m := yearRE.FindStringSubmatch(s); m != nil {
		year, _ = strconv.Atoi(m[1])
	}
	switch {
	case half:
		kind = content.HalfYear
		h := 0
		if strings.Contains(s, "上半年") {
			h = 1
		}
		if strings.Contains(s, "下半年") {
			if h == 1 {
				h = -1
			} else {
				h = 2
			}
		}
		if h <= 0 || year == 0 {
			return content.Period{}, kind, "无法判断是哪一年的上半年还是下半年：请在邮件主题中写明，例如“2026年上半年工作进展”"
		}
		return content.Period{Kind: content.HalfYear, Year: year, Half: h}, kind, ""
	case annual:
		kind = content.Annual
		if year == 0 {
			return content.Period{}, kind, "无法判断年度工作总结所属年份：请在邮件主题中写明，例如“2026年度工作总结”"
		}
		return content.Period{Kind: content.Annual, Year: year}, kind, ""
	}
	return content.Period{}, 0, ""
}

func isZip(b []byte) bool { return len(b) >= 4 && string(b[:4]) == "PK\x03\x04" }

// classify finds the kind and period, parses the sheet and lays out the
// files at the submission's paths (package submission).
func (a *analyzer) classify(pl *plan) *plan {
	p := pl.p
	if applicationsRelevant(a.snap, pl.receivedAt, p.Subject) {
		if form := applicationForm(p); form != nil {
			return a.application(pl, form)
		}
	}
	var sheets, legacy, otherXLSX []*part
	for _, pt := range p.Parts {
		ext := extOf(pt.Name)
		switch {
		case (ext == "xlsx" || (ext != "xls" && ext != "et" && isZip(pt.Data))) && a.looks(pt.Data):
			sheets = append(sheets, pt)
		case ext == "xls" || ext == "et":
			legacy = append(legacy, pt)
		case ext == "xlsx":
			otherXLSX = append(otherXLSX, pt)
		}
	}
	subjectMonthly := strings.Contains(p.Subject, "月报") || strings.Contains(p.Subject, "考核表")
	sheets = uniqueParts(sheets)
	switch {
	case len(sheets) > 1:
		var names []string
		for _, s := range sheets {
			names = append(names, "“"+s.Name+"”")
		}
		return pl.reject(fmt.Sprintf("一封邮件只能报送一份月报表，本邮件有 %d 份（%s）：请每月一封邮件分开发送", len(sheets), strings.Join(names, "、")))
	case len(sheets) == 1:
		return a.monthly(pl, sheets[0])
	}
	// A sheet that does not look like the template: let the parser say why.
	cands := append(append([]*part{}, legacy...), otherXLSX...)
	if len(cands) > 0 && (subjectMonthly || nameLooksMonthly(cands[0].Name)) {
		return a.monthly(pl, cands[0])
	}
	// Half-year or annual: the subject first, then the document names.
	sources := []string{p.Subject}
	for _, pt := range p.Parts {
		sources = append(sources, pt.Name)
	}
	var problem string
	for _, s := range sources {
		per, kind, prob := textPeriod(s)
		if kind == 0 {
			continue
		}
		if prob != "" {
			if problem == "" {
				problem = prob
			}
			continue
		}
		return a.document(pl, per)
	}
	if problem != "" {
		return pl.reject(problem)
	}
	if hint := missingHint(p); hint != "" {
		return pl.reject(hint)
	}
	// A workbook that cannot be opened at all (legacy .xls, encrypted,
	// damaged) under a subject that names no report: say what is wrong
	// with it rather than that no sheet was found.
	for _, c := range cands {
		var fe *sheet.FormatError
		if _, err := a.parse(c.Data, nil); errors.As(err, &fe) {
			return pl.reject(fmt.Sprintf("“%s”：%s", c.Name, fe.Message))
		}
	}
	if subjectMonthly {
		return pl.reject("邮件主题写明是月报，但没有找到月报表附件（.xlsx）：请附上填好的《科技金融服务机构绩效评价考核表》后重新发送")
	}
	return pl.reject("没有找到月报表（.xlsx），也无法判断是半年工作进展还是年度工作总结：月报请附上填好的《科技金融服务机构绩效评价考核表》；半年或年度报告请在主题中写明，例如“2026年上半年工作进展”或“2026年度工作总结”")
}

func nameLooksMonthly(n string) bool {
	return strings.Contains(n, "月报") || strings.Contains(n, "考核表") || strings.Contains(n, "绩效")
}

func uniqueParts(ps []*part) []*part {
	seen := map[string]bool{}
	var out []*part
	for _, p := range ps {
		if !seen[p.SHA256] {
			seen[p.SHA256] = true
			out = append(out, p)
		}
	}
	return out
}

// monthly parses the sheet with the sender's institution.
func (a *analyzer) monthly(pl *plan, sh *part) *plan {
	opts := &sheet.Options{
		Now:                content.DateOf(a.now),
		MaxReportAgeMonths: a.snap.Site.Inbox.MaxReportAgeMonths,
		Institution:        pl.inst,
	}
	rep, err := a.parse(sh.Data, opts)
	pl.kind = content.Monthly
	if err != nil {
		var ps sheet.Problems
		var fe *sheet.FormatError
		switch {
		case errors.As(err, &ps):
			var rs []string
			for _, pr := range ps {
				rs = append(rs, "“"+sh.Name+"” "+pr.String())
			}
			return pl.reject(rs...)
		case errors.As(err, &fe):
			return pl.reject(fmt.Sprintf("“%s”：%s", sh.Name, fe.Message))
		}
		return pl.reject(fmt.Sprintf("“%s”无法读取为月报表：请用《科技金融服务机构绩效评价考核表》模板填写，另存为 .xlsx 后重新发送", sh.Name))
	}
	if rep == nil || rep.Period.Kind != content.Monthly {
		return pl.reject(fmt.Sprintf("“%s”中没有读到报送月份：请在“报送月份”一栏填写，例如 2026年4月", sh.Name))
	}
	pl.period = rep.Period
	pl.due = a.snap.Deadline(rep.Period)
	pl.report = rep
	return a.layout(pl, map[*part]bool{sh: true})
}

// document handles a half-year progress report or an annual summary.
func (a *analyzer) document(pl *plan, per content.Period) *plan {
	pl.kind, pl.period = per.Kind, per
	pl.due = a.snap.Deadline(per)
	if !per.ReportableOn(content.DateOf(a.now)) {
		last := per.End()
		return pl.reject(fmt.Sprintf("%s的%s须在%d年%d月1日以后报送：请检查邮件主题中的年份", per.Chinese(), per.Kind.Chinese(), last.Year, last.Month))
	}
	docs := map[*part]bool{}
	var first *part
	for _, pt := range pl.p.Parts {
		if !documentTypes[extOf(pt.Name)] {
			continue
		}
		if first == nil {
			first = pt
		}
		if _, k, _ := textPeriod(pt.Name); k != 0 || strings.Contains(pt.Name, "报告") || strings.Contains(pt.Name, "总结") || strings.Contains(pt.Name, "进展") {
			docs[pt] = true
		}
	}
	if len(docs) == 0 && first != nil {
		docs[first] = true
	}
	if len(docs) == 0 {
		if hint := missingHint(pl.p); hint != "" {
			return pl.reject(hint)
		}
		return pl.reject(fmt.Sprintf("没有找到%s的报告文件：请以 PDF、OFD、Word 或 WPS 文件作为附件发送", per.Chinese()+per.Kind.Chinese()))
	}
	pl.report = &content.Report{Kind: per.Kind.String(), Period: per}
	return a.layout(pl, docs)
}

const smallImage = 10 << 10

// layout decides which parts are kept, names them and builds the record.
func (a *analyzer) layout(pl *plan, docs map[*part]bool) *plan {
	// The same rule as kjjr check: only periods in which the institution
	// was on the roster are reported (第五条第3项, 第六条第3项).
	per0 := pl.period
	if !pl.inst.Rostered(per0) {
		if rm, _ := pl.inst.RemovedOn(); !rm.IsZero() && !per0.Start().Before(rm) {
			return pl.reject(fmt.Sprintf("贵机构已于%s移出科技金融服务机构名单，无需报送%s的%s；如有疑问请联系科技局", rm.Chinese(), per0.Chinese(), per0.Kind.Chinese()))
		}
		return pl.reject(fmt.Sprintf("%s贵机构尚未被公告为科技金融服务机构，无需报送%s；如有疑问请联系科技局", per0.Chinese(), per0.Kind.Chinese()))
	}
	pl.files = map[string][]byte{}
	rep := pl.report
	rep.Kind = pl.kind.String()
	rep.ReceivedAt = pl.receivedAt.Format(time.RFC3339)
	rep.Sender = pl.p.From
	if pl.p.MessageID != "" {
		rep.MessageID = "<" + pl.p.MessageID + ">"
	}
	rep.SourceSHA256 = pl.id.RawSHA256
	rep.Documents, rep.Evidence, rep.Skipped = nil, nil, nil
	pl.rfiles = nil
	for _, pt := range pl.p.Parts {
		rf := receiptFile{Name: pt.Name, Size: pt.Size, SHA256: pt.SHA256}
		ext := extOf(pt.Name)
		if ext == "" {
			ext = strings.TrimPrefix(extForMedia(pt.MediaType), ".")
		}
		switch {
		case imageTypes[ext] && pt.Size < smallImage && !docs[pt]:
			rf.Note = "图片小于 10 KiB（多为签名图标），未保存"
			rep.Skipped = append(rep.Skipped, content.Skipped{Name: pt.Name, Size: pt.Size, Reason: rf.Note})
		case !keptTypes[ext] && !docs[pt]:
			rf.Note = fmt.Sprintf("文件类型 .%s 不在保存范围内（保存图片、PDF、OFD、Word、Excel、WPS、PowerPoint 文件）", ext)
			rep.Skipped = append(rep.Skipped, content.Skipped{Name: pt.Name, Size: pt.Size, Reason: rf.Note})
		default:
			name := sanitizeName(pt.Name)
			if extOf(name) == "" && ext != "" {
				name = sanitizeName(name + "." + ext)
			}
			rel := submit.ListedPath(pl.period, submit.EvidenceName(pt.SHA256, name))
			f := content.File{Path: rel, Name: pt.Name, Size: pt.Size, SHA256: pt.SHA256, Type: pt.MediaType}
			if docs[pt] {
				rep.Documents = append(rep.Documents, f)
			} else {
				rep.Evidence = append(rep.Evidence, f)
			}
			pl.files[pl.sub().InstitutionDir()+"/"+rel] = pt.Data
			rf.Kept = true
			rf.Note = rel
			if w := activeWarning(pt); w != "" {
				rep.Warnings = append(rep.Warnings, w)
				pl.reasons = append(pl.reasons, w)
			}
		}
		pl.rfiles = append(pl.rfiles, rf)
	}
	if pl.dkim.Status != "pass" {
		rep.Warnings = append(rep.Warnings, "DKIM："+pl.dkim.String())
	}
	if largeAttachmentLink(pl.p.Text) {
		rep.Warnings = append(rep.Warnings, "邮件正文中有“超大附件”（云附件）下载链接，系统没有下载这些文件：如需要，请机构作为普通附件补发")
	}
	body := noteText(pl.p.Text)
	data, err := content.EncodeRecord(rep, body)
	if err == nil && len(data) > content.MaxRecordSize {
		data, err = content.EncodeRecord(rep, "")
	}
	if err != nil {
		return pl.reject("内部错误：无法生成报送记录，请联系科技局")
	}
	pl.files[pl.sub().ReportPath()] = data
	pl.out = outAccept
	return pl
}

// noteText cleans the mail text for the record body: valid UTF-8, no
// control characters but newlines and tabs, at most 8000 characters.
func noteText(s string) string {
	s = strings.ToValidUTF8(strings.ReplaceAll(s, "\r\n", "\n"), "")
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n >= 8000 {
			b.WriteString("\n…（以下省略）")
			break
		}
		if (unicode.IsControl(r) && r != '\n' && r != '\t') || r == utf8.RuneError {
			continue
		}
		b.WriteRune(r)
		n++
	}
	return strings.TrimSpace(b.String())
}

// commitMessage formats the commit message: a title line (kind, period,
// institution), a paragraph naming the sender, the subject and each
// attachment with its fate, the warnings, and the trailers
// (Kjjr-Institution, Kjjr-Period, Kjjr-Kind, Message-Id, Source-Sha256,
// Body-Sha256, DKIM). Every value in it goes through safetext.Line,
// whatever was cleaned before: the message holds no NUL (git fsck
// --strict: nulInCommit), no escape sequence for a staff terminal (git
// log), and no line that a value could add (a forged trailer or
// paragraph). The trailers are package submission's (submission.Meta).
func (pl *plan) commitMessage() string {
	l := func(s string) string { return safetext.Line(s, 0) }
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s\n\n", pl.kind.Chinese(), pl.period.String(), l(pl.inst.Name))
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
	if pl.report != nil {
		for _, w := range pl.report.Warnings {
			fmt.Fprintf(&b, "警告：%s\n", l(w))
		}
	}
	b.WriteString("\n")
	meta := submit.Meta{Branch: pl.sub(), MessageID: l(pl.id.MessageID), SourceSHA256: pl.id.RawSHA256, BodySHA256: pl.id.BodySHA256, DKIM: l(pl.dkim.String())}
	b.WriteString(meta.Trailers())
	return b.String()
}

// sub is the submission of the plan: its institution and period.
func (pl *plan) sub() submit.Branch { return submit.Branch{Slug: pl.inst.Slug, Period: pl.period} }

// branch is the review branch of the plan.
func (pl *plan) branch() string { return pl.sub().String() }

// receipt builds the outbox receipt of an accepted or rejected plan.
func (pl *plan) receipt(branch string) *receipt {
	if pl.app != nil {
		return pl.appReceipt(branch)
	}
	r := &receipt{
		Key:         pl.id.Key() + pl.keySuffix,
		To:          pl.p.From,
		InReplyTo:   bracket(pl.p.MessageID),
		OrigSubject: pl.p.Subject,
		ReceivedAt:  pl.receivedAt,
		Kind:        pl.kind,
		Period:      pl.period,
		Due:         pl.due,
		Accepted:    pl.out == outAccept,
		Branch:      branch,
		Files:       pl.rfiles,
		Problems:    pl.reasons,
	}
	if pl.p.MessageID != "" {
		r.References = []string{bracket(pl.p.MessageID)}
	}
	if pl.inst != nil {
		r.Institution, r.Slug = pl.inst.Name, pl.inst.Slug
		var senders []string
		for _, s := range pl.inst.ReportSenders {
			if e := strings.ToLower(strings.TrimSpace(s.Email)); e != "" && !containsStr(senders, e) {
				senders = append(senders, e)
			}
		}
		// A message released by staff may come from an address the
		// institution does not list: the receipt goes to the listed ones.
		if !containsStr(senders, r.To) && len(senders) > 0 {
			r.To = senders[0]
		}
		for _, e := range senders {
			if e != r.To {
				r.Cc = append(r.Cc, e)
			}
		}
		sort.Strings(r.Cc)
	}
	return r
}

func bracket(id string) string {
	if id == "" {
		return ""
	}
	return "<" + id + ">"
}

func containsStr(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
