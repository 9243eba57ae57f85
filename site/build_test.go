package site

import (
	"testing"
)

func TestBuildBasic(t *testing.T) {
	repo := loadFixture(t, "basic.txtar")
	dir, res := buildTo(t, repo)
	t.Logf("%+v", res)
	files := walkOut(t, dir)
	for p := range files {
		t.Log(p)
	}
	t.Log(files["institutions/alpha/index.html"])
}
