package gen

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"kjjr/content"
)

// orgAlphabet is the alphabet used for the organisation-code part of an
// invented USCC: GB 32100-2015 characters, so every code is representable.
const orgAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// orgCheck returns the GB 11714-1997 check character of an 8-character
// organisation code (the 9th character of the code).
func orgCheck(code8 string) byte {
	w := [8]int{3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 8; i++ {
		c := code8[i]
		v := int(c - '0')
		if c >= 'A' && c <= 'Z' {
			v = int(c-'A') + 10
		}
		sum += v * w[i]
	}
	c := 11 - sum%11
	switch c {
	case 10:
		return 'X'
	case 11:
		return '0'
	}
	return byte('0' + c)
}

// USCC builds a valid unified social credit code from the registration
// authority and kind (e.g. "91" for a company, "12" for a public
// institution), a 6-digit administrative division code (1407xx for 晋中)
// and an 8-character organisation code body. Both check characters are
// computed (GB 11714-1997 and GB 32100-2015).
func USCC(head, division, org8 string) string {
	first17 := head + division + org8 + string(orgCheck(org8))
	c, err := content.USCCCheckChar(first17)
	if err != nil {
		panic(fmt.Sprintf("gen: bad USCC parts %q: %v", first17, err)) // programmer error: constants only
	}
	return first17 + string(c)
}

// RandomOrg8 returns a random organisation-code body in the post-2015 style
// (MA + 6 characters) or digits only, from rng.
func RandomOrg8(rng *rand.Rand, modern bool) string {
	var b strings.Builder
	if modern {
		b.WriteString("MA0")
		for b.Len() < 8 {
			b.WriteByte(orgAlphabet[rng.IntN(len(orgAlphabet))])
		}
		return b.String()
	}
	for b.Len() < 8 {
		b.WriteByte(byte('0' + rng.IntN(10)))
	}
	return b.String()
}
