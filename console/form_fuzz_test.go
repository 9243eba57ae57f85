package console

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kjjr/content"
	"kjjr/internal/safetext"
)

// FuzzInstForm: whatever is typed into the 机构 form, the record written
// decodes cleanly (no field injected, nothing lost), holds the values as
// entered, cleaned and bounded, and parsing never panics.
func FuzzInstForm(f *testing.F) {
	f.Add("榆次区示例路1号", "report@x.example.com", "晋中银行\n山西农信", "5", "说明\r\n第二行")
	f.Add("a: b\nname: evil", "x@y.z\nreport_senders: []", "- [x]\n  ", "-1", "---\nkind: x")
	f.Add("\u202e\x00\xff", "\"'`{}", "&*|>#%@", "99999999999", "\t\v\f")
	f.Fuzz(func(t *testing.T, addr, email, banks, size, desc string) {
		form := url.Values{"office_address": {addr}, "sender_email": {email, ""}, "sender_name": {addr}, "banks": {banks},
			"team_size": {size}, "team_description": {desc}, "contact_email": {email}, "office_county": {addr}}
		r := &http.Request{PostForm: form}
		inst := &content.Institution{Name: "甲", USCC: "x", Meta: content.Meta{Body: "正文\n"}}
		got, _ := parseInstForm(r, inst)
		data, err := content.EncodeRecord(inst, inst.Body)
		if err != nil {
			t.Fatal(err)
		}
		back := new(content.Institution)
		if ds := content.DecodeRecord("institutions/x/index.md", data, back); ds.HasErrors() {
			t.Fatalf("record does not decode: %v\n%s", ds, data)
		}
		if back.Office.Address != got.Office.Address || back.Office.Address != safetext.Line(addr, maxField) || back.Name != "甲" || back.Body != "正文\n" {
			t.Fatalf("round trip: %q -> %q\n%s", addr, back.Office.Address, data)
		}
		if back.Team.Description != safetext.Block(desc, maxText) {
			t.Fatalf("description %q -> %q", desc, back.Team.Description)
		}
		if want := safetext.Line(email, maxEmail); want != "" && (len(back.ReportSenders) != 1 || back.ReportSenders[0].Email != want) {
			t.Fatalf("senders %+v, want %q", back.ReportSenders, want)
		}
		if strings.Join(back.Partners.Banks, "\n") != got.Banks {
			t.Fatalf("banks %q, want %q", back.Partners.Banks, got.Banks)
		}
	})
}
