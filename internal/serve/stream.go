package serve

import (
	"context"
	"errors"
	"iter"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tome-data/tome/dataset"
)

// slots caps the streams running at once, over HTTP and Flight together.
type slots chan struct{}

// acquire takes a slot without waiting: a stream over the cap is refused
// at once (429) rather than queued behind streams that may run for hours.
func (s slots) acquire() bool {
	select {
	case s <- struct{}{}:
		return true
	default:
		return false
	}
}

func (s slots) release() { <-s }

// batchStream is a stream's batches: a training stream, or a plain scan
// (scanStream) for the datasets that have no random access.
type batchStream interface {
	Batches(ctx context.Context) iter.Seq2[arrow.RecordBatch, error]
	// Len is the number of rows the stream delivers, -1 when unknown;
	// RankLen the rank's over all its workers.
	Len() int64
	RankLen() int64
	Close() error
}

var _ batchStream = (*dataset.TrainStream)(nil)

// openStream opens the training stream p asks for and the schema of its
// batches (for a stream that delivers none, the schema still goes out).
func (s *Server) openStream(ctx context.Context, p Params) (batchStream, *arrow.Schema, error) {
	if !s.reg.has(p.Dataset) {
		return nil, nil, unknownDataset{p.Dataset}
	}
	ds, err := s.reg.Dataset(ctx, p.Dataset, p.Split)
	if err != nil {
		return nil, nil, err
	}
	schema := ds.Schema()
	if len(p.Columns) > 0 {
		v, err := ds.SelectColumns(p.Columns...)
		if err != nil {
			return nil, nil, err
		}
		schema = v.Schema()
		v.Close()
	}
	opts, err := p.trainOptions()
	if err != nil {
		return nil, nil, err
	}
	ts, err := ds.Train(opts)
	if errors.Is(err, dataset.ErrNoRandomAccess) && p.fileOrder() {
		// JSON Lines and CSV cannot be read in a training order, but in
		// file order they stream like any other dataset, as tome cat
		// without training flags prints them.
		return &scanStream{ds: ds, opts: &dataset.ScanOptions{Columns: p.Columns, BatchRows: p.BatchRows}}, schema, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return ts, schema, nil
}

// scanStream is a dataset's rows in file order.
type scanStream struct {
	ds   *dataset.Dataset
	opts *dataset.ScanOptions
}

func (s *scanStream) Batches(ctx context.Context) iter.Seq2[arrow.RecordBatch, error] {
	return s.ds.Batches(ctx, s.opts)
}

func (s *scanStream) Len() int64     { return s.ds.Len() }
func (s *scanStream) RankLen() int64 { return s.ds.Len() }

// Close does nothing: the dataset belongs to the registry.
func (s *scanStream) Close() error { return nil }

// batchSender sends one batch to the client and says how many bytes went
// out.
type batchSender func(arrow.RecordBatch) (int64, error)

// pump sends every batch of ts through send, in order, keeping the
// metrics. It stops at once when ctx ends (the client went away or the
// server is shutting down) or a send fails.
func (sm *streamMetrics) pump(ctx context.Context, ts batchStream, began time.Time, send batchSender) (err error) {
	sm.active.Inc()
	defer func() {
		sm.active.Dec()
		switch {
		case err == nil:
			sm.ended("ok")
		case ctx.Err() != nil || errors.Is(err, context.Canceled):
			sm.ended("canceled")
		default:
			sm.ended("error")
		}
	}()
	first := true
	for b, err := range ts.Batches(ctx) {
		if err != nil {
			return err
		}
		n, err := send(b)
		if err != nil {
			return err
		}
		if first {
			sm.firstBatch.Observe(time.Since(began).Seconds())
			first = false
		}
		sm.rows.Add(float64(b.NumRows()))
		sm.bytes.Add(float64(n))
	}
	return ctx.Err()
}
