package application

// kind is the type of a label's value.
type kind int

const (
	kindText   kind = iota // free text
	kindUSCC               // 统一社会信用代码
	kindDate               // a day: a date cell, 2022-03-01, 2022年3月1日 …
	kindYesNo              // 是 or 否
	kindList               // names separated by 、，,; or line breaks
	kindCount              // an integer >= 0
	kindPhone              // a telephone number
	kindEmail              // one e-mail address
	kindEmails             // e-mail addresses separated like a list
	kindChoice             // one of field.Choices (drop-down), free text tolerated
)

// field is one label of the form: one row of the label table as data.
// The template writes Label (with Unit in full-width brackets) in column A
// and an input cell in column B; Parse finds each label wherever it is.
type field struct {
	Key      string // key in Application.Values and in tests
	Label    string // the label without unit
	Unit     string // 人 or ""
	Kind     kind
	Required bool     // blank is a problem (未填写)
	Section  string   // the template's section heading
	Help     string   // the input prompt of the value cell
	Example  string   // what the tests and fixtures fill in
	Choices  []string // the drop-down of a kindChoice or kindYesNo cell
}

// Keys of the fields.
const (
	keyName         = "name"
	keyUSCC         = "uscc"
	keyLegalForm    = "legal_form"
	keyFounded      = "founded"
	keyWebsite      = "website"
	keyCreditDate   = "credit_checked_on"
	keyDishonesty   = "serious_dishonesty"
	keyBlacklisted  = "blacklisted"
	keyCapabilities = "capabilities"
	keyBanks        = "banks"
	keyLawFirms     = "law_firms"
	keyAccounting   = "accounting_firms"
	keyOthers       = "other_partners"
	keyServices     = "services"
	keyJCG          = "serves_jinchuanggu"
	keyJCGNote      = "jinchuanggu_note"
	keyTeamSize     = "team_size"
	keyTeamNote     = "team_description"
	keyAddress      = "office_address"
	keyCounty       = "office_county"
	keyOfficePhone  = "office_phone"
	keyContact      = "contact_person"
	keyContactPhone = "contact_phone"
	keyContactEmail = "contact_email"
	keySenders      = "report_senders"
)

// Sections of the form.
const (
	secBasic   = "一、基本情况（第二条第1项）"
	secCredit  = "二、信用情况（第二条第1项，以“信用中国”查询结果为准）"
	secService = "三、服务能力与合作机构（第二条第2—5项）"
	secOffice  = "四、服务团队与办公场所（在晋中市）"
	secContact = "五、联系方式（不公开）"
)

// LegalForms are the drop-down of 法人类型. The first six are independent
// legal persons (第二条第1项: 具有独立法人资格); the rest are not.
var LegalForms = []string{
	"有限责任公司", "股份有限公司", "其他企业法人", "事业单位法人", "社会团体法人", "民办非企业单位（社会服务机构）",
	"分公司（非独立法人）", "合伙企业", "个人独资企业", "个体工商户",
}

// Counties are the eleven county-level divisions of 晋中市: an office
// must be in one of them (第五条第4项: 在晋中市配备必要的办公场所).
var Counties = []string{"榆次区", "太谷区", "介休市", "灵石县", "平遥县", "祁县", "寿阳县", "昔阳县", "和顺县", "左权县", "榆社县"}

// fields is the label table of the form, in template order.
var fields = []field{
	{Key: keyName, Label: "申报单位名称", Kind: kindText, Required: true, Section: secBasic,
		Help: "请填写营业执照（或法人证书）上的全称。", Example: "晋中示例科技金融服务有限公司"},
	{Key: keyUSCC, Label: "统一社会信用代码", Kind: kindUSCC, Required: true, Section: secBasic,
		Help: "请填写18位统一社会信用代码，与营业执照一致。", Example: "91140700MA0K000016"},
	{Key: keyLegalForm, Label: "法人类型", Kind: kindChoice, Required: true, Section: secBasic, Choices: LegalForms,
		Help: "请从下拉列表选择；须为具有独立法人资格的企事业单位（分公司等非独立法人不符合第二条第1项）。", Example: "有限责任公司"},
	{Key: keyFounded, Label: "成立日期", Kind: kindDate, Required: true, Section: secBasic,
		Help: "营业执照上的成立日期，如 2019-11-15。须在申报截止日前满3年。", Example: "2019-11-15"},
	{Key: keyWebsite, Label: "单位网站", Kind: kindText, Section: secBasic,
		Help: "选填，如 https://www.example.cn", Example: ""},

	{Key: keyCreditDate, Label: "信用查询日期", Kind: kindDate, Required: true, Section: secCredit,
		Help: "在“信用中国”网站查询本单位信用记录的日期，信用报告作为附件一并发送。", Example: "2026-03-20"},
	{Key: keyDishonesty, Label: "是否有严重失信行为记录", Kind: kindYesNo, Required: true, Section: secCredit, Choices: []string{"是", "否"},
		Help: "填“是”或“否”，以“信用中国”查询结果为准。", Example: "否"},
	{Key: keyBlacklisted, Label: "是否列入相关社会领域信用黑名单", Kind: kindYesNo, Required: true, Section: secCredit, Choices: []string{"是", "否"},
		Help: "填“是”或“否”，以“信用中国”查询结果为准。", Example: "否"},

	{Key: keyCapabilities, Label: "科技金融服务能力", Kind: kindList, Required: true, Section: secService,
		Help: "主要服务能力和专业条件，多项用顿号（、）分隔，如 融资对接、知识产权质押融资辅导。", Example: "融资对接、知识产权质押融资辅导、科技保险"},
	{Key: keyBanks, Label: "合作银行", Kind: kindList, Required: true, Section: secService,
		Help: "已建立合作关系的银行等金融机构，多个用顿号（、）分隔；合作协议作为附件发送。", Example: "晋商银行晋中分行、中国银行晋中分行"},
	{Key: keyLawFirms, Label: "合作律师事务所", Kind: kindList, Section: secService,
		Help: "多个用顿号（、）分隔；没有填“无”。律师事务所和会计师事务所至少有一类。", Example: "山西示例律师事务所"},
	{Key: keyAccounting, Label: "合作会计师事务所", Kind: kindList, Section: secService,
		Help: "多个用顿号（、）分隔；没有填“无”。律师事务所和会计师事务所至少有一类。", Example: "山西示例会计师事务所（普通合伙）"},
	{Key: keyOthers, Label: "其他合作机构", Kind: kindList, Section: secService,
		Help: "选填，如 担保公司、投资机构。", Example: ""},
	{Key: keyServices, Label: "定期开展的服务活动", Kind: kindList, Required: true, Section: secService,
		Help: "如 融资对接、项目路演、联合金融机构入企服务、政策宣讲，多项用顿号分隔。", Example: "融资对接、项目路演、入企服务、政策宣讲"},
	{Key: keyJCG, Label: "能否为晋创谷初创期科技企业提供服务", Kind: kindYesNo, Required: true, Section: secService, Choices: []string{"是", "否"},
		Help: "填“是”或“否”（第二条第5项：“晋创谷·晋中”创新驱动平台的初创期科技企业）。", Example: "是"},
	{Key: keyJCGNote, Label: "服务晋创谷企业情况", Kind: kindText, Section: secService,
		Help: "选填，简述已服务或计划服务的晋创谷企业。", Example: "已为晋创谷入驻企业开展融资对接3场。"},

	{Key: keyTeamSize, Label: "服务团队人数", Unit: "人", Kind: kindCount, Required: true, Section: secOffice,
		Help: "专职从事科技金融服务的人数，填整数。", Example: "6"},
	{Key: keyTeamNote, Label: "团队简介", Kind: kindText, Section: secOffice,
		Help: "选填，团队成员的专业背景。", Example: ""},
	{Key: keyAddress, Label: "办公地址", Kind: kindText, Required: true, Section: secOffice,
		Help: "在晋中市的办公场所地址；办公场所照片作为附件发送。", Example: "山西省晋中市榆次区示例路1号"},
	{Key: keyCounty, Label: "所在县（区、市）", Kind: kindChoice, Required: true, Section: secOffice, Choices: Counties,
		Help: "办公场所所在的县（区、市），请从下拉列表选择。", Example: "榆次区"},
	{Key: keyOfficePhone, Label: "办公电话", Kind: kindPhone, Section: secOffice,
		Help: "选填，对外公开的办公电话。", Example: "0354-5550100"},

	{Key: keyContact, Label: "联系人", Kind: kindText, Required: true, Section: secContact,
		Help: "申报联系人姓名（不公开）。", Example: "张三"},
	{Key: keyContactPhone, Label: "联系人电话", Kind: kindPhone, Required: true, Section: secContact,
		Help: "联系人电话（不公开）。", Example: "13800000000"},
	{Key: keyContactEmail, Label: "联系人邮箱", Kind: kindEmail, Required: true, Section: secContact,
		Help: "联系人邮箱（不公开）。", Example: "zhangsan@example.cn"},
	{Key: keySenders, Label: "报送邮箱", Kind: kindEmails, Section: secContact,
		Help: "入库后用于报送月报等材料的邮箱，多个用顿号分隔；不填则为联系人邮箱（不公开）。", Example: "baosong@example.cn"},
}

// labels returns the labels of the table, as written in the template.
func labels() []string {
	out := make([]string, len(fields))
	for i := range fields {
		out[i] = fields[i].DisplayLabel()
	}
	return out
}

// DisplayLabel returns the label as the template writes it: with its unit
// in full-width brackets, e.g. 服务团队人数（人）.
func (f *field) DisplayLabel() string {
	if f.Unit == "" {
		return f.Label
	}
	return f.Label + "（" + f.Unit + "）"
}

// anchors are the labels that tell the application form apart from any
// other workbook (the monthly sheet has 机构名称, never these).
var anchors = []string{"申报单位名称", "法人类型"}
