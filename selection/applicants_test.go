package selection_test

import (
	"bytes"
	"io/fs"
	"strings"
	"testing"

	"kjjr/application"
	"kjjr/content"
	"kjjr/content/jinzhong"
)

// form returns the filled application form of a.
func form(t testing.TB, a *application.Application) string {
	t.Helper()
	var b bytes.Buffer
	if err := application.Fill(&b, a); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// Applicants lists each branch of the round with the pre-check of 第二条
// recomputed from the form at its tip, its resubmissions, whether a
// registered institution sent it, and a branch the inbox did not write
// with a Problem.
func TestApplicants(t *testing.T) {
	dir := newRepo(t)
	young := uscc(t, "91140702MA0K0000A")
	app := application.Example("新申报科技有限公司", young)
	app.Institution.Founded = content.Date{Year: 2024, Month: 1, Day: 1} // not 3 years before the close 2026-03-31
	ev := map[string]string{"form.xlsx": form(t, app)}
	for _, n := range application.ExampleAttachments {
		ev["0123456789ab-"+n] = "%PDF " + n
	}
	slug := strings.ToLower(young)
	makeApply(t, dir, young, slug, draft("新申报科技有限公司", young, "2024-01-01", "榆次区"), map[string]string{"form.xlsx": form(t, app)})
	makeApply(t, dir, young, slug, draft("新申报科技有限公司", young, "2024-01-01", "榆次区"), ev)

	ents, err := fs.ReadDir(jinzhong.FS(), "institutions")
	if err != nil || len(ents) == 0 {
		t.Fatal(err)
	}
	reg := ents[0].Name()
	regKey := uscc(t, "91140702MA0K0000B")
	makeApply(t, dir, regKey, reg, draft("已登记机构", regKey, "2015-01-01", "榆次区"), nil)

	notApp := uscc(t, "91140702MA0K0000C")
	git(t, dir, nil, "update-ref", "refs/heads/apply/"+round+"/"+notApp, "main")

	apps, err := open(t, dir).Applicants(round)
	if err != nil {
		t.Fatal(err)
	}
	if len(apps) != 3 {
		t.Fatalf("%d applicants", len(apps))
	}
	a := apps[0]
	if a.Key() != young || a.Commits != 2 || a.Registered || a.Problem != "" || a.NoCheck != "" || a.Name() != "新申报科技有限公司" || len(a.Attachments) != len(application.ExampleAttachments) {
		t.Errorf("resubmitted application: %+v", a)
	}
	if failed := a.Failed(); len(failed) != 1 || failed[0].Rule != application.RuleFounded {
		t.Errorf("failed %+v", failed)
	}
	if b := apps[1]; !b.Registered || b.Slug != reg || b.Commits != 1 || b.Problem != "" || b.Checks != nil || !strings.Contains(b.NoCheck, "没有申报表") {
		t.Errorf("registered application without a form: %+v", b)
	}
	if c := apps[2]; c.Problem == "" || c.Slug != "" || c.Draft != nil {
		t.Errorf("branch not written by the inbox: %+v", c)
	}
	if _, err := open(t, dir).Applicants("../x"); err == nil {
		t.Error("a round that is not a slug was listed")
	}
}
