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
	introVersion = regexp.MustCompile(`机构说明第(\d+)版`)
	styleSheet   = regexp.MustCompile(`<link rel="stylesheet" href="(assets/[^"]+)">`)
)

// TestNginxDuringPublishes: nginx serves WEBROOT/current with the
// README's config; while 20 publishes run, every response is 200, each
// page is whole and is what the release named by its release id rendered
// (its id and its content agree), every request set is the set of pages
// of one release tree (the ids the set carries are those the pages of one
// release carry: pages a release did not render carry the release that
// last did), page ids never go backwards, and the headers are those of
// the config. Odd versions change every page (the site title), even ones
// only one institution's page, so that most releases keep most pages.
func TestNginxDuringPublishes(t *testing.T) {
	repo := contentRepo(t)
	web := t.TempDir()
	siteYAML := filepath.Join(repo, "site.yaml")
	instMD := filepath.Join(repo, "institutions", "jiexiu-xinke", "index.md")
	orig, err := os.ReadFile(siteYAML)
	if err != nil {
		t.Fatal(err)
	}
	origInst, err := os.ReadFile(instMD)
	if err != nil {
		t.Fatal(err)
	}
	const title = "title: 晋中市科技金融服务机构公共服务平台"
	type ver struct{ title, intro string }
	version := map[string]ver{} // commit prefix -> versions of the title and of the institution's text
	cur := ver{"0", "0"}
	commitVersion := func(n int) {
		if n%2 == 1 || n == 0 {
			cur.title = fmt.Sprint(n)
			writeFile(t, siteYAML, strings.Replace(string(orig), title, fmt.Sprintf("%s第%d版", title, n), 1))
		}
		if n%2 == 0 {
			cur.intro = fmt.Sprint(n)
			writeFile(t, instMD, string(origInst)+fmt.Sprintf("\n\n机构说明第%d版。\n", n))
		}
		git(t, repo, "commit", "-q", "-am", fmt.Sprint("version ", n))
		version[git(t, repo, "rev-parse", "HEAD")[:12]] = cur
	}
	now := day(t, "2026-06-15")
	opts := &Options{Now: now, Keep: 30} // every release stays, to compare the sets with
	commitVersion(0)
	if _, err := Publish(repo, web, opts); err != nil {
		t.Fatal(err)
	}
	base := startNginx(t, web)

	// Headers.
	css := site.AssetPath("assets/site.css")
	for _, c := range []struct{ path, cache string }{
		{"", "no-cache"}, {"institutions/jiexiu-xinke/", "no-cache"}, {"data/roster.json", "no-cache"},
		{css, "public, max-age=31536000, immutable"}, {site.AssetPath("assets/site.js"), "public, max-age=31536000, immutable"},
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
	set := []string{"", "institutions/", "institutions/jiexiu-xinke/", "notices/", ""} // the last: the style sheet the first page names
	pages := []string{"", "institutions/", "institutions/jiexiu-xinke/", "notices/"}
	stop := make(chan struct{})
	done := make(chan error, 1)
	var seen [][]string // the release ids of each set's pages, in the order of pages
	var requests int
	go func() {
		client := &http.Client{Timeout: 10 * time.Second}
		last := map[string]string{} // page -> last release id seen
		for {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			var ids []string
			var sheet string
			for _, p := range set {
				if p == "" && ids != nil {
					p = sheet
				}
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
				if ids == nil {
					m := styleSheet.FindSubmatch(body)
					if m == nil {
						done <- fmt.Errorf("GET /%s: no style sheet", p)
						return
					}
					sheet = string(m[1])
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
				if string(v[1]) != want.title {
					done <- fmt.Errorf("GET /%s: release %s (title version %s) serves a page of version %s", p, id, want.title, v[1])
					return
				}
				if p == "institutions/jiexiu-xinke/" {
					if iv := introVersion.FindSubmatch(body); iv == nil || string(iv[1]) != want.intro {
						done <- fmt.Errorf("GET /%s: release %s (text version %s) serves text %q", p, id, want.intro, iv)
						return
					}
				}
				if id < last[p] {
					done <- fmt.Errorf("GET /%s: release %s after %s: went backwards", p, id, last[p])
					return
				}
				last[p] = id
				ids = append(ids, id)
			}
			seen = append(seen, ids)
		}
	}()
	for _, c := range commits {
		git(t, repo, "update-ref", "refs/heads/main", c)
		if _, err := Publish(repo, web, opts); err != nil {
			close(stop)
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	close(stop)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// Each set is the pages of one release tree, or, when current
	// switched while it was fetched, its first pages those of one release
	// and the rest those of later ones: the ids it carries are those the
	// pages of release trees carry, in publishing order.
	ids, err := Releases(web)
	if err != nil {
		t.Fatal(err)
	}
	trees := make([][]string, len(ids)) // release -> the ids its pages carry, in the order of pages
	distinct := map[string]bool{}
	for i, id := range ids {
		for _, p := range pages {
			trees[i] = append(trees[i], pageRelease(t, filepath.Join(web, "releases", id, p, "index.html")))
		}
		distinct[strings.Join(trees[i], " ")] = true
	}
	if len(distinct) != len(commits)+1 {
		t.Errorf("%d releases have %d distinct sets of page ids: a set would not tell them apart", len(ids), len(distinct))
	}
	var whole int // sets of one release
	for _, s := range seen {
		r, first := 0, -1
		for j, id := range s {
			for r < len(trees) && trees[r][j] != id {
				r++
			}
			if r == len(trees) {
				t.Fatalf("a request set carried release ids %v: page %d is not what any release at or after %s has", s, j, ids[max(first, 0)])
			}
			if first < 0 {
				first = r
			}
		}
		if r == first {
			whole++
		}
	}
	t.Logf("%d requests in %d sets during 20 publishes; %d sets of one release, %d saw a switch between two of their requests", requests, len(seen), whole, len(seen)-whole)
	if len(seen) < 20 {
		t.Errorf("only %d request sets during 20 publishes", len(seen))
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
