package content_test

import (
	"errors"
	"io/fs"
	"reflect"
	"testing"
	"testing/fstest"

	"kjjr/content"
)

// TestReadSite: ReadSite gives the Site that Load gives, defaults
// included, and tells a missing or broken site.yaml.
func TestReadSite(t *testing.T) {
	for _, tc := range []struct {
		name    string
		files   fstest.MapFS
		missing bool
		errs    bool
	}{
		{"defaults", fstest.MapFS{"site.yaml": {Data: []byte("title: 站\n")}}, false, false},
		{"set", fstest.MapFS{"site.yaml": {Data: []byte("title: 站\ndeadlines:\n  monthly_day: 7\n  annual: \"01-15\"\n")}}, false, false},
		{"missing", fstest.MapFS{}, true, false},
		{"broken", fstest.MapFS{"site.yaml": {Data: []byte("title: [\n")}}, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			site, ds, err := content.ReadSite(tc.files)
			if tc.missing != errors.Is(err, fs.ErrNotExist) || (err != nil && !tc.missing) {
				t.Fatalf("error %v", err)
			}
			if ds.HasErrors() != tc.errs {
				t.Fatalf("diagnostics %v", ds)
			}
			repo, _ := content.Load(tc.files, nil)
			if !tc.errs && !reflect.DeepEqual(site, repo.Site) {
				t.Errorf("ReadSite %+v\nLoad     %+v", site, repo.Site)
			}
			if site.Deadlines.MonthlyDay == 0 || site.Deadlines.HalfYearDays == 0 || site.Deadlines.AnnualMonthDay == "" {
				t.Errorf("defaults missing: %+v", site.Deadlines)
			}
		})
	}
}
