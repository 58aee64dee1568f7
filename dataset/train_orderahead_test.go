package dataset

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

// A sequentialRead is readOrderAhead or readPipelined.
type sequentialRead func(*TrainStream, context.Context, func(arrow.RecordBatch, error) bool)

var sequentialReads = []struct {
	name string
	read sequentialRead
}{{"order-ahead", (*TrainStream).readOrderAhead}, {"pipelined", (*TrainStream).readPipelined}}

// orderAheadIDs collects the ids that read delivers for o.
func orderAheadIDs(t *testing.T, ds *Dataset, o TrainOptions, read sequentialRead) (got, want []int64) {
	t.Helper()
	s, err := ds.Train(o)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for row, err := range s.ord.rows() {
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, row)
	}
	read(s, context.Background(), func(b arrow.RecordBatch, err error) bool {
		if err != nil {
			t.Fatal(err)
		}
		got = appendIDs(t, got, b)
		return true
	})
	return got, want
}

// TestTrainOrderAheadFollowsTheOrder checks that a read whose segments are
// cut on another goroutine delivers the order's rows, in every mode, over
// many segments, whether its batches are gathered ahead too or not: the
// goroutine refills each buffer only once the scan of the segment in it is
// done, so no segment is overwritten while read (run with -race too).
func TestTrainOrderAheadFollowsTheOrder(t *testing.T) {
	// 3-row batches: segments of seqSegmentBatches*3 rows, 20 or more per
	// stream, over shards of several sizes (one empty).
	paths := trainFixture{ext: ".arrow", sizes: []int64{400, 0, 350, 250}, batchRows: 64}.write(t)
	ds := openTrain(t, paths, WithBatchRows(3))
	for _, mode := range allModes {
		for _, o := range orderTestOptions {
			o.Mode, o.Seed = mode, 5
			for _, r := range sequentialReads {
				t.Run(fmt.Sprintf("%s/%s/%+v", r.name, mode, o), func(t *testing.T) {
					got, want := orderAheadIDs(t, ds, o, r.read)
					if !slices.Equal(got, want) {
						t.Fatalf("delivered %v, the order %v", got, want)
					}
				})
			}
		}
	}
}

// TestTrainOrderAheadStops checks that the goroutines cutting segments
// and gathering ahead stop with the loop: when the loop body breaks, and when the context is
// canceled, which the loop then reports as its last element.
func TestTrainOrderAheadStops(t *testing.T) {
	ds := openTrain(t, trainFixture{ext: ".arrow", sizes: []int64{2000}, batchRows: 100}.write(t), WithBatchRows(5))
	s, err := ds.Train(TrainOptions{Mode: ShuffleBlock, Seed: 3, World: 2, Window: 256})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	before := runtime.NumGoroutine()
	for _, r := range sequentialReads {
		for _, stopAt := range []int{0, 1, 15, 16, 31, 40} {
			testReadStops(t, s, r.name, r.read, stopAt)
		}
	}
	// The goroutines have stopped when the reads return; give the
	// runtime a moment to count them out.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Fatalf("%d goroutines after the loops, %d before", n, before)
	}
}

// testReadStops breaks out of read after stopAt+1 batches, then cancels
// its context after as many.
func testReadStops(t *testing.T, s *TrainStream, name string, read sequentialRead, stopAt int) {
	t.Run(fmt.Sprintf("%s/break/%d", name, stopAt), func(t *testing.T) {
		n := 0
		read(s, context.Background(), func(b arrow.RecordBatch, err error) bool {
			if err != nil {
				t.Fatal(err)
			}
			n++
			return n <= stopAt
		})
		if n != stopAt+1 {
			t.Fatalf("loop body ran %d times, want %d", n, stopAt+1)
		}
	})
	t.Run(fmt.Sprintf("%s/cancel/%d", name, stopAt), func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		n, errs := 0, 0
		var last error
		read(s, ctx, func(b arrow.RecordBatch, err error) bool {
			if last != nil {
				t.Fatalf("element after the error %v", last)
			}
			if err != nil {
				errs++
				last = err
				return false
			}
			if n++; n == stopAt+1 {
				cancel()
			}
			return true
		})
		if errs != 1 || !errors.Is(last, context.Canceled) {
			t.Fatalf("%d errors, last %v; want one, context.Canceled", errs, last)
		}
	})
}

// TestTrainSequentialReadCutsAhead checks that a sequential read of
// memory-mapped Arrow with more than one core is pipelined: while the
// first batch is in the loop body, one goroutine cuts segments and one
// gathers batches, and neither is left once the loop is over.
func TestTrainSequentialReadCutsAhead(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("needs GOMAXPROCS >= 2")
	}
	ds := openTrain(t, trainFixture{ext: ".arrow", sizes: []int64{1000}, batchRows: 100}.write(t), WithBatchRows(5))
	s, err := ds.Train(TrainOptions{Mode: ShuffleBlock, Seed: 3, World: 2, Window: 256})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var cutting, gathering int
	for _, err := range s.Batches(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		cutting, gathering = countGoroutines("startOrderAhead"), countGoroutines("stream.readAhead")
		break
	}
	if cutting != 1 || gathering != 1 {
		t.Fatalf("while the first batch is read, %d goroutines cut segments and %d gather, want 1 and 1", cutting, gathering)
	}
	if cutting, gathering = countGoroutines("startOrderAhead"), countGoroutines("stream.readAhead"); cutting+gathering != 0 {
		t.Fatalf("after the loop, %d goroutines cut segments and %d gather, want none", cutting, gathering)
	}
}

// countGoroutines counts the goroutines whose stack mentions fn.
func countGoroutines(fn string) int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, fn) {
			n++
		}
	}
	return n
}
