package application

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"kjjr/content"
)

// Fill writes to w the form an applicant sends for a: the Template, built
// from the same label table, with a's values in the value cells as a
// person types them (the team size as a number cell, dates as text such
// as 2019-11-15, lists joined with 、). For every Application without
// Problems that Parse returns, Parse(Fill(a)) is a again. The tests, the
// benchmark and the demo make filled forms here, so a label is written
// only where it is read.
func Fill(w io.Writer, a *Application) error {
	f, cells, err := newTemplate()
	if err != nil {
		return err
	}
	defer f.Close()
	inst := &a.Institution
	yesNo := func(b bool) string {
		if b {
			return "是"
		}
		return "否"
	}
	date := func(d content.Date) string { return d.String() }
	list := func(l []string) string { return strings.Join(l, "、") }
	var senders []string
	for _, s := range inst.ReportSenders {
		senders = append(senders, s.Email)
	}
	vals := map[string]string{
		keyName: inst.Name, keyUSCC: inst.USCC, keyLegalForm: inst.LegalForm, keyFounded: date(inst.Founded),
		keyWebsite: inst.Website, keyCreditDate: date(inst.Credit.CheckedOn),
		keyDishonesty: yesNo(inst.Credit.SeriousDishonesty), keyBlacklisted: yesNo(inst.Credit.Blacklisted),
		keyCapabilities: list(inst.Capabilities), keyBanks: list(inst.Partners.Banks),
		keyLawFirms: list(inst.Partners.LawFirms), keyAccounting: list(inst.Partners.AccountingFirms),
		keyOthers: list(inst.Partners.Others), keyServices: list(inst.Services),
		keyJCG: yesNo(inst.ServesJinchuanggu), keyJCGNote: a.JinchuangguNote,
		keyTeamNote: inst.Team.Description, keyAddress: inst.Office.Address, keyCounty: inst.Office.County,
		keyOfficePhone: inst.Office.Phone, keyContact: a.ContactName, keyContactPhone: a.ContactPhone,
		keyContactEmail: a.ContactEmail, keySenders: list(senders),
	}
	for k, v := range vals {
		if v == "" {
			continue
		}
		if err := f.SetCellStr(SheetName, cells[k], v); err != nil {
			return fmt.Errorf("application: fill %s: %w", k, err)
		}
	}
	if inst.Team.Size > 0 {
		if err := f.SetCellInt(SheetName, cells[keyTeamSize], int64(inst.Team.Size)); err != nil {
			return fmt.Errorf("application: fill team size: %w", err)
		}
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("application: write filled form: %w", err)
	}
	return nil
}

// Example returns a complete application that passes every rule of Check
// for a round closing on or after 2025-11-15 (founded 2019-11-15; with
// the attachments ExampleAttachments names): the name and code are
// given. Tests and the demo derive their cases from it.
func Example(name, uscc string) *Application {
	return &Application{
		Institution: content.Institution{
			Name: name, USCC: uscc, LegalForm: "有限责任公司", Founded: content.Date{Year: 2019, Month: 11, Day: 15},
			Credit:       content.Credit{CheckedOn: content.Date{Year: 2026, Month: 3, Day: 20}, Source: "信用中国（申报单位自报）"},
			Capabilities: []string{"融资对接", "知识产权质押融资辅导"},
			Partners: content.Partners{Banks: []string{"晋商银行晋中分行", "中国银行晋中分行"},
				LawFirms: []string{"山西示例律师事务所"}, AccountingFirms: []string{"山西示例会计师事务所（普通合伙）"}},
			Services:          []string{"融资对接", "项目路演", "入企服务", "政策宣讲"},
			ServesJinchuanggu: true,
			Team:              content.Team{Size: 6},
			Office:            content.Office{Address: "山西省晋中市榆次区示例路" + strconv.Itoa(len(name)) + "号", County: "榆次区", Phone: "0354-5550100"},
			Contact:           content.Contact{Phone: "0354-5550100"},
			ReportSenders:     []content.Sender{{Name: "张三", Email: "zhangsan@example.cn", Phone: "13800000000"}},
		},
		ContactName: "张三", ContactPhone: "13800000000", ContactEmail: "zhangsan@example.cn",
		JinchuangguNote: "已为晋创谷入驻企业开展融资对接3场。",
		Sheet:           SheetName,
	}
}

// ExampleAttachments are the file names of the attachments a complete
// application sends besides the form.
var ExampleAttachments = []string{"营业执照.pdf", "信用中国信用报告.pdf", "合作协议（晋商银行）.pdf", "办公场所照片.jpg"}
