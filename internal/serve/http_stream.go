package serve

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
)

// ContentType is the media type of the HTTP stream: an Arrow IPC stream.
const ContentType = "application/vnd.apache.arrow.stream"

// Response headers of a stream.
const (
	// HeaderRows is the number of rows the response delivers.
	HeaderRows = "Tome-Rows"
	// HeaderRankRows is the rank's row count over all its workers (equal
	// to Tome-Rows without workers), from its start.
	HeaderRankRows = "Tome-Rank-Rows"
)

// serveStream answers one rank's training stream as an Arrow IPC stream,
// one flushed message per batch. Batches of memory-mapped shards are
// written from the mapping: the IPC writer hands each buffer to the
// connection as it is.
func (s *Server) serveStream(w http.ResponseWriter, r *http.Request) {
	began := time.Now()
	name := r.PathValue("name")
	if !s.reg.has(name) {
		writeError(w, unknownDataset{name})
		return
	}
	p, err := ParseQuery(name, r.URL.Query())
	if err != nil {
		writeError(w, err)
		return
	}
	if !s.slots.acquire() {
		s.metrics.rejected.WithLabelValues("http").Inc()
		w.Header().Set("Retry-After", "1")
		writeError(w, errOverCap)
		return
	}
	defer s.slots.release()

	ctx := r.Context()
	ts, schema, err := s.openStream(ctx, p)
	if err != nil {
		writeError(w, err)
		return
	}
	defer ts.Close()

	h := w.Header()
	h.Set("Content-Type", ContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	if n := ts.Len(); n >= 0 {
		h.Set(HeaderRows, strconv.FormatInt(n, 10))
		h.Set(HeaderRankRows, strconv.FormatInt(ts.RankLen(), 10))
	}
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}

	out := &countingWriter{w: w}
	rc := http.NewResponseController(w)
	stalled := s.stallDeadline(rc)
	var iw *ipc.Writer
	send := func(b arrow.RecordBatch) (int64, error) {
		if iw == nil {
			iw = ipc.NewWriter(out, ipc.WithSchema(streamSchema(schema, b.Schema())))
		}
		before := out.n
		stalled()
		if err := iw.Write(b); err != nil {
			return out.n - before, err
		}
		return out.n - before, rc.Flush()
	}
	err = s.metrics.stream(name, "http").pump(ctx, ts, began, send)
	if err == nil {
		if iw == nil {
			iw = ipc.NewWriter(out, ipc.WithSchema(schema))
		}
		stalled()
		err = iw.Close() // the end-of-stream marker
	}
	if err != nil {
		if ctx.Err() == nil && !errors.Is(err, errClientGone) {
			s.logf("stream %s?%s: %v", name, r.URL.RawQuery, err)
		}
		// The status is sent; cutting the connection without the final
		// chunk is how the client learns that the stream is incomplete.
		panic(http.ErrAbortHandler)
	}
	rc.Flush()
}

// stallDeadline returns the func to call before each write of a stream:
// with a StallTimeout it gives the write that long from now (a fresh
// deadline each time, so the time spent decoding the next batch is not
// counted), else it does nothing.
func (s *Server) stallDeadline(rc *http.ResponseController) func() {
	if s.cfg.StallTimeout <= 0 {
		return func() {}
	}
	return func() { rc.SetWriteDeadline(time.Now().Add(s.cfg.StallTimeout)) }
}

// streamSchema is the schema a stream announces: the dataset's (which
// keeps its metadata, such as Hugging Face features) when the batches
// have the same fields, else the batches' own.
func streamSchema(declared, batches *arrow.Schema) *arrow.Schema {
	if declared.Equal(batches) {
		return declared
	}
	return batches
}

// errClientGone marks a write to a connection the client closed.
var errClientGone = errors.New("serve: client went away")

// countingWriter counts the bytes written through it and passes each
// write on as it is, so large buffers reach the connection uncopied.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	if err != nil {
		err = errors.Join(errClientGone, err)
	}
	return n, err
}
