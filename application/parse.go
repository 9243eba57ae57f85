package application

import (
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"

	"kjjr/content"
	"kjjr/sheet"
)

// Application is what one application form says.
type Application struct {
	// Institution is the draft institution record made from the form:
	// Name, USCC, LegalForm, Founded, Website, Credit (Source 信用中国,
	// the applicant's own declaration), Capabilities, Partners, Services,
	// ServesJinchuanggu, Team, Office, Contact (public: the office phone)
	// and ReportSenders (private: the addresses that will send reports,
	// the first carrying the contact person's name and phone). Values that
	// could not be read are left zero (see Problems).
	Institution content.Institution
	// Contact is the private contact person of the application.
	ContactName, ContactPhone, ContactEmail string
	// JinchuangguNote is 服务晋创谷企业情况 as written (cleaned).
	JinchuangguNote string
	// Problems are the values that are missing or could not be read, each
	// with its cell and how to fix it (Chinese). They do not refuse the
	// application: the pre-check lists them for staff and the applicant.
	Problems sheet.Problems
	// Sheet is the name of the sheet the form was read from.
	Sheet string
}

// ErrNotForm is returned by Parse for a readable workbook that is not the
// application form (no sheet holds its anchor labels 申报单位名称 and 法人类型).
var ErrNotForm = errors.New("application: not an application form")

// Looks reports whether data is an .xlsx workbook holding the
// application form (a sheet with the labels 申报单位名称 and 法人类型).
func Looks(data []byte) bool {
	f, ok, err := sheet.OpenForm(data, anchors...)
	if err != nil || !ok {
		return false
	}
	f.Close()
	return true
}

// Parse reads an application form from .xlsx bytes by the package doc's
// reading rules. The error is a *sheet.FormatError for a file that is not
// a readable workbook (legacy, encrypted, zip bomb, too large) and
// ErrNotForm for a workbook without the form; otherwise the Application
// is returned with every value that could be read and a Problem for each
// that could not. Parse never panics on input.
func Parse(data []byte) (*Application, error) {
	f, ok, err := sheet.OpenForm(data, anchors...)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrNotForm
	}
	defer f.Close()
	p := &parser{f: f, app: &Application{Sheet: f.Sheet()}}
	p.run()
	return p.app, nil
}

type parser struct {
	f   *sheet.Form
	app *Application
}

func (p *parser) add(cell, format string, args ...any) {
	p.app.Problems = append(p.app.Problems, sheet.Problem{Sheet: p.app.Sheet, Cell: cell, Message: fmt.Sprintf(format, args...)})
}

// maxText bounds one text value (runes); a form's values are short.
const maxText = 2000

func (p *parser) run() {
	vals := p.f.Values(labels())
	inst := &p.app.Institution
	inst.Credit.Source = "信用中国（申报单位自报）"
	for i := range fields {
		fd := &fields[i]
		name := "“" + fd.DisplayLabel() + "”"
		v, found := vals[fd.DisplayLabel()]
		if !found {
			if fd.Required {
				p.add("", "缺少%s一栏：请使用申报表模板填写，不要删除或改写左列的标签", name)
			}
			continue
		}
		if v.Problem != "" {
			p.add(v.ValueCell, "%s", v.Problem)
			continue
		}
		raw := clip(v.Raw)
		if strings.TrimSpace(raw) == "" || (fd.Kind == kindText && isNone(raw) && fd.Required) {
			if fd.Required {
				p.add(v.ValueCell, "%s未填写：%s", name, fd.Help)
			}
			continue
		}
		var prob string
		switch fd.Kind {
		case kindText, kindChoice:
			p.text(fd.Key, sheet.CleanText(raw))
		case kindUSCC:
			inst.USCC, prob = sheet.ParseUSCC(raw, fd.Label)
			if prob != "" {
				prob = "统一社会信用代码：" + prob + "：请按营业执照核对"
			}
		case kindDate:
			var d content.Date
			d, prob = p.f.Date(chineseDate(raw), name)
			switch fd.Key {
			case keyFounded:
				inst.Founded = d
			case keyCreditDate:
				inst.Credit.CheckedOn = d
			}
		case kindYesNo:
			var b bool
			b, prob = sheet.ParseYesNo(raw, name)
			if prob == "" {
				switch fd.Key {
				case keyDishonesty:
					inst.Credit.SeriousDishonesty = b
				case keyBlacklisted:
					inst.Credit.Blacklisted = b
				case keyJCG:
					inst.ServesJinchuanggu = b
				}
			}
		case kindList:
			l := cleanList(sheet.SplitList(raw))
			switch fd.Key {
			case keyCapabilities:
				inst.Capabilities = l
			case keyBanks:
				inst.Partners.Banks = l
			case keyLawFirms:
				inst.Partners.LawFirms = l
			case keyAccounting:
				inst.Partners.AccountingFirms = l
			case keyOthers:
				inst.Partners.Others = l
			case keyServices:
				inst.Services = l
			}
		case kindCount:
			inst.Team.Size, prob = sheet.ParseCount(raw, name, fd.Unit, "名", "位")
		case kindPhone:
			var ph string
			ph, prob = sheet.ParsePhone(raw, name)
			switch fd.Key {
			case keyOfficePhone:
				inst.Office.Phone = ph
				inst.Contact.Phone = ph
			case keyContactPhone:
				p.app.ContactPhone = ph
			}
		case kindEmail:
			var e string
			e, prob = parseEmail(raw, name)
			p.app.ContactEmail = e
		case kindEmails:
			for _, s := range sheet.SplitList(strings.ReplaceAll(sheet.NormText(raw), " ", "、")) {
				e, pr := parseEmail(s, name)
				if pr != "" {
					prob = pr
					continue
				}
				inst.ReportSenders = append(inst.ReportSenders, content.Sender{Email: e})
			}
		}
		if prob != "" {
			p.add(v.ValueCell, "%s", prob)
		}
	}
	p.senders()
}

// text places a text value.
func (p *parser) text(key, s string) {
	inst := &p.app.Institution
	switch key {
	case keyName:
		inst.Name = s
	case keyLegalForm:
		inst.LegalForm = s
	case keyWebsite:
		if !isNone(s) {
			inst.Website = s
		}
	case keyJCGNote:
		if !isNone(s) {
			p.app.JinchuangguNote = s
		}
	case keyTeamNote:
		if !isNone(s) {
			inst.Team.Description = s
		}
	case keyAddress:
		inst.Office.Address = s
	case keyCounty:
		inst.Office.County = s
	case keyContact:
		p.app.ContactName = s
	}
}

// senders makes ReportSenders: the addresses of 报送邮箱, else the
// contact's; the contact's name and phone go with the contact's address
// (or the first).
func (p *parser) senders() {
	inst := &p.app.Institution
	seen := map[string]bool{}
	var out []content.Sender
	for _, s := range inst.ReportSenders {
		if k := strings.ToLower(s.Email); !seen[k] {
			seen[k] = true
			out = append(out, s)
		}
	}
	if len(out) == 0 && p.app.ContactEmail != "" {
		out = []content.Sender{{Email: p.app.ContactEmail}}
	}
	if len(out) > 0 {
		i := 0
		for j, s := range out {
			if strings.EqualFold(s.Email, p.app.ContactEmail) {
				i = j
			}
		}
		out[i].Name, out[i].Phone = p.app.ContactName, p.app.ContactPhone
	}
	inst.ReportSenders = out
}

// parseEmail reads one address: the address itself, nothing around it.
func parseEmail(raw, name string) (string, string) {
	s := strings.TrimSpace(sheet.NormText(raw))
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || strings.ContainsAny(s, " \t<>\"") || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		return "", fmt.Sprintf("%s中的“%s”不是有效的邮箱地址：请只写地址本身，如 baosong@example.cn", name, clipN(s, 60))
	}
	return strings.ToLower(s), ""
}

func isNone(s string) bool {
	switch strings.TrimSpace(sheet.NormText(s)) {
	case "无", "-", "—", "——", "--", "/", "暂无":
		return true
	}
	return false
}

// cleanList cleans the items of a list value, dropping 无.
func cleanList(l []string) []string {
	var out []string
	for _, s := range l {
		s = sheet.CleanText(s)
		if s != "" && !isNone(s) {
			out = append(out, clipN(s, 200))
		}
	}
	return out
}

func clip(s string) string { return clipN(s, maxText) }

func clipN(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

var (
	cnDateRE = regexp.MustCompile(`^([〇○零一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*[日号]?$`)
	cnDigits = map[rune]int{'〇': 0, '○': 0, '零': 0, '一': 1, '二': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
)

// chineseDate rewrites a date in Chinese numerals (二〇一九年十一月十五日)
// as 2019年11月15日; anything else is returned as it is.
func chineseDate(raw string) string {
	m := cnDateRE.FindStringSubmatch(strings.TrimSpace(sheet.NormText(raw)))
	if m == nil {
		return raw
	}
	var y strings.Builder
	for _, r := range m[1] {
		y.WriteByte(byte('0' + cnDigits[r]))
	}
	return fmt.Sprintf("%s年%d月%d日", y.String(), cnNumber(m[2]), cnNumber(m[3]))
}

// cnNumber reads 1–39 in Chinese numerals: 五, 十, 十五, 二十, 二十三; 0 when
// it is none of these.
func cnNumber(s string) int {
	r := []rune(s)
	switch {
	case len(r) == 1 && r[0] == '十':
		return 10
	case len(r) == 1:
		return cnDigits[r[0]]
	case len(r) == 2 && r[0] == '十':
		return 10 + cnDigits[r[1]]
	case len(r) == 2 && r[1] == '十':
		return cnDigits[r[0]] * 10
	case len(r) == 3 && r[1] == '十':
		return cnDigits[r[0]]*10 + cnDigits[r[2]]
	}
	return 0
}
