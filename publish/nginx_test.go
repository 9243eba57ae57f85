//go:build unix

package publish

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"kjjr/site"
)

// startNginx runs nginx on loopback with NginxSite serving web, and
// returns its base URL.
func startNginx(t *testing.T, web string) string {
	t.Helper()
	bin := need(t, "nginx")
	if !strings.Contains(NginxSite, site.ContentSecurityPolicy) {
		t.Fatal("NginxSite does not send site.ContentSecurityPolicy")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	conf := NginxSite
	for old, new := range map[string]string{
		"    listen 80;\n":       "    listen " + addr + ";\n",
		"    listen [::]:80;\n":  "",
		"/srv/kjjr/www/current;": filepath.Join(web, "current") + ";",
	} {
		if !strings.Contains(conf, old) {
			t.Fatalf("NginxSite has no %q", old)
		}
		conf = strings.Replace(conf, old, new, 1)
	}
	dir := t.TempDir()
	user := ""
	if os.Geteuid() == 0 {
		user = "user root root;\n" // the test's temporary directories are private
	}
	mime := "/etc/nginx/mime.types"
	if _, err := os.Stat(mime); err != nil {
		t.Fatalf("nginx without %s: %v", mime, err)
	}
	main := fmt.Sprintf(`%sworker_processes 1;
daemon off;
pid %[2]s/nginx.pid;
error_log %[2]s/error.log;
events { worker_connections 256; }
http {
    include %[3]s;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path %[2]s/body;
    proxy_temp_path %[2]s/proxy;
    fastcgi_temp_path %[2]s/fastcgi;
    uwsgi_temp_path %[2]s/uwsgi;
    scgi_temp_path %[2]s/scgi;
%[4]s}
`, user, dir, mime, conf)
	cf := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(cf, []byte(main), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-p", dir, "-c", cf, "-e", filepath.Join(dir, "error.log"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	})
	base := "http://" + addr + "/"
	for i := 0; ; i++ {
		if resp, err := http.Get(base); err == nil {
			resp.Body.Close()
			break
		}
		if i > 200 {
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx did not start:\n%s", log)
		}
		time.Sleep(25 * time.Millisecond)
	}
	return base
}

var (
	titleVersion = regexp.MustCompile(`<title>[^<]*第(\d+)版</title>`)
)

// TestNginxDuringPublishes: nginx serves WEBROOT/current with the
// README's config; while 20 publishes run, every response is 200 and
// each page is whole and of one release (its release id and its content
// agree), releases never go backwards, and the headers are those of the
// config.
func TestNginxDuringPublishes(t *testing.T) {
	repo := contentRepo(t)
	web := t.TempDir()
	siteYAML := filepath.Join(repo, "site.yaml")
	orig, err := os.ReadFile(siteYAML)
	if err != nil {
		t.Fatal(err)
	}
	const title = "title: 晋中市科技金融服务机构公共服务平台"
	version := map[string]string{} // commit prefix -> version number
	commitVersion := func(n int) {
		writeFile(t, siteYAML, strings.Replace(string(orig), title, fmt.Sprintf("%s第%d版", title, n), 1))
		git(t, repo, "commit", "-q", "-am", fmt.Sprint("version ", n))
		version[git(t, repo, "rev-parse", "HEAD")[:12]] = fmt.Sprint(n)
	}
	now := day(t, "2026-06-15")
	commitVersion(0)
	if _, err := Publish(repo, web, &Options{Now: now}); err != nil {
		t.Fatal(err)
	}
	base := startNginx(t, web)

	// Headers.
	for _, c := range []struct{ path, cache string }{
		{"", "no-cache"}, {"institutions/jiexiu-xinke/", "no-cache"}, {"assets/site.css", "public, max-age=3600"},
	} {
		resp, err := http.Get(base + c.path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		h := resp.Header
		if resp.StatusCode != 200 || h.Get("X-Content-Type-Options") != "nosniff" ||
			h.Get("Content-Security-Policy") != site.ContentSecurityPolicy || h.Get("Cache-Control") != c.cache {
			t.Errorf("GET /%s: %d, headers %v", c.path, resp.StatusCode, h)
		}
	}
	if resp, err := http.Get(base + "no-such-page"); err != nil || resp.StatusCode != 404 {
		t.Errorf("a missing page: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}

	// Commit every version first: the git work is not what is measured.
	var mu sync.Mutex
	var commits []string
	for n := 1; n <= 20; n++ {
		commitVersion(n)
		commits = append(commits, git(t, repo, "rev-parse", "HEAD"))
	}
	set := []string{"", "institutions/", "institutions/jiexiu-xinke/", "notices/", "assets/site.css"}
	stop := make(chan struct{})
	done := make(chan error, 1)
	var sets, straddled, requests int
	go func() {
		client := &http.Client{Timeout: 10 * time.Second}
		last := ""
		for {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			ids := map[string]bool{}
			for _, p := range set {
				resp, err := client.Get(base + p)
				if err != nil {
					done <- err
					return
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				requests++
				if err != nil || resp.StatusCode != 200 {
					done <- fmt.Errorf("GET /%s: %d %v", p, resp.StatusCode, err)
					return
				}
				if strings.HasSuffix(p, ".css") {
					continue
				}
				m := releaseMeta.FindSubmatch(body)
				v := titleVersion.FindSubmatch(body)
				if m == nil || v == nil {
					done <- fmt.Errorf("GET /%s: no release id or version in the page", p)
					return
				}
				id := string(m[1])
				mu.Lock()
				want := version[id[len(id)-12:]]
				mu.Unlock()
				if string(v[1]) != want {
					done <- fmt.Errorf("GET /%s: release %s (version %s) serves a page of version %s", p, id, want, v[1])
					return
				}
				if id < last {
					done <- fmt.Errorf("GET /%s: release %s after %s: went backwards", p, id, last)
					return
				}
				last = id
				ids[id] = true
			}
			sets++
			if len(ids) > 1 {
				straddled++ // a switch happened between two requests of the set
			}
		}
	}()
	for _, c := range commits {
		git(t, repo, "update-ref", "refs/heads/main", c)
		if _, err := Publish(repo, web, &Options{Now: now}); err != nil {
			close(stop)
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	close(stop)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	t.Logf("%d requests in %d sets during 20 publishes; %d sets saw a switch between two of their requests", requests, sets, straddled)
	if sets < 20 {
		t.Errorf("only %d request sets during 20 publishes", sets)
	}
	r, _ := Current(web)
	resp, err := http.Get(base)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if m := releaseMeta.FindSubmatch(body); m == nil || string(m[1]) != r.ID {
		t.Errorf("after the publishes nginx serves %q, want release %s", m, r.ID)
	}
}
