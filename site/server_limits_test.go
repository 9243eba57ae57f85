package site

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// servePreview starts srv as kjjr serve does (HTTPServer on a loopback
// listener) and returns its address.
func servePreview(t *testing.T, opts *ServerOptions) (*Server, string) {
	t.Helper()
	if opts.Content == "" {
		opts.Content = writeFixtureDir(t, "basic.txtar")
	}
	opts.Now, opts.Logger = testNow, testLogger(t)
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	srv, err := NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := srv.HTTPServer()
	go hs.Serve(ln)
	t.Cleanup(func() { srv.Close(); hs.Close() })
	return srv, ln.Addr().String()
}

// request sends one request with the given method and Host header and
// returns the status, the headers and the body.
func request(t *testing.T, method, addr, host, path string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+addr+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s (Host %s): %v", method, path, host, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// TestServeHostAllowlist: the preview answers only to loopback names,
// the host --addr names and, listening on every address, IP addresses:
// a DNS-rebinding page (Host: its own name) gets 403 and none of the
// site, not even the content-error box.
func TestServeHostAllowlist(t *testing.T) {
	_, addr := servePreview(t, &ServerOptions{})
	_, port, _ := net.SplitHostPort(addr)
	for _, tc := range []struct {
		host string
		code int
	}{
		{"127.0.0.1:" + port, 200}, {"localhost:" + port, 200}, {"LOCALHOST.:" + port, 200}, {"[::1]:" + port, 200},
		{"127.0.0.1", 200}, {"localhost", 200},
		{"evil.example:" + port, 403}, {"evil.example", 403}, {"localhost.evil.example:" + port, 403},
		{"192.168.1.10:" + port, 403}, {"kjjr.lan:" + port, 403},
	} {
		code, h, body := request(t, "GET", addr, tc.host, "/")
		if code != tc.code {
			t.Errorf("Host %s: %d; want %d", tc.host, code, tc.code)
		}
		if tc.code == 403 && (strings.Contains(body, "<html") || strings.Contains(body, "晋中阿尔法")) {
			t.Errorf("Host %s: the site is served: %s", tc.host, body)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Content-Security-Policy") != ContentSecurityPolicy {
			t.Errorf("Host %s: headers %v", tc.host, h)
		}
	}
	// The host --addr names, and any IP address when it names none.
	_, addr2 := servePreview(t, &ServerOptions{Addr: "kjjr.lan:1313"})
	if code, _, _ := request(t, "GET", addr2, "kjjr.lan:1313", "/"); code != 200 {
		t.Errorf("--addr kjjr.lan: Host kjjr.lan: %d", code)
	}
	if code, _, _ := request(t, "GET", addr2, "evil.example", "/"); code != 403 {
		t.Errorf("--addr kjjr.lan: Host evil.example: %d", code)
	}
	_, addr3 := servePreview(t, &ServerOptions{Addr: ":1313"})
	if code, _, _ := request(t, "GET", addr3, "192.168.1.10:1313", "/"); code != 200 {
		t.Errorf("--addr :1313: Host 192.168.1.10: %d", code)
	}
	if code, _, _ := request(t, "GET", addr3, "evil.example:1313", "/"); code != 403 {
		t.Errorf("--addr :1313: Host evil.example: %d", code)
	}
}

// TestServeMethodsAndHeaders: GET and HEAD only (the event stream GET
// only), and every response says nosniff and the CSP.
func TestServeMethodsAndHeaders(t *testing.T) {
	_, addr := servePreview(t, &ServerOptions{})
	for _, tc := range []struct {
		method, path string
		code         int
	}{
		{"GET", "/", 200}, {"HEAD", "/", 200}, {"GET", "/_kjjr/live.js", 200}, {"HEAD", "/_kjjr/live.js", 200},
		{"GET", "/no/such/page", 404},
		{"POST", "/", 405}, {"PUT", "/index.html", 405}, {"DELETE", "/", 405}, {"OPTIONS", "/", 405},
		{"POST", "/_kjjr/events", 405}, {"HEAD", "/_kjjr/events", 405}, {"PUT", "/_kjjr/events", 405},
	} {
		code, h, body := request(t, tc.method, addr, "", tc.path)
		if code != tc.code {
			t.Errorf("%s %s: %d; want %d", tc.method, tc.path, code, tc.code)
		}
		if code == 405 && h.Get("Allow") == "" {
			t.Errorf("%s %s: 405 without Allow", tc.method, tc.path)
		}
		if tc.method == "HEAD" && body != "" {
			t.Errorf("HEAD %s has a body", tc.path)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Content-Security-Policy") != ContentSecurityPolicy {
			t.Errorf("%s %s: headers %v", tc.method, tc.path, h)
		}
	}
}

// openStream opens a live-reload stream and reads its first event; it
// returns the connection and reader, or the status when refused.
func openStream(t *testing.T, addr string) (net.Conn, *bufio.Reader, int) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	io.WriteString(c, "GET /_kjjr/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		c.Close()
		return nil, nil, resp.StatusCode
	}
	if err := readEvent(br, "gen"); err != nil {
		t.Fatal(err)
	}
	return c, br, 200
}

// readEvent reads lines (the stream is chunked: the chunk sizes are
// lines too) until "event: name".
func readEvent(br *bufio.Reader, name string) error {
	for {
		l, err := br.ReadString('\n')
		if err != nil {
			return err
		}
		if strings.TrimSpace(l) == "event: "+name {
			return nil
		}
	}
}

// TestServeEventStreamLimit: live-reload streams are capped; a closed one
// frees its place.
func TestServeEventStreamLimit(t *testing.T) {
	old := maxEventStreams
	maxEventStreams = 3
	t.Cleanup(func() { maxEventStreams = old })
	_, addr := servePreview(t, &ServerOptions{})
	var conns []net.Conn
	for i := 0; i < 3; i++ {
		c, _, code := openStream(t, addr)
		if code != 200 {
			t.Fatalf("stream %d: %d", i+1, code)
		}
		conns = append(conns, c)
	}
	if _, _, code := openStream(t, addr); code != 503 {
		t.Errorf("stream 4 of 3: %d; want 503", code)
	}
	conns[0].Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, _, code := openStream(t, addr)
		if code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a closed stream's place is not freed: %d", code)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestServeTimeouts: an idle keep-alive connection and a request whose
// headers never end are closed; a live-reload stream outlives the read
// and write timeouts and still gets its reload.
func TestServeTimeouts(t *testing.T) {
	oldI, oldH, oldR, oldW := serveIdleTimeout, serveReadHeaderTimeout, serveReadTimeout, serveWriteTimeout
	serveIdleTimeout, serveReadHeaderTimeout, serveReadTimeout, serveWriteTimeout = 300*time.Millisecond, 300*time.Millisecond, 400*time.Millisecond, 500*time.Millisecond
	t.Cleanup(func() {
		serveIdleTimeout, serveReadHeaderTimeout, serveReadTimeout, serveWriteTimeout = oldI, oldH, oldR, oldW
	})
	srv, addr := servePreview(t, &ServerOptions{})

	closedWithin := func(c net.Conn, d time.Duration) bool {
		c.SetReadDeadline(time.Now().Add(d))
		_, err := io.Copy(io.Discard, c)
		var ne net.Error
		return err == nil || !(errors.As(err, &ne) && ne.Timeout())
	}
	// Idle after a keep-alive request.
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET /_kjjr/live.js HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	if resp.Close {
		t.Fatal("the server closed the keep-alive connection at once")
	}
	start := time.Now()
	if !closedWithin(c, 5*time.Second) {
		t.Errorf("an idle keep-alive connection is still open after 5 s")
	} else if time.Since(start) > 3*time.Second {
		t.Errorf("idle connection closed after %v", time.Since(start))
	}
	// Headers that never end.
	c2, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	io.WriteString(c2, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1\r\n")
	if !closedWithin(c2, 5*time.Second) {
		t.Errorf("a request whose headers never end is still open after 5 s")
	}
	// A live-reload stream outlives the timeouts.
	sc, sbr, code := openStream(t, addr)
	if code != 200 {
		t.Fatalf("stream: %d", code)
	}
	time.Sleep(1200 * time.Millisecond)
	srv.Update(nil)
	sc.SetReadDeadline(time.Now().Add(10 * time.Second))
	if err := readEvent(sbr, "reload"); err != nil {
		t.Errorf("the live-reload stream did not survive the timeouts: %v", err)
	}
}

// TestREADMEWebServerHeaders: the README's nginx example sends the same
// Content-Security-Policy and nosniff as kjjr serve.
func TestREADMEWebServerHeaders(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{
		`add_header Content-Security-Policy "` + ContentSecurityPolicy + `" always;`,
		`add_header X-Content-Type-Options nosniff always;`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("README.md has no %s", want)
		}
	}
}
