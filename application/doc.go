// Package application owns the application form of a selection round
// 《科技金融服务机构遴选申报表》 (第三条第2项): its label table as data, the
// blank form written from it (Template, `kjjr template --application`,
// offered for download on the round's 遴选通知 page), the parser that reads
// what applicants send (Parse, Looks), and the eligibility pre-check of
// 第二条 (Check).
//
// One table (labels.go) drives both Template and Parse, so a label can
// never be written one way and read another. The form has one sheet,
// 申报表, with one labelled value per row under five sections: 申报单位名称,
// 统一社会信用代码, 法人类型 (drop-down LegalForms), 成立日期, 单位网站;
// 信用查询日期 and the two 信用中国 declarations 是否有严重失信行为记录 and
// 是否列入相关社会领域信用黑名单 (是/否); 科技金融服务能力, 合作银行,
// 合作律师事务所, 合作会计师事务所, 其他合作机构, 定期开展的服务活动 (lists),
// 能否为晋创谷初创期科技企业提供服务 (是/否) and 服务晋创谷企业情况; 服务团队人数（人）,
// 团队简介, 办公地址, 所在县（区、市） (drop-down Counties), 办公电话; and,
// private, 联系人, 联系人电话, 联系人邮箱 and 报送邮箱 (the addresses that
// will send reports once the applicant is registered).
//
// Reading rules: those of package sheet (sheet.OpenForm), so every form
// kjjr reads is read the same way. The form is the first sheet (visible
// ones first) holding the anchor labels 申报单位名称 and 法人类型, whatever
// its name or place; labels are matched after NFKC, white space removal
// and trimming a trailing colon and bracketed unit; a label's value is the
// first non-empty cell to its right outside the label's merged range (so
// merged label cells, inserted columns and moved or reordered rows read
// the same); numbers may be text, carry full-width digits or the unit
// (6人); dates may be date cells or text: 2019-11-15, 2019/11/15,
// 2019.11.15, 2019年11月15日, 20191115 or in Chinese numerals
// (二〇一九年十一月十五日); 是/否 tolerate a trailing full stop; lists are
// separated by 、，,； or line breaks, and 无 is an empty list. Cell text
// is cleaned where it enters (no control, bidi or zero-width characters;
// white space folded) and each value is cut at 2000 characters.
//
// A value that is missing or cannot be read never refuses the form: it is
// a Problem (with its cell and how to fix it) that Check lists under
// RuleForm, and the value stays zero. Only a file that is not a readable
// workbook (*sheet.FormatError: legacy .xls/.et, encrypted, zip bomb, over
// the size, entry, row and merge limits of package sheet) or a workbook
// without the form (ErrNotForm) is an error. Active content (macros, DDE,
// external links) is found by sheet.ActiveContent, as for every attachment.
//
// Check (第二条), one Finding per Rule: the form read without problems;
// the USCC's check character (content.CheckUSCC); founded at least 3
// years (36 months) before the window's close (第二条第1项); an
// independent legal person by 法人类型 (IsIndependent: companies, other
// enterprise legal persons, 事业单位, 社会团体, 民办非企业单位; never
// 分公司, partnerships, sole proprietorships, 个体工商户); neither credit
// declaration 是 (and both made); at least one bank and at least one law
// or accounting firm (第二条第3项); an office in one of the eleven
// county-level divisions of 晋中 (Counties; 所在县 first, else the address);
// the required attachments 营业执照 (or 法人证书) and the 信用中国 credit
// report, told apart by file name. Cooperation agreements and office
// photos are recommended: their absence is a note in the attachments
// finding, not a failure (staff may ask for them or see the office on a
// visit). A failure does not refuse an application: staff decide.
package application
