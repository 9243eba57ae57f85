package sheet

import (
	"fmt"
	"strings"

	"kjjr/content"
)

// readList reads 服务企业名单 (nil g: the sheet is not there, an older
// sheet): the header row found by its names, then every row below it
// except blank rows, the example row (示例), notes and totals rows. An
// enterprise listed twice is a problem at its second row.
func (p *parser) readList(g *grid) []content.Enterprise {
	if g == nil {
		return nil
	}
	hi := findListHeader(g)
	if hi < 0 {
		if len(g.rows) > 0 {
			p.add(g.name, "", "找不到表头：表头行应包含 序号、企业名称、统一社会信用代码、是否晋创谷注册企业、服务内容（至少其中四项）；不填名单的请保留模板中的空表")
		}
		return nil
	}
	hr := &g.rows[hi]
	colOf := map[string]int{}
	for ci, c := range hr.cells {
		if col := listHeaderIndex[normLabel(c)]; col != nil {
			if _, dup := colOf[col.Key]; !dup {
				colOf[col.Key] = ci + 1
			}
		}
	}
	for i := range listColumns {
		c := &listColumns[i]
		if _, has := colOf[c.Key]; !has && c.Required {
			p.add(g.name, cellName(1, hr.n), "表头缺少“%s”列：请按模板补上该列", c.DisplayHeader())
		}
	}
	var out []content.Enterprise
	seen := map[string]string{} // USCC -> cell of its first row
	for ri := hi + 1; ri < len(g.rows); ri++ {
		r := &g.rows[ri]
		get := func(key string) (string, string) {
			c, has := colOf[key]
			if !has {
				return "", ""
			}
			v, prob := g.value(r, c)
			return strings.TrimSpace(v), prob
		}
		first := ""
		for ci := range r.cells {
			if v, _ := g.value(r, ci+1); strings.TrimSpace(v) != "" {
				first = normLabel(v)
				break
			}
		}
		switch {
		case first == "", strings.HasPrefix(first, exampleMark), isTotalWord(first),
			strings.HasPrefix(first, "注"), strings.HasPrefix(first, "说明"), strings.HasPrefix(first, "填表说明"), strings.HasPrefix(first, "备注"):
			continue // blank, the example, a totals row or a note
		}
		data := false
		for _, c := range listColumns {
			if c.Key == colSeq || c.Key == colNote {
				continue
			}
			if v, prob := get(c.Key); v != "" || prob != "" {
				data = true
				break
			}
		}
		if !data {
			continue // only 序号 or 备注, or text outside the table
		}
		var e content.Enterprise
		for i := range listColumns {
			c := &listColumns[i]
			if _, has := colOf[c.Key]; !has || c.Key == colSeq || c.Key == colNote {
				continue
			}
			name := "“" + c.DisplayHeader() + "”"
			cell := cellName(colOf[c.Key], r.n)
			v, prob := get(c.Key)
			if prob != "" {
				p.add(g.name, cell, "%s：%s", name, prob)
				continue
			}
			if v == "" {
				if c.Required {
					p.add(g.name, cell, "%s未填写：名单中每家企业都要填写%s", name, name)
				}
				continue
			}
			switch c.Key {
			case colEnterprise:
				e.Name = cleanText(v)
			case colService:
				e.Service = cleanText(v)
			case colUSCC:
				e.USCC, prob = parseUSCC(v, c.Header)
				if prob == "" {
					if at, dup := seen[e.USCC]; dup {
						prob = fmt.Sprintf("统一社会信用代码 %s 与 %s 重复：同一企业本月只填一行，请删除重复的行", e.USCC, at)
					} else {
						seen[e.USCC] = cell
					}
				}
			case colJCG:
				e.Jinchuanggu, prob = parseYesNo(v, name)
			}
			if prob != "" {
				p.add(g.name, cell, "%s", prob)
			}
		}
		out = append(out, e)
	}
	return out
}

// checkServed checks 服务企业数量 and 其中：晋创谷注册企业 against the
// enterprises named in 服务企业名单 and 融资明细, when the list names any:
// the figures may not be smaller than the distinct enterprises listed.
func (p *parser) checkServed(sh string, vals map[string]*found, rep *content.Report, ok mainOK) {
	if len(rep.Enterprises) == 0 || len(p.problems) > 0 {
		return // no list, or its rows are not all read
	}
	jcg := map[string]bool{}
	for _, e := range rep.Enterprises {
		jcg[e.USCC] = jcg[e.USCC] || e.Jinchuanggu
	}
	for _, f := range rep.Financing {
		jcg[f.USCC] = jcg[f.USCC] || f.Jinchuanggu
	}
	nj := 0
	for _, j := range jcg {
		if j {
			nj++
		}
	}
	ind := rep.Indicators
	if ok[keyServed] && len(jcg) > ind.EnterprisesServed {
		p.add(sh, vals[keyServed].valueCell, "“%s”填的是 %d，但“%s”和“%s”中共有 %d 家不同的企业：服务企业数量不能少于名单中的企业数（融资明细中的企业也算服务企业），请核对",
			fieldByKey(keyServed).DisplayLabel(), ind.EnterprisesServed, SheetList, SheetFinancing, len(jcg))
	}
	if ok[keyJCGServed] && nj > ind.JinchuangguEnterprises {
		p.add(sh, vals[keyJCGServed].valueCell, "“%s”填的是 %d，但“%s”和“%s”中共有 %d 家晋创谷注册企业：晋创谷注册企业数不能少于名单中的晋创谷企业数，请核对",
			fieldByKey(keyJCGServed).DisplayLabel(), ind.JinchuangguEnterprises, SheetList, SheetFinancing, nj)
	}
}
