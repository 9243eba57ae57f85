package govcheck

import (
	"fmt"
	"testing"
)

func TestFindPII(t *testing.T) {
	for _, tc := range []struct {
		text string
		want string
	}{
		{"联系人手机：13812345678。", "[{手机号码 138****5678}]"},
		{"电话 +86 13912345678", "[{手机号码 139****5678}]"},
		{"+8613912345678", "[{手机号码 139****5678}]"},
		{"办公电话 0354-3012345，传真 03543012346", "[]"},
		{"身份证 11010519491231002X 号", "[{身份证号 110***********002X}]"},
		{"身份证 110105194912310021", "[]"},                           // wrong check digit
		{"110105194913310025", "[]"},                               // month 13
		{"统一社会信用代码 91140702MA0JQ7N36C", "[]"},                      // USCC, letters inside
		{"卡号 6222021234567890128", "[{银行卡号 6222***********0128}]"}, // Luhn-valid 19 digits
		{"卡号 6222021234567890123", "[]"},                           // Luhn-invalid
		{"哈希 a3f1c3e8d27b44c6f6ad21f0b6e9a91d2fa6f7f0", "[]"},
		{"12345678901", "[]"}, // 11 digits, not 1[3-9]
		{"金额 2025年12月共 1381234567800 元", "[]"},
	} {
		if got := fmt.Sprint(FindPII(tc.text)); got != tc.want {
			t.Errorf("FindPII(%q) = %s, want %s", tc.text, got, tc.want)
		}
	}
}

func FuzzFindPII(f *testing.F) {
	f.Add("13812345678 11010519491231002X 6222021234567890128")
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range FindPII(s) {
			if p.Kind == "" || p.Value == "" {
				t.Fatalf("empty finding in %q", s)
			}
		}
	})
}
