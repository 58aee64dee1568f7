package dataset

import (
	"context"
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
