package serve

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the server's Prometheus series, in a registry of its own
// (not the process-global one), labelled by dataset and by protocol
// ("http" or "flight").
type metrics struct {
	reg        *prometheus.Registry
	rows       *prometheus.CounterVec
	bytes      *prometheus.CounterVec
	active     *prometheus.GaugeVec
	firstBatch *prometheus.HistogramVec
	streams    *prometheus.CounterVec
	rejected   *prometheus.CounterVec
}

// Metric names; the README lists them.
const (
	metricRows       = "tome_serve_rows_total"
	metricBytes      = "tome_serve_bytes_total"
	metricActive     = "tome_serve_active_streams"
	metricFirstBatch = "tome_serve_time_to_first_batch_seconds"
	metricStreams    = "tome_serve_streams_total"
	metricRejected   = "tome_serve_streams_rejected_total"
)

func newMetrics() *metrics {
	labels := []string{"dataset", "protocol"}
	m := &metrics{
		reg: prometheus.NewRegistry(),
		rows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metricRows, Help: "Rows sent to clients.",
		}, labels),
		bytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metricBytes, Help: "Arrow IPC bytes sent to clients (messages and bodies).",
		}, labels),
		active: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: metricActive, Help: "Streams being sent now.",
		}, labels),
		firstBatch: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    metricFirstBatch,
			Help:    "Time from a stream request to its first batch being sent.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16), // 0.5 ms to 16 s
		}, labels),
		streams: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metricStreams, Help: "Streams started, by how they ended (ok, canceled, error).",
		}, append(labels, "result")),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metricRejected, Help: "Stream requests refused because the concurrent-stream cap was reached.",
		}, []string{"protocol"}),
	}
	m.reg.MustRegister(m.rows, m.bytes, m.active, m.firstBatch, m.streams, m.rejected,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// streamMetrics are one stream's series, looked up once.
type streamMetrics struct {
	rows, bytes prometheus.Counter
	active      prometheus.Gauge
	firstBatch  prometheus.Observer
	m           *metrics
	labels      []string
}

func (m *metrics) stream(name, protocol string) *streamMetrics {
	return &streamMetrics{
		rows:       m.rows.WithLabelValues(name, protocol),
		bytes:      m.bytes.WithLabelValues(name, protocol),
		active:     m.active.WithLabelValues(name, protocol),
		firstBatch: m.firstBatch.WithLabelValues(name, protocol),
		m:          m,
		labels:     []string{name, protocol},
	}
}

func (sm *streamMetrics) ended(result string) {
	sm.m.streams.WithLabelValues(sm.labels[0], sm.labels[1], result).Inc()
}
