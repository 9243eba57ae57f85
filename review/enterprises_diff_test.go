package review

import (
	"testing"

	"kjjr/content"
)

// TestDiffEnterprises: a resubmission that changes 服务企业名单 shows how
// many enterprises each submission lists.
func TestDiffEnterprises(t *testing.T) {
	old := &content.Report{Kind: "monthly", Indicators: &content.Indicators{}}
	new := &content.Report{Kind: "monthly", Indicators: &content.Indicators{},
		Enterprises: []content.Enterprise{{Name: "甲", USCC: "91140700MA0K000016"}, {Name: "乙", USCC: "91140700MA0K000029"}}}
	ch := Diff(old, new)
	if len(ch) != 1 || ch[0].Label != "服务企业名单（家数）" || ch[0].Old != "0" || ch[0].New != "2" {
		t.Errorf("Diff = %+v", ch)
	}
}
