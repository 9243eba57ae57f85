package content

import (
	"testing"

	"go.yaml.in/yaml/v3"
)

// FuzzPlainTag checks plainTag's shortcut against yaml.v3's resolution.
func FuzzPlainTag(f *testing.F) {
	for _, s := range []string{"0354-555-0211", "2025-05-08", "2025-08-06T09:30:00+08:00", "2001-12-14 21:59:43.10 -5",
		"1e3", "-.inf", ".NaN", "0x1F", "0o17", "0b101", "1_000", "91140702MA0H4K2T95", "150.00", "+5", "-", "true", "null",
		"~", "<<", "no", "晋中", "12@x", "3/4", "1.2.3", "0354 555", "Tue"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := (&yaml.Node{Kind: yaml.ScalarNode, Value: s}).ShortTag()
		if got := plainTag(s); got != want {
			t.Errorf("plainTag(%q) = %s, yaml.v3 says %s", s, got, want)
		}
	})
}
