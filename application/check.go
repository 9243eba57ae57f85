package application

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"kjjr/content"
	"kjjr/sheet"
)

// Rule names one item of the eligibility pre-check (第二条).
type Rule string

// The rules of Check, in the order they are listed.
const (
	RuleForm        Rule = "form"         // the form's values could be read
	RuleUSCC        Rule = "uscc"         // the code's GB 32100 check character
	RuleFounded     Rule = "founded"      // founded >= 3 years before the window's close
	RuleLegalPerson Rule = "legal_person" // an independent legal person
	RuleCredit      Rule = "credit"       // no serious dishonesty, not blacklisted
	RulePartners    Rule = "partners"     // >= 1 bank and >= 1 law or accounting firm
	RuleOffice      Rule = "office"       // an office in a county of 晋中
	RuleAttachments Rule = "attachments"  // 营业执照 and 信用报告 attached
)

// Finding is the result of one rule: OK, or what fails and how to fix it
// (Chinese). Notes are remarks that are no failure (a recommended
// attachment missing).
type Finding struct {
	Rule    Rule
	Title   string // the rule in Chinese, e.g. 成立满3年
	OK      bool
	Message string // when !OK: what fails and how to fix it; when OK: what was found
}

// String formats a finding as one line: 【通过】成立满3年：… or 【未通过】….
func (f Finding) String() string {
	mark := "【通过】"
	if !f.OK {
		mark = "【未通过】"
	}
	if f.Message == "" {
		return mark + f.Title
	}
	return mark + f.Title + "：" + f.Message
}

// Attachment is a file sent with the application (besides the form).
type Attachment struct {
	Name string // the file name as sent (cleaned)
	Size int64
}

// Kinds of attachments the notice asks for. Required: a failure of
// RuleAttachments when missing. Recommended: a note in its message.
type docKind struct {
	Name     string
	Required bool
	match    func(a Attachment) bool
}

var (
	licenseRE   = regexp.MustCompile(`营业执照|执照|法人证书|登记证书|(?i)license`)
	creditRE    = regexp.MustCompile(`信用报告|信用中国|信用记录|信用查询|(?i)credit`)
	agreementRE = regexp.MustCompile(`协议|合同|合作|(?i)agreement`)
	photoRE     = regexp.MustCompile(`照片|办公场所|办公室|场地|(?i)photo`)
	imageExts   = map[string]bool{".jpg": true, ".jpeg": true, ".png": true, ".heic": true, ".webp": true, ".bmp": true, ".gif": true, ".tif": true, ".tiff": true}
)

// docKinds are what an application attaches, told apart by file name
// (after NFKC): 营业执照 (or 法人证书) and 信用报告 are required;
// cooperation agreements (协议/合同/合作) and office photos (照片/办公场所,
// or any image not named as one of the others) are recommended: staff
// may see the office on a visit (会议评审+现场考察) and ask for
// agreements, so their absence is noted, not failed.
var docKinds = []docKind{
	{Name: "营业执照（或法人证书）", Required: true, match: func(a Attachment) bool { return licenseRE.MatchString(a.Name) }},
	{Name: "“信用中国”信用报告", Required: true, match: func(a Attachment) bool { return creditRE.MatchString(a.Name) }},
	{Name: "合作协议", match: func(a Attachment) bool { return agreementRE.MatchString(a.Name) }},
	{Name: "办公场所照片", match: func(a Attachment) bool {
		return photoRE.MatchString(a.Name) ||
			imageExts[strings.ToLower(path.Ext(a.Name))] && !licenseRE.MatchString(a.Name) && !creditRE.MatchString(a.Name)
	}},
}

// independent are words of a legal form that is an independent legal
// person; dependent those that are not (checked first).
var (
	dependent   = []string{"分公司", "分支", "非独立", "非法人", "合伙", "个人独资", "个体", "办事处", "代表处", "营业部"}
	independent = []string{"有限责任公司", "有限公司", "股份有限公司", "股份公司", "企业法人", "公司", "事业单位", "社会团体", "社团", "民办非企业", "社会服务机构", "基金会"}
)

// IsIndependent reports whether a 法人类型 names an independent legal
// person (第二条第1项: 具有独立法人资格的企事业单位): a company, another
// enterprise legal person, a public institution (事业单位), a social
// organisation or a private non-enterprise unit; never a branch (分公司),
// a partnership, a sole proprietorship or an individual business.
func IsIndependent(legalForm string) bool {
	s := sheet.NormLabel(legalForm)
	for _, w := range dependent {
		if strings.Contains(s, w) {
			return false
		}
	}
	for _, w := range independent {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// County returns the county of 晋中 that an office is in: the form's
// 所在县（区、市） when it is one of Counties (榆次 is read as 榆次区), else
// the first of Counties the address names; "" when neither names one.
func County(county, address string) string {
	c := sheet.NormLabel(county)
	for _, k := range Counties {
		if c == k || c != "" && (c == strings.TrimRight(k, "区市县") || c == "晋中市"+k || c == "山西省晋中市"+k) {
			return k
		}
	}
	a := sheet.NormLabel(address)
	for _, k := range Counties {
		if strings.Contains(a, k) {
			return k
		}
	}
	return ""
}

// Check is the eligibility pre-check of 第二条 for an application to a
// round whose application window closes on closes: one Finding per Rule,
// in Rule order, each OK or saying in Chinese what fails and how to fix
// it. A failure does not refuse the application: staff decide.
func Check(app *Application, closes content.Date, atts []Attachment) []Finding {
	inst := &app.Institution
	var out []Finding
	add := func(r Rule, title string, ok bool, msg string) {
		out = append(out, Finding{Rule: r, Title: title, OK: ok, Message: msg})
	}
	// The form itself.
	if n := len(app.Problems); n > 0 {
		var l []string
		for _, p := range app.Problems {
			l = append(l, p.String())
		}
		add(RuleForm, "申报表填写完整", false, fmt.Sprintf("申报表有 %d 处未填写或无法识别：%s", n, strings.Join(l, "；")))
	} else {
		add(RuleForm, "申报表填写完整", true, "")
	}
	// USCC.
	switch {
	case inst.USCC == "":
		add(RuleUSCC, "统一社会信用代码", false, "没有读到统一社会信用代码：请在申报表“统一社会信用代码”一栏填写营业执照上的18位代码")
	case content.CheckUSCC(inst.USCC) != nil:
		add(RuleUSCC, "统一社会信用代码", false, fmt.Sprintf("%s：%v；请按营业执照核对后重新填写", inst.USCC, content.CheckUSCC(inst.USCC)))
	default:
		add(RuleUSCC, "统一社会信用代码", true, inst.USCC)
	}
	// Founded >= 3 years before the close.
	switch {
	case inst.Founded.IsZero():
		add(RuleFounded, "依法成立3年以上", false, "没有读到成立日期：请在“成立日期”一栏填写营业执照上的日期，如 2019-11-15")
	case closes.IsZero():
		add(RuleFounded, "依法成立3年以上", true, "成立于"+inst.Founded.Chinese())
	case inst.Founded.AddMonths(36).After(closes):
		add(RuleFounded, "依法成立3年以上", false, fmt.Sprintf("成立于%s，至申报截止日%s不满3年（须在%s或以前成立）；如成立日期填错，请按营业执照更正",
			inst.Founded.Chinese(), closes.Chinese(), closes.AddMonths(-36).Chinese()))
	default:
		add(RuleFounded, "依法成立3年以上", true, "成立于"+inst.Founded.Chinese())
	}
	// Independent legal person.
	switch {
	case strings.TrimSpace(inst.LegalForm) == "":
		add(RuleLegalPerson, "具有独立法人资格", false, "没有读到法人类型：请在“法人类型”一栏从下拉列表选择")
	case !IsIndependent(inst.LegalForm):
		add(RuleLegalPerson, "具有独立法人资格", false, fmt.Sprintf("法人类型“%s”不是独立法人：第二条第1项要求具有独立法人资格的企事业单位（分公司、合伙企业、个人独资企业、个体工商户不符合）；如选错，请重新选择", clipN(inst.LegalForm, 40)))
	default:
		add(RuleLegalPerson, "具有独立法人资格", true, inst.LegalForm)
	}
	// Credit declarations; a value not read is a problem of the form, and
	// the declaration is then not made.
	var credit []string
	if inst.Credit.SeriousDishonesty {
		credit = append(credit, "申报表填报有严重失信行为记录")
	}
	if inst.Credit.Blacklisted {
		credit = append(credit, "申报表填报列入相关社会领域信用黑名单")
	}
	for _, p := range app.Problems {
		for _, k := range []string{keyDishonesty, keyBlacklisted} {
			if strings.Contains(p.Message, fieldLabel(k)) {
				credit = append(credit, "没有读到“"+fieldLabel(k)+"”的声明")
			}
		}
	}
	if len(credit) > 0 {
		add(RuleCredit, "无严重失信记录且未列入黑名单", false, strings.Join(credit, "；")+"：第二条第1项要求无严重失信行为记录和信用黑名单记录；如填写有误，请按“信用中国”查询结果更正")
	} else {
		add(RuleCredit, "无严重失信记录且未列入黑名单", true, "申报单位声明无严重失信行为记录、未列入黑名单（以“信用中国”查询为准）")
	}
	// Partners.
	var miss []string
	if len(inst.Partners.Banks) == 0 {
		miss = append(miss, "没有填写合作银行")
	}
	if len(inst.Partners.LawFirms) == 0 && len(inst.Partners.AccountingFirms) == 0 {
		miss = append(miss, "没有填写合作律师事务所或会计师事务所")
	}
	if len(miss) > 0 {
		add(RulePartners, "与银行及律师或会计师事务所合作", false, strings.Join(miss, "，")+"：第二条第3项要求与金融机构、律师事务所和会计师事务所等建立合作关系；请在申报表中填写合作机构名称（至少一家银行，以及一家律师事务所或会计师事务所），并附合作协议")
	} else {
		add(RulePartners, "与银行及律师或会计师事务所合作", true, fmt.Sprintf("银行 %d 家，律师事务所 %d 家，会计师事务所 %d 家",
			len(inst.Partners.Banks), len(inst.Partners.LawFirms), len(inst.Partners.AccountingFirms)))
	}
	// Office in 晋中.
	switch k := County(inst.Office.County, inst.Office.Address); {
	case strings.TrimSpace(inst.Office.Address) == "":
		add(RuleOffice, "在晋中市有办公场所", false, "没有读到办公地址：请填写在晋中市的办公场所地址，并选择所在县（区、市）")
	case k == "":
		add(RuleOffice, "在晋中市有办公场所", false, fmt.Sprintf("办公地址“%s”（所在县“%s”）不在晋中市的县（区、市）：须为%s之一；请填写在晋中市的办公场所",
			clipN(inst.Office.Address, 60), clipN(inst.Office.County, 20), strings.Join(Counties, "、")))
	default:
		add(RuleOffice, "在晋中市有办公场所", true, k+"，"+inst.Office.Address)
	}
	// Attachments.
	var missing, notes, have []string
	for _, dk := range docKinds {
		found := false
		for _, a := range atts {
			if dk.match(Attachment{Name: sheet.NormText(a.Name), Size: a.Size}) {
				found = true
				break
			}
		}
		switch {
		case found:
			have = append(have, dk.Name)
		case dk.Required:
			missing = append(missing, dk.Name)
		default:
			notes = append(notes, dk.Name)
		}
	}
	msg := ""
	if len(have) > 0 {
		msg = "已附" + strings.Join(have, "、")
	}
	if len(notes) > 0 {
		if msg != "" {
			msg += "；"
		}
		msg += "建议补充" + strings.Join(notes, "、")
	}
	if len(missing) > 0 {
		add(RuleAttachments, "必需的附件", false, "缺少"+strings.Join(missing, "、")+"：请把扫描件或 PDF 作为附件、文件名写明材料名称（如“营业执照.pdf”“信用报告.pdf”）后重新发送整封申报邮件"+suffix(msg))
	} else {
		add(RuleAttachments, "必需的附件", true, msg)
	}
	return out
}

func suffix(s string) string {
	if s == "" {
		return ""
	}
	return "（" + s + "）"
}

func fieldLabel(key string) string {
	for i := range fields {
		if fields[i].Key == key {
			return fields[i].DisplayLabel()
		}
	}
	return key
}

// Failed returns the findings that are not OK.
func Failed(fs []Finding) []Finding {
	var out []Finding
	for _, f := range fs {
		if !f.OK {
			out = append(out, f)
		}
	}
	return out
}
