package gen

import (
	"kjjr/content"
)

// inst is one sample institution: its record and how it behaves.
type inst struct {
	slug      string
	division  string // administrative division code for its USCC and its clients'
	head      string // USCC head: 91 company, 12 public institution
	org8      string
	rec       content.Institution
	body      string
	grade     string
	gradeNote string
	seed      uint64
	// late and missing list monthly or half-year periods (file-name form).
	late    []string
	missing []string
	// stopAfter: no reports after this period (the institution was removed).
	stopAfter string
	// fees: periods in which the sheet says 是 to 是否向服务对象收取费用 (第七条).
	fees []string
	// inspection, when set, is written to inspections/<name>.md.
	inspection *content.Inspection
	inspName   string
	// scale multiplies the monthly figures (a busier institution).
	scale int

	figures2025 *content.Figures
}

func institutions() []*inst {
	contact := func(dept, phone, email string) content.Contact {
		return content.Contact{Department: dept, Phone: phone, Email: email}
	}
	credit := func(day string) content.Credit {
		return content.Credit{CheckedOn: d(day), Source: "信用中国（山西）"}
	}
	list := []*inst{
		{
			slug: "kechuang-rongzi", division: "140702", head: "91", org8: "MA0H4K2T", seed: 11, scale: 3,
			rec: content.Institution{
				Name: "晋中科创融资服务有限公司", ShortName: "科创融资", LegalForm: "有限责任公司",
				Founded: d("2016-08-22"), Website: "https://www.kechuang-rongzi.example.cn/",
				Credit:       credit("2025-05-08"),
				Capabilities: []string{"科技型企业融资诊断", "知识产权质押融资", "科技担保对接", "投贷联动"},
				Partners: content.Partners{
					Banks:           []string{"中国建设银行晋中分行", "晋商银行晋中分行", "山西榆次农村商业银行", "中国银行晋中分行"},
					LawFirms:        []string{"山西晋衡律师事务所"},
					AccountingFirms: []string{"山西中晋会计师事务所（普通合伙）"},
					Others:          []string{"晋中市科技融资担保有限公司（示例）"},
				},
				Services:          []string{"融资对接", "项目路演", "入企服务", "政策宣讲", "融资需求调研"},
				ServesJinchuanggu: true,
				Team:              content.Team{Size: 14, Description: "金融、财务、法律和技术背景的专职服务人员14人，其中具有中级以上职称8人"},
				Office:            content.Office{Address: "山西省晋中市榆次区迎宾西街示例大厦12层", County: "榆次区", Phone: "0354-555-0211"},
				Contact:           contact("科技金融服务部", "0354-555-0211", "service@kechuang-rongzi.example.cn"),
				ReportSenders: []content.Sender{
					{Name: "王晓燕", Email: "baosong@kechuang-rongzi.example.cn", Phone: "0354-555-0212"},
					{Name: "李志强", Email: "lizq@kechuang-rongzi.example.cn"},
				},
			},
			body:      "晋中科创融资服务有限公司成立于2016年，专注于科技型中小企业的融资诊断、知识产权质押融资和投贷联动服务，在榆次区设有服务大厅。\n\n（示例数据：本机构为虚构。）\n",
			grade:     content.GradeExcellent,
			gradeNote: "服务企业数量和帮助企业融资金额位居前列，月报全部按时报送",
		},
		{
			slug: "jinchuang-capital", division: "140702", head: "91", org8: "MA0JQ7N3", seed: 12, scale: 2,
			late: []string{"2025-10"},
			rec: content.Institution{
				Name: "山西晋创科技资本管理有限公司", ShortName: "晋创资本", LegalForm: "有限责任公司",
				Founded: d("2018-03-06"), Credit: credit("2025-05-09"),
				Capabilities: []string{"股权投资", "项目路演组织", "科技企业孵化"},
				Partners: content.Partners{
					Banks:           []string{"兴业银行晋中分行", "中国工商银行晋中分行"},
					LawFirms:        []string{"山西融正律师事务所"},
					AccountingFirms: []string{"晋中致远会计师事务所有限公司"},
				},
				Services:          []string{"项目路演", "融资对接", "入企服务"},
				ServesJinchuanggu: true,
				Team:              content.Team{Size: 9, Description: "投资经理6人、投后服务3人"},
				Office:            content.Office{Address: "山西省晋中市晋中开发区汇通北路示例科创园B座5层", County: "晋中开发区", Phone: "0354-555-0221"},
				Contact:           contact("项目部", "0354-555-0221", "bp@jinchuang-capital.example.com"),
				ReportSenders:     []content.Sender{{Name: "赵敏", Email: "report@jinchuang-capital.example.com", Phone: "0354-555-0222"}},
			},
			body:  "山西晋创科技资本管理有限公司立足“晋创谷·晋中”创新驱动平台，为初创期科技企业组织项目路演并提供股权融资服务。\n\n（示例数据：本机构为虚构。）\n",
			grade: content.GradePass,
		},
		{
			slug: "taigu-nongke", division: "140703", head: "91", org8: "MA0KB3R8", seed: 13, scale: 1,
			late: []string{"2026-01", "2026-H1"}, missing: []string{"2026-08"},
			rec: content.Institution{
				Name: "晋中太谷农科金融服务有限公司", ShortName: "太谷农科金融", LegalForm: "有限责任公司",
				Founded: d("2019-11-15"), Credit: credit("2025-05-07"),
				Capabilities: []string{"农业科技企业融资", "科技保险", "贷款贴息申报辅导"},
				Partners: content.Partners{
					Banks:           []string{"中国农业银行晋中分行", "中国邮政储蓄银行晋中市分行"},
					LawFirms:        []string{"山西太谷明德律师事务所"},
					AccountingFirms: []string{"山西中晋会计师事务所（普通合伙）"},
				},
				Services:          []string{"融资对接", "政策宣讲", "入企服务"},
				ServesJinchuanggu: true,
				Team:              content.Team{Size: 6},
				Office:            content.Office{Address: "山西省晋中市太谷区中都路示例号", County: "太谷区", Phone: "0354-555-0231"},
				Contact:           contact("", "0354-555-0231", "info@taigu-nongke.example.cn"),
				ReportSenders:     []content.Sender{{Name: "孙丽", Email: "sunli@taigu-nongke.example.cn"}},
			},
			body:  "晋中太谷农科金融服务有限公司服务晋中国家农高区及太谷区的农业科技企业，协助企业申报贷款贴息和科技保险。\n\n（示例数据：本机构为虚构。）\n",
			grade: content.GradePass,
		},
		{
			slug: "pingyao-huitong", division: "140728", head: "91", org8: "MA0GW5P1", seed: 14, scale: 1,
			late: []string{"2025-09"}, missing: []string{"2026-02"},
			rec: content.Institution{
				Name: "平遥汇通科技金融咨询有限公司", ShortName: "汇通科金", LegalForm: "有限责任公司",
				Founded: d("2017-04-18"), Credit: credit("2025-05-12"),
				Capabilities: []string{"融资咨询", "财务规范辅导"},
				Partners: content.Partners{
					Banks:           []string{"晋商银行晋中分行", "中国银行晋中分行"},
					AccountingFirms: []string{"平遥信达会计师事务所有限公司"},
				},
				Services:          []string{"融资对接", "政策宣讲", "项目路演"},
				ServesJinchuanggu: true,
				Team:              content.Team{Size: 5},
				Office:            content.Office{Address: "山西省晋中市平遥县顺城路示例号", County: "平遥县", Phone: "0354-555-0241"},
				Contact:           contact("", "0354-555-0241", "contact@huitong-pingyao.example.com"),
				ReportSenders:     []content.Sender{{Name: "刘建军", Email: "liujj@huitong-pingyao.example.com"}},
			},
			body:  "平遥汇通科技金融咨询有限公司为平遥县及周边科技型中小企业提供融资咨询和财务规范辅导。\n\n（示例数据：本机构为虚构。）\n",
			grade: content.GradePass,
			inspection: &content.Inspection{
				Date: d("2025-11-18"), Kind: "日常监督检查",
				Findings:    []string{"2025年9月绩效评价考核表逾期报送", "服务台账中3家企业的融资需求调研记录不完整"},
				RectifyBy:   d("2025-12-18"),
				RectifiedOn: d("2025-12-10"),
				Outcome:     "已补齐调研记录并建立月报报送提醒制度，整改完成",
			},
			inspName: "2025-11-18-routine",
		},
		{
			slug: "jiexiu-xinke", division: "140781", head: "91", org8: "MA0LD8C6", seed: 15, scale: 1,
			late: []string{"2025-08", "2025-10"}, missing: []string{"2025-09", "2025-11", "2025-H2", "2025-annual"},
			stopAfter: "2025-12", fees: []string{"2025-10"},
			rec: content.Institution{
				Name: "介休市鑫科企业服务有限公司", ShortName: "鑫科服务", LegalForm: "有限责任公司",
				Founded: d("2020-06-30"), Credit: credit("2025-05-06"),
				Capabilities: []string{"企业登记代理", "融资咨询"},
				Partners: content.Partners{
					Banks:    []string{"山西银行晋中分行"},
					LawFirms: []string{"山西介林律师事务所"},
				},
				Services:      []string{"融资对接", "入企服务"},
				Team:          content.Team{Size: 3},
				Office:        content.Office{Address: "山西省晋中市介休市北关街示例号", County: "介休市", Phone: "0354-555-0251"},
				Contact:       contact("", "0354-555-0251", "xinke@jiexiu-xinke.example.com"),
				ReportSenders: []content.Sender{{Name: "周强", Email: "zhouqiang@jiexiu-xinke.example.com"}},
			},
			body:      "介休市鑫科企业服务有限公司为介休市中小企业提供融资咨询服务。\n\n（示例数据：本机构为虚构。）\n",
			grade:     content.GradeFail,
			gradeNote: "月报多次逾期或未报送，未报送半年工作进展和年度工作总结；2025年10月向服务对象收取费用，违反第七条",
		},
		{
			slug: "shouyang-chanrong", division: "140725", head: "91", org8: "MA0HT2E9", seed: 16, scale: 1,
			late: []string{"2026-05"},
			rec: content.Institution{
				Name: "寿阳县产融科技服务有限公司", ShortName: "寿阳产融", LegalForm: "有限责任公司",
				Founded: d("2016-12-09"), Credit: credit("2025-05-08"),
				Capabilities: []string{"产业链金融", "供应链融资对接"},
				Partners: content.Partners{
					Banks:           []string{"中国工商银行晋中分行", "交通银行晋中分行", "山西银行晋中分行"},
					LawFirms:        []string{"山西晋衡律师事务所"},
					AccountingFirms: []string{"晋中致远会计师事务所有限公司"},
				},
				Services:          []string{"融资对接", "项目路演", "入企服务", "政策宣讲"},
				ServesJinchuanggu: false,
				Team:              content.Team{Size: 7},
				Office:            content.Office{Address: "山西省晋中市寿阳县朝阳街示例号", County: "寿阳县", Phone: "0354-555-0261"},
				Contact:           contact("综合部", "0354-555-0261", "office@shouyang-chanrong.example.cn"),
				ReportSenders:     []content.Sender{{Name: "郭晓东", Email: "guoxd@shouyang-chanrong.example.cn"}, {Name: "韩雪", Email: "hanxue@shouyang-chanrong.example.cn"}},
			},
			body:  "寿阳县产融科技服务有限公司围绕寿阳县装备制造和新材料产业链，为链上科技企业对接供应链融资。\n\n（示例数据：本机构为虚构。）\n",
			grade: content.GradePass,
		},
		{
			slug: "kejichengguo-center", division: "140700", head: "12", org8: "40712345", seed: 17, scale: 2,
			missing: []string{"2026-10"},
			rec: content.Institution{
				Name: "晋中市科技成果转化服务中心", ShortName: "成果转化中心", LegalForm: "事业单位",
				Founded: d("2009-07-01"), Credit: credit("2025-05-09"),
				Capabilities: []string{"科技成果评价", "技术合同登记", "科技政策宣讲"},
				Partners: content.Partners{
					Banks:           []string{"中国建设银行晋中分行", "中国农业银行晋中分行", "晋商银行晋中分行"},
					LawFirms:        []string{"山西融正律师事务所"},
					AccountingFirms: []string{"山西中晋会计师事务所（普通合伙）"},
				},
				Services:          []string{"政策宣讲", "融资对接", "项目路演", "融资需求调研"},
				ServesJinchuanggu: true,
				Team:              content.Team{Size: 11},
				Office:            content.Office{Address: "山西省晋中市榆次区汇通路示例号", County: "榆次区", Phone: "0354-555-0271"},
				Contact:           contact("成果转化科", "0354-555-0271", "cgzh@kjcg-center.example.cn"),
				ReportSenders:     []content.Sender{{Name: "马俊", Email: "majun@kjcg-center.example.cn"}},
			},
			body:  "晋中市科技成果转化服务中心是公益二类事业单位，承担科技成果评价、技术合同登记和科技政策宣讲等工作。\n\n（示例数据：本机构为虚构。）\n",
			grade: content.GradePass,
		},
	}
	for _, in := range list {
		in.rec.USCC = USCC(in.head, in.division, in.org8)
	}
	return list
}
