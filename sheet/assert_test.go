package sheet

import (
	"reflect"
	"testing"

	"kjjr/content"
)

// assertReport fails when got differs from want, showing both as the
// front matter the inbox would write.
func assertReport(t testing.TB, want, got *content.Report) {
	t.Helper()
	if reflect.DeepEqual(want, got) {
		return
	}
	w, _ := content.EncodeRecord(want, "")
	g, _ := content.EncodeRecord(got, "")
	t.Fatalf("report differs\n--- want\n%s--- got\n%s", w, g)
}
