package sheet

import "kjjr/content"

// kind is the type of a label's value.
type kind int

const (
	kindText   kind = iota // free text (机构名称, 填报人)
	kindUSCC               // 统一社会信用代码, checksum per GB 32100-2015
	kindPeriod             // 报送月份: 2025年4月, 2025-04, 2025.4, 2025/04 or a date cell
	kindInt                // a count >= 0
	kindWan                // an amount in 万元, two decimals at most, >= 0
	kindList               // names separated by 、，,; or newlines
	kindYesNo              // 是 or 否
	kindDate               // a day: 2025-05-08, 2025年5月8日 or a date cell
	kindPhone              // a telephone number
)

// field is one label of sheet 1 (绩效评价考核表): one row of the label
// table (see the package doc) as data. The template writes Label with Unit in full-width brackets; the
// parser matches a cell against Label after normalisation (see norm.go).
type field struct {
	Key      string // front-matter key of content.Report, also the JSON name in tests
	Label    string // the label text without unit, e.g. 服务企业数量 or 其中：晋创谷注册企业
	Unit     string // 家, 场, 次, 万元 or ""
	Kind     kind
	Required bool   // blank is 未填写
	Section  string // the template's section heading this label sits under
	Help     string // the template's input prompt for the value cell
	Example  string // what the round-trip test and the fixtures fill in
}

// Keys of the fields, used by the parser to place values.
const (
	keyInstitution  = "institution"
	keyUSCC         = "uscc"
	keyPeriod       = "period"
	keyServed       = "enterprises_served"
	keyJCGServed    = "jinchuanggu_enterprises"
	keySurveyed     = "needs_surveyed"
	keyMatchmaking  = "matchmaking_events"
	keyRoadshows    = "roadshows"
	keyVisits       = "onsite_visits"
	keyPolicy       = "policy_sessions"
	keyPolicyEnt    = "policy_enterprises"
	keyLoanSubsidy  = "loan_subsidy_enterprises"
	keyInsurance    = "insurance_enterprises"
	keyBanks        = "partner_banks"
	keyFinancing    = "financing_wan"
	keyJCGFinancing = "jinchuanggu_financing_wan"
	keyCharged      = "charged_fees"
	keyFiler        = "filer"
	keyPhone        = "phone"
	keyFiledOn      = "filed_on"
)

// Template sections of sheet 1.
const (
	secBasic     = "一、基本信息"
	secService   = "二、服务情况"
	secFinancing = "三、融资服务"
	secFiler     = "四、填报信息"
)

// fields is the label table of sheet 1, in template order.
var fields = []field{
	{Key: keyInstitution, Label: "机构名称", Kind: kindText, Required: true, Section: secBasic,
		Help: "请填写营业执照上的全称，与入库时一致。", Example: "晋中示例科技金融服务有限公司"},
	{Key: keyUSCC, Label: "统一社会信用代码", Kind: kindUSCC, Required: true, Section: secBasic,
		Help: "请填写18位统一社会信用代码，与营业执照一致。", Example: "91140700MA0K000016"},
	{Key: keyPeriod, Label: "报送月份", Kind: kindPeriod, Required: true, Section: secBasic,
		Help: "请填写本表所报的月份，如 2025年4月 或 2025-04（只能报已结束的月份）。", Example: "2025年4月"},

	indicator(keyServed, kindInt, secService,
		"本月服务的企业数，填整数；没有填 0。", "20"),
	indicator(keyJCGServed, kindInt, secService,
		"上一项中在晋创谷注册的企业数，不能大于服务企业数量。", "5"),
	indicator(keySurveyed, kindInt, secService,
		"本月开展融资需求调研的企业数。", "12"),
	indicator(keyMatchmaking, kindInt, secService,
		"本月组织的银企对接活动场次。", "2"),
	indicator(keyRoadshows, kindInt, secService,
		"本月组织的项目路演活动场次。", "1"),
	indicator(keyVisits, kindInt, secService,
		"本月联合银行等金融机构入企服务的次数。", "8"),
	indicator(keyPolicy, kindInt, secService,
		"本月开展的政策宣讲活动场次。", "1"),
	indicator(keyPolicyEnt, kindInt, secService,
		"政策宣讲覆盖的企业数。", "30"),
	indicator(keyLoanSubsidy, kindInt, secService,
		"本月协助落实贷款贴息的企业数。", "3"),
	indicator(keyInsurance, kindInt, secService,
		"本月协助落实科技保险的企业数。", "2"),

	{Key: keyBanks, Label: "合作银行名称", Kind: kindList, Section: secFinancing,
		Help: "请填写本月合作的银行，多个用顿号（、）分隔；没有填“无”。", Example: "晋商银行晋中分行、中国银行晋中分行"},
	indicator(keyFinancing, kindWan, secFinancing,
		"本月帮助企业获得的融资总额（万元，最多两位小数），应等于“融资明细”表中融资金额之和。", "1500.5"),
	indicator(keyJCGFinancing, kindWan, secFinancing,
		"上一项中晋创谷注册企业的融资额，应等于“融资明细”中晋创谷企业的金额之和。", "300"),
	{Key: keyCharged, Label: "是否向服务对象收取费用", Kind: kindYesNo, Required: true, Section: secFinancing,
		Help: "填“是”或“否”（依《办法》第七条，服务机构不得向服务对象收取费用）。", Example: "否"},

	{Key: keyFiler, Label: "填报人", Kind: kindText, Required: true, Section: secFiler,
		Help: "请填写填报人姓名（不公开）。", Example: "张三"},
	{Key: keyPhone, Label: "联系电话", Kind: kindPhone, Required: true, Section: secFiler,
		Help: "请填写填报人电话（不公开）。", Example: "0354-5550123"},
	{Key: keyFiledOn, Label: "填报日期", Kind: kindDate, Section: secFiler,
		Help: "请填写日期，如 2025-05-08。", Example: "2025-05-08"},
}

// indicator returns the required field of a monthly figure, labelled as
// content.IndicatorFields names it: the sheet spells a figure's label and
// unit as the rest of kjjr does.
func indicator(key string, k kind, section, help, example string) field {
	f, ok := content.IndicatorFieldOf(key)
	if !ok {
		panic("sheet: no indicator " + key) // the table below is wrong
	}
	return field{Key: key, Label: f.Label, Unit: f.Unit, Kind: k, Required: true, Section: section, Help: help, Example: example}
}

// column is one column of sheet 2 (融资明细).
type column struct {
	Key      string
	Header   string // without unit
	Unit     string
	Kind     kind
	Required bool // a counted row must fill it
	Width    float64
	Help     string
	Example  string // the example row of the template
}

// Keys of the 融资明细 columns.
const (
	colSeq        = "seq"
	colEnterprise = "enterprise"
	colUSCC       = "uscc"
	colJCG        = "jinchuanggu"
	colLender     = "lender"
	colMethod     = "method"
	colAmount     = "amount_wan"
	colDisbursed  = "disbursed_on"
	colNote       = "note"
)

// columns is the 融资明细 header, in template order, plus the optional
// 备注 column (institutions add a notes column; it is read, not required).
var columns = []column{
	{Key: colSeq, Header: "序号", Kind: kindText, Width: 6, Example: exampleMark},
	{Key: colEnterprise, Header: "企业名称", Kind: kindText, Required: true, Width: 32,
		Help: "获得融资的企业全称。", Example: "示例：晋中某某科技有限公司"},
	{Key: colUSCC, Header: "统一社会信用代码", Kind: kindUSCC, Required: true, Width: 22,
		Help: "企业的18位统一社会信用代码。", Example: "91140700MA0K000029"},
	{Key: colJCG, Header: "是否晋创谷注册企业", Kind: kindYesNo, Required: true, Width: 12,
		Help: "填“是”或“否”。", Example: "是"},
	{Key: colLender, Header: "融资机构", Kind: kindText, Required: true, Width: 22,
		Help: "放款的银行或其他金融机构。", Example: "晋商银行晋中分行"},
	{Key: colMethod, Header: "融资方式", Kind: kindText, Required: true, Width: 14,
		Help: "如 信用贷款、抵押贷款、知识产权质押、股权融资。", Example: "信用贷款"},
	{Key: colAmount, Header: "融资金额", Unit: "万元", Kind: kindWan, Required: true, Width: 14,
		Help: "万元，最多两位小数。", Example: "200"},
	{Key: colDisbursed, Header: "放款日期", Kind: kindDate, Required: true, Width: 14,
		Help: "如 2025-04-15。", Example: "2025-04-15"},
	{Key: colNote, Header: "备注", Kind: kindText, Width: 20},
}

// colService is the 服务内容 column of 服务企业名单.
const colService = "service"

// listColumns is the 服务企业名单 header (sheet 3), in template order, plus
// the optional 备注 column. Its first four headers are those of 融资明细;
// the sheet is told apart by its name, else by a header row without any of
// finOnlyColumns.
var listColumns = []column{
	{Key: colSeq, Header: "序号", Kind: kindText, Width: 6, Example: exampleMark},
	{Key: colEnterprise, Header: "企业名称", Kind: kindText, Required: true, Width: 32,
		Help: "本月服务的企业全称，每家企业填一行。", Example: "示例：晋中某某科技有限公司"},
	{Key: colUSCC, Header: "统一社会信用代码", Kind: kindUSCC, Required: true, Width: 22,
		Help: "企业的18位统一社会信用代码。", Example: "91140700MA0K000029"},
	{Key: colJCG, Header: "是否晋创谷注册企业", Kind: kindYesNo, Required: true, Width: 12,
		Help: "填“是”或“否”。", Example: "是"},
	{Key: colService, Header: "服务内容", Kind: kindText, Width: 28,
		Help: "如 融资对接、政策宣讲、入企服务、项目路演。", Example: "融资对接、入企服务"},
	{Key: colNote, Header: "备注", Kind: kindText, Width: 20},
}

// finOnlyColumns are the 融资明细 headers that 服务企业名单 does not have.
var finOnlyColumns = []string{colLender, colMethod, colAmount, colDisbursed}

// exampleMark in the 序号 column marks the template's example row of
// 融资明细: the parser skips a row whose first filled cell is 示例 (or
// starts with 示例), so an institution that leaves the example in place
// does not report it. Overwriting 示例 with a number makes the row count.
const exampleMark = "示例"

// Words that start a totals row of 融资明细.
var totalWords = []string{"合计", "总计", "小计"}

// minHeaders is how many header names a row must hold to be the 融资明细
// header row (at least four, in any order).
const minHeaders = 4

// Sheet-1 label order as written by the template; also the order in which
// problems of sheet 1 are reported when cells are equal.
func fieldByKey(key string) *field {
	for i := range fields {
		if fields[i].Key == key {
			return &fields[i]
		}
	}
	return nil
}

// DisplayLabel returns the label as the template writes it: with its unit
// in full-width brackets, e.g. 服务企业数量（家）.
func (f *field) DisplayLabel() string {
	if f.Unit == "" {
		return f.Label
	}
	return f.Label + "（" + f.Unit + "）"
}

// DisplayHeader returns the header as the template writes it.
func (c *column) DisplayHeader() string {
	if c.Unit == "" {
		return c.Header
	}
	return c.Header + "（" + c.Unit + "）"
}
