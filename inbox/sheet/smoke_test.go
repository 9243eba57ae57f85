package sheet

import (
	"testing"
)

func TestSmoke(t *testing.T) {
	data := goodSheet(t).bytes(t)
	rep, err := Parse(data, testOpts())
	if err != nil {
		t.Fatal(err)
	}
	assertReport(t, goodReport(t), rep)
}
