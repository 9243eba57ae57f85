package site

import (
	"bytes"
	"encoding/xml"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"testing"

	"kjjr/content"
	"kjjr/content/corpus"
	"kjjr/content/jinzhong"
)

// reportsOf returns the report files of the first n institutions of the
// content directory dir that have at least two, the last of each.
func reportsOf(t *testing.T, dir string, n int) []string {
	t.Helper()
	insts, err := os.ReadDir(filepath.Join(dir, "institutions"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range insts {
		reps, _ := filepath.Glob(filepath.Join(dir, "institutions", e.Name(), "reports", "20[0-9][0-9]-[0-9][0-9].md"))
		if len(reps) >= 2 {
			out = append(out, reps[len(reps)-1])
		}
		if len(out) == n {
			return out
		}
	}
	t.Fatalf("fewer than %d institutions with reports in %s", n, dir)
	return nil
}

var servedRe = regexp.MustCompile(`enterprises_served: (\d+)`)

// bumpServed adds 7 to the report's enterprises_served.
func bumpServed(t *testing.T, file string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	m := servedRe.FindSubmatchIndex(data)
	if m == nil {
		t.Fatalf("%s has no enterprises_served", file)
	}
	n, _ := strconv.Atoi(string(data[m[2]:m[3]]))
	data = append(append(append([]byte{}, data[:m[2]]...), strconv.Itoa(n+7)...), data[m[3]:]...)
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func appendTo(t *testing.T, file, text string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, append(data, text...), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBuildRefDelta: after each change of a sequence, a build from git
// into the same directory gives byte for byte what a whole build of the
// new commit into an empty directory gives; changes to institutions'
// reports alone are delta builds (only those institutions loaded),
// anything else a whole build. A commit with an error is refused and
// leaves the site as it was, and the next change is a delta build again.
func TestBuildRefDelta(t *testing.T) {
	for _, tc := range []struct {
		name  string
		write func(dir string) error
	}{
		{"jinzhong", func(dir string) error { return os.CopyFS(dir, jinzhong.FS()) }},
		{"corpus", func(dir string) error { return corpus.Write(dir, &corpus.Options{Institutions: 30}) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "content")
			if err := tc.write(dir); err != nil {
				t.Fatal(err)
			}
			bare := gitRepos(t, dir)
			out := filepath.Join(t.TempDir(), "public")
			// A date after every report of both datasets, so that the
			// figures count them.
			now := content.Date{Year: 2026, Month: 12, Day: 6}
			build := func(step string, wantDelta bool) *RefResult {
				t.Helper()
				res, err := BuildRef(bare, "main", &RefOptions{Out: out, Now: now})
				if err != nil {
					t.Fatalf("%s: %v", step, err)
				}
				if res.Delta != wantDelta {
					t.Errorf("%s: delta build %t, want %t", step, res.Delta, wantDelta)
				}
				if wantDelta && len(res.Repo.Institutions) > 2 {
					t.Errorf("%s: delta build loaded %d institutions", step, len(res.Repo.Institutions))
				}
				fresh := filepath.Join(t.TempDir(), "fresh")
				if _, err := BuildRef(bare, "main", &RefOptions{Out: fresh, Now: now, CacheFile: "-"}); err != nil {
					t.Fatal(err)
				}
				sameSite(t, fresh, out)
				return res
			}
			commit := func(msg string) {
				t.Helper()
				git(t, dir, "add", "-A")
				git(t, dir, "commit", "-q", "-m", msg)
				git(t, dir, "push", "-q", bare, "main")
			}
			build("first build", false)
			reps := reportsOf(t, dir, 2)
			a, b := reps[0], reps[1]

			bumpServed(t, a)
			commit("one report's figures")
			if res := build("one report's figures", true); res.Written == 0 {
				t.Error("one report's figures: nothing written")
			}

			saved, err := os.ReadFile(a)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Remove(a); err != nil {
				t.Fatal(err)
			}
			commit("a report removed")
			build("a report removed", true)
			if err := os.WriteFile(a, saved, 0o644); err != nil {
				t.Fatal(err)
			}
			commit("the report back")
			build("the report back", true)

			bumpServed(t, a)
			bumpServed(t, b)
			commit("two institutions")
			build("two institutions", true)

			build("nothing changed", true)

			appendTo(t, filepath.Join(filepath.Dir(filepath.Dir(b)), "index.md"), "\n补充说明。\n")
			commit("an institution record")
			build("an institution record", false)

			bumpServed(t, a)
			commit("one report again")
			build("one report again", true)

			notices, _ := filepath.Glob(filepath.Join(dir, "notices", "*", "index.md"))
			if len(notices) == 0 {
				notices, _ = filepath.Glob(filepath.Join(dir, "notices", "*.md"))
			}
			if len(notices) == 0 {
				t.Fatal("no notice to change")
			}
			appendTo(t, notices[0], "\n补充说明。\n")
			commit("a notice")
			build("a notice", false)

			// A report with an error: refused, the site as it was.
			before := walkOut(t, out)
			if err := os.WriteFile(a, []byte("---\nkind: monthly\nperiod: 不是月份\n---\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			commit("a broken report")
			if _, err := BuildRef(bare, "main", &RefOptions{Out: out, Now: now}); !errors.Is(err, ErrContent) {
				t.Fatalf("broken report: %v, want ErrContent", err)
			}
			after := walkOut(t, out)
			delete(before, ManifestName)
			delete(after, ManifestName)
			if len(before) != len(after) {
				t.Errorf("broken report: %d files before, %d after", len(before), len(after))
			}
			for p, data := range before {
				if after[p] != data {
					t.Errorf("broken report: %s changed", p)
				}
			}
			if err := os.WriteFile(a, saved, 0o644); err != nil {
				t.Fatal(err)
			}
			commit("the report fixed")
			build("the report fixed", true)

			// Another date: a whole build.
			now = now.AddDays(40)
			build("forty days later", false)
			bumpServed(t, b)
			commit("a report, later")
			build("a report, later", true)
		})
	}
}

// A build state survives its encoding: every figure of Indicators (a new
// field the encoding misses fails here), names that need quoting, tallies.
func TestBuildStateRoundTrip(t *testing.T) {
	var m monthTotal
	m.Period = content.MonthPeriod(2026, 3)
	m.Reports = 17
	v := reflect.ValueOf(&m.Sum).Elem()
	for i := range v.NumField() {
		v.Field(i).SetInt(int64(100 + i))
	}
	st := &buildState{Key: "k", Commit: "c", Tree: "t", Now: "2026-12-06", Next: "2027-01-01", NextReason: "新的月份\t开始",
		Months:  []monthTotal{m},
		Tallies: map[int][]byte{2026: {1, 2, 3}},
		Roster:  []rosterName{{"a", "甲机构"}, {"b", "\"引号\"\n机构"}, {"c", ""}},
		Pages:   []instPages{{"a", "2026-01 2026-02"}, {"b", ""}},
	}
	got := decodeState(string(st.encode()))
	if !reflect.DeepEqual(got, st) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, st)
	}
}

func FuzzDecodeState(f *testing.F) {
	st := &buildState{Key: "k", Commit: "c", Tree: "t", Now: "2026-12-06", Months: []monthTotal{{Period: content.MonthPeriod(2026, 1), Reports: 2}},
		Tallies: map[int][]byte{2026: {0, 0}}, Roster: []rosterName{{"a", "甲"}}, Pages: []instPages{{"a", "2026-01"}}}
	f.Add(string(st.encode()))
	f.Fuzz(func(t *testing.T, text string) {
		if got := decodeState(text); got != nil {
			if again := decodeState(string(got.encode())); !reflect.DeepEqual(again, got) {
				t.Fatalf("decoded state does not survive encoding: %+v", got)
			}
		}
	})
}

// xmlEscapeTo writes what xml.EscapeText writes, fast path or not.
func FuzzXMLEscape(f *testing.F) {
	for _, s := range []string{"https://example.gov.cn/institutions/jg00001/reports/2026-01.html", "a&b<c>\"'", "\t\n\r\x7f", "中文", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var got, want bytes.Buffer
		_ = xmlEscapeTo(&got, s)
		_ = xml.EscapeText(&want, []byte(s))
		if got.String() != want.String() {
			t.Fatalf("%q: %q, want %q", s, got.String(), want.String())
		}
	})
}
