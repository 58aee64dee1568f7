package dataset

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestChunkFindLayouts checks find against a walk over the batches for
// chunks of equal batches (found by division), equal but a shorter or
// longer last batch, and uneven or empty batches (found by search).
func TestChunkFindLayouts(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for _, sizes := range [][]int{
		{5}, {3, 3}, {3, 3, 3, 2}, {3, 3, 7}, {4, 4, 4, 4}, {3, 1, 4}, {3, 3, 0}, {0, 3, 3}, {3, 0, 3}, {2, 2, 3, 2},
	} {
		t.Run(fmt.Sprint(sizes), func(t *testing.T) {
			var batches []arrow.RecordBatch
			for _, n := range sizes {
				batches = append(batches, accessBatch(mem, 0, n))
			}
			ch := newChunk(batches, 0)
			defer ch.release()
			row := 0
			for b, n := range sizes {
				for r := range n {
					if gb, gr := ch.find(int64(row)); gb != b || gr != r {
						t.Errorf("find(%d) = %d/%d, want %d/%d", row, gb, gr, b, r)
					}
					row++
				}
			}
		})
	}
}

// indexOf lays chunks of the given row counts end to end, as buildIndex
// does for the chunks of every shard.
func indexOf(sizes []int64) *chunkIndex {
	ix := &chunkIndex{starts: []int64{0}}
	for c, n := range sizes {
		ix.starts = append(ix.starts, ix.starts[c]+n)
		ix.shard = append(ix.shard, int32(c/3))
		ix.chunk = append(ix.chunk, int32(c%3))
	}
	ix.setEven()
	return ix
}

// evenSizes is n chunks of per rows and a last of lastRows.
func evenSizes(n int, per, lastRows int64) []int64 {
	sizes := make([]int64, n, n+1)
	for i := range sizes {
		sizes[i] = per
	}
	return append(sizes, lastRows)
}

// checkLocate compares locate with a binary search over the chunk ends
// for base row b.
func checkLocate(t *testing.T, ix *chunkIndex, b int64) {
	t.Helper()
	want := searchEnds(ix.starts, b)
	g, row := ix.locate(b)
	if g != want || row != b-ix.starts[want] {
		t.Fatalf("locate(%d) = chunk %d row %d, want chunk %d row %d (per %d)", b, g, row, want, b-ix.starts[want], ix.per)
	}
}

// TestChunkIndexLocate checks locate against a binary search on every
// row of small layouts and around every chunk boundary of large ones:
// chunks of one size with a last chunk shorter, equal, longer or empty
// (found by multiplying), and uneven or empty chunks (found by search).
func TestChunkIndexLocate(t *testing.T) {
	layouts := []struct {
		sizes []int64
		even  bool
	}{
		{[]int64{1}, true},
		{[]int64{7}, true},
		{evenSizes(0, 0, 5), true},
		{evenSizes(7, 1, 1), true},
		{evenSizes(9, 3, 3), true},
		{evenSizes(9, 3, 1), true},
		{evenSizes(9, 3, 8), true},
		{evenSizes(9, 3, 0), true},
		{evenSizes(2000, 1000, 1000), true},
		{evenSizes(30, 65536, 33920), true},
		{evenSizes(250, 999, 7), true},
		{[]int64{3, 1, 4}, false},
		{[]int64{0, 3, 3}, false},
		{[]int64{3, 0, 3}, false},
		{[]int64{3, 3, 0, 3}, false},
		{[]int64{2, 2, 3, 2}, false},
	}
	rng := rand.New(rand.NewPCG(4, 5))
	for range 200 {
		per := 1 + rng.Int64N(3000)
		layouts = append(layouts, struct {
			sizes []int64
			even  bool
		}{evenSizes(rng.IntN(60), per, rng.Int64N(3*per)), true})
	}
	// Rows far past 2^32, and up to the bound below which the product
	// with the reciprocal is off by at most one chunk: there it rounds
	// both down and up.
	layouts = append(layouts, struct {
		sizes []int64
		even  bool
	}{evenSizes(1<<20, 3<<20, 12345), true}, struct {
		sizes []int64
		even  bool
	}{evenSizes(1023, maxEvenRows/1024-1, maxEvenRows/1024-1), true}, struct {
		sizes []int64
		even  bool
	}{evenSizes(4095, maxEvenRows/4096-3, 5), true}, struct {
		sizes []int64
		even  bool
	}{evenSizes(371, 24211507602962, 1), true}) // 348*per-1 rounds up to chunk 348
	for _, l := range layouts {
		ix := indexOf(l.sizes)
		total := ix.starts[len(ix.starts)-1]
		if total == 0 {
			continue
		}
		if got := ix.per != 0; got != l.even {
			t.Fatalf("%d chunks, first sizes %v: even %v, want %v", len(l.sizes), l.sizes[:min(4, len(l.sizes))], got, l.even)
		}
		if total <= 50_000 {
			for b := range total {
				checkLocate(t, ix, b)
			}
			continue
		}
		for g := range len(l.sizes) {
			if g > 4096 && g < len(l.sizes)-4096 && g%97 != 0 {
				continue
			}
			for _, d := range []int64{-2, -1, 0, 1, 2} {
				if b := ix.starts[g] + d; b >= 0 && b < total {
					checkLocate(t, ix, b)
				}
			}
		}
		for range 10_000 {
			checkLocate(t, ix, rng.Int64N(total))
		}
		checkLocate(t, ix, total-1)
	}
}
