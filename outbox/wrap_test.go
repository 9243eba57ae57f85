package outbox

import (
	"strings"
	"testing"

	"kjjr/internal/textwidth"
)

// TestWrapWidth: wrapped lines of Chinese, emoji and ASCII fit lineWidth
// terminal columns as a terminal or a fixed-width mail client shows them
// (an emoji takes two columns, like a Chinese character).
func TestWrapWidth(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
	}{
		{"chinese", strings.Repeat("报送", 40)},
		{"emoji", strings.Repeat("🙂", 80)},
		{"mixed", strings.Repeat("已收到✅ ", 30)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lines := wrap(tc.in, lineWidth, 0)
			if len(lines) < 2 {
				t.Fatalf("%d lines; want the text wrapped", len(lines))
			}
			for i, l := range lines {
				if w := textwidth.String(l); w > lineWidth {
					t.Errorf("line %d is %d columns wide (max %d): %q", i+1, w, lineWidth, l)
				}
			}
		})
	}
}
