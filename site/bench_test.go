package site

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"kjjr/content"
	"kjjr/content/corpus"
)

// Benchmarks on synthetic corpora (package corpus). They do not run in
// go test without -bench. For example:
//
//	go test -run XXX -bench 'Build|ServeEdit' -benchtime 3x ./site
//
// KJJR_BENCH_INSTITUTIONS sets the corpus size (default 500).

var benchNow = content.Date{Year: 2026, Month: 11, Day: 27}

func benchSize() int {
	if n, err := strconv.Atoi(os.Getenv("KJJR_BENCH_INSTITUTIONS")); err == nil && n > 0 {
		return n
	}
	return 500
}

func benchCorpus(b *testing.B) string {
	b.Helper()
	dir := filepath.Join(b.TempDir(), "repo")
	if err := corpus.Write(dir, &corpus.Options{Institutions: benchSize()}); err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkBuildFull: content.Load and a build into an empty directory.
func BenchmarkBuildFull(b *testing.B) {
	dir := benchCorpus(b)
	for i := 0; i < b.N; i++ {
		out := filepath.Join(b.TempDir(), "public")
		repo, err := content.Load(os.DirFS(dir), nil)
		if err != nil {
			b.Fatal(err)
		}
		res, err := Build(repo, &Options{Out: out, Now: benchNow})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.Pages), "pages")
	}
}

// BenchmarkBuildOneReportChanged: the second build after one report
// changed (Build only; content.Load is not timed).
func BenchmarkBuildOneReportChanged(b *testing.B) {
	dir := benchCorpus(b)
	out := filepath.Join(b.TempDir(), "public")
	repo, err := content.Load(os.DirFS(dir), nil)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := Build(repo, &Options{Out: out, Now: benchNow}); err != nil {
		b.Fatal(err)
	}
	rep := repo.Institution(corpus.Slug(1)).Report(corpus.LastMonth)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep.Indicators.EnterprisesServed = 1000 + i
		res, err := Build(repo, &Options{Out: out, Now: benchNow})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.Written), "written")
	}
}

// BenchmarkRebuildOneReportEdited is a second kjjr build after one report
// file was edited on disk: content.Load with its cache and Build, both
// timed, as the command runs them.
func BenchmarkRebuildOneReportEdited(b *testing.B) {
	dir := benchCorpus(b)
	out := filepath.Join(b.TempDir(), "public")
	opts := &content.LoadOptions{Cache: filepath.Join(b.TempDir(), "load.cache"), Public: true}
	build := func() *Result {
		repo, err := content.Load(content.DirFS(dir), opts)
		if err != nil {
			b.Fatal(err)
		}
		res, err := Build(repo, &Options{Out: out, Now: benchNow})
		if err != nil {
			b.Fatal(err)
		}
		return res
	}
	build()
	time.Sleep(2100 * time.Millisecond) // older than the load cache's racy window
	build()
	file := filepath.Join(dir, "institutions", corpus.Slug(1), "reports", corpus.LastMonth.String()+".md")
	data, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		edited := bytes.Replace(data, []byte("enterprises_served: "), []byte("enterprises_served: "+strconv.Itoa(i+1)), 1)
		if err := os.WriteFile(file, edited, 0o644); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res := build()
		b.ReportMetric(float64(res.Written), "written")
		b.ReportMetric(float64(res.Rendered), "rendered")
	}
}

// BenchmarkServeEdit measures, under kjjr serve at the corpus size, the
// time from saving an edited monthly report to the first fetch of its
// page that shows the change (polling, as a browser reloading would).
func BenchmarkServeEdit(b *testing.B) {
	dir := benchCorpus(b)
	srv, err := NewServer(&ServerOptions{Content: dir, Now: benchNow, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Watch(ctx); close(done) }()
	hs := httptest.NewServer(srv)
	defer func() { cancel(); <-done; srv.Close(); hs.Close() }()
	time.Sleep(300 * time.Millisecond) // let the watcher add its watches

	file := filepath.Join(dir, "institutions", corpus.Slug(1), "reports", corpus.LastMonth.String()+".md")
	page := hs.URL + "/institutions/" + corpus.Slug(1) + "/reports/" + corpus.LastMonth.String() + ".html"
	orig, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	re := regexp.MustCompile(`enterprises_served: \d+`)
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		want := fmt.Sprintf("<td>%d</td>", 5000+i)
		data := re.ReplaceAll(orig, []byte(fmt.Sprintf("enterprises_served: %d", 5000+i)))
		start := time.Now()
		if err := os.WriteFile(file, data, 0o644); err != nil {
			b.Fatal(err)
		}
		for {
			resp, err := http.Get(page)
			if err != nil {
				b.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(body), want) {
				break
			}
			if time.Since(start) > 10*time.Second {
				b.Fatalf("page never showed %s", want)
			}
			time.Sleep(time.Millisecond)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "ms-median")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "ms-max")
}

// BenchmarkServeUpdate is the dev server's work for one edited report
// (patch and partial rebuild), without the file watcher.
func BenchmarkServeUpdate(b *testing.B) {
	dir := benchCorpus(b)
	srv, err := NewServer(&ServerOptions{Content: dir, Now: benchNow, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	rel := "institutions/" + corpus.Slug(1) + "/reports/" + corpus.LastMonth.String() + ".md"
	file := filepath.Join(dir, filepath.FromSlash(rel))
	orig, _ := os.ReadFile(file)
	re := regexp.MustCompile(`enterprises_served: \d+`)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		os.WriteFile(file, re.ReplaceAll(orig, []byte(fmt.Sprintf("enterprises_served: %d", 5000+i))), 0o644)
		srv.Update([]string{rel})
	}
}
