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
// 300 MiB message from a stranger. The figure is the kernel's (wait4
// ru_maxrss) for the child process. KJJR_BENCH_OLD_BIN names a kjjr
// binary built from another commit to measure beside this tree's (old
// and new alternate within one run):
//
//	go build -o /tmp/kjjr-old ./cmd/kjjr   # on the old commit
//	KJJR_BENCH_OLD_BIN=/tmp/kjjr-old go test -run '^$' -bench InboxPeakRSS -benchtime 1x -count 3 ./inbox
func BenchmarkInboxPeakRSS(b *testing.B) {
	d := dovecot(b)
	user := d.account(b)
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
	c := dovecotClient(b, d.Addr, user)
	size := appendStranger(b, c, "INBOX", 300<<20)
	files := fixtureFiles(b, "")
	// A site.yaml that binaries without quarantine_budget_mib read too.
	files["site.yaml"] = []byte(strings.Replace(string(files["site.yaml"]), "  quarantine_budget_mib: 1024\n", "", 1))
	for _, bin := range bins {
		b.Run("bin="+bin[0], func(b *testing.B) {
			var peaks []float64
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				// The message goes back to INBOX for each run.
				if n := mailboxCount(b, c, "INBOX"); n == 0 {
					if _, err := c.Select("待核查", nil).Wait(); err != nil {
						b.Fatal(err)
					}
					if _, err := c.Move(imap.SeqSetNum(1), "INBOX").Wait(); err != nil {
						b.Fatal(err)
					}
					c.Unselect().Wait()
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
				if n := mailboxCount(b, c, "待核查"); n != 1 {
					b.Fatalf("%s: 待核查 holds %d messages, want 1\n%s", bin[0], n, out)
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

// appendStranger appends a well-formed message of about n bytes from an
// unregistered address to mbox: one base64 attachment, written to the
// connection line by line, never held whole. It returns its size.
func appendStranger(t testing.TB, c *imapclient.Client, mbox string, n int64) int64 {
	head := strings.ReplaceAll(fmt.Sprintf(`From: =?UTF-8?B?6ZmM55Sf5Lq6?= <bulk@evil.example>
To: kjjr@example.gov.cn
Subject: =?UTF-8?B?6LWE5paZ?=
Date: %s
Message-ID: <huge-%d@evil.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b"

--b
Content-Type: application/pdf; name="big.pdf"
Content-Disposition: attachment; filename="big.pdf"
Content-Transfer-Encoding: base64

`, testNow.Format("Mon, 02 Jan 2006 15:04:05 -0700"), n), "\n", "\r\n")
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
