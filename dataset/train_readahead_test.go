package dataset

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// loadWatch wraps a dataset's chunk loads: it records the chunks loaded,
// signals each load, and counts the loads under way.
type loadWatch struct {
	mu     sync.Mutex
	loaded map[int]int // chunk -> loads (one shard)
	active atomic.Int64
	done   chan int
	slow   time.Duration // loads of row groups 10 on first wait this long, or for their context
}

func watchLoads(t *testing.T, ds *Dataset) (*randomAccess, *loadWatch) {
	t.Helper()
	a, err := ds.access()
	if err != nil {
		t.Fatal(err)
	}
	w := &loadWatch{loaded: map[int]int{}, done: make(chan int, 1024)}
	load := a.cache.load
	a.cache.load = func(ctx context.Context, k chunkKey) (*chunk, error) {
		w.active.Add(1)
		defer w.active.Add(-1)
		if w.slow > 0 && k.chunk >= 10 {
			select {
			case <-time.After(w.slow):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		c, err := load(ctx, k)
		if err == nil {
			w.mu.Lock()
			w.loaded[k.chunk]++
			w.mu.Unlock()
			select {
			case w.done <- k.chunk:
			default: // nobody is watching
			}
		}
		return c, err
	}
	return a, w
}

// readAheadFixture is one Parquet shard of 4000 rows in row groups of 100,
// read in batches of 64: a sequential stream's segments are 1024 rows, and
// a block shuffle with a window of 500 positions delivers base rows
// 1500-1999 (row groups 15-19), the whole of its fourth window, in its
// second segment only.
func readAheadFixture(t *testing.T) *Dataset {
	f := trainFixture{ext: ".parquet", sizes: []int64{4000}, batchRows: 100}
	return openTrain(t, f.write(t), WithBatchRows(64))
}

// TestTrainBlockReadsAhead holds the first batch of a block-shuffled
// stream over Parquet and waits for a row group that only the second
// segment uses: the stream decodes it while the first is consumed, where
// it used to wait until the gather reached it.
func TestTrainBlockReadsAhead(t *testing.T) {
	ds := readAheadFixture(t)
	_, w := watchLoads(t, ds)
	s, err := ds.Train(TrainOptions{Mode: ShuffleBlock, Seed: 3, Window: 500})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	for _, err := range s.Batches(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		timeout := time.After(30 * time.Second)
		for {
			select {
			case c := <-w.done:
				if c >= 15 && c < 20 {
					return
				}
				continue
			case <-timeout:
				t.Fatal("no row group of the second segment was read while the first batch was held")
			}
		}
	}
	t.Fatal("no batches")
}

// TestTrainReadAheadStopsWithLoop breaks out of block-shuffled streams
// at every batch of their first segments, with loads slowed down so that
// a read-ahead is under way at the break: none is once the loop statement
// has returned, and what is delivered until then is the stream's own
// order.
func TestTrainReadAheadStopsWithLoop(t *testing.T) {
	ds := readAheadFixture(t)
	a, w := watchLoads(t, ds)
	o := TrainOptions{Mode: ShuffleBlock, Seed: 5, Window: 500}
	want := trainIDs(t, ds, o)
	w.slow = 20 * time.Millisecond
	s, err := ds.Train(o)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, stop := range []int{0, 1, 2, 7, 14, 15, 16, 17} {
		a.cache.purge() // every stream loads, and reads ahead, again
		var got []int64
		n := 0
		for b, err := range s.Batches(context.Background()) {
			if err != nil {
				t.Fatal(err)
			}
			got = appendIDs(t, got, b)
			if n++; n > stop {
				break
			}
		}
		if a := w.active.Load(); a != 0 {
			t.Fatalf("stop after %d batches: %d chunk loads still under way", stop+1, a)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("stop after %d batches: sample %d is %d, want %d", stop+1, i, got[i], want[i])
			}
		}
	}
}

// TestTrainReadAheadWithinCache gives the cache room for fewer row groups
// than two segments use: the stream reads none ahead, so that it evicts
// nothing a segment still needs, and reads each row group once.
func TestTrainReadAheadWithinCache(t *testing.T) {
	ds := readAheadFixture(t)
	a, w := watchLoads(t, ds)
	a.cache.maxChunks = 12 // a segment uses up to 11 row groups, two up to 16
	got := trainIDs(t, ds, TrainOptions{Mode: ShuffleBlock, Seed: 3, Window: 500})
	if len(got) != 4000 {
		t.Fatalf("got %d samples", len(got))
	}
	for c := range 40 {
		if n := w.loaded[c]; n != 1 {
			t.Errorf("row group %d read %d times, want once", c, n)
		}
	}
}

// purge drops every cached chunk not in use, so that a benchmark pass
// decodes what it reads.
func (cc *chunkCache) purge() {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	for cc.count > 0 {
		e := cc.lru.prev
		cc.unlink(e)
		delete(cc.entries, e.key)
		cc.count--
		cc.bytes -= e.c.bytes
		e.c.release()
	}
}
