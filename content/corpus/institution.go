package corpus

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"path"
	"slices"
	"time"

	"kjjr/content"
)

func instName(i int) string {
	n := places[i%len(places)] + cores[(i/10)%len(cores)] + cores2[(i/200)%len(cores2)] + trades[(i/4000)%len(trades)]
	if i >= 32000 {
		n += fmt.Sprintf("（%d）", i)
	}
	return n
}

type client struct {
	name, uscc  string
	jinchuanggu bool
}

// institution writes institutions/<slug>/: the record, its reports and,
// for every 50th, an inspection.
func (w *writer) institution(i int) error {
	slug := Slug(i)
	dir := "institutions/" + slug + "/"
	rng := w.rng(i, 1)
	reg := pick(rng, regions)
	founded := date(fmt.Sprintf("%d-01-01", 2005+rng.IntN(16))).AddDays(rng.IntN(360))
	host := slug + "." + Domain
	var bs []string
	for _, k := range rng.Perm(len(banks))[:1+rng.IntN(3)] {
		bs = append(bs, banks[k])
	}
	slices.Sort(bs)
	inst := &content.Institution{
		Name:      instName(i),
		USCC:      uscc("91", reg.code, i),
		LegalForm: "有限责任公司",
		Founded:   founded,
		Credit:    content.Credit{CheckedOn: date("2024-09-10"), Source: "信用中国（山西）"},
		Partners: content.Partners{
			Banks:           bs,
			LawFirms:        []string{pick(rng, laws)},
			AccountingFirms: []string{pick(rng, accts)},
		},
		Services:          []string{"融资对接", "项目路演", "入企服务", "政策宣讲"},
		ServesJinchuanggu: rng.IntN(4) > 0,
		Team:              content.Team{Size: 3 + rng.IntN(15)},
		Office: content.Office{Address: fmt.Sprintf("山西省晋中市%s%s%d号", reg.name, reg.street, 1+rng.IntN(300)),
			County: reg.name, Phone: fmt.Sprintf("0354-555-%04d", i%10000)},
		Contact:       content.Contact{Phone: fmt.Sprintf("0354-555-%04d", i%10000), Email: "service@" + host},
		ReportSenders: []content.Sender{{Name: "报送人" + slug, Email: "report@" + host}},
	}
	inst.Slug = slug
	if err := w.record(dir+"index.md", inst, "合成测试数据：本机构为虚构。\n"); err != nil {
		return err
	}
	var clients []client
	for j := 0; j < 12; j++ {
		clients = append(clients, client{
			name:        pick(rng, places) + pick(rng, cores) + pick(rng, firms),
			uscc:        uscc("91", reg.code, 10_000_000+i*32+j),
			jinchuanggu: inst.ServesJinchuanggu && rng.IntN(3) == 0,
		})
	}
	last := LastMonth
	if w.fails(i) {
		last = content.MonthPeriod(2025, time.December) // removed on 2026-01-26: owes nothing for January
	}
	// 服务企业名单 come from a stream of their own (the rest of the corpus
	// is as it was without them): the clients and 20 more enterprises.
	lrng := w.rng(i, 4)
	pool := clients[:len(clients):len(clients)]
	for j := 0; j < 20; j++ {
		pool = append(pool, client{
			name:        pick(lrng, places) + pick(lrng, cores) + pick(lrng, firms),
			uscc:        uscc("91", reg.code, 50_000_000+i*32+j),
			jinchuanggu: inst.ServesJinchuanggu && lrng.IntN(3) == 0,
		})
	}
	rng = w.rng(i, 2)
	for p := FirstMonth; p.Compare(last) <= 0; p = p.Next() {
		rep := monthly(rng, inst, clients, p)
		if lrng.IntN(4) != 0 {
			listServed(lrng, rep, pool)
		}
		if err := w.record(dir+"reports/"+p.String()+".md", rep, ""); err != nil {
			return err
		}
	}
	if err := w.halfYear(i, inst, dir); err != nil {
		return err
	}
	if i%50 == 0 {
		ins := &content.Inspection{Date: date("2025-06-16"), Kind: "日常监督检查",
			Findings: []string{"服务台账记录不完整"}, RectifyBy: date("2025-07-16"), RectifiedOn: date("2025-07-08"), Outcome: "整改完成"}
		if err := w.record(dir+"inspections/2025-06-16-routine.md", ins, "合成测试数据。\n"); err != nil {
			return err
		}
	}
	return nil
}

func monthly(rng *rand.Rand, inst *content.Institution, clients []client, p content.Period) *content.Report {
	next := p.Next().Start()
	day := 1 + rng.IntN(10)
	if rng.IntN(12) == 0 {
		day = 11 + rng.IntN(15) // late
	}
	at := time.Date(next.Year, next.Month, day, 8+rng.IntN(10), rng.IntN(60), rng.IntN(60), 0, content.CST)
	ind := &content.Indicators{
		EnterprisesServed:      3 + rng.IntN(20),
		NeedsSurveyed:          rng.IntN(10),
		MatchmakingEvents:      rng.IntN(3),
		Roadshows:              rng.IntN(2),
		OnsiteVisits:           rng.IntN(8),
		PolicySessions:         rng.IntN(3),
		LoanSubsidyEnterprises: rng.IntN(3),
		InsuranceEnterprises:   rng.IntN(2),
	}
	if inst.ServesJinchuanggu {
		ind.JinchuangguEnterprises = rng.IntN(ind.EnterprisesServed/2 + 1)
	}
	ind.PolicyEnterprises = ind.PolicySessions * (5 + rng.IntN(15))
	var rows []content.Financing
	for k, n := 0, rng.IntN(5); k < n; k++ {
		c := clients[rng.IntN(len(clients))]
		amt := content.Wan((20+rng.IntN(100)*10)*100 + rng.IntN(4)*25)
		rows = append(rows, content.Financing{Enterprise: c.name, USCC: c.uscc, Jinchuanggu: c.jinchuanggu,
			Lender: inst.Partners.Banks[rng.IntN(len(inst.Partners.Banks))], Method: methods[rng.IntN(len(methods))],
			AmountWan: amt, Disbursed: p.Start().AddDays(rng.IntN(p.End().Day))})
		ind.FinancingWan += amt
		if c.jinchuanggu {
			ind.JinchuangguFinancingWan += amt
		}
	}
	no := false
	s := inst.ReportSenders[0]
	return &content.Report{
		Kind:         "monthly",
		Period:       p,
		ReceivedAt:   at.Format(time.RFC3339),
		Sender:       s.Email,
		MessageID:    fmt.Sprintf("<%s.%s@mail.%s>", at.Format("20060102150405"), p, s.Email[len("report@"):]),
		SourceSHA256: sha(s.Email, p.String()),
		Filer:        s.Name,
		Phone:        inst.Office.Phone,
		FiledOn:      content.DateOf(at),
		Indicators:   ind,
		PartnerBanks: inst.Partners.Banks,
		ChargedFees:  &no,
		Financing:    rows,
	}
}

// listServed gives rep a 服务企业名单: the first clients most months, then
// others, never more enterprises (with 融资明细) than it served nor more
// 晋创谷 ones than it says (raised to those financed). A month whose
// financing alone names more enterprises than it served gets none.
func listServed(rng *rand.Rand, rep *content.Report, pool []client) {
	ind := rep.Indicators
	named := map[string]bool{}
	jcg := 0
	for _, f := range rep.Financing {
		if !named[f.USCC] {
			named[f.USCC] = true
			if f.Jinchuanggu {
				jcg++
			}
		}
	}
	if len(named) > ind.EnterprisesServed {
		return
	}
	ind.JinchuangguEnterprises = max(ind.JinchuangguEnterprises, jcg)
	var list []content.Enterprise
	for k := 0; k < 3*len(pool) && len(named) < ind.EnterprisesServed; k++ {
		c := pool[rng.IntN(len(pool))]
		if k < 8 {
			c = pool[k] // the regulars
		}
		if named[c.uscc] || c.jinchuanggu && jcg >= ind.JinchuangguEnterprises {
			continue
		}
		if c.jinchuanggu {
			jcg++
		}
		named[c.uscc] = true
		list = append(list, content.Enterprise{Name: c.name, USCC: c.uscc, Jinchuanggu: c.jinchuanggu, Service: pick(rng, services)})
	}
	rep.Enterprises = list
}

var services = []string{"融资对接", "政策宣讲", "入企服务", "项目路演", "入企服务、政策宣讲"}

// halfYear writes reports/2025-H2.md with its document and evidence list
// (and the files, with Options.Evidence).
func (w *writer) halfYear(i int, inst *content.Institution, dir string) error {
	p := content.Period{Kind: content.HalfYear, Year: 2025, Half: 2}
	rng := w.rng(i, 3)
	at := time.Date(2026, time.January, 5+rng.IntN(10), 9+rng.IntN(8), rng.IntN(60), 0, 0, content.CST)
	file := func(name string) (content.File, error) {
		data := []byte(fmt.Sprintf("%%PDF-1.4\n%% kjjr corpus placeholder: %s %s %s\n%%%%EOF\n", inst.Slug, p, name))
		h := sha256.Sum256(data)
		hx := hex.EncodeToString(h[:])
		rel := path.Join("evidence", p.String(), hx[:12]+"-"+name)
		if w.o.Evidence {
			if err := w.write(dir+rel, data); err != nil {
				return content.File{}, err
			}
		}
		return content.File{Path: rel, Name: name, Size: int64(len(data)), SHA256: hx, Type: "application/pdf"}, nil
	}
	var files []content.File
	for _, n := range []string{"2025年下半年工作进展.pdf", "项目路演活动照片.pdf", "融资放款凭证汇总.pdf"} {
		f, err := file(n)
		if err != nil {
			return err
		}
		files = append(files, f)
	}
	s := inst.ReportSenders[0]
	return w.record(dir+"reports/"+p.String()+".md", &content.Report{
		Kind: "half_year", Period: p, ReceivedAt: at.Format(time.RFC3339), Sender: s.Email,
		MessageID:    fmt.Sprintf("<%s.%s@mail.%s>", at.Format("20060102150405"), p, s.Email[len("report@"):]),
		SourceSHA256: sha(s.Email, p.String()), Filer: s.Name, FiledOn: content.DateOf(at),
		Documents: files[:1], Evidence: files[1:],
	}, "报送2025年下半年工作进展及相关印证资料。\n")
}
