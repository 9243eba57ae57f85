package content

import (
	"fmt"
	"strings"
)

// The code characters of GB 32100-2015 (统一社会信用代码): digits and upper
// case letters without I, O, Z, S, V.
const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// USCCCheckChar returns the check character (the 18th) for the first 17
// characters of a unified social credit code, per GB 32100-2015.
func USCCCheckChar(first17 string) (byte, error) {
	if len(first17) != 17 {
		return 0, fmt.Errorf("need 17 characters, got %d", len(first17))
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(usccAlphabet, first17[i])
		if v < 0 {
			return 0, fmt.Errorf("invalid character %q at position %d", first17[i], i+1)
		}
		sum += v * usccWeights[i]
	}
	c := 31 - sum%31
	if c == 31 {
		c = 0
	}
	return usccAlphabet[c], nil
}

// CheckUSCC validates a unified social credit code (统一社会信用代码)
// against GB 32100-2015: 18 characters of the code alphabet, with the right
// check character. The error is Simplified Chinese and says what to fix.
func CheckUSCC(code string) error {
	if len(code) != 18 {
		return fmt.Errorf("统一社会信用代码应为18位，实际为%d位", len([]rune(code)))
	}
	for i := 0; i < 18; i++ {
		if strings.IndexByte(usccAlphabet, code[i]) < 0 {
			return fmt.Errorf("统一社会信用代码第%d位“%c”不是有效字符（只能是数字和除 I、O、Z、S、V 以外的大写字母）", i+1, rune(code[i]))
		}
	}
	want, _ := USCCCheckChar(code[:17])
	if code[17] != want {
		return fmt.Errorf("统一社会信用代码校验位错误，应为 %c（请核对代码是否抄错）", want)
	}
	return nil
}
