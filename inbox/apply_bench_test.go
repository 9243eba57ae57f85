package inbox

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"kjjr/application"
	"kjjr/internal/cputime"
)

// BenchmarkApplications takes in 200 applications to an open round, each
// a filled form and 5 attachments of about 100 KB (营业执照, 信用报告, two
// cooperation agreements, an office photo), from 200 strangers, into a
// fresh repo: parse, pre-check, draft record, one commit on its own
// apply/ branch, receipt queued. One op is all 200 (IMAP is left out: it
// is the same for every mail). cpu-s/op is the process's CPU time for
// the 200.
//
//	go test ./inbox -run '^$' -bench BenchmarkApplications -benchtime 1x -count 5
func BenchmarkApplications(b *testing.B) {
	const n = 200
	mails := make([][]byte, n)
	for i := range mails {
		a := application.Example(fmt.Sprintf("晋中申报%03d科技金融服务有限公司", i), uscc(b, fmt.Sprintf("91140702%09d", i)))
		from := fmt.Sprintf("apply%03d@example.cn", i)
		var atts []attachment
		atts = append(atts, attachment{Name: "遴选申报表.xlsx", Type: xlsxType, Data: formBytes(b, a)})
		for _, name := range []string{"营业执照.pdf", "信用报告.pdf", "合作协议（银行）.pdf", "合作协议（律师事务所）.pdf", "办公场所照片.jpg"} {
			atts = append(atts, attachment{Name: name, Type: "application/pdf", Data: fakePDF(100_000, name+from)})
		}
		mails[i] = compose(from, "申报"+a.Institution.Name, from, testNow.Add(-time.Hour), "申报材料见附件。", atts)
	}
	files := roundFiles(b)
	var cpu time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		dir := newFixtureRepo(b, false, files)
		q := newMemQueue()
		opts := testOptions(q)
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
		e, err := newEngine(dir, opts)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		c0 := cputime.Process()
		for _, raw := range mails {
			h, err := e.handle(context.Background(), raw, testNow)
			if err != nil || h.dest != destProcessed {
				b.Fatalf("handled %+v %v", h, err)
			}
		}
		cpu += cputime.Process() - c0
		b.StopTimer()
		if len(q.order) != n {
			b.Fatalf("%d receipts", len(q.order))
		}
		e.close()
		b.StartTimer()
	}
	// CPU seconds per 200 (user and system, the whole process): on a
	// shared machine the wall time says more about the neighbours.
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
}
