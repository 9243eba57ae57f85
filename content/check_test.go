package content_test

import (
	"flag"
	"os"
	"strings"
	"testing"

	"kjjr/content"
	"kjjr/content/jinzhong"
)

var update = flag.Bool("update", false, "rewrite golden files")

func day(t testing.TB, s string) content.Date {
	t.Helper()
	d, err := content.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestCheckDefaultDataset(t *testing.T) {
	repo, err := content.Load(jinzhong.FS(), nil)
	if err != nil {
		t.Fatal(err)
	}
	// Before the policy's warning window: nothing at all.
	if ds := repo.Check(day(t, "2026-11-11")); len(ds) != 0 {
		t.Errorf("Check(2026-11-11) of the default dataset:\n%s", lines(ds))
	}
	// In the window (site.yaml warn_days: 120): the 第八条 warning, no
	// error; and since the 2026-12 sheet falls due in January 2027, the
	// missing calendar/2027.yaml is named.
	ds := repo.Check(day(t, "2026-12-01"))
	if ds.HasErrors() || len(ds) != 2 || ds[0].File != "calendar/2027.yaml" || !strings.Contains(ds[1].Message, "第八条") {
		t.Errorf("Check(2026-12-01) of the default dataset:\n%s", lines(ds))
	}
	// After expiry: an error.
	if ds := repo.Check(day(t, "2027-03-18")); !ds.HasErrors() {
		t.Errorf("Check(2027-03-18) found no error for the expired measures")
	}
}

func lines(ds content.Diagnostics) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// TestCheckGolden checks the whole output on a repo with one problem of
// each kind (testdata/badrepo). Run with -update to rewrite the golden file.
func TestCheckGolden(t *testing.T) {
	repo, _ := content.Load(os.DirFS("testdata/badrepo"), nil)
	got := lines(repo.Check(day(t, "2026-12-01")))
	const golden = "testdata/badrepo.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("Check output differs from %s (run go test ./content -run TestCheckGolden -update after checking):\n--- got\n%s--- want\n%s", golden, got, want)
	}
	// Every kind of bad input check must locate is there.
	for _, want := range []string{
		"notices/malformed-yaml.md:3: YAML 格式错误",
		"institutions/wrong-type/index.md:10: team.size：类型错误",
		"institutions/unknown-field/index.md:6: websit：未知字段",
		"institutions/missing-fields/index.md:2: uscc：缺少必填字段",
		"rounds/2025-1.md:3: notice：找不到遴选通知",
		"institutions/bad-uscc/index.md:3: uscc：统一社会信用代码校验位错误",
		"publicity/2024-06-03-outside-calendar.md:4: start：日历中没有 2024 年",
		"notices/gbk-encoded.md:3: 第3行不是 UTF-8 编码",
		"notices/zero-bytes.md:1: 文件为空",
		"notices/binary-file.md:1: 这是二进制文件",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

// TestYAMLSyntaxLines checks that YAML syntax errors point at the line to fix.
func TestYAMLSyntaxLines(t *testing.T) {
	tests := []struct {
		src  string
		want string
	}{
		{"---\nkind: 通知\ntitle: [没有闭合\ndate: 2025-01-02\n---\n", "x.md:3: YAML 格式错误：方括号列表"},
		{"---\nkind: 通知\ntitle: a: b\n---\n", "x.md:3: YAML 格式错误：此处不能出现“键: 值”"},
		{"---\nkind: 通知\n  title: x\ndate: 2025-01-02\n---\n", "x.md:3: YAML 格式错误"},
		{"---\nkind: \"通知\ntitle: x\n---\n", "x.md:4: YAML 格式错误：引号没有成对"},
		{"---\nkind: 通知\ntitle: x\ntitle: y\n---\n", "x.md:4: title：字段 \"title\" 重复（第 3 行已定义）"},
	}
	for _, tt := range tests {
		ds := content.DecodeRecord("x.md", []byte(tt.src), new(content.Notice))
		if len(ds) == 0 || !strings.HasPrefix(ds[0].String(), tt.want) {
			t.Errorf("%q:\n got %v\nwant prefix %q", tt.src, ds, tt.want)
		}
	}
}
