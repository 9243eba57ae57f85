package content_test

import (
	"testing"

	"kjjr/content"
)

// TestEncodeRecordJSON: the front matter as JSON keeps EncodeRecord's key
// order and types (kjjr sheet --json prints it for scripts).
func TestEncodeRecordJSON(t *testing.T) {
	type rec struct {
		Zeta   string         `yaml:"zeta"`
		Alpha  int            `yaml:"alpha"`
		Yes    bool           `yaml:"yes"`
		Amount content.Wan    `yaml:"amount"`
		List   []string       `yaml:"list"`
		None   *int           `yaml:"none"`
		Period content.Period `yaml:"period"`
		Text   string         `yaml:"text"`
	}
	got, err := content.EncodeRecordJSON(rec{Zeta: "z", Alpha: 1, Yes: true, Amount: 150050, List: []string{"甲"}, Period: content.MonthPeriod(2025, 4), Text: "123"})
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "zeta": "z",
  "alpha": 1,
  "yes": true,
  "amount": 1500.50,
  "list": [
    "甲"
  ],
  "none": null,
  "period": "2025-04",
  "text": "123"
}
`
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
