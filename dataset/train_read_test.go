package dataset

import (
	"context"
	"sync"
	"testing"
)

// TestTrainBlockReadsEachChunkOnce reads Parquet shards through a chunk
// cache far smaller than the dataset: a block-shuffled stream reads every
// row group once (a window's chunks stay cached while its rows are
// gathered), where a global shuffle has to read them again and again.
func TestTrainBlockReadsEachChunkOnce(t *testing.T) {
	f := trainFixture{ext: ".parquet", sizes: []int64{2000, 1500, 0, 2500}, batchRows: 100}
	paths := f.write(t)
	const chunks = 20 + 15 + 25
	for _, tt := range []struct {
		mode  ShuffleMode
		world int
		once  bool
	}{
		{ShuffleNone, 1, true}, {ShuffleNone, 3, true}, {ShuffleShards, 2, true},
		{ShuffleBlock, 1, true}, {ShuffleBlock, 2, true}, {ShuffleGlobal, 1, false},
	} {
		ds := openTrain(t, paths, WithBatchRows(64))
		a, err := ds.access()
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		loads := map[chunkKey]int{}
		load := a.cache.load
		a.cache.load = func(ctx context.Context, k chunkKey) (*chunk, error) {
			mu.Lock()
			loads[k]++
			mu.Unlock()
			return load(ctx, k)
		}
		a.cache.maxChunks = 12 // a window of 500 rows touches at most 7
		got := trainIDs(t, ds, TrainOptions{Mode: tt.mode, Seed: 4, Window: 500, World: tt.world})
		total := 0
		for _, n := range loads {
			total += n
		}
		if tt.once && (total > chunks || len(got) == 0) {
			t.Errorf("%s on %d ranks read %d chunks for %d samples, want each of the %d at most once", tt.mode, tt.world, total, len(got), chunks)
		}
		if !tt.once && total <= chunks {
			t.Errorf("%s read only %d chunks with a cache of 12: the test cannot tell reading once from thrashing", tt.mode, total)
		}
		t.Logf("%s on %d ranks: %d chunk reads for %d samples", tt.mode, tt.world, total, len(got))
	}
}
