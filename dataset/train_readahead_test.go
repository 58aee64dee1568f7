package dataset

import (
	"context"
	"fmt"
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
// it used to wait until the gather reached it. With Columns the row
// groups are decoded projected, under keys of their own. Over a view
// whose rows run backwards, the second segment's first full window (view
// rows 1500-1999) is the files' rows 2000-2499, row groups 20-24, which
// are read ahead first; taken for the files' rows, the same positions
// would name row groups 15-19.
func TestTrainBlockReadsAhead(t *testing.T) {
	for _, tt := range []struct {
		columns  []string
		reversed bool
		lo, hi   int // the row groups only the second segment uses
		bad      int // 1 + the first of 5 row groups that must not be read ahead first; 0 for none
	}{
		{nil, false, 15, 20, 0}, {[]string{"id"}, false, 15, 20, 0}, {nil, true, 20, 25, 1 + 15},
	} {
		t.Run(fmt.Sprintf("%v/reversed=%v", tt.columns, tt.reversed), func(t *testing.T) {
			ds := readAheadFixture(t)
			_, w := watchLoads(t, ds)
			if tt.reversed {
				ds = reversedView(t, ds)
			}
			s, err := ds.Train(TrainOptions{Mode: ShuffleBlock, Seed: 3, Window: 500, Columns: tt.columns})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			for b, err := range s.Batches(context.Background()) {
				if err != nil {
					t.Fatal(err)
				}
				if got := int(b.NumCols()); got != 2-len(tt.columns) {
					t.Fatalf("batch of %d columns, want %d", got, 2-len(tt.columns))
				}
				timeout := time.After(30 * time.Second)
				for {
					select {
					case c := <-w.done:
						if c >= tt.lo && c < tt.hi {
							return
						}
						if tt.bad > 0 && c >= tt.bad-1 && c < tt.bad+4 {
							t.Fatalf("row group %d was read ahead before those of the second segment's first full window", c)
						}
					case <-timeout:
						t.Fatal("no row group of the second segment was read while the first batch was held")
					}
				}
			}
			t.Fatal("no batches")
		})
	}
}

// reversedView is ds's rows backwards, a view of 4000 rows.
func reversedView(t *testing.T, ds *Dataset) *Dataset {
	rows := make([]int64, 4000)
	for i := range rows {
		rows[i] = int64(len(rows) - 1 - i)
	}
	v, err := ds.Select(rows)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return v
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
// nothing a segment still needs, and reads each row group once; also over
// a view whose rows run backwards, whose positions the read-ahead maps to
// the files' rows. Over the full cache, it reads each row group once too.
func TestTrainReadAheadWithinCache(t *testing.T) {
	for _, tt := range []struct {
		name      string
		reversed  bool
		maxChunks int
	}{
		{"cache-12", false, 12}, {"cache-12-reversed", true, 12}, {"cache-full-reversed", true, cacheMaxChunks},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ds := readAheadFixture(t)
			a, w := watchLoads(t, ds)
			a.cache.maxChunks = tt.maxChunks // a segment uses up to 15 row groups, two up to 20
			if tt.reversed {
				ds = reversedView(t, ds)
			}
			got := trainIDs(t, ds, TrainOptions{Mode: ShuffleBlock, Seed: 3, Window: 500})
			if len(got) != 4000 {
				t.Fatalf("got %d samples", len(got))
			}
			for c := range 40 {
				if n := w.loaded[c]; n != 1 {
					t.Errorf("row group %d read %d times, want once", c, n)
				}
			}
		})
	}
}

// purge drops every cached chunk not in use, so that a benchmark pass
// decodes what it reads.
func (cc *chunkCache) purge() {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	for cc.count > 0 {
		cc.dropOldest()
	}
}
