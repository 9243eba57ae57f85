package selection

import (
	"fmt"
	"io"
	"net/mail"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"kjjr/content"
	"kjjr/submission"
)

// Pick is one applicant the party group selected: its key (the
// application's USCC key, or the slug its branch names) and, optionally,
// the slug its institution record gets (default: the branch's slug).
type Pick struct{ Key, Slug string }

// ParsePicks reads the --select list: KEY[=slug] separated by commas
// (also 、 and ，).
func ParsePicks(s string) ([]Pick, error) {
	var out []Pick
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == '、' }) {
		k, slug, _ := strings.Cut(strings.TrimSpace(f), "=")
		k, slug = strings.TrimSpace(k), strings.TrimSpace(slug)
		if k == "" {
			continue
		}
		if slug != "" && !content.SlugPattern.MatchString(slug) {
			return nil, refuse("机构代号 %q 无效：只能用小写字母、数字和连字符，例如 yuci-kejin", slug)
		}
		out = append(out, Pick{Key: k, Slug: slug})
	}
	if len(out) == 0 {
		return nil, refuse("请用 --select 列出党组会议定的申报单位：申报编号（统一社会信用代码）或代号，以逗号分隔，可写 编号=新代号")
	}
	return out, nil
}

// DecideOptions is a party-group decision (第三条第4项) and the 公示 that
// follows it (第三条第5项).
type DecideOptions struct {
	Round   string
	Select  []Pick
	Date    content.Date // the meeting; zero: today
	Meeting string       // default 局党组会议
	// Start is the first day of the 公示; zero: the first working day
	// after Date.
	Start       content.Date
	WorkingDays int // default 5
	// ObjectionEmail is where objections are mailed; default site.yaml
	// contact.email. It must differ from inbox.address.
	ObjectionEmail string
	By             object.Signature
	Now            time.Time
}

// Decided is what Decide wrote.
type Decided struct {
	*MainChange
	Publicity    string // slug of publicity/<slug>.md
	Notice       string // slug of the drafted 公示 notice
	Start, End   content.Date
	Institutions []string // slugs, in the order selected
}

// PublicitySlug is the slug of a round's 公示 record starting on start.
func PublicitySlug(round string, start content.Date) string {
	return start.String() + "-round-" + round
}

// Decide records the decision in rounds/<round>.md (decision, the
// selected added to applicants, publicity), makes the institution records
// of the selected applications by merging their apply branches into main
// (institutions/<slug>/index.md, the draft, unless main already has a
// record there, which stays; and the application's evidence directory),
// writes publicity/<slug>.md with the objection contact, and drafts the
// 公示 notice notices/<start>-publicity-<round>.md. It is one merge commit
// on main by the staff member, whose parents are main and the selected
// branches' tips, made as commitMain says (kjjr check, compare-and-swap).
// rounds/<round>.md lists as applicants only institutions that have a
// record (kjjr check requires it): the selected are added, the other
// applications stay on their branches, private. The branches are kept
// (merged, so plain git sees them as such), and so is the expert review
// of them. Refusals are *Error with a Chinese message.
func (r *Repo) Decide(o *DecideOptions) (*Decided, error) {
	if err := checkRound(o.Round); err != nil {
		return nil, err
	}
	repo, mainC, err := r.loadMain()
	if err != nil {
		return nil, err
	}
	rd, err := roundRecord(mainC, o.Round)
	if err != nil {
		return nil, err
	}
	if rd.Publicity != "" || len(rd.Decision.Selected) > 0 {
		return nil, refuse("rounds/%s.md 已有党组会议定的名单和公示（%s）：不能再次议定；如需更正，请直接编辑该文件", o.Round, rd.Publicity)
	}
	if o.Date.IsZero() {
		o.Date = content.DateOf(o.Now)
	}
	if o.Meeting == "" {
		o.Meeting = "局党组会议"
	}
	if o.WorkingDays == 0 {
		o.WorkingDays = 5
	}
	if o.WorkingDays < 1 {
		return nil, refuse("公示期应至少 1 个工作日（一般为 5 个工作日）")
	}
	if o.Start.IsZero() {
		if o.Start, err = repo.Calendar.NextWorkday(o.Date.AddDays(1)); err != nil {
			return nil, refuse("无法计算公示开始日：%v（请在 calendar/ 中补充该年的节假日安排，或用 --start 指定）", err)
		}
	}
	if o.Start.Before(o.Date) {
		return nil, refuse("公示开始日 %s 早于党组会议日期 %s", o.Start, o.Date)
	}
	end, err := repo.Calendar.AddWorkdays(o.Start, o.WorkingDays)
	if err != nil {
		return nil, refuse("无法计算公示结束日：%v（请在 calendar/ 中补充该年的节假日安排）", err)
	}
	contact := repo.Site.Contact
	if o.ObjectionEmail != "" {
		contact.Email = o.ObjectionEmail
	}
	if a, err := mail.ParseAddress(contact.Email); err != nil || a.Address != strings.TrimSpace(contact.Email) {
		return nil, refuse("异议受理邮箱 %q 无效：请在 site.yaml 的 contact.email 中填写，或用 --objection-email 指定", contact.Email)
	}
	if strings.EqualFold(contact.Email, repo.Site.Inbox.Address) {
		return nil, refuse("异议受理邮箱 %s 与报送邮箱（site.yaml inbox.address）相同：异议须寄往另一个地址，才能与机构报送区分开，请用 --objection-email 指定", contact.Email)
	}

	apps, err := r.Applicants(o.Round)
	if err != nil {
		return nil, err
	}
	find := func(k string) *Applicant {
		for _, a := range apps {
			if strings.EqualFold(a.Key(), k) || a.Slug == k {
				return a
			}
		}
		return nil
	}
	edit := &mainEdit{files: map[string][]byte{}, blobs: map[string]plumbing.Hash{}, by: o.By, now: o.Now}
	var slugs []string
	seen := map[string]bool{}
	for _, p := range o.Select {
		a := find(p.Key)
		if a == nil {
			return nil, refuse("%s 不是本批次（%s）的申报单位：kjjr round scores %s 列出全部申报单位", p.Key, o.Round, o.Round)
		}
		if a.Problem != "" || a.Draft == nil {
			return nil, refuse("%s 的申报材料有问题，不能生成机构记录：%s", a.Key(), a.Problem)
		}
		slug := p.Slug
		if slug == "" {
			slug = a.Slug
		}
		if seen[slug] {
			return nil, refuse("机构代号 %s 重复：每家单位需要不同的代号", slug)
		}
		seen[slug] = true
		existing := repo.Institution(slug)
		if existing != nil && slug != a.Slug {
			return nil, refuse("机构代号 %s 已被 %s 使用：请换一个代号（--select %s=新代号）", slug, existing.Name, a.Key())
		}
		if existing != nil && existing.USCC != "" && a.Draft.USCC != "" && !strings.EqualFold(existing.USCC, a.Draft.USCC) {
			return nil, refuse("%s 已登记为 %s（统一社会信用代码 %s），与申报的 %s 不同：请为申报单位另选代号", slug, existing.Name, existing.USCC, a.Draft.USCC)
		}
		if err := r.takeApplication(edit, a, slug, existing != nil); err != nil {
			return nil, err
		}
		edit.parents = append(edit.parents, a.Tip)
		slugs = append(slugs, slug)
	}

	pubSlug := PublicitySlug(o.Round, o.Start)
	noticeSlug := o.Start.String() + "-publicity-" + o.Round
	for _, s := range slugs {
		if !contains(rd.Applicants, s) {
			rd.Applicants = append(rd.Applicants, s)
		}
	}
	rd.Decision = content.Decision{Date: o.Date, Meeting: o.Meeting, Selected: slugs}
	rd.Publicity = pubSlug
	rb, err := encodeRound(rd)
	if err != nil {
		return nil, err
	}
	edit.files["rounds/"+o.Round+".md"] = rb

	roundTitle := strings.TrimSpace(rd.Title)
	if roundTitle == "" {
		roundTitle = o.Round
	}
	title := "关于" + roundTitle + "拟确定名单的公示"
	names := make([]string, len(slugs))
	for i, s := range slugs {
		names[i] = s
		if a := find(o.Select[i].Key); a != nil && a.Draft != nil && a.Draft.Name != "" {
			names[i] = a.Name()
		}
	}
	pub := &content.Publicity{Title: title, Round: o.Round, Start: o.Start, WorkingDays: o.WorkingDays, Institutions: slugs, ObjectionContact: contact}
	pb, err := content.EncodeRecord(pub, publicityBody(o.Meeting))
	if err != nil {
		return nil, fmt.Errorf("selection: encode publicity: %w", err)
	}
	edit.files["publicity/"+pubSlug+".md"] = pb
	notice := &content.Notice{Kind: content.NoticeGeneral, Title: title, Date: o.Start}
	nb, err := content.EncodeRecord(notice, noticeBody(o.Meeting, names, o.Start, end, o.WorkingDays, contact))
	if err != nil {
		return nil, fmt.Errorf("selection: encode notice: %w", err)
	}
	edit.files["notices/"+noticeSlug+".md"] = nb
	edit.msg = fmt.Sprintf("遴选 %s：%s议定 %d 家，公示 %s 至 %s\n\n%s\n\n%s", o.Round, o.Meeting, len(slugs), o.Start, end,
		strings.Join(names, "\n"), submission.FormatTrailers(
			submission.Trailer{Key: "Decided-By", Value: o.By.Name + " <" + o.By.Email + ">"},
			submission.Trailer{Key: submission.KeyRound, Value: o.Round}))
	mc, err := r.commitMain(edit, mainC)
	if err != nil {
		return nil, err
	}
	return &Decided{MainChange: mc, Publicity: pubSlug, Notice: noticeSlug, Start: o.Start, End: end, Institutions: slugs}, nil
}

// takeApplication adds to the edit what an application brings into main
// under slug: the draft record (unless registered: main's record stays)
// and the files of its evidence directory.
func (r *Repo) takeApplication(e *mainEdit, a *Applicant, slug string, registered bool) error {
	c, err := r.Git.CommitObject(a.Tip)
	if err != nil {
		return fmt.Errorf("selection: %s: %w", a.Branch, err)
	}
	t, err := c.Tree()
	if err != nil {
		return fmt.Errorf("selection: %s: %w", a.Branch, err)
	}
	if !registered {
		f, err := t.File(a.DraftPath())
		if err != nil {
			return refuse("%s 上没有 %s", a.Branch, a.DraftPath())
		}
		e.blobs["institutions/"+slug+"/index.md"] = f.Hash
	}
	from := a.Branch.EvidenceDir(a.Slug)
	dir, err := t.Tree(from)
	if err != nil {
		return nil // no evidence on the branch
	}
	w := object.NewTreeWalker(dir, true, nil)
	defer w.Close()
	for {
		name, ent, err := w.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("selection: %s: %w", a.Branch, err)
		}
		if ent.Mode == filemode.Dir {
			continue
		}
		if ent.Mode != filemode.Regular || strings.Contains(name, "/") || submission.CheckFileName(name) != nil {
			return refuse("%s 上的 %s/%s 不是申报材料应有的普通文件，未合并：请核查该分支", a.Branch, from, name)
		}
		e.blobs[a.Branch.EvidenceDir(slug)+"/"+name] = ent.Hash
	}
	return nil
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// publicityBody is the text of the 公示 record, as the sample publicity has it.
func publicityBody(meeting string) string {
	return "根据《科技金融服务机构遴选及考核管理办法（试行）》第三条，经单位申请、专家评审和" + meeting +
		"研究议定，拟确定以下单位为晋中市科技金融服务机构，现予以公示。\n\n" + objectionRule + "\n"
}

// objectionRule is the 公示 rule that the notice and every objection
// receipt state.
const objectionRule = "公示期间，任何单位和个人对公示名单有异议的，请以书面形式实名向市科技局科技金融科反映，并提供必要的证明材料。"

func noticeBody(meeting string, names []string, start, end content.Date, days int, c content.Contact) string {
	var b strings.Builder
	fmt.Fprintf(&b, "根据《科技金融服务机构遴选及考核管理办法（试行）》第三条，经单位申请、专家评审和%s研究议定，拟确定以下%d家单位为晋中市科技金融服务机构，现予以公示：\n\n", meeting, len(names))
	for i, n := range names {
		fmt.Fprintf(&b, "%d. %s\n", i+1, n)
	}
	fmt.Fprintf(&b, "\n公示期为%s至%s（%d个工作日）。%s\n\n", start.Chinese(), end.Chinese(), days, objectionRule)
	b.WriteString("联系方式：\n\n")
	if c.Department != "" {
		fmt.Fprintf(&b, "- 受理部门：%s\n", c.Department)
	}
	if c.Phone != "" {
		fmt.Fprintf(&b, "- 电话：%s\n", c.Phone)
	}
	fmt.Fprintf(&b, "- 电子邮箱：%s\n", c.Email)
	if c.Address != "" {
		fmt.Fprintf(&b, "- 地址：%s\n", c.Address)
	}
	return b.String()
}

// RoundTitle returns the title of rounds/<round>.md on main.
func (r *Repo) RoundTitle(round string) (string, error) {
	c, err := r.mainTip()
	if err != nil {
		return "", err
	}
	rd, err := roundRecord(c, round)
	if err != nil {
		return "", err
	}
	return rd.Title, nil
}
