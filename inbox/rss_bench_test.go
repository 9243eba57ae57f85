package inbox

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// BenchmarkInboxPeakRSS measures the peak resident memory of the real
// binary, `kjjr inbox --once`, over a real Dovecot mailbox holding one
// large message: 300 MiB from a stranger (never downloaded), or 40 MiB from
// a registered sender within max_message_mib (downloaded and analysed).
// The figure is the kernel's (wait4 ru_maxrss) for the child process.
// KJJR_BENCH_OLD_BIN names a kjjr binary built from another commit to
// measure beside this tree's, in the same run:
//
//	go build -o /tmp/kjjr-old ./cmd/kjjr   # on the old commit
//	KJJR_BENCH_OLD_BIN=/tmp/kjjr-old go test -run '^$' -bench InboxPeakRSS -benchtime 1x -count 3 ./inbox
func BenchmarkInboxPeakRSS(b *testing.B) {
	d := dovecot(b)
	bins := [][2]string{}
	if p := os.Getenv("KJJR_BENCH_OLD_BIN"); p != "" {
		bins = append(bins, [2]string{"old", p})
	}
	newBin := filepath.Join(b.TempDir(), "kjjr")
	build := exec.Command("go", "build", "-o", newBin, "./cmd/kjjr")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	bins = append(bins, [2]string{"new", newBin})
	files := fixtureFiles(b, "")
	site := string(files["site.yaml"])
	// A site.yaml that binaries without quarantine_budget_mib read too,
	// with the default limits.
	site = strings.Replace(site, "  quarantine_budget_mib: 1024\n", "", 1)
	site = strings.Replace(site, "max_attachment_mib: 1", "max_attachment_mib: 50", 1)
	site = strings.Replace(site, "max_message_mib: 3", "max_message_mib: 50", 1)
	files["site.yaml"] = []byte(site)
	cases := []struct {
		name, from, subject string
		size                int64
	}{
		{"stranger-300MiB", "=?UTF-8?B?6ZmM55Sf5Lq6?= <bulk@evil.example>", "=?UTF-8?B?6LWE5paZ?=", 300 << 20},
		{"registered-40MiB", instSender, encodeWord("2026年上半年工作进展"), 40 << 20},
	}
	for _, cs := range cases {
		user := d.account(b)
		c := dovecotClient(b, d.Addr, user)
		for _, mb := range []string{"待核查", "已处理"} {
			if err := c.Create(mb, nil).Wait(); err != nil {
				b.Fatal(err)
			}
		}
		size := appendLarge(b, c, "INBOX", cs.from, cs.subject, cs.size)
		for _, bin := range bins {
			b.Run(cs.name+"/bin="+bin[0], func(b *testing.B) {
				var peaks []float64
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					// The message goes back to INBOX for each run.
					for _, mb := range []string{"待核查", "已处理"} {
						if n := mailboxCount(b, c, mb); n > 0 {
							if _, err := c.Select(mb, nil).Wait(); err != nil {
								b.Fatal(err)
							}
							if _, err := c.Move(imap.SeqSetNum(1), "INBOX").Wait(); err != nil {
								b.Fatal(err)
							}
							c.Unselect().Wait()
						}
					}
					dir := newFixtureRepo(b, true, files)
					cmd := exec.Command(bin[1], "inbox", "--once", "--repo", dir, "--imap-addr", d.Addr, "--imap-user", user, "--imap-tls", "none")
					cmd.Env = append(os.Environ(), "KJJR_IMAP_PASSWORD=pw", "KJJR_SMTP_ADDR=")
					b.StartTimer()
					out, err := cmd.CombinedOutput()
					b.StopTimer()
					if err != nil {
						b.Fatalf("%s: %v\n%s", bin[0], err, out)
					}
					if n := mailboxCount(b, c, "INBOX"); n != 0 {
						b.Fatalf("%s: INBOX still holds %d messages\n%s", bin[0], n, out)
					}
					ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
					peaks = append(peaks, float64(ru.Maxrss)/1024) // KiB on Linux
					gd, _ := gitDirOf(dir)
					b.ReportMetric(float64(dirSize(b, filepath.Join(gd, "kjjr", "quarantine")))/1024, "quarantine-KiB")
				}
				sort.Float64s(peaks)
				b.ReportMetric(peaks[len(peaks)/2], "peak-RSS-MiB")
				b.ReportMetric(float64(size)/(1<<20), "message-MiB")
			})
		}
	}
}

// appendLarge appends a well-formed message of about n bytes from from
// (a header value) to mbox: one base64 PDF attachment, written to the
// connection line by line, never held whole. It returns its size.
func appendLarge(t testing.TB, c *imapclient.Client, mbox, from, subject string, n int64) int64 {
	head := strings.ReplaceAll(fmt.Sprintf(`From: %s
To: kjjr@example.gov.cn
Subject: %s
Date: %s
Message-ID: <large-%d@bench.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b"

--b
Content-Type: application/pdf; name="2026H1report.pdf"
Content-Disposition: attachment; filename="2026H1report.pdf"
Content-Transfer-Encoding: base64

`, from, subject, testNow.Format("Mon, 02 Jan 2006 15:04:05 -0700"), n), "\n", "\r\n")
	tail := "--b--\r\n"
	line := []byte("JVBERi0xLjcKJeLjz9MKMSAwIG9iago8PC9UeXBlL0NhdGFsb2cvUGFnZXMgMiAwIFI+PgplbmRv" + "\r\n")
	lines := (n - int64(len(head)+len(tail))) / int64(len(line))
	size := int64(len(head)) + lines*int64(len(line)) + int64(len(tail))
	ac := c.Append(mbox, size, &imap.AppendOptions{Time: testNow})
	chunk := []byte(strings.Repeat(string(line), 1<<12))
	per := int64(1 << 12)
	if _, err := ac.Write([]byte(head)); err != nil {
		t.Fatal(err)
	}
	for left := lines; left > 0; {
		k := min(left, per)
		if _, err := ac.Write(chunk[:k*int64(len(line))]); err != nil {
			t.Fatal(err)
		}
		left -= k
	}
	if _, err := ac.Write([]byte(tail)); err != nil {
		t.Fatal(err)
	}
	if err := ac.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := ac.Wait(); err != nil {
		t.Fatal(err)
	}
	return size
}
