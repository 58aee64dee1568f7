package gather_test

import (
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/internal/gather"
	"github.com/tome-data/tome/internal/mempool"
)

// garbageAllocator hands out memory full of 0xa5 from AllocateUninit, as
// a recycling pool may: a kernel that leaves a byte of an output buffer
// unwritten reads garbage from it.
type garbageAllocator struct {
	memory.GoAllocator
	uninit int
}

func (g *garbageAllocator) AllocateUninit(size int) []byte {
	g.uninit++
	b := g.Allocate(size)
	for i := range b {
		b[i] = 0xa5
	}
	return b
}

// The kernel takes unzeroed memory from allocators that offer it and must
// write every byte of it.
func TestArrayOnUninitializedMemory(t *testing.T) {
	for _, dt := range testTypes {
		t.Run(dt.String(), func(t *testing.T) {
			mem := &garbageAllocator{}
			rng := rand.New(rand.NewPCG(3, uint64(len(dt.String()))))
			var srcs []arrow.Array
			for _, n := range []int{40, 1, 25, 60} {
				srcs = append(srcs, randArray(t, mem, rng, dt, n))
			}
			defer func() {
				for _, s := range srcs {
					s.Release()
				}
			}()
			before := mem.uninit
			for _, n := range []int{1, 17, 300} {
				spans := randSpans(rng, srcs, n)
				out, err := gather.Array(mem, srcs, spans)
				if err != nil {
					t.Fatal(err)
				}
				checkGathered(t, out, srcs, spans)
				out.Release()
			}
			if dt.ID() == arrow.INT64 && mem.uninit == before {
				t.Fatal("no buffer came from AllocateUninit")
			}
		})
	}
}

// Gathered batches go back to a mempool.Pool and come out again for the
// next gather, unzeroed.
func TestArrayOnRecycledPool(t *testing.T) {
	pool := mempool.New(16 << 20)
	rng := rand.New(rand.NewPCG(5, 6))
	for _, dt := range []arrow.DataType{arrow.PrimitiveTypes.Int64, arrow.BinaryTypes.String, arrow.ListOf(arrow.PrimitiveTypes.Int32)} {
		srcs := []arrow.Array{randArray(t, pool, rng, dt, 900), randArray(t, pool, rng, dt, 1300)}
		for range 3 {
			spans := randSpans(rng, srcs, 2000)
			out, err := gather.Array(pool, srcs, spans)
			if err != nil {
				t.Fatal(err)
			}
			checkGathered(t, out, srcs, spans)
			out.Release()
		}
		if pool.Kept() == 0 {
			t.Fatalf("%s: nothing went back to the pool", dt)
		}
		for _, s := range srcs {
			s.Release()
		}
	}
}
