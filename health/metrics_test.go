package health

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"kjjr/inbox"
	"kjjr/outbox"
)

// The metrics endpoint, scraped over HTTP and parsed with the Prometheus
// text parser, reports the passes, the outbox by state and the quarantine.
func TestMetricsScrape(t *testing.T) {
	gd := t.TempDir()
	ob, err := outbox.Open(gd+"/kjjr/outbox", &outbox.Config{From: "kjjr@example.gov.cn"})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"a", "b"} {
		if err := ob.QueueNotice(&outbox.Notice{Key: k, To: []string{"ops@example.gov.cn"}, Subject: "s", Body: "b"}); err != nil {
			t.Fatal(err)
		}
	}
	m := NewMetrics(gd)
	t0 := time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)
	m.ObservePass(inbox.PassReport{Start: t0, End: t0.Add(2 * time.Second),
		Stats: inbox.Stats{Seen: 6, Committed: 3, Quarantined: 2, Rejected: 1, Duplicates: 1}})
	m.ObservePass(inbox.PassReport{Start: t0.Add(time.Minute), End: t0.Add(time.Minute + time.Second), Err: errors.New("login")})
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	value := func(name string, labels map[string]string) float64 {
		t.Helper()
		f := fams[name]
		if f == nil {
			t.Fatalf("no metric %s", name)
		}
	next:
		for _, mm := range f.Metric {
			for _, lp := range mm.Label {
				if v, ok := labels[lp.GetName()]; ok && v != lp.GetValue() {
					continue next
				}
			}
			switch f.GetType() {
			case dto.MetricType_COUNTER:
				return mm.Counter.GetValue()
			case dto.MetricType_GAUGE:
				return mm.Gauge.GetValue()
			case dto.MetricType_HISTOGRAM:
				return float64(mm.Histogram.GetSampleCount())
			}
		}
		t.Fatalf("no %s%v", name, labels)
		return 0
	}
	checks := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"kjjr_inbox_messages_total", map[string]string{"outcome": "accepted"}, 3},
		{"kjjr_inbox_messages_total", map[string]string{"outcome": "quarantined"}, 1},
		{"kjjr_inbox_messages_total", map[string]string{"outcome": "rejected"}, 1},
		{"kjjr_inbox_messages_total", map[string]string{"outcome": "duplicate"}, 1},
		{"kjjr_inbox_passes_total", map[string]string{"result": "ok"}, 1},
		{"kjjr_inbox_passes_total", map[string]string{"result": "error"}, 1},
		{"kjjr_inbox_pass_duration_seconds", nil, 2},
		{"kjjr_inbox_last_success_timestamp_seconds", nil, float64(t0.Add(2 * time.Second).Unix())},
		{"kjjr_outbox_messages", map[string]string{"state": "queued"}, 2},
		{"kjjr_outbox_messages", map[string]string{"state": "failed"}, 0},
		{"kjjr_quarantine_messages", nil, 0},
		{"kjjr_quarantine_bytes", nil, 0},
	}
	for _, c := range checks {
		if got := value(c.name, c.labels); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
}
