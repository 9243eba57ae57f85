package content

import (
	"bytes"
	"reflect"
	"testing"
)

// FuzzReadReport feeds readReport (the binary form of a cached report)
// arbitrary bytes: it must never panic, and what it accepts must encode
// back to the same bytes.
func FuzzReadReport(f *testing.F) {
	yes := true
	for _, rep := range []*Report{
		{},
		{Kind: "monthly", Period: Period{Kind: Monthly, Year: 2025, Month: 4}, ReceivedAt: "2025-05-03T09:00:00+08:00",
			FiledOn: Date{2025, 5, 3}, Indicators: &Indicators{EnterprisesServed: 3, FinancingWan: 12345},
			PartnerBanks: []string{"晋商银行"}, ChargedFees: &yes, Meta: Meta{Slug: "2025-04", File: "institutions/a/reports/2025-04.md", BodyLine: 9}},
	} {
		f.Add(appendReport(nil, &cacheEntry{Path: "institutions/a/reports/2025-04.md", Stamp: fileStamp{Size: 1, MTime: 2, CTime: 3, Ino: 4}, Kind: kindReport, Report: rep}))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := readReport(data)
		if err != nil {
			return
		}
		if again := appendReport(nil, e); !bytes.Equal(again, data) {
			// Varints have one canonical form only when minimal; a
			// non-minimal input is accepted but encodes shorter.
			if e2, err := readReport(again); err != nil || !reflect.DeepEqual(e2, e) {
				t.Fatalf("re-encoded entry does not decode the same: %v", err)
			}
		}
	})
}

// FuzzReadInstitution is FuzzReadReport for institutions
// (appendInstitution, readInstitution).
func FuzzReadInstitution(f *testing.F) {
	for _, inst := range []*Institution{
		{},
		{Name: "晋中科技金融服务中心", ShortName: "晋中科金", USCC: "91140700MA0000000X", LegalForm: "有限责任公司",
			Founded: Date{2019, 3, 1}, Website: "https://example.com", Credit: Credit{CheckedOn: Date{2025, 1, 2}, Source: "信用中国", Blacklisted: true},
			Capabilities: []string{}, Partners: Partners{Banks: []string{"晋商银行", "晋中银行"}, Others: []string{""}},
			Services: []string{"融资对接"}, ServesJinchuanggu: true, Team: Team{Size: 12, Description: "团队"},
			Office: Office{Address: "榆次区", County: "榆次区", Phone: "0354-1"}, Contact: Contact{Department: "部", Person: "人", Phone: "1", Email: "a@b", Address: "址"},
			Meta: Meta{Slug: "jg1", File: "institutions/jg1/index.md", Body: "简介\n", BodyLine: 30}},
	} {
		e := &cacheEntry{Path: "institutions/jg1/index.md", Stamp: fileStamp{Size: 1, MTime: 2, CTime: 3, Ino: 4}, Kind: kindInstitution, Institution: inst}
		data := appendInstitution(nil, e)
		if got, err := readInstitution(data); err != nil || !reflect.DeepEqual(got, e) {
			f.Fatalf("institution does not survive the cache: %v\n%+v\n%+v", err, got, e)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := readInstitution(data)
		if err != nil {
			return
		}
		if again := appendInstitution(nil, e); !bytes.Equal(again, data) {
			if e2, err := readInstitution(again); err != nil || !reflect.DeepEqual(e2, e) {
				t.Fatalf("re-encoded entry does not decode the same: %v", err)
			}
		}
	})
}
