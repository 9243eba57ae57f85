package sheet

import (
	"fmt"
	"kjjr/internal/cputime"
	"testing"
)

// BenchmarkParse parses 1,000 typical sheets (different figures, 0 to 12
// financing rows each) per iteration and reports sheets per second.
//
//	go test ./sheet -run '^$' -bench BenchmarkParse -benchtime 3x
func BenchmarkParse(b *testing.B) {
	sheets := make([][]byte, 1000)
	for i := range sheets {
		x := newFilled(b).fillAll(b)
		x.set(b, keyServed, 10+i%50)
		x.set(b, keyJCGServed, i%10)
		n := i % 13
		var total, jcg float64
		for r := 0; r < n; r++ {
			amt := float64(50+(i*7+r*13)%900) + float64(r%4)*0.25
			is := "否"
			if r%3 == 0 {
				is, jcg = "是", jcg+amt
			}
			total += amt
			x.addRow(b, row(r+1, fmt.Sprintf("晋中第%d科技有限公司", r), uscc(b, fmt.Sprintf("91140700MA0K%05d", r)), is, amt, fmt.Sprintf("2025-04-%02d", 1+r)))
		}
		x.set(b, keyFinancing, total)
		x.set(b, keyJCGFinancing, jcg)
		sheets[i] = x.bytes(b)
		x.f.Close()
	}
	opts := testOpts()
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cputime.Process()
	for b.Loop() {
		for i, s := range sheets {
			if _, err := Parse(s, opts); err != nil {
				b.Fatalf("sheet %d: %v", i, err)
			}
		}
	}
	n := float64(b.N * len(sheets))
	b.ReportMetric(n/b.Elapsed().Seconds(), "sheets/s")
	// CPU time per sheet (all threads, GC included): steadier than wall
	// time on a shared machine.
	if cpu := cputime.Process() - cpu0; cpu > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/1000/n, "cpu-ms/sheet")
	}
	b.ReportMetric(0, "ns/op")
}
