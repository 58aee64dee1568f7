package dataset

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// newTestGatherer opens the training table of rows rows in chunks of 100
// and returns a gatherer of batches of maxRows, over a cache bounded to
// maxChunks chunks.
func newTestGatherer(t *testing.T, rows, maxChunks, maxRows int) (*rowGatherer, *randomAccess) {
	t.Helper()
	ctx := context.Background()
	ds, err := Open(ctx, writeTrainingIPC(t, rows, 100))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ds.Close() })
	a, err := ds.access()
	if err != nil {
		t.Fatal(err)
	}
	a.cache.mu.Lock()
	a.cache.maxChunks = maxChunks
	a.cache.mu.Unlock()
	proj, err := newProjection(ds.accessSchema(), nil)
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	g, err := newRowGatherer(ctx, a, mem, proj, maxRows)
	if err != nil {
		t.Fatal(err)
	}
	return g, a
}

// addRows adds base rows one at a time, checking the gatherer's bounds
// after each.
func addRows(t *testing.T, g *rowGatherer, a *randomAccess, rows ...int64) {
	t.Helper()
	for _, r := range rows {
		loc, err := a.find(r)
		if err != nil {
			t.Fatal(err)
		}
		if err := g.add(loc, 1); err != nil {
			t.Fatal(err)
		}
		if len(g.chunks) > g.maxChunks {
			t.Fatalf("holding %d chunks, bound %d", len(g.chunks), g.maxChunks)
		}
	}
}

// flushIDs flushes g and returns the ids of the batch's rows, which are
// their base rows, after checking that the embedding matches.
func flushIDs(t *testing.T, g *rowGatherer) []int64 {
	t.Helper()
	b, err := g.flush()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Release()
	ids := b.Column(0).(*array.Int64).Int64Values()
	emb := b.Column(3).(*array.List)
	vals := emb.ListValues().(*array.Float32)
	for i, id := range ids {
		lo, _ := emb.ValueOffsets(i)
		if got, want := vals.Value(int(lo)), float32(id)/64; got != want {
			t.Fatalf("row %d (id %d): emb[0] = %v, want %v", i, id, got, want)
		}
	}
	return append([]int64(nil), ids...)
}

func equalIDs(t *testing.T, got []int64, want ...int64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("ids %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("ids %v, want %v", got, want)
		}
	}
}

// TestRowGathererKeepsChunks checks that a flush keeps the chunks the
// batch used, prepared, for the next batch, and that reset releases them.
func TestRowGathererKeepsChunks(t *testing.T) {
	g, a := newTestGatherer(t, 2000, 4096, 4)
	addRows(t, g, a, 510, 20, 1999, 21)
	equalIDs(t, flushIDs(t, g), 510, 20, 1999, 21)
	kept := append([]*chunk(nil), g.chunks...)
	if len(kept) != 3 || g.sources.Len() != 3 {
		t.Fatalf("after a flush: %d chunks, %d sources held, want 3", len(kept), g.sources.Len())
	}
	addRows(t, g, a, 1990, 0, 515, 700)
	equalIDs(t, flushIDs(t, g), 1990, 0, 515, 700)
	if len(g.chunks) != 4 {
		t.Fatalf("%d chunks held, want 4", len(g.chunks))
	}
	for i, ch := range kept {
		if g.chunks[i] != ch {
			t.Fatalf("chunk %d was fetched again", i)
		}
	}
	// Every held chunk has the cache's reference and the gatherer's.
	held := append([]*chunk(nil), g.chunks...)
	for _, ch := range held {
		if n := ch.refs.Load(); n != 2 {
			t.Fatalf("held chunk has %d references, want 2", n)
		}
	}
	g.reset()
	for _, ch := range held {
		if n := ch.refs.Load(); n != 1 {
			t.Fatalf("after reset a chunk has %d references, want the cache's 1", n)
		}
	}
	if len(g.chunks) != 0 || g.sources.Len() != 0 || len(g.srcs) != 0 {
		t.Fatalf("after reset: %d chunks, %d sources, %d batches", len(g.chunks), g.sources.Len(), len(g.srcs))
	}
}

// TestRowGathererBounds checks that kept chunks never take the gatherer
// past the cache's bounds and never cut a batch short: a chunk the pending
// rows do not use is dropped for one they need, renumbering the sources
// the pending rows use.
func TestRowGathererBounds(t *testing.T) {
	g, a := newTestGatherer(t, 2000, 4, 100)
	addRows(t, g, a, 5, 105, 205, 305) // chunks 0-3: the bound
	if !g.full() {
		t.Fatal("not full at the chunk bound")
	}
	equalIDs(t, flushIDs(t, g), 5, 105, 205, 305)
	// Chunk 3 is source 3; chunk 5 needs room, so chunks 0-2 go and
	// chunk 3 becomes source 0 under the pending row.
	addRows(t, g, a, 310, 505, 311, 506, 306)
	if len(g.chunks) != 2 || g.sources.Len() != 2 || g.full() {
		t.Fatalf("%d chunks, %d sources held (full %v), want 2 and room", len(g.chunks), g.sources.Len(), g.full())
	}
	addRows(t, g, a, 1905, 1800)
	if !g.full() {
		t.Fatal("not full at the chunk bound")
	}
	equalIDs(t, flushIDs(t, g), 310, 505, 311, 506, 306, 1905, 1800)
	g.reset()
}

// TestRowGathererDropsOldChunks checks that a flush drops the chunks the
// batch left unused once they are most of those held, as when a block
// shuffle's window moves on.
func TestRowGathererDropsOldChunks(t *testing.T) {
	g, a := newTestGatherer(t, 2000, 4096, 3)
	addRows(t, g, a, 0, 100, 200)
	flushIDs(t, g)
	addRows(t, g, a, 300, 400, 500)
	flushIDs(t, g)
	if len(g.chunks) != 6 {
		t.Fatalf("%d chunks held, want 6: half unused are kept", len(g.chunks))
	}
	addRows(t, g, a, 600, 601, 700)
	flushIDs(t, g)
	if len(g.chunks) != 2 {
		t.Fatalf("%d chunks held, want the last batch's 2", len(g.chunks))
	}
	addRows(t, g, a, 701, 702, 600) // all used again: none dropped
	equalIDs(t, flushIDs(t, g), 701, 702, 600)
	if len(g.chunks) != 2 {
		t.Fatalf("%d chunks held, want 2", len(g.chunks))
	}
	g.reset()
}
