package inbox

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"flag"
	"fmt"
	"mime/quotedprintable"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

var update = flag.Bool("update", false, "rewrite testdata/*.eml fixtures")

func enc(e encoding.Encoding, s string) []byte {
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		panic(err)
	}
	return b
}

// word is an RFC 2047 B-word in charset cs (name as the client writes it).
func word(cs string, e encoding.Encoding, s string) string {
	var b []byte
	if e == nil {
		b = []byte(s)
	} else {
		b = enc(e, s)
	}
	return "=?" + cs + "?B?" + base64.StdEncoding.EncodeToString(b) + "?="
}

func qp(b []byte) string {
	var sb strings.Builder
	w := quotedprintable.NewWriter(&sb)
	w.Write(b)
	w.Close()
	return strings.ReplaceAll(strings.ReplaceAll(sb.String(), "\r\n", "\n"), "\n", "\r\n")
}

func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

// pngBytes is a PNG of n bytes (a real header, padded).
func pngBytes(n int) []byte {
	b := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00")
	for len(b) < n {
		b = append(b, byte(len(b)%251))
	}
	return b[:n]
}

// fixtures are realistic messages as Chinese mail clients write them.
// They are generated (go test -run TestFixtures -update) because the
// attachments are binary, and committed: the tests read the files.
func fixtures(t testing.TB) map[string][]byte {
	sheet := goodSheet(t, "2026年10月")
	docx := append([]byte("PK\x03\x04"), fakePDF(30_000, "docx")...)
	out := map[string][]byte{}

	// Foxmail 7.2 on Windows: GB2312 words, quoted RFC 2047 in name= and
	// filename=, multipart/alternative body in GB2312 base64 and QP.
	out["foxmail_gbk.eml"] = []byte(crlf(`Date: Mon, 9 Nov 2026 10:12:33 +0800
From: "`+word("GB2312", simplifiedchinese.GBK, "周强")+`" <`+instSender+`>
To: "kjjr" <kjjr@example.gov.cn>
Subject: `+word("GB2312", simplifiedchinese.GBK, "2026年10月月报（晋创资本）")+`
X-Priority: 3
X-GUID: 5C3F7E2A-1B4D-4A77-9E0C-2F6D8C1A0B11
X-Has-Attach: yes
X-Mailer: Foxmail 7.2.25.228[cn]
Mime-Version: 1.0
Message-ID: <202611091012331127410@jinchuang-capital.example.com>
Content-Type: multipart/mixed;
	boundary="----=_001_NextPart248651027485_=----"

This is a multi-part message in MIME format.

------=_001_NextPart248651027485_=----
Content-Type: multipart/alternative;
	boundary="----=_002_NextPart314206938261_=----"


------=_002_NextPart314206938261_=----
Content-Type: text/plain;
	charset="GB2312"
Content-Transfer-Encoding: base64

`) + b64(enc(simplifiedchinese.GBK, "科技局：\r\n    您好！附件是我公司2026年10月绩效评价考核表，请查收。\r\n\r\n周强\r\n")) + crlf(`
------=_002_NextPart314206938261_=----
Content-Type: text/html;
	charset="GB2312"
Content-Transfer-Encoding: quoted-printable

`) + qp(enc(simplifiedchinese.GBK, "<html><body><div>科技局：</div><div>您好！附件是我公司2026年10月绩效评价考核表，请查收。</div></body></html>")) + crlf(`

------=_002_NextPart314206938261_=------

------=_001_NextPart248651027485_=----
Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;
	name="`+word("GB2312", simplifiedchinese.GBK, "科技金融服务机构绩效评价考核表（10月）.xlsx")+`"
Content-Transfer-Encoding: base64
Content-Disposition: attachment;
	filename="`+word("GB2312", simplifiedchinese.GBK, "科技金融服务机构绩效评价考核表（10月）.xlsx")+`"

`) + b64(sheet) + crlf(`
------=_001_NextPart248651027485_=------

`))

	// QQ Mail (web): GB18030 subject, the sheet as application/octet-stream
	// with a UTF-8 RFC 2047 name, a body in GB18030 with raw 8-bit bytes.
	out["qq_octet_stream.eml"] = []byte(crlf(`From: "`+word("gb18030", simplifiedchinese.GB18030, "晋创周强")+`" <`+instSender+`>
To: "kjjr" <kjjr@example.gov.cn>
Subject: `+word("gb18030", simplifiedchinese.GB18030, "十月份月报")+`
Mime-Version: 1.0
Content-Type: multipart/mixed;
	boundary="----=_NextPart_6E4A1B2C_0E8F3D10_5A7B9C21"
Content-Transfer-Encoding: 8Bit
Date: Tue, 10 Nov 2026 09:01:12 +0800
X-Priority: 3
Message-ID: <tencent_8A1B2C3D4E5F60718293A4B5@qq.com>
X-QQ-MIME: TCMime 1.0 by Tencent
X-Mailer: QQMail 2.x
X-QQ-Mailer: QQMail 2.x

This is a multi-part message in MIME format.

------=_NextPart_6E4A1B2C_0E8F3D10_5A7B9C21
Content-Type: text/plain;
	charset="gb18030"
Content-Transfer-Encoding: 8Bit

`) + string(enc(simplifiedchinese.GB18030, "附件是十月份的考核表。\r\n")) + crlf(`
------=_NextPart_6E4A1B2C_0E8F3D10_5A7B9C21
Content-Type: application/octet-stream;
	charset="utf-8";
	name="`+word("utf-8", nil, "绩效评价考核表.xlsx")+`"
Content-Disposition: attachment; filename="`+word("utf-8", nil, "绩效评价考核表.xlsx")+`"
Content-Transfer-Encoding: base64

`) + b64(sheet) + crlf(`
------=_NextPart_6E4A1B2C_0E8F3D10_5A7B9C21--

`))

	// Outlook 2016: RFC 2231 filename*= (UTF-8, percent-encoded), a
	// multipart/related HTML body with an inline signature logo (< 10 KiB,
	// skipped), half-year report as .docx with a PDF of evidence.
	pct := func(s string) string { return strings.ReplaceAll(url.PathEscape(s), "+", "%2B") }
	out["outlook_rfc2231_halfyear.eml"] = []byte(crlf(`From: =?utf-8?B?5ZGo5by6?= <`+instSender+`>
To: "kjjr@example.gov.cn" <kjjr@example.gov.cn>
Subject: =?utf-8?B?`+base64.StdEncoding.EncodeToString([]byte("2026年上半年工作进展报告"))+`?=
Thread-Topic: =?utf-8?B?`+base64.StdEncoding.EncodeToString([]byte("2026年上半年工作进展报告"))+`?=
Thread-Index: AdsyB8l0vQeHk9xXQ6uA1bH2o3fJ4w==
Date: Wed, 15 Jul 2026 08:30:02 +0000
Message-ID: <SG2PR06MB5312A1B2C3D4E5F6A7B8C9D0E1@SG2PR06MB5312.apcprd06.prod.outlook.com>
Accept-Language: zh-CN, en-US
Content-Language: zh-CN
X-MS-Has-Attach: yes
X-MS-TNEF-Correlator:
Content-Type: multipart/mixed;
	boundary="_005_SG2PR06MB5312A1B2C3D4E5F6A7B8C9D0E1SG2PR06MB5312apcp_"
MIME-Version: 1.0

--_005_SG2PR06MB5312A1B2C3D4E5F6A7B8C9D0E1SG2PR06MB5312apcp_
Content-Type: multipart/related;
	boundary="_004_SG2PR06MB5312A1B2C3D4E5F6A7B8C9D0E1SG2PR06MB5312apcp_";
	type="multipart/alternative"

--_004_SG2PR06MB5312A1B2C3D4E5F6A7B8C9D0E1SG2PR06MB5312apcp_
Content-Type: multipart/alternative;
	boundary="_000_SG2PR06MB5312A1B2C3D4E5F6A7B8C9D0E1SG2PR06MB5312apcp_"

--_000_SG2PR06MB5312A1B2C3D4E5F6A7B8C9D0E1SG2PR06MB5312apcp_
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: base64

`) + b64([]byte("您好：\n附件为我司2026年上半年工作进展报告及印证资料。\n")) + crlf(`
--_000_SG2PR06MB5312A1B2C3D4E5F6A7B8C9D0E1SG2PR06MB5312apcp_
Content-Type: text/html; charset="utf-8"
Content-Transfer-Encoding: base64

`) + b64([]byte(`<html><body><p>您好：</p><p>附件为我司2026年上半年工作进展报告及印证资料。</p><img src="cid:image001.png@01DB1234.56789AB0"></body></html>`)) + crlf(`
--_000_SG2PR06MB5312A1B2C3D4E5F6A7B8C9D0E1SG2PR06MB5312apcp_--

--_004_SG2PR06MB5312A1B2C3D4E5F6A7B8C9D0E1SG2PR06MB5312apcp_
Content-Type: image/png; name="image001.png"
Content-Description: image001.png
Content-Disposition: inline; filename="image001.png"; size=2048;
	creation-date="Wed, 15 Jul 2026 08:30:01 GMT";
	modification-date="Wed, 15 Jul 2026 08:30:01 GMT"
Content-ID: <image001.png@01DB1234.56789AB0>
Content-Transfer-Encoding: base64

`) + b64(pngBytes(2048)) + crlf(`
--_004_SG2PR06MB5312A1B2C3D4E5F6A7B8C9D0E1SG2PR06MB5312apcp_--

--_005_SG2PR06MB5312A1B2C3D4E5F6A7B8C9D0E1SG2PR06MB5312apcp_
Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document;
	name="=?utf-8?B?`+base64.StdEncoding.EncodeToString([]byte("2026年上半年工作进展.docx"))+`?="
Content-Description: =?utf-8?B?`+base64.StdEncoding.EncodeToString([]byte("2026年上半年工作进展.docx"))+`?=
Content-Disposition: attachment;
	filename*=utf-8''`+pct("2026年上半年工作进展.docx")+`; size=30000;
	creation-date="Wed, 15 Jul 2026 08:29:00 GMT";
	modification-date="Wed, 15 Jul 2026 08:29:00 GMT"
Content-Transfer-Encoding: base64

`) + b64(docx) + crlf(`
--_005_SG2PR06MB5312A1B2C3D4E5F6A7B8C9D0E1SG2PR06MB5312apcp_
Content-Type: application/pdf;
	name="=?utf-8?B?`+base64.StdEncoding.EncodeToString([]byte("银企对接会签到表.pdf"))+`?="
Content-Disposition: attachment;
	filename*=utf-8''`+pct("银企对接会签到表.pdf")+`; size=60000
Content-Transfer-Encoding: base64

`) + b64(fakePDF(60_000, "signin")) + crlf(`
--_005_SG2PR06MB5312A1B2C3D4E5F6A7B8C9D0E1SG2PR06MB5312apcp_--
`))

	// Apple Mail: RFC 2231 continuations (filename*0*=, filename*1*=),
	// quoted-printable body, an annual summary as PDF, and a photo.
	name := "2025年度工作总结（山西晋创科技资本管理有限公司）.pdf"
	p := pct(name)
	cut := strings.LastIndex(p[:64], "%")
	out["applemail_rfc2231_annual.eml"] = []byte(crlf(`From: =?utf-8?B?5ZGo5by6?= <`+instSender+`>
Content-Type: multipart/mixed;
	boundary="Apple-Mail=_9A1B2C3D-4E5F-4A6B-8C7D-0E1F2A3B4C5D"
Mime-Version: 1.0 (Mac OS X Mail 16.0 \(3774.600.62\))
Subject: =?utf-8?B?`+base64.StdEncoding.EncodeToString([]byte("2025年度工作总结"))+`?=
Date: Mon, 16 Nov 2026 16:05:44 +0800
Message-Id: <6F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F9@jinchuang-capital.example.com>
To: kjjr@example.gov.cn
X-Mailer: Apple Mail (2.3774.600.62)


--Apple-Mail=_9A1B2C3D-4E5F-4A6B-8C7D-0E1F2A3B4C5D
Content-Transfer-Encoding: quoted-printable
Content-Type: text/plain;
	charset=utf-8

`) + qp([]byte("您好，附件是2025年度工作总结和活动照片，请查收。\n")) + crlf(`

--Apple-Mail=_9A1B2C3D-4E5F-4A6B-8C7D-0E1F2A3B4C5D
Content-Disposition: attachment;
	filename*0*=utf-8''`+p[:cut]+`;
	filename*1*=`+p[cut:]+`
Content-Type: application/pdf;
	x-unix-mode=0644;
	name="=?utf-8?B?`+base64.StdEncoding.EncodeToString([]byte(name))+`?="
Content-Transfer-Encoding: base64

`) + b64(fakePDF(80_000, "annual")) + crlf(`
--Apple-Mail=_9A1B2C3D-4E5F-4A6B-8C7D-0E1F2A3B4C5D
Content-Disposition: inline;
	filename=IMG_0412.jpeg
Content-Type: image/jpeg;
	x-unix-mode=0644;
	name="IMG_0412.jpeg"
Content-Transfer-Encoding: base64

`) + b64(append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF"), fakePDF(40_000, "jpeg")...)) + crlf(`
--Apple-Mail=_9A1B2C3D-4E5F-4A6B-8C7D-0E1F2A3B4C5D--
`))

	// A Big5 client (Traditional Chinese Outlook Express) sending the sheet.
	out["big5_monthly.eml"] = []byte(crlf(`From: `+word("big5", traditionalchinese.Big5, "周強")+` <`+instSender+`>
To: kjjr@example.gov.cn
Subject: `+word("big5", traditionalchinese.Big5, "十月份月報")+`
Date: Tue, 10 Nov 2026 11:00:00 +0800
Message-ID: <000a01db1234$56789abc$def01234@jinchuang-capital.example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="----=_NextPart_000_000A_01DB1234.56789ABC"
X-Mailer: Microsoft Outlook Express 6.00.2900.5931

------=_NextPart_000_000A_01DB1234.56789ABC
Content-Type: text/plain; charset="big5"
Content-Transfer-Encoding: quoted-printable

`) + qp(enc(traditionalchinese.Big5, "附件為十月份考核表。")) + crlf(`

------=_NextPart_000_000A_01DB1234.56789ABC
Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet; name="`+word("big5", traditionalchinese.Big5, "考核表.xlsx")+`"
Content-Transfer-Encoding: base64
Content-Disposition: attachment; filename="`+word("big5", traditionalchinese.Big5, "考核表.xlsx")+`"

`) + b64(sheet) + crlf(`
------=_NextPart_000_000A_01DB1234.56789ABC--
`))

	// An old client that puts raw GBK bytes in the subject and file name.
	out["raw8bit_gbk.eml"] = []byte(crlf(`From: zhouqiang <`+instSender+`>
To: kjjr@example.gov.cn
Subject: `) + string(enc(simplifiedchinese.GBK, "2026年10月月报")) + crlf(`
Date: Tue, 10 Nov 2026 12:00:00 +0800
Message-ID: <raw8bit.20261110@jinchuang-capital.example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=gbk
Content-Transfer-Encoding: 8bit

`) + string(enc(simplifiedchinese.GBK, "附件是月报。")) + crlf(`
--b1
Content-Type: application/octet-stream; name="`) + string(enc(simplifiedchinese.GBK, "月报.xlsx")) + crlf(`"
Content-Transfer-Encoding: base64

`) + b64(sheet) + crlf(`--b1--
`))

	// Truncated in transit: the closing boundary and the end of the base64 are gone.
	full := compose("周强 <"+instSender+">", "2026年10月月报", "trunc@jinchuang-capital.example.com", testNow,
		"附件是月报", []attachment{{Name: "月报.xlsx", Type: xlsxType, Data: sheet}})
	out["missing_boundary.eml"] = full[:len(full)*2/3]

	// Broken base64 in the attachment (a line mangled by a relay).
	bb := string(compose("周强 <"+instSender+">", "2026年10月月报", "b64@jinchuang-capital.example.com", testNow,
		"附件是月报", []attachment{{Name: "月报.xlsx", Type: xlsxType, Data: sheet}}))
	i := strings.Index(bb, "UEsDB")
	out["broken_base64.eml"] = []byte(bb[:i+200] + "!!**??##" + bb[i+208:])

	// Headers only, no body at all.
	out["empty_body.eml"] = []byte(crlf(`From: 周强 <` + instSender + `>
To: kjjr@example.gov.cn
Subject: 
Date: Tue, 10 Nov 2026 12:00:00 +0800
Message-ID: <empty.20261110@jinchuang-capital.example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

`))

	// A note with no sheet and nothing to tell the kind.
	out["no_sheet.eml"] = compose("周强 <"+instSender+">", "你好", "nosheet@jinchuang-capital.example.com", testNow,
		"请问月报什么时候交？", nil)

	// 31 attachments.
	var many []attachment
	for i := 0; i < 31; i++ {
		many = append(many, attachment{Name: fmt.Sprintf("照片%02d.jpg", i+1), Type: "image/jpeg", Data: fakePDF(1_000, fmt.Sprint(i))})
	}
	out["too_many_attachments.eml"] = compose("周强 <"+instSender+">", "2026年上半年工作进展", "many@jinchuang-capital.example.com", testNow, "照片", many)

	// Hostile file names on a half-year report (kept, sanitised).
	long := strings.Repeat("很长的文件名", 50) + ".pdf"
	out["hostile_names.eml"] = compose("周强 <"+instSender+">", "2026年上半年工作进展", "hostile@jinchuang-capital.example.com", testNow,
		"报告与印证资料", []attachment{
			{Name: "工作进展报告.pdf", Type: "application/pdf", Data: fakePDF(20_000, "r")},
			{Name: "../../../etc/passwd.pdf", Type: "application/pdf", Data: fakePDF(11_000, "p1")},
			{Name: `..\..\windows\win.ini.pdf`, Type: "application/pdf", Data: fakePDF(11_000, "p2")},
			{Name: "/abs/path/证明.pdf", Type: "application/pdf", Data: fakePDF(11_000, "p3")},
			{Name: "C:\\Users\\zq\\Desktop\\合同.pdf", Type: "application/pdf", Data: fakePDF(11_000, "p4")},
			{Name: "bell\x07tab\tnl\nnul.pdf", Type: "application/pdf", Data: fakePDF(11_000, "p5")},
			{Name: long, Type: "application/pdf", Data: fakePDF(11_000, "p6")},
			{Name: "..", Type: "application/pdf", Data: fakePDF(11_000, "p7")},
			{Name: "setup.exe", Type: "application/octet-stream", Data: fakePDF(3_000, "exe")},
		})

	// From an address no institution lists.
	out["unknown_sender.eml"] = compose("someone <someone@evil.example.net>", "2026年10月月报", "unk@evil.example.net", testNow,
		"月报", []attachment{{Name: "月报.xlsx", Type: xlsxType, Data: sheet}})

	// An out-of-office reply from a trusted sender.
	out["auto_reply.eml"] = compose("周强 <"+instSender+">", "自动回复: 回执", "ooo@jinchuang-capital.example.com", testNow,
		"我正在休假。", nil, "Auto-Submitted: auto-replied")

	// A sheet of another institution sent by this one.
	out["wrong_institution.eml"] = compose("周强 <"+instSender+">", "2026年10月月报", "wrong@jinchuang-capital.example.com", testNow,
		"月报", []attachment{{Name: "月报.xlsx", Type: xlsxType, Data: makeSheet(t, sheetSpec{Name: "平遥县汇通科技服务有限公司", USCC: uscc(t, "91140728MA0K12345"), Period: "2026年10月"})}})

	// An old .xls workbook.
	out["legacy_xls.eml"] = compose("周强 <"+instSender+">", "10月月报", "xls@jinchuang-capital.example.com", testNow,
		"月报", []attachment{{Name: "考核表.xls", Type: "application/vnd.ms-excel", Data: append([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), make([]byte, 4000)...)}})

	// A half-year report that does not say which half.
	out["unclear_half.eml"] = compose("周强 <"+instSender+">", "半年工作进展", "half@jinchuang-capital.example.com", testNow,
		"见附件", []attachment{{Name: "工作进展.pdf", Type: "application/pdf", Data: fakePDF(20_000, "h")}})

	// No Message-ID at all (identity is the raw SHA-256).
	out["no_message_id.eml"] = compose("周强 <"+instSender+">", "2026年9月月报", "", testNow,
		"九月月报", []attachment{{Name: "9月考核表.xlsx", Type: xlsxType, Data: goodSheet(t, "2026-09")}})

	// Outlook 2016 (zh-CN), "作为附件转发": a colleague's report mail
	// forwarded to the inbox as a message/rfc822 attachment; the sheet is
	// inside the forwarded message, named with RFC 2231.
	inner := crlf(`From: =?gb2312?B?`+base64.StdEncoding.EncodeToString(enc(simplifiedchinese.GBK, "李娜"))+`?= <lina@jinchuang-capital.example.com>
To: =?gb2312?B?`+base64.StdEncoding.EncodeToString(enc(simplifiedchinese.GBK, "周强"))+`?= <`+instSender+`>
Subject: =?gb2312?B?`+base64.StdEncoding.EncodeToString(enc(simplifiedchinese.GBK, "2026年10月月报"))+`?=
Date: Mon, 9 Nov 2026 16:40:02 +0800
Message-ID: <000001db3257$8e1f4a30$aa5dde90$@jinchuang-capital.example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed;
	boundary="----=_NextPart_000_0007_01DB329A.9C4B2D70"
X-Mailer: Microsoft Outlook 16.0
Content-Language: zh-cn

------=_NextPart_000_0007_01DB329A.9C4B2D70
Content-Type: text/plain;
	charset="gb2312"
Content-Transfer-Encoding: base64

`) + b64(enc(simplifiedchinese.GBK, "周总：10月月报已填好，请审核后报科技局。\r\n")) + crlf(`
------=_NextPart_000_0007_01DB329A.9C4B2D70
Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;
	name*=utf-8''`+pct("2026年10月月报（晋创资本）.xlsx")+`
Content-Transfer-Encoding: base64
Content-Disposition: attachment;
	filename*=utf-8''`+pct("2026年10月月报（晋创资本）.xlsx")+`

`) + b64(sheet) + crlf(`
------=_NextPart_000_0007_01DB329A.9C4B2D70--
`)
	out["outlook_forward_attachment.eml"] = []byte(crlf(`From: =?gb2312?B?`+base64.StdEncoding.EncodeToString(enc(simplifiedchinese.GBK, "周强"))+`?= <`+instSender+`>
To: <kjjr@example.gov.cn>
Subject: =?gb2312?B?`+base64.StdEncoding.EncodeToString(enc(simplifiedchinese.GBK, "转发: 2026年10月月报"))+`?=
Date: Tue, 10 Nov 2026 08:55:41 +0800
Message-ID: <000201db3260$1a2b3c40$4e5f6a70$@jinchuang-capital.example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed;
	boundary="----=_NextPart_000_0011_01DB32A3.2A4E7C50"
X-Mailer: Microsoft Outlook 16.0
Thread-Index: AdsyV4eVbq1Pq0oVQAyN9mBzS2xQ7A==
Content-Language: zh-cn

This is a multipart message in MIME format.

------=_NextPart_000_0011_01DB32A3.2A4E7C50
Content-Type: text/plain;
	charset="gb2312"
Content-Transfer-Encoding: base64

`) + b64(enc(simplifiedchinese.GBK, "科技局：转发我公司10月月报，请查收。\r\n")) + crlf(`
------=_NextPart_000_0011_01DB32A3.2A4E7C50
Content-Type: message/rfc822
Content-Disposition: attachment;
	filename="`+word("gb2312", simplifiedchinese.GBK, "2026年10月月报.eml")+`"

`) + inner + crlf(`
------=_NextPart_000_0011_01DB32A3.2A4E7C50--
`))

	// Outlook (zh-CN) with an old add-in: the name only in Content-Type
	// (no Content-Disposition), application/vnd.ms-excel for an .xlsx, an
	// upper-case extension, spaces and full-width brackets in the name.
	out["outlook_upper_xlsx.eml"] = []byte(crlf(`From: zhouqiang <`+instSender+`>
To: <kjjr@example.gov.cn>
Subject: =?gb2312?B?`+base64.StdEncoding.EncodeToString(enc(simplifiedchinese.GBK, "月报"))+`?=
Date: Tue, 10 Nov 2026 09:30:00 +0800
Message-ID: <upper.20261110@jinchuang-capital.example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b_upper"

--b_upper
Content-Type: text/plain; charset="gb2312"
Content-Transfer-Encoding: base64

`) + b64(enc(simplifiedchinese.GBK, "附件为月报。")) + crlf(`
--b_upper
Content-Type: application/vnd.ms-excel;
	name="`+word("gb2312", simplifiedchinese.GBK, "2026年10月月报（晋中 晋创资本）.XLSX")+`"
Content-Transfer-Encoding: base64

`) + b64(sheet) + crlf(`--b_upper--
`))

	// Foxmail: the sheet compressed with Windows' "发送到 → 压缩文件夹"
	// (a zip whose entry name is GBK, no UTF-8 flag).
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	zf, err := zw.CreateHeader(&zip.FileHeader{Name: string(enc(simplifiedchinese.GBK, "2026年10月月报.xlsx")), Method: zip.Deflate})
	if err == nil {
		_, err = zf.Write(sheet)
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	out["zip_sheet.eml"] = compose("周强 <"+instSender+">", "2026年10月月报", "zip@jinchuang-capital.example.com", testNow,
		"附件是10月月报（已压缩）。", []attachment{{Name: "2026年10月月报.zip", Type: "application/x-zip-compressed", Data: zb.Bytes()}})

	// QQ Mail: the sheet in a RAR archive sent as application/octet-stream.
	rar := append([]byte("Rar!\x1a\x07\x01\x00"), fakePDF(6_000, "rar")...)
	out["rar_sheet.eml"] = compose("周强 <"+instSender+">", "十月份月报", "rar@jinchuang-capital.example.com", testNow,
		"月报见附件。", []attachment{{Name: "晋创资本10月月报.rar", Type: "application/octet-stream", Data: rar}})

	// Outlook in RTF format: every attachment packed into winmail.dat (TNEF).
	tnef := append([]byte{0x78, 0x9f, 0x3e, 0x22, 0x01, 0x00}, fakePDF(8_000, "tnef")...)
	out["outlook_tnef.eml"] = compose("周强 <"+instSender+">", "2026年10月月报", "tnef@jinchuang-capital.example.com", testNow,
		"附件是10月月报。", []attachment{{Name: "winmail.dat", Type: "application/ms-tnef", Data: tnef}})

	// QQ Mail 超大附件: no attachment, a download link in the body
	// (multipart/alternative, GB18030 plain and HTML).
	qqText := "科技局：\r\n  10月月报见超大附件。\r\n\r\n从QQ邮箱发来的超大附件\r\n\r\n2026年10月月报.xlsx (38.21K, 2026年12月10日 09:12 到期)\r\n进入下载页面：https://mail.qq.com/cgi-bin/ftnExs_download?t=exs_ftn_download&k=5c3a6b1d2e0f4a7b&code=9e8d7c6b\r\n"
	qqHTML := `<div>科技局：</div><div>&nbsp; 10月月报见超大附件。</div><div style="font:12px/1.5 'Lucida Grande';">从QQ邮箱发来的超大附件</div><div><a href="https://mail.qq.com/cgi-bin/ftnExs_download?t=exs_ftn_download&amp;k=5c3a6b1d2e0f4a7b&amp;code=9e8d7c6b">2026年10月月报.xlsx</a> (38.21K, 2026年12月10日 09:12 到期)</div>`
	out["qq_large_attachment.eml"] = []byte(crlf(`From: "`+word("gb18030", simplifiedchinese.GB18030, "晋创周强")+`" <`+instSender+`>
To: "kjjr" <kjjr@example.gov.cn>
Subject: `+word("gb18030", simplifiedchinese.GB18030, "2026年10月月报")+`
Mime-Version: 1.0
Content-Type: multipart/alternative;
	boundary="----=_NextPart_6F5B2C3D_1F903E21_6B8CAD32"
Content-Transfer-Encoding: 8Bit
Date: Tue, 10 Nov 2026 09:12:40 +0800
Message-ID: <tencent_9B2C3D4E5F60718293A4B5C6@qq.com>
X-QQ-MIME: TCMime 1.0 by Tencent
X-Mailer: QQMail 2.x

This is a multi-part message in MIME format.

------=_NextPart_6F5B2C3D_1F903E21_6B8CAD32
Content-Type: text/plain;
	charset="gb18030"
Content-Transfer-Encoding: base64

`) + b64(enc(simplifiedchinese.GB18030, qqText)) + crlf(`
------=_NextPart_6F5B2C3D_1F903E21_6B8CAD32
Content-Type: text/html;
	charset="gb18030"
Content-Transfer-Encoding: base64

`) + b64(enc(simplifiedchinese.GB18030, qqHTML)) + crlf(`
------=_NextPart_6F5B2C3D_1F903E21_6B8CAD32--

`))

	// NetEase 163 Mail 云附件: an HTML-only body with the download link,
	// a subject that names no report.
	out["netease_cloud_attachment.eml"] = []byte(crlf(`From: "`+word("GBK", simplifiedchinese.GBK, "周强")+`" <`+instSender+`>
To: kjjr@example.gov.cn
Subject: `+word("GBK", simplifiedchinese.GBK, "报送材料")+`
Date: Tue, 10 Nov 2026 10:02:11 +0800 (CST)
Message-ID: <6b1f2a3c.4d5e.18f2a3b4c5d.Coremail.zq@jinchuang-capital.example.com>
MIME-Version: 1.0
Content-Type: text/html; charset=GBK
Content-Transfer-Encoding: base64
X-Mailer: Coremail Webmail Server Version XT5.0.14

`) + b64(enc(simplifiedchinese.GBK, `<div style="line-height:1.7;font-size:14px">您好，材料见附件。</div><div id="divNeteaseBigAttach"><div>从网易163邮箱发来的云附件</div><div><a href="https://mail.163.com/large-attachment-download/index.html?p=X-NETEASE-HUGE-ATTACHMENT.1a2b3c&amp;file=2026年10月月报.xlsx">2026年10月月报.xlsx</a> (40.1KB, 2026年11月25日 10:02 到期)</div></div>`)))

	// An old .xls under a subject that names no report (月份, not 月报).
	out["xls_plain_subject.eml"] = compose("周强 <"+instSender+">", "10月份数据报送", "xls2@jinchuang-capital.example.com", testNow,
		"见附件", []attachment{{Name: "晋创资本10月.xls", Type: "application/vnd.ms-excel", Data: append([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), make([]byte, 4000)...)}})

	// A mailer that folds GB2312 words at a fixed byte count, splitting
	// characters between words (RFC 2047 forbids it, yet such subjects
	// are seen from real mail clients): subject and file name must still
	// read whole.
	splitWords := func(text string, n int) string {
		b := enc(simplifiedchinese.GBK, text)
		var words []string
		for len(b) > 0 {
			k := min(n, len(b))
			words = append(words, "=?gb2312?B?"+base64.StdEncoding.EncodeToString(b[:k])+"?=")
			b = b[k:]
		}
		return strings.Join(words, "\r\n\t")
	}
	out["gb2312_split_words.eml"] = []byte(crlf(`Date: Tue, 10 Nov 2026 11:34:38 +0800
From: `+splitWords("周强", 3)+` <`+instSender+`>
To: kjjr@example.gov.cn
Subject: `+splitWords("2026年10月科技金融服务机构绩效评价考核表报送（山西晋创科技资本管理有限公司）", 45)+`
Message-ID: <split.20261110@jinchuang-capital.example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed;
	boundary="__=_Part_Boundary_007_006502.007471"

--__=_Part_Boundary_007_006502.007471
Content-Type: text/plain; charset=gb2312
Content-Transfer-Encoding: base64

`) + b64(enc(simplifiedchinese.GBK, "附件是10月考核表。")) + crlf(`
--__=_Part_Boundary_007_006502.007471
Content-Type: application/octet-stream;
	name="`+splitWords("2026年10月科技金融服务机构绩效评价考核表（晋创资本）.xlsx", 15)+`"
Content-Disposition: attachment;
	filename="`+splitWords("2026年10月科技金融服务机构绩效评价考核表（晋创资本）.xlsx", 15)+`"
Content-Transfer-Encoding: base64

`) + b64(sheet) + crlf(`--__=_Part_Boundary_007_006502.007471--
`))
	return out
}

// TestFixtures: the committed testdata/*.eml are exactly what fixtures
// builds (go test -run TestFixtures -update rewrites them).
func TestFixtures(t *testing.T) {
	for name, b := range fixtures(t) {
		p := filepath.Join("testdata", name)
		if *update {
			writeFile(t, p, b)
			continue
		}
		got, err := os.ReadFile(p)
		if err != nil {
			t.Errorf("%v (generate with go test -run TestFixtures -update)", err)
			continue
		}
		if !bytes.Equal(got, b) {
			t.Errorf("%s differs from what fixtures builds (%d bytes, built %d): run go test -run TestFixtures -update and review the diff", p, len(got), len(b))
		}
	}
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("%v (generate with go test -run TestFixtures -update)", err)
	}
	return b
}
