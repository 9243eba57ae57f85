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
		f.Add(appendReport(nil, &cacheEntry{Path: "institutions/a/reports/2025-04.md", Stamp: fileStamp{1, 2, 3, 4}, Kind: kindReport, Report: rep}))
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
