package site

import (
	"bytes"
	"image/png"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestMarkdownLead(t *testing.T) {
	for _, tc := range []struct{ md, want string }{
		{"各有关单位：\n\n为做好**科技金融**工作，现将有关事项通知如下。\n\n一、……", "为做好科技金融工作，现将有关事项通知如下。"},
		{"# 标题\n\n见[附件](a.pdf)和`代码`。", "见附件和代码。"},
		{"- 第一项\n- 第二项\n\n后文", "第一项第二项"},
		{"", ""},
		{"各单位：", ""},
	} {
		if got := markdownLead(tc.md); got != tc.want {
			t.Errorf("markdownLead(%q) = %q, want %q", tc.md, got, tc.want)
		}
	}
}

func TestDescription(t *testing.T) {
	long := ""
	for i := 0; i < 30; i++ {
		long += "这是一句话。"
	}
	got := description(long)
	if utf8.RuneCountInString(got) > maxDesc || got[len(got)-len("。"):] != "。" {
		t.Errorf("description cut badly: %q", got)
	}
	if got := description("  两行\n文字 "); got != "两行 文字" {
		t.Errorf("description(two lines) = %q", got)
	}
	noStop := strings.Repeat("无句号的很长的文字", 15)
	if got := description(noStop); utf8.RuneCountInString(got) != maxDesc || !strings.HasSuffix(got, "…") {
		t.Errorf("description without a full stop: %q", got)
	}
}

func TestIconPNG(t *testing.T) {
	img, err := png.Decode(bytes.NewReader(iconPNG()))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 180 || b.Dy() != 180 {
		t.Errorf("icon is %v, want 180×180", b)
	}
	if !bytes.Equal(iconPNG(), iconPNG()) {
		t.Error("icon bytes differ between calls")
	}
}
