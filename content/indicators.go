package content

import "strconv"

// IndicatorField names one figure of a monthly report (Indicators) for
// people: its front-matter key, its label as the monthly sheet spells it
// and the tables and charts show it, and its unit. IndicatorFields is the
// one list; the sheet's label table, the review warnings, the site's
// tables and the console's export all take their names from it.
type IndicatorField struct {
	Key   string // the front-matter key, e.g. enterprises_served
	Label string // without unit, e.g. 服务企业数量 or 其中：晋创谷注册企业
	Unit  string // 家, 场, 次 or 万元
	Money bool   // an amount in 万元, held in hundredths (Wan); else a count
	Get   func(*Indicators) int64
}

// IndicatorFields are the figures of a monthly report, in the order of
// the monthly sheet (第六条第2项 and the measures' 月报 contents).
var IndicatorFields = []IndicatorField{
	{"enterprises_served", "服务企业数量", "家", false, func(i *Indicators) int64 { return int64(i.EnterprisesServed) }},
	{"jinchuanggu_enterprises", "其中：晋创谷注册企业", "家", false, func(i *Indicators) int64 { return int64(i.JinchuangguEnterprises) }},
	{"needs_surveyed", "融资需求调研企业", "家", false, func(i *Indicators) int64 { return int64(i.NeedsSurveyed) }},
	{"matchmaking_events", "银企对接活动", "场", false, func(i *Indicators) int64 { return int64(i.MatchmakingEvents) }},
	{"roadshows", "项目路演活动", "场", false, func(i *Indicators) int64 { return int64(i.Roadshows) }},
	{"onsite_visits", "联合金融机构入企服务", "次", false, func(i *Indicators) int64 { return int64(i.OnsiteVisits) }},
	{"policy_sessions", "政策宣讲活动", "场", false, func(i *Indicators) int64 { return int64(i.PolicySessions) }},
	{"policy_enterprises", "政策宣讲覆盖企业", "家", false, func(i *Indicators) int64 { return int64(i.PolicyEnterprises) }},
	{"loan_subsidy_enterprises", "协助落实贷款贴息企业", "家", false, func(i *Indicators) int64 { return int64(i.LoanSubsidyEnterprises) }},
	{"insurance_enterprises", "协助落实科技保险企业", "家", false, func(i *Indicators) int64 { return int64(i.InsuranceEnterprises) }},
	{"financing_wan", "帮助企业融资金额", "万元", true, func(i *Indicators) int64 { return int64(i.FinancingWan) }},
	{"jinchuanggu_financing_wan", "其中：晋创谷企业融资金额", "万元", true, func(i *Indicators) int64 { return int64(i.JinchuangguFinancingWan) }},
}

// IndicatorFieldOf returns the field of key, and false when there is none.
func IndicatorFieldOf(key string) (IndicatorField, bool) {
	for _, f := range IndicatorFields {
		if f.Key == key {
			return f, true
		}
	}
	return IndicatorField{}, false
}

// LabelWithUnit returns the label with its unit in full-width brackets,
// as the sheet's label cell reads: 服务企业数量（家）.
func (f IndicatorField) LabelWithUnit() string {
	if f.Unit == "" {
		return f.Label
	}
	return f.Label + "（" + f.Unit + "）"
}

// Format writes a value of the field for people: an amount as 万元 with
// two decimals, a count as an integer.
func (f IndicatorField) Format(v int64) string {
	if f.Money {
		return Wan(v).String()
	}
	return strconv.FormatInt(v, 10)
}
