package dataset

import (
	"fmt"
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
