package selection_test

import (
	"testing"

	"kjjr/selection"
)

func TestExpertRounds(t *testing.T) {
	dir := newRepo(t)
	r := open(t, dir)
	li, err := selection.ParseExpert("李专家 <Li@Example.edu.cn>")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := selection.ParseExpert("li@example.edu.cn"); err == nil {
		t.Error("an address without a name was taken")
	}
	for _, rd := range []string{"2026-1", "2026-2"} {
		if err := r.AddExpert(rd, li, staff, at("2026-04-01 10:00")); err != nil {
			t.Fatal(err)
		}
	}
	// Packed refs count as well as loose ones.
	git(t, dir, nil, "pack-refs", "--all")
	if err := r.AddExpert("2026-3", selection.Expert{Name: "张专家", Email: "zhang@example.edu.cn"}, staff, at("2026-04-01 10:00")); err != nil {
		t.Fatal(err)
	}
	got, err := r.ExpertRounds("li@example.edu.cn")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["2026-1"].Name != "李专家" || got["2026-2"].Email != "li@example.edu.cn" {
		t.Errorf("ExpertRounds = %+v", got)
	}
	if got, _ := r.ExpertRounds("zhang@example.edu.cn"); len(got) != 1 {
		t.Errorf("zhang: %+v", got)
	}
	if got, _ := r.ExpertRounds("nobody@example.com"); len(got) != 0 {
		t.Errorf("nobody: %+v", got)
	}
	// Re-registering by name replaces the address.
	if err := r.AddExpert("2026-1", selection.Expert{Name: "李专家", Email: "li2@example.edu.cn"}, staff, at("2026-04-02 10:00")); err != nil {
		t.Fatal(err)
	}
	if l, _ := r.Experts("2026-1"); len(l) != 1 || l[0].Email != "li2@example.edu.cn" {
		t.Errorf("panel = %+v", l)
	}
}
