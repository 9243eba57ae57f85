package outbox

import (
	"context"
	"io"
	"log/slog"
	"mime"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"kjjr/content"
)

// TestReceiptReadsAsWritten sends receipts built from a content repo (its
// site.yaml and calendar) through a real SMTP server on loopback and reads
// them back with go-message, as a mail client does: the From name is the
// bureau exactly, no line breaks inside a Chinese run, a file name, a path,
// an address or a hash, and the deadline line follows content.Due for a
// report on time, a late one and one received on the day a deadline on a
// rest day moved to.
func TestReceiptReadsAsWritten(t *testing.T) {
	repo := loadFixture(t)
	const inboxAddr = "baosong@kjjr.example.gov.cn"
	repo.Site.Inbox.Address = inboxAddr
	srv := startServer(t, serverOpts{})
	clk := newClock()
	cfg := ConfigFor(&repo.Site, repo.Institution, Server{Addr: srv.Addr, TLS: "none"})
	cfg.Now, cfg.Logger, cfg.Timeout = clk.Now, slog.New(slog.NewTextHandler(io.Discard, nil)), 10*time.Second
	o := openTest(t, cfg)

	const (
		file  = "农谷金服2026年10月绩效评价考核表.xlsx"
		path  = "evidence/2026-10/a20b243b737e-农谷金服2026年10月绩效评价考核表.xlsx"
		hash  = "a20b243b737e9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d"
		title = "《农谷金服2026年10月绩效评价考核表》"
	)
	sentence := "融资明细!G7：" + title + "中第7行的融资金额与第2张表的帮助企业融资金额合计不一致，请核对后重新填写，并确认已按要求附上全部印证资料。"
	month := func(y, m int) content.Period { return content.MonthPeriod(y, time.Month(m)) }
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, content.CST)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	cases := []struct {
		name     string
		period   content.Period
		received time.Time
		due      string // want: the deadline line
		state    string // want: the 报送时限 line
	}{
		{"on time", month(2026, 10), at("2026-11-05 14:32"), "截止日期：2026年11月10日", "报送时限：按时报送"},
		{"late", month(2026, 10), at("2026-11-11 09:15"), "截止日期：2026年11月10日", "报送时限：逾期报送（截止日期后收到，将记入年度考核）"},
		// 2026-05-10 is a Sunday: the deadline moves to Monday the 11th,
		// and a sheet received that day is on time.
		{"shifted day", month(2026, 4), at("2026-05-11 16:50"), "截止日期：2026年5月11日（5月10日为休息日，顺延至其后第一个工作日）", "报送时限：按时报送"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := sampleReceipt("raw:read" + c.name)
			r.Period, r.ReceivedAt = c.period, c.received
			r.Due = repo.Deadline(c.period)
			r.OrigSubject = "关于报送农谷金服" + c.period.Chinese() + "科技金融服务机构绩效评价考核表及相关印证资料的邮件"
			r.Files = []ReceiptFile{
				{Name: file, Size: 23958, SHA256: hash, Kept: true, Note: "已保存为 " + path},
				{Name: "附件2：" + title + "填报说明及印证资料清单（含合作银行出具的放款证明）.pdf", Size: 1 << 20, SHA256: hash, Kept: true},
			}
			r.Problems = []string{sentence}
			if err := o.QueueReceipt(r); err != nil {
				t.Fatal(err)
			}
			if err := o.Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
			msgs := srv.Msgs()
			if len(msgs) != i+1 {
				t.Fatalf("delivered %d mails, want %d", len(msgs), i+1)
			}
			data := msgs[i].Data
			h, body := readMail(t, data)

			from, err := h.AddressList("From")
			if err != nil || len(from) != 1 || from[0].Name != repo.Site.Bureau {
				t.Errorf("From %v (%v), want the name %q", from, err, repo.Site.Bureau)
			}
			// Read the display name as an RFC 5322 phrase reader does
			// (Python's email package among them): word by word, joined
			// with a space. Only one encoded word reads back exactly.
			if got := phraseName(t, headerOf(data, "From")); got != repo.Site.Bureau {
				t.Errorf("From display name reads %q word by word, want %q (raw %q)", got, repo.Site.Bureau, headerOf(data, "From"))
			}

			lines := strings.Split(body, "\n")
			closing := "审核通过后，报送情况将在平台上更新。如需更正，请重新发送整封邮件（含全部附件）至报送邮箱 " + inboxAddr + "，以最后一次为准。"
			greeting := "您好！本平台已于" + chineseTime(c.received) + "收到贵单位发送的邮件《" + r.OrigSubject + "》。"
			for _, tok := range []string{file, path, hash, title, sentence, inboxAddr, r.OrigSubject, repo.Site.Bureau, closing, greeting} {
				if !anyLineHas(lines, tok) {
					t.Errorf("%q is not whole on one line of\n%s", tok, body)
				}
			}
			// A wrapped line went on indented under its item: an
			// indented line that starts a Chinese run the line above
			// ends is one sentence broken in two.
			for j := 1; j < len(lines); j++ {
				last, _ := utf8.DecodeLastRuneInString(strings.TrimRight(lines[j-1], " "))
				first, _ := utf8.DecodeRuneInString(strings.TrimLeft(lines[j], " "))
				if strings.HasPrefix(lines[j], " ") && unicode.Is(unicode.Han, last) && unicode.Is(unicode.Han, first) {
					t.Errorf("line break inside a Chinese run between %q and %q", lines[j-1], lines[j])
				}
			}
			if !anyLineIs(lines, c.due) {
				t.Errorf("no line %q in\n%s", c.due, body)
			}
			if !anyLineIs(lines, c.state) {
				t.Errorf("no line %q in\n%s", c.state, body)
			}
		})
	}
}

// phraseName decodes the display name of a one-mailbox header value word
// by word and joins the words with a space.
func phraseName(t *testing.T, v string) string {
	t.Helper()
	name, _, ok := strings.Cut(v, "<")
	if !ok {
		t.Fatalf("no address in %q", v)
	}
	var dec mime.WordDecoder
	var words []string
	for _, w := range strings.Fields(name) {
		d, err := dec.Decode(w)
		if err != nil {
			d = strings.Trim(w, `"`)
		}
		words = append(words, d)
	}
	return strings.Join(words, " ")
}

func anyLineHas(lines []string, s string) bool {
	for _, l := range lines {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}

func anyLineIs(lines []string, s string) bool {
	for _, l := range lines {
		if strings.TrimSpace(l) == s {
			return true
		}
	}
	return false
}

// TestReminderNamesInbox: a reminder names the 报送邮箱 of site.yaml and
// writes its instructions on one line each.
func TestReminderNamesInbox(t *testing.T) {
	repo := loadFixture(t)
	repo.Site.Inbox.Address = "baosong@kjjr.example.gov.cn"
	cfg := ConfigFor(&repo.Site, repo.Institution, Server{})
	p := content.MonthPeriod(2026, 4)
	_, body := Preview(cfg, &Reminder{Institution: "甲科技金融服务有限公司", Slug: "alpha", Period: p, Deadline: repo.Deadline(p).Date, Stage: StageBefore})
	want := "   请从登记的报送邮箱，将填写好的《科技金融服务机构绩效评价考核表》（.xlsx）作为附件发送至报送邮箱 baosong@kjjr.example.gov.cn，邮件主题写明“2026年4月月报”。"
	if !anyLineIs(strings.Split(body, "\n"), strings.TrimSpace(want)) {
		t.Errorf("no line %q in\n%s", want, body)
	}
	if !strings.Contains(body, "应于2026年5月11日前报送") {
		t.Errorf("the reminder does not name the shifted deadline 2026年5月11日:\n%s", body)
	}
}
