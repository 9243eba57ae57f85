package review

import (
	"bytes"
	"errors"
	"fmt"
	"net/mail"
	"reflect"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"go.yaml.in/yaml/v3"

	"kjjr/content"
)

// Codes of the refusals of AddSender and CheckSender.
const (
	CodeBadSender     = "bad_sender"     // not a plain, valid mail address
	CodeNoInstitution = "no_institution" // main has no institutions/<slug>/index.md
)

// SenderChange is the outcome of AddSender.
type SenderChange struct {
	Slug    string
	Email   string
	Already bool          // the address was listed already: no commit was made
	Commit  plumbing.Hash // the new main (zero when Already)
	OldMain plumbing.Hash
}

// senderPlan is the edit AddSender would commit on main.
type senderPlan struct {
	name    string // the institution's name
	already bool
	base    plumbing.Hash // main's tip the plan was made on
	change  *FileChange   // the edited index.md on main, checked (nil when already)
}

// CheckSender tells what AddSender(slug, email) would do now without
// moving main: already reports that the institution lists the address;
// a refusal (*Error) says why it would not be added.
func (r *Repo) CheckSender(slug, email string, now time.Time) (already bool, err error) {
	p, err := r.planSender(slug, email, now)
	if err != nil {
		return false, err
	}
	return p.already, nil
}

// AddSender adds email to the report_senders of institution slug on main:
// one commit whose author and committer are by, changing only
// institutions/<slug>/index.md (its front matter re-encoded with the
// address appended; the body and every other field kept). It is what a
// staff member does after checking a quarantined message from an address
// the institution had not registered. It is a CommitChange of
// PrepareFile's change, so the rules of CommitFile hold: nothing moves
// unless the changed tree passes content.Load and Repo.Check without
// errors that main did not have already (the address must not belong to
// another institution, for one), and a checked-out main must be clean and
// is brought up to date. An address listed already (compared without
// case) makes no commit. When another writer moved main meanwhile, the
// edit is made again on the new main, up to three times.
func (r *Repo) AddSender(slug, email string, by object.Signature, now time.Time) (*SenderChange, error) {
	email = strings.TrimSpace(email)
	for attempt := 0; ; attempt++ {
		p, err := r.planSender(slug, email, now)
		if CodeOf(err) == CodeConcurrent && attempt < 2 {
			continue
		}
		if err != nil {
			return nil, err
		}
		ch := &SenderChange{Slug: slug, Email: email, Already: p.already, OldMain: p.base}
		if p.already {
			return ch, nil
		}
		msg := fmt.Sprintf("%s：登记报送邮箱 %s\n\n在 report_senders 中增加 %s，由 %s 核实后登记。\n", p.name, email, email, by.Name)
		fcm, err := r.CommitChange(p.change, msg, by, now)
		switch {
		case CodeOf(err) == CodeConcurrent && attempt < 2:
			continue // someone else moved main: make the edit again on theirs
		case CodeOf(err) == CodeConcurrent:
			return nil, refuse(CodeConcurrent, "main 一直在被别人更新，未登记报送邮箱 %s：请稍后重试", email)
		case CodeOf(err) == CodeLocked:
			return nil, refuse(CodeLocked, "未登记报送邮箱 %s：%s", email, err.Error())
		case fcm != nil:
			ch.Commit = fcm.Commit
			return ch, err // err: main moved but a checked-out working tree was not updated
		case err != nil:
			return nil, err
		}
	}
}

// planSender computes the edit of AddSender on the current main and checks
// its result.
func (r *Repo) planSender(slug, email string, now time.Time) (*senderPlan, error) {
	email = strings.TrimSpace(email)
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email || strings.ContainsAny(email, "\r\n") {
		return nil, refuse(CodeBadSender, "%q 不是有效的邮箱地址：只写地址本身，如 baosong@example.com", email)
	}
	if !content.SlugPattern.MatchString(slug) {
		return nil, refuse(CodeNoInstitution, "机构代号 %q 无效：应为小写字母、数字和连字符", slug)
	}
	path := "institutions/" + slug + "/index.md"
	base, data, err := r.MainFile(path)
	if err != nil {
		return nil, err
	}
	if data == nil {
		return nil, refuse(CodeNoInstitution, "main 上没有机构 %s（institutions/%s/index.md）：请先建立该机构的记录", slug, slug)
	}
	var inst content.Institution
	if ds := content.DecodeRecord(path, data, &inst); ds.HasErrors() {
		return nil, refuse(CodeCheckFailed, "main 上的 %s 无法读取，未登记报送邮箱：请先改正它：\n%s", path, ds.Errors().Error())
	}
	p := &senderPlan{name: inst.Name, base: base}
	for _, s := range inst.ReportSenders {
		if strings.EqualFold(strings.TrimSpace(s.Email), email) {
			p.already = true
			return p, nil
		}
	}
	edited, err := AppendSender(data, email)
	if err != nil {
		return nil, refuse(CodeCheckFailed, "无法改写 %s，未登记报送邮箱：%v", path, err)
	}
	if p.change, err = r.PrepareFile(path, edited, base, now); err != nil {
		return nil, err
	}
	if len(p.change.NewErrors) > 0 {
		return nil, refuse(CodeCheckFailed, "登记报送邮箱 %s 后内容未通过校验（kjjr check），未登记：\n%s", email, p.change.NewErrors.Error())
	}
	return p, nil
}

// AppendSender returns the record data (an institution's index.md) with
// "- email: <email>" appended to the report_senders of its front matter
// (the list is made when missing). The front matter is re-encoded from its
// YAML node tree, which keeps the fields' order, comments and quoting; the
// Markdown body is kept (line ends as content.SplitFrontMatter normalizes
// them). The result is decoded again: a record that would then differ in
// anything but the added address is refused with an error instead.
func AppendSender(data []byte, email string) ([]byte, error) {
	front, body, _, err := content.SplitFrontMatter(data)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(front, &doc); err != nil {
		return nil, fmt.Errorf("YAML 文件头无法解析：%v", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("YAML 文件头不是字段表")
	}
	m := doc.Content[0]
	item := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Tag: "!!str", Value: "email"},
		{Kind: yaml.ScalarNode, Tag: "!!str", Value: email},
	}}
	var list *yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == "report_senders" {
			list = m.Content[i+1]
			break
		}
	}
	switch {
	case list == nil:
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "report_senders"},
			&yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{item}})
	case list.Kind == yaml.SequenceNode:
		list.Style &^= yaml.FlowStyle
		list.Content = append(list.Content, item)
	case list.Kind == yaml.ScalarNode && list.Tag == "!!null":
		*list = yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{item}, HeadComment: list.HeadComment, LineComment: list.LineComment}
	default:
		return nil, errors.New("report_senders 不是列表")
	}
	var b bytes.Buffer
	b.WriteString("---\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("YAML 文件头无法写回：%v", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("YAML 文件头无法写回：%v", err)
	}
	b.WriteString("---\n")
	b.Write(body)
	// The node tree round-trips what institutions' records hold; whatever
	// it would not (odd YAML), the check below refuses rather than commit.
	var before, after content.Institution
	if ds := content.DecodeRecord("index.md", data, &before); ds.HasErrors() {
		return nil, errors.New(ds.Errors().Error())
	}
	if ds := content.DecodeRecord("index.md", b.Bytes(), &after); ds.HasErrors() {
		return nil, fmt.Errorf("改写后无法读取：%s", ds.Errors().Error())
	}
	before.ReportSenders = append(before.ReportSenders, content.Sender{Email: email})
	before.BodyLine, after.BodyLine = 0, 0
	if !reflect.DeepEqual(before, after) {
		return nil, errors.New("YAML 文件头的写法特殊，自动改写会改动其他字段：请手工在 report_senders 中添加该地址")
	}
	return b.Bytes(), nil
}
