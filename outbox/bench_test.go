package outbox

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

// BenchmarkQueueReceipt is what the inbox pays per message to hand over
// its receipt: compose, write and fsync one file, no network.
func BenchmarkQueueReceipt(b *testing.B) {
	o, err := Open(filepath.Join(b.TempDir(), "outbox"), testConfig("127.0.0.1:1", newClock()))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if err := o.QueueReceipt(sampleReceipt(fmt.Sprint("bench-", i))); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQueueDuplicate is the cost of queueing a Key already queued.
func BenchmarkQueueDuplicate(b *testing.B) {
	o, err := Open(filepath.Join(b.TempDir(), "outbox"), testConfig("127.0.0.1:1", newClock()))
	if err != nil {
		b.Fatal(err)
	}
	r := sampleReceipt("dup")
	o.QueueReceipt(r)
	for b.Loop() {
		if err := o.QueueReceipt(r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFlush100 delivers 100 queued receipts to a real SMTP server on
// loopback, with the two fsyncs per mail that make it crash-safe; reported
// per mail.
func BenchmarkFlush100(b *testing.B) {
	srv := startServer(b, serverOpts{})
	for b.Loop() {
		b.StopTimer()
		o, err := Open(filepath.Join(b.TempDir(), "outbox"), testConfig(srv.Addr, newClock()))
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < 100; i++ {
			o.QueueReceipt(sampleReceipt(fmt.Sprint("f-", i)))
		}
		b.StartTimer()
		if err := o.Flush(context.Background()); err != nil {
			b.Fatal(err)
		}
		for range 100 {
			<-srv.got
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*100)/1e6, "ms/mail")
}
