package health

import (
	"net/http"
	"path/filepath"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"kjjr/inbox"
	"kjjr/outbox"
)

// Metrics are the inbox worker's Prometheus metrics (kjjr inbox
// --metrics-addr), named by the Prometheus conventions:
//
//	kjjr_inbox_messages_total{outcome}          counter: accepted, quarantined, rejected, duplicate, left
//	kjjr_inbox_passes_total{result}             counter: ok, error
//	kjjr_inbox_pass_duration_seconds            histogram
//	kjjr_inbox_last_success_timestamp_seconds   gauge (Unix time; 0 before the first success)
//	kjjr_outbox_messages{state}                 gauge: mail in the outbox by state, read at each scrape
//	kjjr_quarantine_messages, kjjr_quarantine_bytes   gauges, read at each scrape
//
// The counters count this process's passes (a restart starts them at
// zero, as Prometheus expects of counters).
type Metrics struct {
	reg         *prometheus.Registry
	messages    *prometheus.CounterVec
	passes      *prometheus.CounterVec
	duration    prometheus.Histogram
	lastSuccess prometheus.Gauge
}

// NewMetrics returns the metrics of the repo whose git directory is gitDir.
func NewMetrics(gitDir string) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kjjr_inbox_messages_total",
			Help: "Messages the inbox worker handled, by outcome."}, []string{"outcome"}),
		passes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kjjr_inbox_passes_total",
			Help: "Passes over the watched mailbox, by result (ok or error)."}, []string{"result"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "kjjr_inbox_pass_duration_seconds",
			Help: "How long one pass over the watched mailbox took.", Buckets: prometheus.ExponentialBuckets(0.05, 2, 14)}),
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{Name: "kjjr_inbox_last_success_timestamp_seconds",
			Help: "Unix time of the last successful pass."}),
	}
	for _, o := range []string{"accepted", "quarantined", "rejected", "duplicate", "left"} {
		m.messages.WithLabelValues(o)
	}
	m.passes.WithLabelValues("ok")
	m.passes.WithLabelValues("error")
	m.reg.MustRegister(m.messages, m.passes, m.duration, m.lastSuccess, &stateCollector{gitDir: gitDir})
	return m
}

// ObservePass counts one pass of the worker.
func (m *Metrics) ObservePass(p inbox.PassReport) {
	st := p.Stats
	m.messages.WithLabelValues("accepted").Add(float64(st.Committed))
	m.messages.WithLabelValues("quarantined").Add(float64(st.Quarantined - st.Rejected))
	m.messages.WithLabelValues("rejected").Add(float64(st.Rejected))
	m.messages.WithLabelValues("duplicate").Add(float64(st.Duplicates))
	m.messages.WithLabelValues("left").Add(float64(st.Left))
	m.duration.Observe(p.End.Sub(p.Start).Seconds())
	if p.Err != nil {
		m.passes.WithLabelValues("error").Inc()
		return
	}
	m.passes.WithLabelValues("ok").Inc()
	m.lastSuccess.Set(float64(p.End.UnixNano()) / 1e9)
}

// Handler serves the metrics in the Prometheus exposition formats.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// stateCollector reads the outbox and the quarantine at each scrape.
type stateCollector struct{ gitDir string }

var (
	outboxDesc = prometheus.NewDesc("kjjr_outbox_messages", "Mail in the outbox, by state.", []string{"state"}, nil)
	qMsgsDesc  = prometheus.NewDesc("kjjr_quarantine_messages", "Messages in the quarantine.", nil, nil)
	qBytesDesc = prometheus.NewDesc("kjjr_quarantine_bytes", "Bytes the quarantine holds on disk.", nil, nil)
)

// Describe sends the descriptions of the scraped gauges.
func (c *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- outboxDesc
	ch <- qMsgsDesc
	ch <- qBytesDesc
}

// Collect reads the outbox and the quarantine now.
func (c *stateCollector) Collect(ch chan<- prometheus.Metric) {
	counts := map[outbox.State]int{}
	for _, s := range []outbox.State{outbox.StateQueued, outbox.StateSending, outbox.StateSent,
		outbox.StateUnconfirmed, outbox.StateFailed, outbox.StateExpired} {
		counts[s] = 0
	}
	if obDir := filepath.Join(c.gitDir, "kjjr", "outbox"); !dirExists(obDir) {
		// no mail yet
	} else if ob, err := outbox.Open(obDir, nil); err == nil {
		if es, err := ob.List(); err == nil {
			for _, e := range es {
				counts[e.State]++
			}
		} else {
			ch <- prometheus.NewInvalidMetric(outboxDesc, err)
		}
	}
	for s, n := range counts {
		ch <- prometheus.MustNewConstMetric(outboxDesc, prometheus.GaugeValue, float64(n), string(s))
	}
	if recs, err := inbox.ListQuarantine(c.gitDir); err == nil {
		ch <- prometheus.MustNewConstMetric(qMsgsDesc, prometheus.GaugeValue, float64(len(recs)))
	} else {
		ch <- prometheus.NewInvalidMetric(qMsgsDesc, err)
	}
	if n, err := inbox.QuarantineUsage(c.gitDir); err == nil {
		ch <- prometheus.MustNewConstMetric(qBytesDesc, prometheus.GaugeValue, float64(n))
	} else {
		ch <- prometheus.NewInvalidMetric(qBytesDesc, err)
	}
}
