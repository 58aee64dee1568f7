package gather_test

import (
	"context"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/internal/cputime"
	"github.com/tome-data/tome/internal/gather"
	"github.com/tome-data/tome/internal/mempool"
)

// benchColumns builds the columns of a training table, 1000-row chunks:
// int64, float32, strings of 150-250 bytes, lists of 64 float32.
func benchColumns(rows int) map[string][]arrow.Array {
	mem := memory.DefaultAllocator
	out := map[string][]arrow.Array{}
	text := strings.Repeat("lorem ipsum dolor sit amet ", 10)
	for off := 0; off < rows; off += 1000 {
		ib := array.NewInt64Builder(mem)
		fb := array.NewFloat32Builder(mem)
		sb := array.NewStringBuilder(mem)
		lb := array.NewListBuilder(mem, arrow.PrimitiveTypes.Float32)
		vb := lb.ValueBuilder().(*array.Float32Builder)
		for i := off; i < off+1000; i++ {
			ib.Append(int64(i))
			fb.Append(float32(i))
			sb.Append(text[:150+i%101])
			lb.Append(true)
			for j := range 64 {
				vb.Append(float32(j))
			}
		}
		for name, b := range map[string]array.Builder{"int64": ib, "float32": fb, "string": sb, "list<float32>[64]": lb} {
			out[name] = append(out[name], b.NewArray())
			b.Release()
		}
	}
	return out
}

// BenchmarkColumn compares the kernel with compute.Take per column type,
// rows picked at random from 200 chunks in batches of 8192. compute.Take
// runs on the chunks concatenated beforehand, its easiest case. The two
// alternate within every iteration, so that a busy machine weighs on both
// alike; the ratio is the kernel's speed over compute.Take's.
func BenchmarkColumn(b *testing.B) {
	rows := 200_000
	if testing.Short() {
		rows = 20_000
	}
	cols := benchColumns(rows)
	rng := rand.New(rand.NewPCG(1, 2))
	const batch = 8192
	perm := rng.Perm(rows)
	for _, name := range []string{"int64", "float32", "string", "list<float32>[64]"} {
		chunks := cols[name]
		b.Run(name, func(b *testing.B) {
			whole, err := array.Concatenate(chunks, memory.DefaultAllocator)
			if err != nil {
				b.Fatal(err)
			}
			defer whole.Release()
			var gatherTime, takeTime time.Duration
			n := 0
			for b.Loop() {
				// A new part of the permutation each time: cold rows.
				off := (n * batch) % (rows - batch)
				n++
				spans := make([]gather.Span, batch)
				idx := make([]int64, batch)
				for i, p := range perm[off : off+batch] {
					spans[i] = gather.Span{Src: p / 1000, Off: p % 1000, Len: 1}
					idx[i] = int64(p)
				}
				start := time.Now()
				out, err := gather.Array(memory.DefaultAllocator, chunks, spans)
				if err != nil {
					b.Fatal(err)
				}
				out.Release()
				gatherTime += time.Since(start)
				ind := array.NewInt64Data(array.NewData(arrow.PrimitiveTypes.Int64, batch,
					[]*memory.Buffer{nil, memory.NewBufferBytes(arrow.Int64Traits.CastToBytes(idx))}, nil, 0, 0))
				start = time.Now()
				taken, err := compute.TakeArray(context.Background(), whole, ind)
				if err != nil {
					b.Fatal(err)
				}
				taken.Release()
				takeTime += time.Since(start)
				ind.Release()
			}
			rate := func(d time.Duration) float64 { return float64(n*batch) / d.Seconds() }
			b.ReportMetric(rate(gatherTime), "gather-rows/s")
			b.ReportMetric(rate(takeTime), "take-rows/s")
			b.ReportMetric(rate(gatherTime)/rate(takeTime), "ratio")
		})
	}
}

// benchRows is TOME_BENCH_GATHER_ROWS rounded down to whole 1000-row
// sources, else def (20 000 with -short), and at least least.
func benchRows(b *testing.B, def, least int) int {
	if s := os.Getenv("TOME_BENCH_GATHER_ROWS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < least {
			b.Fatalf("TOME_BENCH_GATHER_ROWS=%q: want at least %d", s, least)
		}
		return n / 1000 * 1000
	}
	if testing.Short() {
		return max(20_000, least)
	}
	return def
}

// benchTable is the training table (benchColumns) as record batches of
// 1000 rows, one source each.
func benchTable(rows int) (*arrow.Schema, []arrow.RecordBatch) {
	cols := benchColumns(rows)
	names := []string{"int64", "float32", "string", "list<float32>[64]"}
	fields := make([]arrow.Field, len(names))
	for i, name := range names {
		fields[i] = arrow.Field{Name: name, Type: cols[name][0].DataType()}
	}
	schema := arrow.NewSchema(fields, nil)
	srcs := make([]arrow.RecordBatch, rows/1000)
	for i := range srcs {
		arrs := make([]arrow.Array, len(names))
		for j, name := range names {
			arrs[j] = cols[name][i]
		}
		srcs[i] = array.NewRecordBatch(schema, arrs, 1000)
	}
	return schema, srcs
}

const benchBatch = 8192

// A benchGather is one call of the kernel: the sources a batch's rows come
// from and the spans that pick them.
type benchGather struct {
	srcs  []arrow.RecordBatch
	spans []gather.Span
}

// scatteredBatches cuts a random permutation of the table's rows into
// batches, as a global shuffle does: each batch draws from (nearly) every
// source.
func scatteredBatches(srcs []arrow.RecordBatch) []benchGather {
	rows := 1000 * len(srcs)
	perm := rand.New(rand.NewPCG(1, 2)).Perm(rows)
	var out []benchGather
	for off := 0; off+benchBatch <= rows; off += benchBatch {
		spans := make([]gather.Span, benchBatch)
		for i, p := range perm[off : off+benchBatch] {
			spans[i] = gather.Span{Src: p / 1000, Off: p % 1000, Len: 1}
		}
		out = append(out, benchGather{srcs, spans})
	}
	return out
}

// benchWindow is the block shuffle's default window.
const benchWindow = 65_536

// windowBatches draws n batches, each of rows picked at random from a
// window of benchWindow consecutive rows at a random place, as the block
// shuffle does for one rank of four (a quarter of the window's positions,
// half of them per batch): the rows are dense in a few tens of megabytes
// rather than spread over the whole table. Like the training stream, each
// batch names only the sources of its window.
func windowBatches(srcs []arrow.RecordBatch, n int) []benchGather {
	rng := rand.New(rand.NewPCG(1, 2))
	out := make([]benchGather, n)
	for j := range out {
		start := rng.IntN(1000*len(srcs) - benchWindow)
		first := start / 1000
		out[j].srcs = srcs[first : (start+benchWindow-1)/1000+1]
		for _, p := range rng.Perm(benchWindow)[:benchBatch] {
			r := start + p
			out[j].spans = append(out[j].spans, gather.Span{Src: r/1000 - first, Off: r % 1000, Len: 1})
		}
	}
	return out
}

// BenchmarkBatchScattered gathers batches of 8192 random rows from a
// training table cut into 1000-row sources, as a global shuffle does:
// TOME_BENCH_GATHER_ROWS rows in all (200 000 by default, 20 000 with
// -short), so the number of sources per batch grows with it.
func BenchmarkBatchScattered(b *testing.B) {
	schema, srcs := benchTable(benchRows(b, 200_000, 10_000))
	benchBatches(b, schema, scatteredBatches(srcs))
}

// BenchmarkBatchWindow gathers batches of 8192 rows drawn from windows of
// 65,536 rows (windowBatches) of a training table of
// TOME_BENCH_GATHER_ROWS rows (200 000 by default): the block shuffle's
// workload. Its 256 windows cover most of the table, so a batch's rows are
// not in cache from the last time the batch came round.
func BenchmarkBatchWindow(b *testing.B) {
	schema, srcs := benchTable(benchRows(b, 200_000, 70_000))
	benchBatches(b, schema, windowBatches(srcs, 256))
}

// benchBatches gathers the batches in turn, into a recycling pool as the
// training stream does, and reports rows/s by wall and by the process's
// CPU time (the steadier figure on a shared machine).
func benchBatches(b *testing.B, schema *arrow.Schema, batches []benchGather) {
	mem := mempool.New(64 << 20)
	k := 0
	runtime.GC() // the table's garbage is not the gather's
	cpu := cputime.Process()
	for b.Loop() {
		g := batches[k%len(batches)]
		out, err := gather.Batch(mem, schema, g.srcs, g.spans)
		if err != nil {
			b.Fatal(err)
		}
		out.Release()
		k++
	}
	b.ReportMetric(float64(k*benchBatch)/b.Elapsed().Seconds(), "rows/s")
	if cpu := cputime.Process() - cpu; cpu > 0 {
		b.ReportMetric(float64(k*benchBatch)/cpu.Seconds(), "cpu-rows/s")
	}
}
