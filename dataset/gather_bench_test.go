package dataset

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/internal/cputime"
	"github.com/tome-data/tome/internal/gather"
)

// BenchmarkGatherVsComputeTake measures the global-shuffle workload: a
// random permutation of a memory-mapped Arrow dataset (id, label, a text
// of 150-250 bytes, a list of 64 floats) read in batches of
// format.DefaultBatchSize rows. Both sides run in every iteration over the
// same permutation, so the ratio compares them under the same conditions:
//
//   - gather: Dataset.Take on each batch of indices (locating rows in the
//     shards' chunks, then the gather kernel);
//   - compute.Take: arrow-go's compute.TakeArray on each column of the
//     dataset concatenated into one batch beforehand (its easiest case:
//     no chunk lookup at all).
func BenchmarkGatherVsComputeTake(b *testing.B) {
	rows := 200_000
	if testing.Short() {
		rows = 20_000
	}
	ctx := context.Background()
	ds, err := Open(ctx, writeTrainingIPC(b, rows, 1000))
	if err != nil {
		b.Fatal(err)
	}
	defer ds.Close()
	whole := concatAll(b, ds)
	defer whole.Release()

	rng := rand.New(rand.NewPCG(2, 3))
	perm := make([]int64, rows)
	for i, p := range rng.Perm(rows) {
		perm[i] = int64(p)
	}
	batch := format.DefaultBatchSize
	var gatherWall, takeWall, gatherCPU, takeCPU time.Duration
	var gathered int
	b.ResetTimer()
	for b.Loop() {
		// Alternate the two batch by batch, so that what else the machine
		// is doing weighs on both alike.
		for off := 0; off < rows; off += batch {
			idx := perm[off:min(off+batch, rows)]
			w, c := time.Now(), cputime.Process()
			out, err := ds.Take(ctx, idx)
			if err != nil {
				b.Fatal(err)
			}
			out.Release()
			gatherWall += time.Since(w)
			gatherCPU += cputime.Process() - c
			w, c = time.Now(), cputime.Process()
			out = computeTake(b, whole, idx)
			out.Release()
			takeWall += time.Since(w)
			takeCPU += cputime.Process() - c
		}
		gathered += rows
	}
	rate := func(d time.Duration) float64 { return float64(gathered) / d.Seconds() }
	b.ReportMetric(rate(gatherWall), "gather-rows/s")
	b.ReportMetric(rate(takeWall), "take-rows/s")
	b.ReportMetric(rate(gatherWall)/rate(takeWall), "ratio")
	if gatherCPU > 0 && takeCPU > 0 {
		b.ReportMetric(rate(gatherCPU)/rate(takeCPU), "cpu-ratio")
	}
}

// concatAll reads a dataset into one batch.
func concatAll(tb testing.TB, ds *Dataset) arrow.RecordBatch {
	tb.Helper()
	var parts []arrow.RecordBatch
	for b, err := range ds.Batches(context.Background(), nil) {
		if err != nil {
			tb.Fatal(err)
		}
		b.Retain()
		parts = append(parts, b)
	}
	out, err := gather.Concat(memory.DefaultAllocator, parts)
	if err != nil {
		tb.Fatal(err)
	}
	for _, p := range parts {
		p.Release()
	}
	return out
}

// computeTake takes rows idx of every column of rec with compute.TakeArray.
func computeTake(tb testing.TB, rec arrow.RecordBatch, idx []int64) arrow.RecordBatch {
	ind := array.NewInt64Data(array.NewData(arrow.PrimitiveTypes.Int64, len(idx),
		[]*memory.Buffer{nil, memory.NewBufferBytes(arrow.Int64Traits.CastToBytes(idx))}, nil, 0, 0))
	defer ind.Release()
	cols := make([]arrow.Array, rec.NumCols())
	for i, c := range rec.Columns() {
		out, err := compute.TakeArray(context.Background(), c, ind)
		if err != nil {
			tb.Fatal(err)
		}
		cols[i] = out
	}
	out := array.NewRecordBatch(rec.Schema(), cols, int64(len(idx)))
	for _, c := range cols {
		c.Release()
	}
	return out
}
