package dataset

import (
	"context"
	"fmt"
	"slices"
	"testing"
)

// TestTrainSegmentLengths checks the segments a stream cuts its order
// into: seqSegmentBatches batches for a sequential read, whose view scans
// then prepare their chunks once for that many batches, and
// segmentBatches for a parallel one, whose segments are held whole.
func TestTrainSegmentLengths(t *testing.T) {
	const batch = 10
	ds, err := Open(context.Background(), writeTrainingIPC(t, 1000, 100), WithBatchRows(batch))
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	s, err := ds.Train(TrainOptions{Mode: ShuffleGlobal, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, tt := range []struct {
		reuse bool
		want  int
	}{{true, seqSegmentBatches * batch}, {false, segmentBatches * batch}} {
		var lens []int
		seen := 0
		for seg, err := range s.segments(context.Background(), tt.reuse) {
			if err != nil {
				t.Fatal(err)
			}
			lens = append(lens, len(seg))
			seen += len(seg)
		}
		if seen != 1000 {
			t.Fatalf("reuse %v: %d rows, want 1000", tt.reuse, seen)
		}
		for i, n := range lens[:len(lens)-1] {
			if n != tt.want {
				t.Fatalf("reuse %v: segment %d of %d rows, want %d (all %v)", tt.reuse, i, n, tt.want, lens)
			}
		}
	}
}

// orderTestOptions are the ranks, workers, windows, starts and pads the
// order-following tests run every mode with.
var orderTestOptions = []TrainOptions{
	{},
	{World: 3, Rank: 2, Window: 64},
	{World: 2, Rank: 1, Workers: 3, Worker: 1, Window: 100, Start: 55},
	{World: 7, Rank: 0, Window: 1000, DropRemainder: true},
}

// TestTrainSegmentsFollowTheOrder checks that the segments of a plan's
// stream, which a sequential read fills through the plan's Reader, hold
// the rows its order yields one at a time, in every mode, with ranks,
// workers, pads and a start.
func TestTrainSegmentsFollowTheOrder(t *testing.T) {
	ds, err := Open(context.Background(), writeTrainingIPC(t, 1000, 100), WithBatchRows(7))
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	for _, mode := range allModes {
		for _, o := range orderTestOptions {
			o.Mode, o.Seed = mode, 5
			t.Run(fmt.Sprintf("%s/%+v", mode, o), func(t *testing.T) {
				s, err := ds.Train(o)
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				var want []int64
				for row, err := range s.ord.rows() {
					if err != nil {
						t.Fatal(err)
					}
					want = append(want, row)
				}
				for _, reuse := range []bool{true, false} {
					var got []int64
					for seg, err := range s.segments(context.Background(), reuse) {
						if err != nil {
							t.Fatal(err)
						}
						got = append(got, seg...)
					}
					if !slices.Equal(got, want) {
						t.Fatalf("reuse %v: segments hold %v, the order %v", reuse, got, want)
					}
				}
			})
		}
	}
}
