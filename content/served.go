package content

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/bits"
	"slices"
	"strings"
)

// Counting enterprises (第六条第2项 年度服务企业数量): a monthly sheet's
// 服务企业数量 counts visits (家次), an enterprise served every month
// counting twelve times a year. The optional 服务企业名单 of the sheet, and
// its 融资明细 rows (a financed enterprise was served), name the
// enterprises by USCC, so that a year's distinct enterprises (家) can be
// counted. Both lists are private: LoadOptions.Public replaces them by a
// Served, which holds a key per enterprise (a hash of its USCC) and no
// name or code, so that the public site can still count distinct
// enterprises over a year.

// ServedKey stands for one enterprise served, without naming it: the low
// 63 bits are a hash of its USCC, the top bit is set when the report marks
// it as a 晋创谷 enterprise.
type ServedKey uint64

const servedJCG ServedKey = 1 << 63

// Enterprise returns k without its 晋创谷 mark: the same for every report
// that names the same enterprise.
func (k ServedKey) Enterprise() ServedKey { return k &^ servedJCG }

// Jinchuanggu reports whether the report marks the enterprise as a 晋创谷
// enterprise.
func (k ServedKey) Jinchuanggu() bool { return k&servedJCG != 0 }

// servedKey returns the key of an enterprise by its USCC.
func servedKey(uscc string, jcg bool) ServedKey {
	sum := sha256.Sum256([]byte("kjjr served enterprise\x00" + strings.ToUpper(strings.TrimSpace(uscc))))
	k := ServedKey(binary.BigEndian.Uint64(sum[:8])) &^ servedJCG
	if jcg {
		k |= servedJCG
	}
	return k
}

// Served is what the public site may know of a report's enterprises.
type Served struct {
	// Listed: the report gave a 服务企业名单, or served no enterprise (so
	// there is nothing to list). Its distinct count is then complete.
	Listed bool
	// Keys are the enterprises of the list and of 融资明细, each once.
	Keys []ServedKey
}

// ServedSet returns the enterprises rep names as served (its
// 服务企业名单 and 融资明细 rows, each enterprise once, marked 晋创谷 when
// either list says so) and whether the month is fully listed. On a report
// loaded with LoadOptions.Public it returns what Load kept in rep.Served.
func (rep *Report) ServedSet() Served {
	if rep.Enterprises == nil && rep.Financing == nil && rep.Served != nil {
		return *rep.Served
	}
	s := Served{Listed: len(rep.Enterprises) > 0 || rep.Indicators == nil || rep.Indicators.EnterprisesServed == 0}
	seen := map[ServedKey]int{}
	add := func(uscc string, jcg bool) {
		if strings.TrimSpace(uscc) == "" {
			return
		}
		k := servedKey(uscc, jcg)
		if i, ok := seen[k.Enterprise()]; ok {
			s.Keys[i] |= k & servedJCG
			return
		}
		seen[k.Enterprise()] = len(s.Keys)
		s.Keys = append(s.Keys, k)
	}
	for _, e := range rep.Enterprises {
		add(e.USCC, e.Jinchuanggu)
	}
	for _, f := range rep.Financing {
		add(f.USCC, f.Jinchuanggu)
	}
	return s
}

// Coverage says, in Chinese, how many of the year's monthly reports the
// distinct count Enterprises covers, e.g. 12个月中8个月有名单; "" when
// every month has a list.
func (f *Figures) Coverage() string {
	if f == nil || f.ListedMonths >= f.Reports {
		return ""
	}
	return fmt.Sprintf("%d个月中%d个月有名单", f.Reports, f.ListedMonths)
}

// DistinctCounter counts distinct enterprises over reports (ServedSet):
// all of them, and those marked 晋创谷 in any of the reports. It collects
// the keys and sorts them once when counting, which at thousands of
// institutions costs a fraction of a map insert per key.
type DistinctCounter struct {
	// keys, rotated left by one bit: the 晋创谷 mark is the lowest bit,
	// so that sorting puts the keys of one enterprise together.
	keys   []uint64
	Listed int // reports added that were fully listed
}

// Add counts the enterprises of rep.
func (c *DistinctCounter) Add(rep *Report) {
	s := rep.ServedSet()
	if s.Listed {
		c.Listed++
	}
	for _, k := range s.Keys {
		c.keys = append(c.keys, bits.RotateLeft64(uint64(k), 1))
	}
}

// Counts returns the distinct enterprises and of them the 晋创谷 ones.
func (c *DistinctCounter) Counts() (all, jinchuanggu int) {
	slices.Sort(c.keys)
	return countSorted(c.keys)
}

// countSorted counts the distinct enterprises of sorted keys (repeats
// allowed), and of them those with the 晋创谷 mark in any key.
func countSorted(keys []uint64) (all, jinchuanggu int) {
	for i := 0; i < len(keys); {
		e, jcg := keys[i]>>1, false
		for ; i < len(keys) && keys[i]>>1 == e; i++ {
			jcg = jcg || keys[i]&1 != 0
		}
		all++
		if jcg {
			jinchuanggu++
		}
	}
	return all, jinchuanggu
}
