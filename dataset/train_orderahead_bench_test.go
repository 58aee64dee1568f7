package dataset

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/tome-data/tome/internal/cputime"
)

// BenchmarkTrainOrderAhead compares, in one process, the ways a
// sequential read of memory-mapped Arrow can run: on one goroutine
// (readInline, the read before the pipeline), with the order cut ahead
// (readOrderAhead), with the batches gathered one ahead (readBatchAhead),
// and both (readPipelined, the read now), for a block shuffle's rank 0 of
// 2 and the unshuffled stream of the same rank; an iteration runs the
// eight passes in rotating order. It reports the medians over iterations
// of each pass's wall and CPU time per delivered row and of the
// block/none ratios. The loop body sums every value, as the bench
// module's workload 5 does.
//
// TOME_BENCH_ARROW names the file to read (the bench module's data.arrow:
// one file of 65,536-row batches); without it, openBenchTrain's 8 shards
// of 1,000-row batches.
func BenchmarkTrainOrderAhead(b *testing.B) {
	var ds *Dataset
	if path := os.Getenv("TOME_BENCH_ARROW"); path != "" {
		var err error
		if ds, err = Open(context.Background(), path); err != nil {
			b.Fatal(err)
		}
		defer ds.Close()
	} else {
		ds = openBenchTrain(b, benchTrainRows(b))
	}
	type pass struct {
		name string
		mode ShuffleMode
		read func(*TrainStream, context.Context, func(arrow.RecordBatch, error) bool)
	}
	passes := []pass{
		{"block-inline", ShuffleBlock, (*TrainStream).readInline},
		{"none-inline", ShuffleNone, (*TrainStream).readInline},
		{"block-order", ShuffleBlock, (*TrainStream).readOrderAhead},
		{"none-order", ShuffleNone, (*TrainStream).readOrderAhead},
		{"block-batch", ShuffleBlock, readBatchAhead},
		{"none-batch", ShuffleNone, readBatchAhead},
		{"block-pipelined", ShuffleBlock, (*TrainStream).readPipelined},
		{"none-pipelined", ShuffleNone, (*TrainStream).readPipelined},
	}
	wall := make([][]float64, len(passes)) // ns per row, per iteration
	cpu := make([][]float64, len(passes))
	var sink float64
	it := 0
	for b.Loop() {
		for k := range passes {
			i := (k + it) % len(passes)
			p := passes[i]
			s, err := ds.Train(TrainOptions{Mode: p.mode, Seed: 1, World: 2, Rank: 0})
			if err != nil {
				b.Fatal(err)
			}
			w, u := time.Now(), cputime.Process()
			var rows int64
			p.read(s, context.Background(), func(rec arrow.RecordBatch, err error) bool {
				if err != nil {
					b.Fatal(err)
				}
				rows += rec.NumRows()
				sink += sumBatch(rec)
				return true
			})
			wall[i] = append(wall[i], float64(time.Since(w))/float64(rows))
			cpu[i] = append(cpu[i], float64(cputime.Process()-u)/float64(rows))
			s.Close()
		}
		it++
	}
	if sink == 0.5 {
		b.Log(sink) // keeps the sums
	}
	for i, p := range passes {
		b.ReportMetric(median(wall[i]), p.name+"-ns/row")
		b.ReportMetric(median(cpu[i]), p.name+"-cpu-ns/row")
	}
	for _, v := range []string{"inline", "order", "batch", "pipelined"} {
		bi, ni := slices.IndexFunc(passes, func(p pass) bool { return p.name == "block-"+v }), slices.IndexFunc(passes, func(p pass) bool { return p.name == "none-"+v })
		b.ReportMetric(medianRatio(wall[bi], wall[ni]), fmt.Sprintf("block/none-%s", v))
		b.ReportMetric(medianRatio(cpu[bi], cpu[ni]), fmt.Sprintf("cpu-block/none-%s", v))
	}
}

// readInline is a sequential read of memory-mapped Arrow as it was before
// readOrderAhead: each segment is cut on the consumer's goroutine.
func (s *TrainStream) readInline(ctx context.Context, yield func(arrow.RecordBatch, error) bool) {
	for seg, err := range s.segments(ctx, true) {
		if err != nil {
			yield(nil, err)
			return
		}
		if !s.scan(ctx, sliceMap(seg), yield) {
			return
		}
	}
}

// sumBatch adds up every number of rec and its strings' lengths.
func sumBatch(rec arrow.RecordBatch) float64 {
	var s float64
	for _, col := range rec.Columns() {
		switch a := col.(type) {
		case *array.Int64:
			for _, v := range a.Int64Values() {
				s += float64(v)
			}
		case *array.Float32:
			s += sumFloats(a.Float32Values())
		case *array.String:
			off := a.ValueOffsets()
			s += float64(off[len(off)-1] - off[0])
		case *array.List:
			off := a.Offsets()
			s += sumFloats(a.ListValues().(*array.Float32).Float32Values()[off[0]:off[len(off)-1]])
		}
	}
	return s
}

func sumFloats(vs []float32) float64 {
	var s0, s1, s2, s3 float64
	for len(vs) >= 4 {
		s0, s1, s2, s3 = s0+float64(vs[0]), s1+float64(vs[1]), s2+float64(vs[2]), s3+float64(vs[3])
		vs = vs[4:]
	}
	for _, v := range vs {
		s0 += float64(v)
	}
	return s0 + s1 + s2 + s3
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// medianRatio is the median of the per-iteration ratios a[i]/b[i].
func medianRatio(a, b []float64) float64 {
	r := make([]float64, len(a))
	for i := range a {
		r[i] = a[i] / b[i]
	}
	return median(r)
}

// readBatchAhead gathers the batches one ahead of the loop body, the order
// cut inline: the pipeline without its order goroutine.
func readBatchAhead(s *TrainStream, ctx context.Context, yield func(arrow.RecordBatch, error) bool) {
	for b, err := range prefetchBatches(ctx, func(y func(arrow.RecordBatch, error) bool) { s.readInline(ctx, y) }, 1) {
		if !yield(b, err) {
			return
		}
	}
}
