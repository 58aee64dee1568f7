package dataset

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/tome-data/tome/internal/order"
)

// TestTrainProperties checks the training order's guarantees on real
// shards, over many datasets (shard sizes, empty shards, batch sizes, IPC
// and Parquet) and orders (every mode, seeds, epochs, windows, buffers,
// world sizes):
//
//  1. the delivered sequence is a pure function of the configuration:
//     parallel gathering, prefetch and batch size do not change it, and
//     the workers of a rank interleave to the rank's sequence;
//  2. the ranks together deliver every sample exactly once plus at most
//     World-1 pads (or none with DropRemainder), all with equal counts;
//  3. interleaving the ranks round-robin gives the one-rank sequence;
//  4. resuming from a state, through JSON and a freshly opened dataset,
//     continues exactly, on the same or another world size; Start skips
//     exactly;
//  5. the same seed and epoch give the same order, another epoch another.
func TestTrainProperties(t *testing.T) {
	cases := 40
	if testing.Short() {
		cases = 12
	}
	rng := rand.New(rand.NewPCG(4, 2))
	for c := range cases {
		ext := ".arrow"
		if c%3 == 2 {
			ext = ".parquet"
		}
		f := randomFixture(rng, ext)
		o := randomOrder(rng, allModes[c%len(allModes)])
		t.Run(fmt.Sprintf("%d/%s/%s/W%d", c, o.Mode, f, o.World), func(t *testing.T) {
			checkTrainOrder(t, rand.New(rand.NewPCG(uint64(c), 9)), f, o)
		})
	}
}

func checkTrainOrder(t *testing.T, rng *rand.Rand, f trainFixture, o TrainOptions) {
	paths := f.write(t)
	ds := openTrain(t, paths)
	n := f.rows()
	one := o
	one.World, one.Rank = 1, 0
	seq := trainIDs(t, ds, one)
	checkMatchesPlan(t, ds, f, one, seq)

	// 2 and 3: ranks.
	w := int64(o.World)
	ranks := make([][]int64, o.World)
	for r := range o.World {
		ro := o
		ro.Rank = r
		ranks[r] = trainIDs(t, ds, ro)
		if want := (n + w - 1) / w; int64(len(ranks[r])) != want {
			t.Fatalf("rank %d of %d delivered %d samples, want %d", r, w, len(ranks[r]), want)
		}
	}
	all := interleave(ranks)
	if !slices.Equal(all[:n], seq) {
		t.Fatalf("ranks interleaved differ from the one-rank sequence")
	}
	if pads := all[n:]; int64(len(pads)) >= w || !slices.Equal(pads, seq[:len(pads)]) {
		t.Fatalf("pads %v, want at most %d wrapping to the start %v", pads, w-1, seq[:min(len(seq), len(pads))])
	}
	var dropped [][]int64
	for r := range o.World {
		ro := o
		ro.Rank, ro.DropRemainder = r, true
		dropped = append(dropped, trainIDs(t, ds, ro))
		if want := n / w; int64(len(dropped[r])) != want {
			t.Fatalf("rank %d of %d with DropRemainder delivered %d samples, want %d", r, w, len(dropped[r]), want)
		}
	}
	if got := interleave(dropped); !slices.Equal(got, seq[:n/w*w]) {
		t.Fatalf("ranks with DropRemainder interleaved differ from the one-rank sequence")
	}

	// 1: how samples are read does not change them.
	r := rng.IntN(o.World)
	ro := o
	ro.Rank, ro.Parallel, ro.Prefetch, ro.BatchRows = r, 2+rng.IntN(3), 1+rng.IntN(3), 1+rng.IntN(100)
	if got := trainIDs(t, ds, ro); !slices.Equal(got, ranks[r]) {
		t.Fatalf("rank %d with parallel %d, prefetch %d, batches of %d differs", r, ro.Parallel, ro.Prefetch, ro.BatchRows)
	}
	ro = o
	ro.Rank, ro.Workers = r, 2+rng.IntN(3)
	var workers [][]int64
	for k := range ro.Workers {
		ro.Worker = k
		workers = append(workers, trainIDs(t, ds, ro))
	}
	if got := interleave(workers); !slices.Equal(got, ranks[r]) {
		t.Fatalf("rank %d's %d workers interleaved differ from the rank's sequence", r, ro.Workers)
	}

	// 4: Start and resume.
	k := rng.Int64N(int64(len(ranks[r])) + 1)
	ro = o
	ro.Rank, ro.Start = r, k
	if got := trainIDs(t, ds, ro); !slices.Equal(got, ranks[r][k:]) {
		t.Fatalf("rank %d from start %d differs from its sequence past %d", r, k, k)
	}
	checkResume(t, rng, paths, o, r, k, ranks[r], seq)

	// 5: epochs.
	if clearlyShuffles(f, o) {
		again := trainIDs(t, ds, one)
		next := one
		next.Epoch++
		if other := trainIDs(t, ds, next); !slices.Equal(again, seq) || slices.Equal(other, seq) {
			t.Fatalf("same epoch gave another order (%v), or the next epoch the same (%v)", !slices.Equal(again, seq), slices.Equal(other, seq))
		}
	}
}

// checkMatchesPlan checks that the one-rank sequence holds every row once,
// and that it is the order package's plan, row for row.
func checkMatchesPlan(t *testing.T, ds *Dataset, f trainFixture, o TrainOptions, seq []int64) {
	t.Helper()
	want := make([]int64, f.rows())
	for i := range want {
		want[i] = f.first + int64(i)
	}
	if got := sortedCopy(seq); !slices.Equal(got, want) {
		t.Fatalf("one rank delivered %d samples, not each of the %d rows once", len(seq), len(want))
	}
	shardRows, _ := ds.trainIdentity()
	plan, err := order.NewPlan(o.orderConfig(shardRows))
	if err != nil {
		t.Fatal(err)
	}
	for k, row := range plan.All(0) {
		if seq[k] != f.first+row {
			t.Fatalf("sample %d is row %d, the plan says %d", k, seq[k]-f.first, row)
		}
	}
}

// checkResume resumes rank r after k samples from its state, through JSON,
// on a freshly opened dataset, with the order options left out (the state
// carries them), on the same world and on another.
func checkResume(t *testing.T, rng *rand.Rand, paths []string, o TrainOptions, r int, k int64, rank, seq []int64) {
	t.Helper()
	ds := openTrain(t, paths)
	ro := o
	ro.Rank = r
	s, err := ds.Train(ro)
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.State(k)
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseTrainState(doc)
	if err != nil {
		t.Fatalf("%v in %s", err, doc)
	}
	fresh := openTrain(t, paths)
	resumed := TrainOptions{World: o.World, Rank: r, Resume: back}
	if got := trainIDs(t, fresh, resumed); !slices.Equal(got, rank[k:]) {
		t.Fatalf("rank %d resumed after %d samples (%s) differs from the rest of its sequence", r, k, doc)
	}
	n := int64(len(seq))
	c := back.Consumed
	if c >= n {
		return
	}
	w2 := 1 + rng.IntN(5)
	var ranks [][]int64
	for r2 := range w2 {
		ranks = append(ranks, trainIDs(t, fresh, TrainOptions{World: w2, Rank: r2, Resume: back}))
	}
	if got := interleave(ranks); int64(len(got)) < n-c || !slices.Equal(got[:n-c], seq[c:]) {
		t.Fatalf("resumed at %d on %d ranks: interleaved %d samples differ from the %d left of the sequence (%s)", c, w2, len(got), n-c, doc)
	}
}

// clearlyShuffles reports whether two epochs of o over f differ with near
// certainty.
func clearlyShuffles(f trainFixture, o TrainOptions) bool {
	n := f.rows()
	switch o.Mode {
	case ShuffleGlobal:
		return n >= 20
	case ShuffleBlock:
		return n >= 40 && o.Window >= 16
	case ShuffleBuffer:
		return n >= 40 && o.BufferSize >= 16
	}
	return false
}
