package dataset

import (
	"context"
	"fmt"
	"iter"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/internal/cputime"
	"github.com/tome-data/tome/internal/gather"
	"github.com/tome-data/tome/internal/mempool"
	"github.com/tome-data/tome/internal/order"
)

// benchTrainRows is the row count of the training benchmarks' dataset:
// TOME_BENCH_TRAIN_ROWS, else 200 000 (20 000 with -short). BENCHMARKS.md
// records 2 000 000.
func benchTrainRows(b *testing.B) int {
	if s := os.Getenv("TOME_BENCH_TRAIN_ROWS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 8000 {
			b.Fatalf("TOME_BENCH_TRAIN_ROWS=%q: want a row count of at least 8000", s)
		}
		return n
	}
	if testing.Short() {
		return 20_000
	}
	return 200_000
}

// openBenchTrain writes the training table (benchTrainingSchema: id,
// label, a text of 150-250 bytes, 64 floats) as 8 uncompressed Arrow IPC
// shards of 1000-row batches, as Hugging Face writes them, and opens them
// memory-mapped.
func openBenchTrain(b *testing.B, rows int) *Dataset {
	b.Helper()
	var paths []string
	for range 8 {
		paths = append(paths, writeTrainingIPC(b, rows/8, 1000))
	}
	ds, err := OpenFiles(context.Background(), paths)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ds.Close() })
	return ds
}

// collator is what a training loop does with a batch: it copies every
// value into the flat buffers a tensor library takes. Both sides of a
// comparison deliver their batches to it, so both deliver materialised
// values.
type collator struct {
	ids    []int64
	labels []float32
	text   []byte
	emb    []float32
	rows   int64
	count  bool // only count the rows: measure delivery alone
}

func (c *collator) add(b arrow.RecordBatch) {
	n := int(b.NumRows())
	if c.count {
		c.rows += int64(n)
		return
	}
	c.ids = append(c.ids[:0], b.Column(0).(*array.Int64).Int64Values()...)
	c.labels = append(c.labels[:0], b.Column(1).(*array.Float32).Float32Values()...)
	text := b.Column(2).(*array.String)
	off := text.ValueOffsets()
	c.text = append(c.text[:0], text.ValueBytes()[:off[n]-off[0]]...)
	emb := b.Column(3).(*array.List)
	eo := emb.Offsets()
	c.emb = append(c.emb[:0], emb.ListValues().(*array.Float32).Float32Values()[eo[0]:eo[n]]...)
	c.rows += int64(n)
}

// timedPass runs one pass of a stream into a collator and returns its wall
// and CPU time and the rows delivered.
func timedPass(b *testing.B, seq func(yield func(arrow.RecordBatch, error) bool), c *collator) (wall, cpu time.Duration, rows int64) {
	w, u := time.Now(), cputime.Process()
	before := c.rows
	for rec, err := range seq {
		if err != nil {
			b.Fatal(err)
		}
		c.add(rec)
	}
	return time.Since(w), cputime.Process() - u, c.rows - before
}

// BenchmarkTrain measures the training stream over a memory-mapped Arrow
// dataset (openBenchTrain). Every sub-benchmark runs the sides it compares
// alternately within each iteration, so that the machine's other load
// weighs on both alike, and reports rows/s by wall and by CPU time.
func BenchmarkTrain(b *testing.B) {
	rows := benchTrainRows(b)
	ds := openBenchTrain(b, rows)
	ctx := context.Background()
	mustTrain := func(o TrainOptions) *TrainStream {
		s, err := ds.Train(o)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close() })
		return s
	}
	// Warm the page cache.
	var warm collator
	timedPass(b, mustTrain(TrainOptions{}).Batches(ctx), &warm)

	// block shuffle with rank partitioning vs the unshuffled scan, both
	// delivering materialised batches of format.DefaultBatchSize rows in
	// memory of their own: block gathers them from its windows, the scan
	// copies the files' consecutive batches with the same gather kernel
	// into the same kind of recycling pool the stream gathers into.
	// "delivered" counts the batches' rows; "collated" also copies every
	// value out, as a training loop does. The zero-copy scan (the files'
	// own batches, borrowed from the mapping) is reported too.
	for _, consumer := range []string{"delivered", "collated"} {
		b.Run("block-vs-scan/"+consumer, func(b *testing.B) {
			scan := mustTrain(TrainOptions{})
			block := mustTrain(TrainOptions{Mode: ShuffleBlock, Seed: 1, World: 4, Rank: 1})
			c := collator{count: consumer == "delivered"}
			var sw, sc, bw, bc, zw time.Duration
			var sr, br, zr int64
			for b.Loop() {
				w, u, n := timedPass(b, materialise(b, scan.Batches(ctx), format.DefaultBatchSize), &c)
				sw, sc, sr = sw+w, sc+u, sr+n
				w, u, n = timedPass(b, block.Batches(ctx), &c)
				bw, bc, br = bw+w, bc+u, br+n
				w, _, n = timedPass(b, scan.Batches(ctx), &c)
				zw, zr = zw+w, zr+n
			}
			reportPair(b, "block", br, bw, bc, "scan", sr, sw, sc)
			b.ReportMetric(float64(zr)/zw.Seconds(), "zero-copy-scan-rows/s")
		})
	}

	// block shuffle vs the unshuffled stream of the same rank (rank 0 of
	// 2, as the bench module's workload 5 runs them): both gather the
	// same number of rows into batches of their own, so what differs is
	// only the order, the shuffle's, and the rows' places in memory,
	// random within a window against every other row in address order.
	for _, consumer := range []string{"delivered", "collated"} {
		b.Run("block-vs-none-rank/"+consumer, func(b *testing.B) {
			block := mustTrain(TrainOptions{Mode: ShuffleBlock, Seed: 1, World: 2})
			none := mustTrain(TrainOptions{Mode: ShuffleNone, World: 2})
			c := collator{count: consumer == "delivered"}
			var bw, bc, nw, nc time.Duration
			var br, nr int64
			for b.Loop() {
				w, u, n := timedPass(b, block.Batches(ctx), &c)
				bw, bc, br = bw+w, bc+u, br+n
				w, u, n = timedPass(b, none.Batches(ctx), &c)
				nw, nc, nr = nw+w, nc+u, nr+n
			}
			reportPair(b, "block", br, bw, bc, "none", nr, nw, nc)
		})
	}

	// global shuffle vs arrow-go's compute.Take over the dataset
	// concatenated into one batch beforehand (Take's easiest case), with
	// a random permutation cut into batches of format.DefaultBatchSize;
	// both deliver materialised batches, whose rows are counted.
	//
	// The stream gathers a batch's columns on up to GOMAXPROCS goroutines,
	// and with Parallel 2 whole batches on two; compute.Take uses one.
	// Run with -cpu 1 for the one-thread comparison, -cpu 2 for both
	// cores; "global-par2" is the stream with Parallel: 2.
	b.Run("global-vs-take", func(b *testing.B) {
		global := mustTrain(TrainOptions{Mode: ShuffleGlobal, Seed: 1})
		global2 := mustTrain(TrainOptions{Mode: ShuffleGlobal, Seed: 1, Parallel: 2})
		whole := concatAll(b, ds)
		defer whole.Release()
		perm := make([]int64, rows)
		for i, p := range rand.New(rand.NewPCG(2, 3)).Perm(rows) {
			perm[i] = int64(p)
		}
		c := collator{count: true}
		var gw, gc, tw, tc, pw, pc time.Duration
		var gr, tr, pr int64
		for b.Loop() {
			w, u, n := timedPass(b, global.Batches(ctx), &c)
			gw, gc, gr = gw+w, gc+u, gr+n
			w, u, n = timedPass(b, global2.Batches(ctx), &c)
			pw, pc, pr = pw+w, pc+u, pr+n
			take := func(yield func(arrow.RecordBatch, error) bool) {
				for off := 0; off < rows; off += format.DefaultBatchSize {
					out := computeTake(b, whole, perm[off:min(off+format.DefaultBatchSize, rows)])
					ok := yield(out, nil)
					out.Release()
					if !ok {
						return
					}
				}
			}
			w, u, n = timedPass(b, take, &c)
			tw, tc, tr = tw+w, tc+u, tr+n
		}
		reportPair(b, "global", gr, gw, gc, "take", tr, tw, tc)
		reportPair(b, "global-par2", pr, pw, pc, "take", tr, tw, tc)
	})

	// Every mode on one rank: throughput next to the order's quality.
	for _, mode := range allModes {
		b.Run("mode="+mode.String(), func(b *testing.B) {
			o := TrainOptions{Mode: mode, Seed: 1}
			s := mustTrain(o)
			var c collator
			var wall, cpu time.Duration
			var n int64
			for b.Loop() {
				w, u, r := timedPass(b, s.Batches(ctx), &c)
				wall, cpu, n = wall+w, cpu+u, n+r
			}
			b.ReportMetric(float64(n)/wall.Seconds(), "rows/s")
			b.ReportMetric(float64(n)/cpu.Seconds(), "cpu-rows/s")
			shardRows, _ := ds.trainIdentity()
			p, err := order.NewPlan(o.orderConfig(shardRows))
			if err != nil {
				b.Fatal(err)
			}
			spearman, disp, shards := order.Quality(p)
			b.ReportMetric(spearman, "spearman")
			b.ReportMetric(disp/float64(rows), "displacement/N")
			b.ReportMetric(shards, "shards/window")
		})
	}

	// Resuming at 90%: the time to the first batch of a stream resumed
	// there, next to a full pass.
	for _, mode := range allModes {
		b.Run("resume90/mode="+mode.String(), func(b *testing.B) {
			o := TrainOptions{Mode: mode, Seed: 1, World: 2}
			s := mustTrain(o)
			st, err := s.State(s.Len() * 9 / 10)
			if err != nil {
				b.Fatal(err)
			}
			var c collator
			var full, first time.Duration
			for b.Loop() {
				w, _, _ := timedPass(b, s.Batches(ctx), &c)
				full += w
				start := time.Now()
				r := mustTrain(TrainOptions{World: 2, Resume: &st})
				for rec, err := range r.Batches(ctx) {
					if err != nil {
						b.Fatal(err)
					}
					c.add(rec)
					break
				}
				first += time.Since(start)
			}
			b.ReportMetric(float64(first)/float64(full), "resume/full")
			b.ReportMetric(float64(first.Microseconds())/float64(b.N), "resume-µs")
		})
	}
}

// materialise copies the batches of seq into new batches of n rows with
// the gather kernel, as a view scan gathers rows.
func materialise(b *testing.B, seq iter.Seq2[arrow.RecordBatch, error], n int) iter.Seq2[arrow.RecordBatch, error] {
	mem := mempool.New(trainPoolBytes)
	return func(yield func(arrow.RecordBatch, error) bool) {
		var srcs []arrow.RecordBatch
		var spans []gather.Span
		rows := 0
		flush := func() bool {
			out, err := gather.Batch(mem, srcs[0].Schema(), srcs, spans)
			if err != nil {
				b.Fatal(err)
			}
			releaseBatches(srcs)
			srcs, spans, rows = srcs[:0], spans[:0], 0
			ok := yield(out, nil)
			out.Release()
			return ok
		}
		for rec, err := range seq {
			if err != nil {
				yield(nil, err)
				return
			}
			for off := 0; off < int(rec.NumRows()); {
				take := min(n-rows, int(rec.NumRows())-off)
				if off == 0 {
					rec.Retain()
					srcs = append(srcs, rec)
				}
				spans = append(spans, gather.Span{Src: len(srcs) - 1, Off: off, Len: take})
				rows += take
				off += take
				if rows == n && !flush() {
					return
				}
				if off < int(rec.NumRows()) {
					rec.Retain()
					srcs = append(srcs, rec)
				}
			}
		}
		if rows > 0 {
			flush()
		}
	}
}

// reportPair reports two sides' rows/s by wall and CPU time and their
// ratios, a over b.
func reportPair(b *testing.B, an string, ar int64, aw, ac time.Duration, bn string, br int64, bw, bc time.Duration) {
	rate := func(n int64, d time.Duration) float64 {
		if d <= 0 {
			return math.NaN()
		}
		return float64(n) / d.Seconds()
	}
	b.ReportMetric(rate(ar, aw), an+"-rows/s")
	b.ReportMetric(rate(br, bw), bn+"-rows/s")
	b.ReportMetric(rate(ar, aw)/rate(br, bw), fmt.Sprintf("%s/%s", an, bn))
	b.ReportMetric(rate(ar, ac)/rate(br, bc), fmt.Sprintf("cpu-%s/%s", an, bn))
}
