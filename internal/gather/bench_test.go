package gather_test

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/internal/gather"
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
