package ipc_test

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/format/ipc"
	"github.com/tome-data/tome/internal/cputime"
	"github.com/tome-data/tome/shard"
)

// The scan benchmarks read an uncompressed IPC stream of int64, float64
// and list<float32> (8 values a row) columns, TOME_BENCH_IPC_BYTES large
// (64 MiB by default, so that CI's -benchtime 1x run stays quick), in
// batches of TOME_BENCH_IPC_ROWS rows (8192 by default).
// BenchmarkScanMapped reads it through the zero-copy reader and sums every
// value; BenchmarkRawSumMapped sums the mapped file as 64-bit words, which
// no reader can beat. Compare their times at about 1 GiB:
//
//	TOME_BENCH_IPC_BYTES=1073741824 go test ./format/ipc -run '^$' -bench 'Mapped$' -benchtime 10x

const (
	benchListLen  = 8
	benchRowBytes = 8 + 8 + 4 + 4*benchListLen
)

var benchSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "score", Type: arrow.PrimitiveTypes.Float64},
	{Name: "emb", Type: arrow.ListOfNonNullable(arrow.PrimitiveTypes.Float32)},
}, nil)

// benchFile writes the benchmark's stream into a temporary directory.
func benchFile(b *testing.B) string {
	b.Helper()
	size := benchEnv(b, "TOME_BENCH_IPC_BYTES", 64<<20)
	rows := benchEnv(b, "TOME_BENCH_IPC_ROWS", format.DefaultBatchSize)
	path := filepath.Join(b.TempDir(), "bench.arrow")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	w, err := ipc.NewStreamWriter(f, benchSchema, ipc.WriteOptions{})
	if err != nil {
		b.Fatal(err)
	}
	rb := array.NewRecordBuilder(memory.DefaultAllocator, benchSchema)
	defer rb.Release()
	ids := rb.Field(0).(*array.Int64Builder)
	scores := rb.Field(1).(*array.Float64Builder)
	embs := rb.Field(2).(*array.ListBuilder)
	vals := embs.ValueBuilder().(*array.Float32Builder)
	for row := int64(0); row*benchRowBytes < size; {
		for range rows {
			ids.Append(row)
			scores.Append(float64(row) / 3)
			embs.Append(true)
			for j := range benchListLen {
				vals.Append(float32(j))
			}
			row++
		}
		batch := rb.NewRecordBatch()
		if err := w.Write(batch); err != nil {
			b.Fatal(err)
		}
		batch.Release()
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

func benchEnv(b *testing.B, name string, def int64) int64 {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		b.Fatalf("%s=%q: want a positive number", name, s)
	}
	return n
}

var benchSink float64

// BenchmarkScanMapped sums every value buffer as 64-bit words, the same
// work a byte as the raw sum, so that the ratio of the two is the reader's
// cost alone: with the default checks of every offset ("checked") and
// without them ("trusted"). BenchmarkScanMappedTyped sums the values as
// their types instead.
func BenchmarkScanMapped(b *testing.B) {
	src := openBench(b)
	defer src.Close()
	for _, trusted := range []bool{false, true} {
		b.Run(map[bool]string{false: "checked", true: "trusted"}[trusted], func(b *testing.B) {
			scanMapped(b, src, ipc.Options{Trusted: trusted}, sumBuffers)
		})
	}
}

func sumBuffers(batch arrow.RecordBatch) float64 {
	list := batch.Column(2).(*array.List).ListValues()
	return float64(sumWords(batch.Column(0).Data().Buffers()[1].Bytes()) +
		sumWords(batch.Column(1).Data().Buffers()[1].Bytes()) +
		sumWords(list.Data().Buffers()[1].Bytes()))
}

func BenchmarkScanMappedTyped(b *testing.B) {
	src := openBench(b)
	defer src.Close()
	scanMapped(b, src, ipc.Options{}, func(batch arrow.RecordBatch) float64 {
		return float64(sumInt64(batch.Column(0).(*array.Int64).Int64Values())) +
			sumFloat64(batch.Column(1).(*array.Float64).Float64Values()) +
			float64(sumFloat32(batch.Column(2).(*array.List).ListValues().(*array.Float32).Float32Values()))
	})
}

// BenchmarkBatchesMapped reads every batch and touches none: the reader's
// own cost, with and without the O(n) checks.
func BenchmarkBatchesMapped(b *testing.B) {
	src := openBench(b)
	defer src.Close()
	for _, trusted := range []bool{false, true} {
		b.Run(map[bool]string{false: "checked", true: "trusted"}[trusted], func(b *testing.B) {
			scanMapped(b, src, ipc.Options{Trusted: trusted}, func(arrow.RecordBatch) float64 { return 0 })
		})
	}
}

func scanMapped(b *testing.B, src *shard.Local, opts ipc.Options, touch func(arrow.RecordBatch) float64) {
	b.SetBytes(src.Size())
	defer reportCPU(b)()
	for b.Loop() {
		r, err := ipc.Open(src, src.Size(), opts)
		if err != nil {
			b.Fatal(err)
		}
		var sum float64
		for batch, err := range r.Batches(b.Context()) {
			if err != nil {
				b.Fatal(err)
			}
			sum += touch(batch)
		}
		r.Close()
		benchSink = sum
	}
}

func BenchmarkRawSumMapped(b *testing.B) {
	src := openBench(b)
	defer src.Close()
	b.SetBytes(src.Size())
	defer reportCPU(b)()
	for b.Loop() {
		benchSink = float64(sumWords(src.Bytes()))
	}
}

// reportCPU adds the CPU time an iteration took (cpu-ns/op) to the
// benchmark's report; call the function it returns after the loop.
func reportCPU(b *testing.B) func() {
	start := cputime.Process()
	return func() {
		if start > 0 && b.N > 0 {
			b.ReportMetric(float64(cputime.Process()-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

func openBench(b *testing.B) *shard.Local {
	src, err := shard.OpenLocal(benchFile(b))
	if err != nil {
		b.Fatal(err)
	}
	return src
}

// sumWords sums b as 64-bit words; b is 8-byte aligned (an arrow buffer,
// or a mapping).
func sumWords(b []byte) int64 {
	return sumInt64(unsafe.Slice((*int64)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/8))
}

// The sums keep several accumulators so that they run at memory speed, not
// at the latency of one chain of additions.

func sumInt64(xs []int64) int64 {
	var a, b, c, d int64
	for len(xs) >= 4 {
		a, b, c, d = a+xs[0], b+xs[1], c+xs[2], d+xs[3]
		xs = xs[4:]
	}
	for _, x := range xs {
		a += x
	}
	return a + b + c + d
}

func sumFloat64(xs []float64) float64 {
	var a, b, c, d float64
	for len(xs) >= 4 {
		a, b, c, d = a+xs[0], b+xs[1], c+xs[2], d+xs[3]
		xs = xs[4:]
	}
	for _, x := range xs {
		a += x
	}
	return a + b + c + d
}

func sumFloat32(xs []float32) float32 {
	var a, b, c, d, e, f, g, h float32
	for len(xs) >= 8 {
		a, b, c, d = a+xs[0], b+xs[1], c+xs[2], d+xs[3]
		e, f, g, h = e+xs[4], f+xs[5], g+xs[6], h+xs[7]
		xs = xs[8:]
	}
	for _, x := range xs {
		a += x
	}
	return a + b + c + d + e + f + g + h
}
