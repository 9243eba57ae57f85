package gen

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"path"
	"slices"
	"strings"
	"time"

	"kjjr/content"
	"kjjr/internal/tinypdf"
)

// client is an enterprise an institution serves, for 融资明细 rows.
type client struct {
	name        string
	uscc        string
	jinchuanggu bool
}

var (
	namePlaces = []string{"晋中", "山西", "榆次", "太谷", "平遥", "介休", "祁县", "寿阳", "灵石", "晋创谷"}
	nameCores  = []string{"智造", "新材", "华芯", "瑞康", "禾丰", "中科", "晋远", "恒信", "博瑞", "泰和", "鼎盛", "云帆", "绿源", "精工", "卓越", "启明", "天衡", "汇能", "德润", "光谷"}
	nameTrades = []string{"科技有限公司", "新材料科技有限公司", "农业科技有限公司", "生物科技有限公司", "智能装备有限公司", "信息技术有限公司", "新能源科技有限公司", "医药科技有限公司"}
	methods    = []string{"信用贷款", "知识产权质押贷款", "科技担保贷款", "股权融资", "科技保险贷款", "融资租赁"}
)

func (in *inst) clients(rng *rand.Rand, n int) []client {
	seen := map[string]bool{}
	var out []client
	for len(out) < n {
		name := namePlaces[rng.IntN(len(namePlaces))] + nameCores[rng.IntN(len(nameCores))] + nameTrades[rng.IntN(len(nameTrades))]
		if seen[name] {
			continue
		}
		seen[name] = true
		jcg := strings.HasPrefix(name, "晋创谷") || rng.IntN(3) == 0
		out = append(out, client{name: name, uscc: USCC("91", in.division, RandomOrg8(rng, true)), jinchuanggu: jcg})
	}
	return out
}

func (g *gen) institution(in *inst) {
	dir := "institutions/" + in.slug + "/"
	g.put(dir+"index.md", &in.rec, in.body)
	rng := rand.New(rand.NewPCG(in.seed, 2025))
	clients := in.clients(rng, 12+4*in.scale)
	fig := &content.Figures{}
	banks := map[string]bool{}
	for p := firstMonth; p.Compare(lastMonth) <= 0; p = p.Next() {
		if in.stopAfter != "" && p.String() > in.stopAfter || slices.Contains(in.missing, p.String()) {
			continue
		}
		rep := g.monthly(in, rng, clients, p)
		g.put(dir+"reports/"+p.String()+".md", rep, fmt.Sprintf("附件为%s《科技金融服务机构绩效评价考核表》，请审核。\n\n%s\n", p.Chinese(), rep.Filer))
		if p.Year == 2025 {
			fig.Reports++
			if !slices.Contains(in.late, p.String()) {
				fig.OnTime++
			}
			ind := rep.Indicators
			fig.EnterprisesServed += ind.EnterprisesServed
			fig.JinchuangguEnterprises += ind.JinchuangguEnterprises
			fig.MatchmakingEvents += ind.MatchmakingEvents
			fig.PolicySessions += ind.PolicySessions
			fig.PolicyEnterprises += ind.PolicyEnterprises
			fig.FinancingWan += ind.FinancingWan
			fig.JinchuangguFinancingWan += ind.JinchuangguFinancingWan
			for _, b := range rep.PartnerBanks {
				banks[b] = true
			}
		}
	}
	for _, p := range []content.Period{{Kind: content.Annual, Year: 2025}, {Kind: content.HalfYear, Year: 2025, Half: 2}, {Kind: content.HalfYear, Year: 2026, Half: 1}} {
		if slices.Contains(in.missing, p.String()) || in.stopAfter != "" && p.Start().String() > in.stopAfter {
			continue
		}
		g.document(in, rng, p)
		if p.Year == 2025 && p.Kind == content.HalfYear {
			fig.HalfYearReports++
		}
		if p.Kind == content.Annual {
			fig.AnnualSummary = true
		}
	}
	for b := range banks {
		fig.PartnerBanks = append(fig.PartnerBanks, b)
	}
	slices.Sort(fig.PartnerBanks)
	in.figures2025 = fig
	if in.inspection != nil {
		g.put(dir+"inspections/"+in.inspName+".md", in.inspection, "检查组对照第四条、第五条逐项检查了服务台账、月报报送记录和办公场所，并提出整改要求。\n\n（示例数据。）\n")
	}
}

// receivedAt picks the time a report arrived: a working day between from
// and to (inclusive), in office hours.
func (g *gen) receivedAt(rng *rand.Rand, from, to content.Date) time.Time {
	var days []content.Date
	for x := from; !x.After(to); x = x.AddDays(1) {
		if ok, _ := g.cal.IsWorkday(x); ok {
			days = append(days, x)
		}
	}
	if len(days) == 0 {
		days = []content.Date{to}
	}
	day := days[rng.IntN(len(days))]
	return day.Time().Add(time.Duration(8*3600+rng.IntN(9*3600)) * time.Second)
}

func (g *gen) monthly(in *inst, rng *rand.Rand, clients []client, p content.Period) *content.Report {
	due := content.Deadline(&g.site, g.cal, p).Date
	from, to := p.Next().Start(), due
	if slices.Contains(in.late, p.String()) {
		from, to = due.AddDays(1), due.AddDays(12)
	}
	at := g.receivedAt(rng, from, to)
	sender := in.rec.ReportSenders[rng.IntN(len(in.rec.ReportSenders))]
	filedOn := content.DateOf(at)
	if rng.IntN(2) == 0 {
		filedOn = filedOn.AddDays(-rng.IntN(3))
	}
	s := in.scale
	ind := &content.Indicators{
		EnterprisesServed:      4*s + rng.IntN(8*s+4),
		NeedsSurveyed:          2*s + rng.IntN(5*s),
		MatchmakingEvents:      rng.IntN(2 + s),
		Roadshows:              rng.IntN(1 + s),
		OnsiteVisits:           s + rng.IntN(4*s),
		PolicySessions:         rng.IntN(2 + s),
		LoanSubsidyEnterprises: rng.IntN(2 + s),
		InsuranceEnterprises:   rng.IntN(1 + s),
	}
	if in.rec.ServesJinchuanggu {
		ind.JinchuangguEnterprises = rng.IntN(ind.EnterprisesServed/2 + 1)
	}
	if ind.PolicySessions > 0 {
		ind.PolicyEnterprises = ind.PolicySessions * (5 + rng.IntN(20))
	}
	var rows []content.Financing
	for i, n := 0, rng.IntN(2+2*s); i < n; i++ {
		c := clients[rng.IntN(len(clients))]
		if !in.rec.ServesJinchuanggu {
			c.jinchuanggu = false
		}
		amt := content.Wan((50 + rng.IntN(60*s)*10) * 100)
		if rng.IntN(4) == 0 {
			amt += content.Wan(rng.IntN(100))
		}
		day := p.Start().AddDays(rng.IntN(p.End().Day))
		rows = append(rows, content.Financing{Enterprise: c.name, USCC: c.uscc, Jinchuanggu: c.jinchuanggu,
			Lender: in.rec.Partners.Banks[rng.IntN(len(in.rec.Partners.Banks))], Method: methods[rng.IntN(len(methods))],
			AmountWan: amt, Disbursed: day})
		ind.FinancingWan += amt
		if c.jinchuanggu {
			ind.JinchuangguFinancingWan += amt
		}
	}
	slices.SortStableFunc(rows, func(a, b content.Financing) int { return a.Disbursed.Compare(b.Disbursed) })
	var banks []string
	for _, b := range in.rec.Partners.Banks {
		if rng.IntN(3) > 0 || len(banks) == 0 {
			banks = append(banks, b)
		}
	}
	fees := slices.Contains(in.fees, p.String())
	rep := &content.Report{
		Kind:         "monthly",
		Period:       p,
		ReceivedAt:   at.Format(time.RFC3339),
		Sender:       sender.Email,
		MessageID:    messageID(at, in, p),
		SourceSHA256: sum("message", in.slug, p.String()),
		Filer:        sender.Name,
		Phone:        phoneOf(in, sender),
		FiledOn:      filedOn,
		Indicators:   ind,
		PartnerBanks: banks,
		ChargedFees:  &fees,
		Financing:    rows,
	}
	if fees {
		rep.Warnings = []string{"绩效评价考核表填报“是否向服务对象收取费用”为“是”（第七条），请核实"}
	}
	return rep
}

func phoneOf(in *inst, s content.Sender) string {
	if s.Phone != "" {
		return s.Phone
	}
	return in.rec.Office.Phone
}

func messageID(at time.Time, in *inst, p content.Period) string {
	host := in.rec.ReportSenders[0].Email
	host = host[strings.IndexByte(host, '@')+1:]
	return fmt.Sprintf("<%s.%s@mail.%s>", at.Format("20060102150405"), sum("id", in.slug, p.String())[:10], host)
}

func sum(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(h[:])
}

// document writes a half-year or annual report with its documents and
// evidence (tiny placeholder PDFs).
func (g *gen) document(in *inst, rng *rand.Rand, p content.Period) {
	dir := "institutions/" + in.slug + "/"
	due := content.Deadline(&g.site, g.cal, p).Date
	from, to := due.AddDays(-12), due
	if slices.Contains(in.late, p.String()) {
		from, to = due.AddDays(2), due.AddDays(8)
	}
	at := g.receivedAt(rng, from, to)
	sender := in.rec.ReportSenders[0]
	file := func(name string, lines ...string) content.File {
		data := tinypdf.Lines(append([]string{"kjjr sample evidence (placeholder)", in.slug + " " + p.String()}, lines...)...)
		h := sha256.Sum256(data)
		hx := hex.EncodeToString(h[:])
		rel := path.Join("evidence", p.String(), hx[:12]+"-"+name)
		g.files[dir+rel] = data
		return content.File{Path: rel, Name: name, Size: int64(len(data)), SHA256: hx, Type: "application/pdf"}
	}
	var docs, ev []content.File
	var kind, body string
	if p.Kind == content.Annual {
		kind = "annual"
		docs = []content.File{file(fmt.Sprintf("%d年度科技金融服务工作总结.pdf", p.Year), "annual summary")}
		ev = []content.File{file("银企对接活动签到表.pdf", "sign-in sheets")}
		body = fmt.Sprintf("报送%d年度工作总结及印证资料，请审核。\n", p.Year)
	} else {
		kind = "half_year"
		docs = []content.File{file(p.Chinese()+"工作进展.pdf", "half-year progress report")}
		ev = []content.File{file("项目路演活动照片.pdf", "roadshow photos"), file("融资放款凭证汇总.pdf", "loan receipts")}
		body = fmt.Sprintf("报送%s工作进展及相关印证资料，请审核。\n", p.Chinese())
	}
	_ = rng
	g.put(dir+"reports/"+p.String()+".md", &content.Report{
		Kind:         kind,
		Period:       p,
		ReceivedAt:   at.Format(time.RFC3339),
		Sender:       sender.Email,
		MessageID:    messageID(at, in, p),
		SourceSHA256: sum("message", in.slug, p.String()),
		Filer:        sender.Name,
		Phone:        phoneOf(in, sender),
		FiledOn:      content.DateOf(at),
		Documents:    docs,
		Evidence:     ev,
	}, body)
}
