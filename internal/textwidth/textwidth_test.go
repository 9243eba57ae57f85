package textwidth_test

import (
	"testing"

	"kjjr/internal/textwidth"
)

func TestString(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"", 0},
		{"abc 123", 7},
		{"机构", 4},
		{"晋中市科技局（2026年）", 22},
		{"ＡＢ", 4},   // full-width Latin
		{"ｱｲ", 2},   // half-width katakana
		{"한글", 4},   // Hangul
		{"🙂✅", 4},   // emoji with East Asian Width W
		{"✓✗", 2},   // check marks are neutral
		{"“引号”", 6}, // ambiguous quotes are narrow
		{"𠀀", 2},    // CJK Extension B
		{"é", 1},
	} {
		if got := textwidth.String(tc.in); got != tc.want {
			t.Errorf("String(%q) = %d; want %d", tc.in, got, tc.want)
		}
	}
}
