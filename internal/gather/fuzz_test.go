package gather_test

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/internal/gather"
)

// FuzzArray gathers random rows of random arrays of every tested type and
// checks each gathered row against its source.
func FuzzArray(f *testing.F) {
	f.Add(uint64(0), uint8(0), uint16(10))
	f.Add(uint64(99), uint8(21), uint16(300))
	f.Fuzz(func(t *testing.T, seed uint64, typ uint8, rows uint16) {
		dt := testTypes[int(typ)%len(testTypes)]
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		rng := rand.New(rand.NewPCG(seed, uint64(typ)))
		var srcs []arrow.Array
		for range 1 + rng.IntN(4) {
			srcs = append(srcs, randArray(t, mem, rng, dt, 1+rng.IntN(50)))
		}
		if rng.IntN(2) == 0 { // a sliced source
			s := srcs[0]
			srcs = append(srcs, array.NewSlice(s, int64(s.Len()/3), int64(s.Len())))
		}
		defer func() {
			for _, s := range srcs {
				s.Release()
			}
		}()
		spans := randSpans(rng, srcs, int(rows%2000))
		out, err := gather.Array(mem, srcs, spans)
		if err != nil {
			t.Fatal(err)
		}
		defer out.Release()
		checkGathered(t, out, srcs, spans)
	})
}

// FuzzListOffsets gathers rows of a list array whose offsets come straight
// from the input, as a hostile file's would: the kernel must either refuse
// them with ErrCorrupt or return rows equal to the source's.
func FuzzListOffsets(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 2, 0, 0, 0, 5, 0, 0, 0}, uint8(1), uint8(1))
	f.Add([]byte{0, 0, 0, 0, 9, 0, 0, 0, 3, 0, 0, 0}, uint8(0), uint8(2))
	f.Fuzz(func(t *testing.T, raw []byte, off, n uint8) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		rows := len(raw)/4 - 1
		if rows < 1 {
			return
		}
		offsets := make([]int32, rows+1)
		for i := range offsets {
			offsets[i] = int32(binary.LittleEndian.Uint32(raw[4*i:]))
		}
		child, _, err := array.FromJSON(mem, arrow.PrimitiveTypes.Int64, stringsReader("[1, 2, 3, 4, 5, 6, 7]"))
		if err != nil {
			t.Fatal(err)
		}
		defer child.Release()
		data := array.NewData(arrow.ListOf(arrow.PrimitiveTypes.Int64), rows,
			[]*memory.Buffer{nil, memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(offsets))},
			[]arrow.ArrayData{child.Data()}, 0, 0)
		defer data.Release()
		list := array.MakeFromData(data)
		defer list.Release()
		s := gather.Span{Src: 0, Off: int(off) % rows}
		s.Len = min(int(n)%4, rows-s.Off)
		got, err := gather.Array(mem, []arrow.Array{list}, []gather.Span{s})
		if err != nil {
			if !errors.Is(err, format.ErrCorrupt) {
				t.Fatalf("err = %v, want ErrCorrupt", err)
			}
			return
		}
		defer got.Release()
		checkGathered(t, got, []arrow.Array{list}, []gather.Span{s})
	})
}
