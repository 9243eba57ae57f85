package content

import (
	"reflect"
	"sort"
	"time"
)

// DecodeFastSlow decodes the front matter src into fast and slow (two
// zero values of the same record type) as Load does (the fast path when
// it takes src) and with the fast path turned off (yaml.v3 alone), and
// returns the diagnostics of each as strings (file x.md, line, field,
// message), sorted. fastOK is false when the fast path declines src.
func DecodeFastSlow(src []byte, fast, slow any) (fastMsgs, slowMsgs []string, fastOK bool) {
	probe := reflect.New(reflect.TypeOf(fast).Elem()).Interface()
	fastOK = decodeFast(src, probe)
	for _, d := range decodeYAMLPath("x.md", src, 1, fast, true) {
		fastMsgs = append(fastMsgs, d.String())
	}
	for _, d := range decodeYAMLPath("x.md", src, 1, slow, false) {
		slowMsgs = append(slowMsgs, d.String())
	}
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
