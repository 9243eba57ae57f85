package content_test

import (
	"math/rand/v2"
	"reflect"
	"testing"

	"kjjr/content"
)

// randomReport lists a few of a small pool of enterprises, so that
// reports share some.
func randomReport(r *rand.Rand) *content.Report {
	s := &content.Served{Listed: r.IntN(4) != 0}
	seen := map[content.ServedKey]bool{}
	for range r.IntN(6) {
		k := content.ServedKey(r.Uint64N(20)) | content.ServedKey(r.Uint64N(2))<<63
		if !seen[k.Enterprise()] {
			seen[k.Enterprise()] = true
			s.Keys = append(s.Keys, k)
		}
	}
	return &content.Report{Served: s}
}

func count(reps []*content.Report) (*content.ServedTally, int, int) {
	var c content.DistinctCounter
	for _, rep := range reps {
		c.Add(rep)
	}
	all, jcg := c.Counts()
	return c.Tally(), all, jcg
}

// Taking reports out of a tally and adding others gives what counting
// the resulting reports from scratch gives, through an encoding round trip.
func TestServedTallyApply(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 300 {
		var reps []*content.Report
		for range r.IntN(30) {
			reps = append(reps, randomReport(r))
		}
		tally, _, _ := count(reps)
		data, _ := tally.MarshalBinary()
		var got content.ServedTally
		if err := got.UnmarshalBinary(data); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		// Take out some of the reports, add new ones.
		var remove, keep, add []*content.Report
		for _, rep := range reps {
			if r.IntN(3) == 0 {
				remove = append(remove, rep)
			} else {
				keep = append(keep, rep)
			}
		}
		for range r.IntN(5) {
			add = append(add, randomReport(r))
		}
		got.Apply(add, remove)
		want, wantAll, wantJCG := count(append(keep, add...))
		all, jcg := got.Counts()
		if all != wantAll || jcg != wantJCG || got.Listed != want.Listed {
			t.Fatalf("round %d: counts %d/%d listed %d, want %d/%d listed %d", round, all, jcg, got.Listed, wantAll, wantJCG, want.Listed)
		}
		if len(want.Keys) == 0 {
			want.Keys, want.N = []uint64{}, []uint32{}
		}
		if len(got.Keys) == 0 {
			got.Keys, got.N = []uint64{}, []uint32{}
		}
		if !reflect.DeepEqual(&got, want) {
			t.Fatalf("round %d: tally %+v, want %+v", round, got, *want)
		}
	}
}

func FuzzServedTallyUnmarshal(f *testing.F) {
	tally, _, _ := count([]*content.Report{randomReport(rand.New(rand.NewPCG(3, 4))), randomReport(rand.New(rand.NewPCG(5, 6)))})
	data, _ := tally.MarshalBinary()
	f.Add(data)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var x content.ServedTally
		if x.UnmarshalBinary(b) != nil {
			return
		}
		again, _ := x.MarshalBinary()
		var y content.ServedTally
		if err := y.UnmarshalBinary(again); err != nil || !reflect.DeepEqual(x, y) {
			t.Fatalf("round trip: %v", err)
		}
	})
}
