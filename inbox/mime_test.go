package inbox

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/go-git/go-git/v5"
	"golang.org/x/text/encoding/simplifiedchinese"

	"kjjr/content"
	"kjjr/content/gitfs"
)

// TestMessages runs every fixture through the engine and checks what a
// sender and staff rely on: where it ends, kind and period, the files, and
// the reasons.
func TestMessages(t *testing.T) {
	tests := []struct {
		file     string
		dest     destination
		code     string // quarantine reason code
		branch   string
		docs     []string // original names of the documents kept
		evidence int
		skipped  int
		reason   string // substring of a reason
		receipt  bool
	}{
		{file: "foxmail_gbk.eml", dest: destProcessed, branch: "2026-10", docs: []string{"科技金融服务机构绩效评价考核表（10月）.xlsx"}, receipt: true},
		{file: "qq_octet_stream.eml", dest: destProcessed, branch: "2026-10", docs: []string{"绩效评价考核表.xlsx"}, receipt: true},
		{file: "big5_monthly.eml", dest: destProcessed, branch: "2026-10", docs: []string{"考核表.xlsx"}, receipt: true},
		{file: "raw8bit_gbk.eml", dest: destProcessed, branch: "2026-10", docs: []string{"月报.xlsx"}, receipt: true},
		{file: "outlook_rfc2231_halfyear.eml", dest: destProcessed, branch: "2026-H1", docs: []string{"2026年上半年工作进展.docx"}, evidence: 1, skipped: 1, receipt: true},
		{file: "applemail_rfc2231_annual.eml", dest: destProcessed, branch: "2025-annual", docs: []string{"2025年度工作总结（山西晋创科技资本管理有限公司）.pdf"}, evidence: 1, receipt: true},
		{file: "hostile_names.eml", dest: destProcessed, branch: "2026-H1", docs: []string{"工作进展报告.pdf"}, evidence: 7, skipped: 1, receipt: true},
		{file: "no_message_id.eml", dest: destProcessed, branch: "2026-09", docs: []string{"9月考核表.xlsx"}, receipt: true},
		{file: "missing_boundary.eml", dest: destQuarantine, code: ReasonRejected, reason: "邮件不完整", receipt: true},
		{file: "broken_base64.eml", dest: destQuarantine, code: ReasonRejected, reason: "邮件不完整", receipt: true},
		{file: "empty_body.eml", dest: destQuarantine, code: ReasonRejected, reason: "没有正文也没有附件", receipt: true},
		{file: "no_sheet.eml", dest: destQuarantine, code: ReasonRejected, reason: "没有找到月报表", receipt: true},
		{file: "too_many_attachments.eml", dest: destQuarantine, code: ReasonRejected, reason: "超过上限 30 个", receipt: true},
		{file: "unknown_sender.eml", dest: destQuarantine, code: ReasonUnknownSender, reason: "someone@evil.example.net"},
		{file: "auto_reply.eml", dest: destQuarantine, code: ReasonAutoReply},
		{file: "wrong_institution.eml", dest: destQuarantine, code: ReasonRejected, reason: "机构名称", receipt: true},
		{file: "legacy_xls.eml", dest: destQuarantine, code: ReasonRejected, reason: ".xlsx", receipt: true},
		{file: "unclear_half.eml", dest: destQuarantine, code: ReasonRejected, reason: "2026年上半年", receipt: true},
		{file: "outlook_forward_attachment.eml", dest: destProcessed, branch: "2026-10", docs: []string{"2026年10月月报（晋创资本）.xlsx"}, receipt: true},
		{file: "outlook_upper_xlsx.eml", dest: destProcessed, branch: "2026-10", docs: []string{"2026年10月月报（晋中 晋创资本）.XLSX"}, receipt: true},
		{file: "zip_sheet.eml", dest: destQuarantine, code: ReasonRejected, reason: "附件“2026年10月月报.zip”是压缩包，系统不解压压缩包：请把月报表（.xlsx）或报告文件直接作为附件", receipt: true},
		{file: "rar_sheet.eml", dest: destQuarantine, code: ReasonRejected, reason: "附件“晋创资本10月月报.rar”是压缩包", receipt: true},
		{file: "outlook_tnef.eml", dest: destQuarantine, code: ReasonRejected, reason: "附件被打包成了 winmail.dat，无法读取：请在 Outlook 中将邮件格式改为 HTML 或纯文本", receipt: true},
		{file: "qq_large_attachment.eml", dest: destQuarantine, code: ReasonRejected, reason: "邮件中只有“超大附件”（云附件）的下载链接，系统不会从链接下载文件", receipt: true},
		{file: "gb2312_split_words.eml", dest: destProcessed, branch: "2026-10", docs: []string{"2026年10月科技金融服务机构绩效评价考核表（晋创资本）.xlsx"}, receipt: true},
		{file: "xls_plain_subject.eml", dest: destQuarantine, code: ReasonRejected, reason: "“晋创资本10月.xls”：这是旧版 .xls 或 WPS .et 格式的表格，无法读取：请另存为 .xlsx", receipt: true},
		{file: "netease_cloud_attachment.eml", dest: destQuarantine, code: ReasonRejected, reason: "请把月报表（.xlsx）或报告文件作为普通附件添加到邮件中重新发送", receipt: true},
	}
	// One repo for all: each message is its own submission (resubmissions
	// of a period add commits), so they do not disturb each other.
	e, q, dir := newTestEngine(t, true)
	for _, tc := range tests {
		t.Run(strings.TrimSuffix(tc.file, ".eml"), func(t *testing.T) {
			raw := readFixture(t, tc.file)
			before := len(q.order)
			h, err := e.handle(context.Background(), raw, testNow)
			if err != nil {
				t.Fatal(err)
			}
			if h.dest != tc.dest {
				t.Fatalf("dest = %v (%+v), want %v", h.dest, h, tc.dest)
			}
			if (len(q.order) == before+1) != tc.receipt || len(q.order) > before+1 {
				t.Errorf("receipts %d, want receipt=%v", len(q.order)-before, tc.receipt)
			}
			if tc.dest == destQuarantine {
				gd, _ := gitDirOf(dir)
				r, err := readQuarantine(gd+"/kjjr", h.qid)
				if err != nil {
					t.Fatalf("quarantine record: %v", err)
				}
				if r.Reason != tc.code || !strings.Contains(strings.Join(r.Reasons, "\n"), tc.reason) {
					t.Errorf("record reason %s %q, want %s containing %q", r.Reason, r.Reasons, tc.code, tc.reason)
				}
				if r.SHA256 != sha256hex(raw) || r.Receipt != tc.receipt {
					t.Errorf("record %+v", r)
				}
				if tc.receipt {
					rc := q.byKey[q.order[len(q.order)-1]]
					if rc.Accepted || len(rc.Problems) == 0 || rc.To != instSender {
						t.Errorf("receipt %+v", rc)
					}
				}
				return
			}
			if h.branch != "submit/"+instSlug+"/"+tc.branch {
				t.Fatalf("branch %s", h.branch)
			}
			r, _ := git.PlainOpen(dir)
			fsys, _, err := gitfs.Rev(r, h.branch)
			if err != nil {
				t.Fatal(err)
			}
			repo, err := content.Load(fsys, nil)
			if err != nil {
				t.Fatalf("branch does not load: %v", err)
			}
			per, _ := content.ParsePeriod(tc.branch)
			rep := repo.Institution(instSlug).Report(per)
			if rep == nil {
				t.Fatal("no report")
			}
			var docs []string
			for _, d := range rep.Documents {
				docs = append(docs, d.Name)
			}
			if strings.Join(docs, "|") != strings.Join(tc.docs, "|") {
				t.Errorf("documents %q, want %q", docs, tc.docs)
			}
			if len(rep.Evidence) != tc.evidence || len(rep.Skipped) != tc.skipped {
				t.Errorf("evidence %d skipped %d (%+v), want %d and %d", len(rep.Evidence), len(rep.Skipped), rep.Skipped, tc.evidence, tc.skipped)
			}
			for _, f := range append(rep.Documents, rep.Evidence...) {
				base := strings.TrimPrefix(f.Path, "evidence/"+tc.branch+"/")
				if strings.ContainsAny(base, "/\\\x00\n\t\x07") || strings.HasPrefix(base, ".") || utf8.RuneCountInString(base) > 113 {
					t.Errorf("unsafe kept name %q", f.Path)
				}
				if !strings.HasPrefix(base, f.SHA256[:12]+"-") {
					t.Errorf("name %q lacks the sha prefix", base)
				}
				b, err := fsys.ReadFile("institutions/" + instSlug + "/" + f.Path)
				if err != nil || sha256hex(b) != f.SHA256 {
					t.Errorf("kept file %s: %v", f.Path, err)
				}
			}
			rc := q.byKey[q.order[len(q.order)-1]]
			if !rc.Accepted || rc.Branch != h.branch || rc.Slug != instSlug {
				t.Errorf("receipt %+v", rc)
			}
		})
	}
}

// TestRoster: an institution removed from the roster (不合格 in the 2025
// assessment, published 2026-01-26) has nothing to report for later
// periods; the inbox says so rather than make a branch kjjr check rejects.
func TestRoster(t *testing.T) {
	e, q, _ := newTestEngine(t, true)
	raw := compose("周强 <zhouqiang@jiexiu-xinke.example.com>", "2026年10月月报", "removed@x", testNow, "月报",
		[]attachment{{Name: "月报.xlsx", Type: xlsxType, Data: makeSheet(t, sheetSpec{Name: "介休市鑫科企业服务有限公司", USCC: "91140781MA0LD8C645", Period: "2026-10"})}})
	h, err := e.handle(context.Background(), raw, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if h.dest != destQuarantine || len(h.reasons) != 1 || !strings.Contains(h.reasons[0], "移出科技金融服务机构名单") || len(q.order) != 1 {
		t.Fatalf("%+v", h)
	}
}

func TestSanitizeName(t *testing.T) {
	for in, want := range map[string]string{
		"../../etc/passwd":                 "passwd",
		`..\..\win.ini`:                    "win.ini",
		"/abs/证明.pdf":                      "证明.pdf",
		"C:报告.pdf":                         "报告.pdf",
		"a\x00b\x1fc\u202ed.pdf":           "abcd.pdf",
		"..":                               "attachment",
		"":                                 "attachment",
		"  .hidden.pdf ":                   "hidden.pdf",
		"报表:2026?.xlsx":                    "报表_2026_.xlsx",
		strings.Repeat("长", 300) + ".docx": strings.Repeat("长", 65) + ".docx", // 200 bytes
		"CON.pdf":                          "_CON.pdf",
	} {
		if got := sanitizeName(in); got != want {
			t.Errorf("sanitizeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTextPeriod(t *testing.T) {
	for in, want := range map[string]string{
		"2026年上半年工作进展":    "2026-H1",
		"2026 年下半年工作进展报告": "2026-H2",
		"关于2025年度工作总结的报送": "2025-annual",
		"半年工作进展":          "?",
		"年度工作总结":          "?",
		"你好":              "",
	} {
		p, kind, prob := textPeriod(in)
		got := p.String()
		if prob != "" {
			got = "?"
		}
		if kind == 0 {
			got = ""
		}
		if got != want {
			t.Errorf("textPeriod(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestLimits: the fixture repo's site.yaml sets 1 MiB per attachment and
// 3 MiB per message; over either is a rejection naming the limit.
func TestLimits(t *testing.T) {
	e, q, _ := newTestEngine(t, true)
	big := compose(instSender, "2026年上半年工作进展", "big@x", testNow, "报告", []attachment{
		{Name: "工作进展.pdf", Type: "application/pdf", Data: fakePDF(300_000, "r")},
		{Name: "扫描件.pdf", Type: "application/pdf", Data: fakePDF(1_200_000, "scan")},
	})
	huge := compose(instSender, "2026年上半年工作进展", "huge@x", testNow, "报告", []attachment{
		{Name: "一.pdf", Type: "application/pdf", Data: fakePDF(900_000, "1")},
		{Name: "二.pdf", Type: "application/pdf", Data: fakePDF(900_000, "2")},
		{Name: "三.pdf", Type: "application/pdf", Data: fakePDF(900_000, "3")},
	})
	for raw, want := range map[*[]byte]string{&big: "“扫描件.pdf”大小 1.1 MiB，超过单个附件上限 1.0 MiB", &huge: "超过上限 3.0 MiB"} {
		h, err := e.handle(context.Background(), *raw, testNow)
		if err != nil {
			t.Fatal(err)
		}
		if h.dest != destQuarantine || !strings.Contains(strings.Join(h.reasons, "\n"), want) {
			t.Errorf("got %v %q, want a rejection with %q", h.dest, h.reasons, want)
		}
	}
	if len(q.order) != 2 {
		t.Errorf("%d receipts", len(q.order))
	}
}

// TestIndexRebuild: without its index file the worker rebuilds it from the
// commit trailers, and a re-delivered message is still a duplicate.
func TestIndexRebuild(t *testing.T) {
	e, _, dir := newTestEngine(t, false)
	raw := readFixture(t, "outlook_rfc2231_halfyear.eml")
	h, err := e.handle(context.Background(), raw, testNow)
	if err != nil || h.dest != destProcessed {
		t.Fatalf("%+v %v", h, err)
	}
	e.close()
	gd, _ := gitDirOf(dir)
	if err := os.Remove(gd + "/kjjr/ingested.log"); err != nil {
		t.Fatal(err)
	}
	e2, err := newEngine(dir, testOptions(newMemQueue()))
	if err != nil {
		t.Fatal(err)
	}
	defer e2.close()
	h2, err := e2.handle(context.Background(), raw, testNow)
	if err != nil || !h2.duplicate || h2.commit != h.commit {
		t.Fatalf("after rebuild: %+v %v", h2, err)
	}
}

// TestForwardedMessages: the attachments of a message forwarded as an
// attachment (message/rfc822) are read, through a forward of a forward,
// up to maxForwards levels; a deeper one stays a single .eml part.
func TestForwardedMessages(t *testing.T) {
	msg := compose("李娜 <lina@jinchuang-capital.example.com>", "2026年10月月报", "l0@x", testNow, "月报",
		[]attachment{{Name: "月报.xlsx", Type: xlsxType, Data: []byte("PK\x03\x04sheet")}})
	for level := 1; level <= maxForwards+1; level++ {
		msg = compose("周强 <"+instSender+">", "转发: 2026年10月月报", fmt.Sprintf("l%d@x", level), testNow, "转发",
			[]attachment{{Name: "转发的邮件.eml", Type: "message/rfc822", Data: msg}})
		p := walkMessage(msg, Limits{})
		if p.Incomplete != nil || len(p.Parts) != 1 {
			t.Fatalf("level %d: %v, %d parts", level, p.Incomplete, len(p.Parts))
		}
		want := "月报.xlsx"
		if level > maxForwards {
			want = "转发的邮件.eml"
		}
		if p.Parts[0].Name != want || p.Text != "转发" {
			t.Errorf("level %d: part %q, text %q; want %q", level, p.Parts[0].Name, p.Text, want)
		}
	}
}

// TestSplitWords: adjacent RFC 2047 words in one Chinese charset are
// decoded together, so a character split between two words reads whole;
// words in different charsets, or a lone word, decode as before.
func TestSplitWords(t *testing.T) {
	raw := readFixture(t, "gb2312_split_words.eml")
	p := walkMessage(raw, Limits{})
	if want := "2026年10月科技金融服务机构绩效评价考核表报送（山西晋创科技资本管理有限公司）"; p.Subject != want {
		t.Errorf("subject %q, want %q", p.Subject, want)
	}
	gbk := func(s string) string { return base64.StdEncoding.EncodeToString(enc(simplifiedchinese.GBK, s)) }
	for in, want := range map[string]string{
		"=?gbk?B?" + gbk("月报") + "?= =?utf-8?B?" + base64.StdEncoding.EncodeToString([]byte("表")) + "?=": "月报表",
		"=?GB2312?B?" + gbk("月报") + "?=":                        "月报",
		"报送 =?gb2312?B?" + gbk("月报") + "?= 晋中":                  "报送 月报 晋中",
		"=?gb2312?Q?=D4=C2?= =?gb2312?Q?=B1=A8?=":               "月报",
		"=?gb2312?Q?=D4?= =?gb2312?Q?=C2=B1?= =?gb2312?Q?=A8?=": "月报",
		"=?utf-8?Q?=E6=9C=88=E6?= =?utf-8?Q?=8A=A5?=":           "月报",
	} {
		if got := decodeText(in); got != want {
			t.Errorf("decodeText(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestLargeAttachmentWarning: a report that is accepted while some of its
// files came as 超大附件 links (QQ Mail moves large photos there) tells
// staff that those files were not fetched.
func TestLargeAttachmentWarning(t *testing.T) {
	e, _, dir := newTestEngine(t, true)
	raw := compose("周强 <"+instSender+">", "2026年上半年工作进展", "big-photos@jinchuang-capital.example.com", testNow,
		"报告见附件，活动照片见超大附件。\n\n从QQ邮箱发来的超大附件\n\n活动照片.zip (180.5M, 2026年12月10日 09:12 到期)\n进入下载页面：https://mail.qq.com/cgi-bin/ftnExs_download?t=exs_ftn_download&k=7d6c5b4a&code=1f2e3d4c",
		[]attachment{{Name: "2026年上半年工作进展.pdf", Type: "application/pdf", Data: fakePDF(20_000, "h1")}})
	h, err := e.handle(context.Background(), raw, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if h.dest != destProcessed {
		t.Fatalf("handled %+v", h)
	}
	r, _ := git.PlainOpen(dir)
	fsys, _, err := gitfs.Rev(r, h.branch)
	if err != nil {
		t.Fatal(err)
	}
	repo, err := content.Load(fsys, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep := repo.Institution(instSlug).Report(content.Period{Kind: content.HalfYear, Year: 2026, Half: 1})
	if rep == nil {
		t.Fatal("no report")
	}
	if !strings.Contains(strings.Join(rep.Warnings, "\n"), "邮件正文中有“超大附件”（云附件）下载链接，系统没有下载这些文件") {
		t.Errorf("warnings %q", rep.Warnings)
	}
}

// TestExactSender: the sender is known only from exactly one From field
// holding exactly one valid mailbox; nothing is guessed from the rest.
func TestExactSender(t *testing.T) {
	b64w := func(cs, s string) string {
		return "=?" + cs + "?B?" + base64.StdEncoding.EncodeToString([]byte(s)) + "?="
	}
	tests := []struct {
		name   string
		fields []string
		want   string // address, "" when untrusted
	}{
		{"plain", []string{"report@jinchuang-capital.example.com"}, "report@jinchuang-capital.example.com"},
		{"name", []string{"周强 <Report@Jinchuang-Capital.example.com>"}, "report@jinchuang-capital.example.com"},
		{"encoded name", []string{b64w("UTF-8", "周强") + " <report@jinchuang-capital.example.com>"}, "report@jinchuang-capital.example.com"},
		{"quoted address as name", []string{`"report@jinchuang-capital.example.com" <attacker@evil.example>`}, "attacker@evil.example"},
		{"address then angle", []string{"report@jinchuang-capital.example.com <attacker@evil.example>"}, ""},
		{"double at", []string{"report@jinchuang-capital.example.com@evil.example"}, ""},
		{"two addresses", []string{"report@jinchuang-capital.example.com, attacker@evil.example"}, ""},
		{"two fields", []string{"report@jinchuang-capital.example.com", "attacker@evil.example"}, ""},
		{"no field", nil, ""},
		{"empty", []string{"  "}, ""},
		{"group", []string{"g: report@jinchuang-capital.example.com;"}, ""},
		{"undisclosed", []string{"undisclosed-recipients:;"}, ""},
		{"address only in a word", []string{b64w("gbk", "a <report@jinchuang-capital.example.com>") + " " + b64w("gbk", "b")}, ""},
		{"text", []string{"report at jinchuang-capital"}, ""},
		{"raw gbk name", []string{"\xd6\xdc\xc7\xbf <report@jinchuang-capital.example.com>"}, "report@jinchuang-capital.example.com"},
		{"comment", []string{"report@jinchuang-capital.example.com (周强)"}, "report@jinchuang-capital.example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, _, _, problem := exactSender(tt.fields)
			if addr != tt.want {
				t.Errorf("address %q, want %q (problem %q)", addr, tt.want, problem)
			}
			if (addr == "") != (problem != "") {
				t.Errorf("address %q with problem %q", addr, problem)
			}
		})
	}
}
