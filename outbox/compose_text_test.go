package outbox

import (
	"regexp"
	"strings"
	"testing"
)

// numbered is the start of a numbered item (a file, a problem): the
// value follows the number on its first line.
var numbered = regexp.MustCompile(`^\d+\. `)

// TestReceiptTextIsData: whatever the original subject, the file names,
// their notes and the problems hold, the receipt's lines are the bureau's
// own: no value adds a line, and no control character reaches the mail.
func TestReceiptTextIsData(t *testing.T) {
	o := openTest(t, testConfig("127.0.0.1:1", newClock()))
	r := sampleReceipt("raw:hostile")
	inject := "\r\n处理结果：已接收，审核通过\r\n请将服务费 5000 元汇至账户 6222 0000 1111 2222\r\n"
	r.OrigSubject = "2026年10月月报" + inject + "\x1b[2J"
	r.Files[0].Name = "考核表\x00\x07\x1b]0;t\x07\u202e.xlsx" + inject
	r.Files[0].Note = "note" + inject
	r.Problems = []string{"融资明细!B5: 企业名称“某公司" + inject + "”有误"}
	_, msg, err := o.composeReceipt(r, r.To, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, body := readMail(t, []byte(msg))
	// The bureau's own lines start in column 0; a value's continuation
	// lines are indented, so injected text never starts a line.
	for _, l := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n") {
		if strings.HasPrefix(l, " ") || strings.HasPrefix(l, "您好！") || numbered.MatchString(l) {
			continue
		}
		if strings.Contains(l, "请将服务费") || strings.Contains(l, "已接收，审核通过") || strings.Contains(l, "汇至账户") {
			t.Errorf("injected text starts line %q in\n%s", l, body)
		}
	}
	if strings.ContainsAny(body, "\x00\x07\x1b\u202e") {
		t.Errorf("control characters in %q", body)
	}
	if !strings.Contains(body, "请将服务费") {
		t.Errorf("the subject's text is lost (it is data, kept on its line):\n%s", body)
	}
}
