package content

import (
	"sort"
	"time"
)

// DecodeFastSlow decodes the front matter src into fast and slow (two
// zero values of the same record type) through Load's fast path and
// through yaml.v3's own parser. fastOK is false when the fast path
// declined src. Messages come back sorted.
func DecodeFastSlow(src []byte, fast, slow any) (fastMsgs, slowMsgs []string, fastOK bool) {
	fastOK = decodeFast(src, fast)
	slowMsgs, _ = decodeSlow(src, slow)
	sort.Strings(fastMsgs)
	sort.Strings(slowMsgs)
	return fastMsgs, slowMsgs, fastOK
}

// CacheHits returns how many records Load took from LoadOptions.Cache.
func CacheHits(r *Repo) int { return r.CacheHits() }

// SetRacyWindow sets how recently modified a file may be and still be
// cached, for the duration of a test.
func SetRacyWindow(t interface{ Cleanup(func()) }, d time.Duration) {
	old := racyWindow
	racyWindow = d
	t.Cleanup(func() { racyWindow = old })
}
