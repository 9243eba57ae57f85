package content

import (
	"encoding/binary"
	"errors"
	"math/bits"
	"slices"
)

// ServedTally is what a DistinctCounter has counted, kept so that reports can
// later be taken out and others added without the reports of everyone
// else (site keeps a year's tally between builds, so that a build after
// one changed report does not read thousands of institutions). Keys are
// a DistinctCounter's keys, sorted, each once; N[i] is how many of the
// reports counted listed Keys[i]. The keys are opaque hashes: never
// publish them (a hash of a USCC can be tested against a guess).
type ServedTally struct {
	Keys   []uint64
	N      []uint32
	Listed int // reports counted that were fully listed
}

// Tally returns what c has counted.
func (c *DistinctCounter) Tally() *ServedTally {
	slices.Sort(c.keys)
	t := &ServedTally{Listed: c.Listed}
	for i := 0; i < len(c.keys); {
		j := i
		for j < len(c.keys) && c.keys[j] == c.keys[i] {
			j++
		}
		t.Keys = append(t.Keys, c.keys[i])
		t.N = append(t.N, uint32(j-i))
		i = j
	}
	return t
}

// Apply counts the reports of add and stops counting those of remove
// (which must have been counted), in one pass over the tally.
func (t *ServedTally) Apply(add, remove []*Report) {
	var plus, minus DistinctCounter
	for _, rep := range add {
		plus.Add(rep)
	}
	for _, rep := range remove {
		minus.Add(rep)
	}
	t.Listed += plus.Listed - minus.Listed
	slices.Sort(plus.keys)
	slices.Sort(minus.keys)
	keys := make([]uint64, 0, len(t.Keys)+len(plus.keys))
	ns := make([]uint32, 0, cap(keys))
	i, p, m := 0, 0, 0
	for i < len(t.Keys) || p < len(plus.keys) {
		var k uint64
		switch {
		case i < len(t.Keys) && (p >= len(plus.keys) || t.Keys[i] <= plus.keys[p]):
			k = t.Keys[i]
		default:
			k = plus.keys[p]
		}
		n := int64(0)
		if i < len(t.Keys) && t.Keys[i] == k {
			n = int64(t.N[i])
			i++
		}
		for p < len(plus.keys) && plus.keys[p] == k {
			n++
			p++
		}
		for m < len(minus.keys) && minus.keys[m] < k {
			m++ // never counted: nothing to take out
		}
		for m < len(minus.keys) && minus.keys[m] == k {
			n--
			m++
		}
		if n > 0 {
			keys = append(keys, k)
			ns = append(ns, uint32(n))
		}
	}
	t.Keys, t.N = keys, ns
}

// Counts returns the distinct enterprises and of them the 晋创谷 ones, as
// DistinctCounter.Counts does for the same reports.
func (t *ServedTally) Counts() (all, jinchuanggu int) { return countSorted(t.Keys) }

// MarshalBinary encodes t: Listed, the number of keys, then each key as
// the uvarint of its difference from the one before and its count.
func (t *ServedTally) MarshalBinary() ([]byte, error) {
	b := make([]byte, 0, 16+len(t.Keys)*6)
	b = binary.AppendUvarint(b, uint64(t.Listed))
	b = binary.AppendUvarint(b, uint64(len(t.Keys)))
	prev := uint64(0)
	for i, k := range t.Keys {
		b = binary.AppendUvarint(b, k-prev)
		b = binary.AppendUvarint(b, uint64(t.N[i]))
		prev = k
	}
	return b, nil
}

// UnmarshalBinary decodes what MarshalBinary wrote; anything else is an
// error.
func (t *ServedTally) UnmarshalBinary(b []byte) error {
	bad := errors.New("content: damaged tally")
	next := func() (uint64, bool) {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			return 0, false
		}
		b = b[n:]
		return v, true
	}
	listed, ok1 := next()
	count, ok2 := next()
	if !ok1 || !ok2 || listed > 1<<40 || count > uint64(len(b)) {
		return bad
	}
	t.Listed = int(listed)
	t.Keys, t.N = make([]uint64, 0, count), make([]uint32, 0, count)
	prev := uint64(0)
	for i := uint64(0); i < count; i++ {
		d, ok1 := next()
		n, ok2 := next()
		if !ok1 || !ok2 || n == 0 || n > 1<<32-1 || (i > 0 && d == 0) {
			return bad
		}
		k, carry := bits.Add64(prev, d, 0)
		if carry != 0 {
			return bad
		}
		t.Keys, t.N, prev = append(t.Keys, k), append(t.N, uint32(n)), k
	}
	if len(b) != 0 {
		return bad
	}
	return nil
}
