package gather

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

func TestUniformStride(t *testing.T) {
	for _, tt := range []struct {
		name  string
		offs  []int32
		limit int64
		want  int64
	}{
		{"one length", []int32{0, 4, 8, 12}, 12, 4},
		{"from an offset", []int32{6, 9, 12}, 20, 3},
		{"all empty", []int32{5, 5, 5}, 5, 0},
		{"one row", []int32{2, 7}, 7, 5},
		{"ragged", []int32{0, 4, 8, 13}, 13, -1},
		{"ragged at the start", []int32{0, 3, 7, 11}, 11, -1},
		{"past the child", []int32{0, 4, 8}, 7, -1},
		{"negative", []int32{-4, 0, 4}, 4, -1},
		{"descending", []int32{8, 4, 0}, 8, -1},
		{"wrapping", []int32{808464432, -2147155968}, 7, -1},
		{"wrapping later", []int32{0, 1 << 30, math.MinInt32}, 1 << 31, -1},
	} {
		if got := uniformStride(tt.offs, tt.limit); got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, got, tt.want)
		}
	}
	// 64-bit offsets that wrap around to land back under the limit.
	for _, tt := range []struct {
		name  string
		offs  []int64
		limit int64
		want  int64
	}{
		{"large, one length", []int64{3, 5, 7}, 7, 2},
		{"wrapping around", []int64{0, math.MaxInt64, -2}, 10, -1},
		{"stride past the child", []int64{0, 1 << 40, 1 << 41}, 1 << 41, 1 << 40},
		{"stride past a short child", []int64{0, 1 << 40, 1 << 41}, 1 << 20, -1},
		{"no rows", []int64{0}, 0, -1},
		{"nothing", nil, 0, -1},
	} {
		if got := uniformStride(tt.offs, tt.limit); got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, got, tt.want)
		}
	}
}

// uniformList returns a list<float32> of rows lists of k values each,
// sliced from row cut on (a non-zero offset).
func uniformList(mem memory.Allocator, rows, k, cut int) arrow.Array {
	b := array.NewListBuilder(mem, arrow.PrimitiveTypes.Float32)
	defer b.Release()
	vb := b.ValueBuilder().(*array.Float32Builder)
	for i := range rows {
		b.Append(true)
		for j := range k {
			vb.Append(float32(i*100 + j))
		}
	}
	arr := b.NewArray()
	if cut == 0 {
		return arr
	}
	defer arr.Release()
	return array.NewSlice(arr, int64(cut), int64(rows))
}

// TestUniformOffsetsMatchGatherOffsets checks the arithmetic path against
// the one that reads the offsets, span by span, on lists of one length
// per source (different lengths across sources, sliced sources, empty
// lists).
func TestUniformOffsetsMatchGatherOffsets(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	srcs := []arrow.Array{uniformList(mem, 40, 4, 0), uniformList(mem, 30, 7, 5), uniformList(mem, 20, 0, 0), uniformList(mem, 50, 1, 13)}
	defer func() {
		for _, s := range srcs {
			s.Release()
		}
	}()
	data := make([]arrow.ArrayData, len(srcs))
	for i, s := range srcs {
		data[i] = s.Data()
	}
	c, err := columnOf(srcs[0].DataType(), data)
	if err != nil {
		t.Fatal(err)
	}
	if c.ragged != 0 {
		t.Fatalf("%d sources ragged, want none: strides %v", c.ragged, c.stride)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20 {
		var spans []Span
		for range 1 + rng.IntN(200) {
			s := rng.IntN(len(srcs))
			off := rng.IntN(srcs[s].Len())
			spans = AppendSpan(spans, Span{Src: s, Off: off, Len: 1 + rng.IntN(min(3, srcs[s].Len()-off))})
		}
		n := Rows(spans)
		got, want := make([]int32, n+1), make([]int32, n+1)
		gotRanges, err := uniformOffsets(got, c.offs32, c.stride, spans, nil)
		if err != nil {
			t.Fatal(err)
		}
		wantRanges, err := gatherOffsets(want, c.offs32, c.limits, spans, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) || !slices.Equal(gotRanges, wantRanges) {
			t.Fatalf("spans %v:\noffsets %v\nwant    %v\nranges %v\nwant   %v", spans, got, want, gotRanges, wantRanges)
		}
	}
}

// TestRaggedCountFollowsTheSources checks the bookkeeping that picks the
// path: a ragged source turns the arithmetic off until Keep or Truncate
// drops it, and a gather is right either way.
func TestRaggedCountFollowsTheSources(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ragged, _, err := array.FromJSON(mem, arrow.ListOf(arrow.PrimitiveTypes.Float32), strings.NewReader(`[[1,2],[3],[4,5,6]]`))
	if err != nil {
		t.Fatal(err)
	}
	srcs := []arrow.Array{uniformList(mem, 10, 3, 0), ragged, uniformList(mem, 12, 2, 2)}
	defer func() {
		for _, s := range srcs {
			s.Release()
		}
	}()
	schema := arrow.NewSchema([]arrow.Field{{Name: "l", Type: srcs[0].DataType()}}, nil)
	set := NewSources(schema)
	var batches []arrow.RecordBatch
	for _, s := range srcs {
		b := array.NewRecordBatch(schema, []arrow.Array{s}, int64(s.Len()))
		defer b.Release()
		batches = append(batches, b)
		if err := set.Add(b); err != nil {
			t.Fatal(err)
		}
	}
	col := set.cols[0]
	check := func(wantRagged int, srcs []arrow.Array) {
		t.Helper()
		if col.ragged != wantRagged {
			t.Fatalf("ragged %d, want %d (strides %v)", col.ragged, wantRagged, col.stride)
		}
		spans := []Span{{Src: len(srcs) - 1, Off: 1, Len: 1}, {Src: 0, Off: 2, Len: 3}, {Src: len(srcs) - 1, Off: 0, Len: 1}}
		out, err := set.Gather(mem, spans)
		if err != nil {
			t.Fatal(err)
		}
		defer out.Release()
		pos := 0
		for _, s := range spans {
			for j := range s.Len {
				if got, want := out.Column(0).ValueStr(pos), srcs[s.Src].ValueStr(s.Off+j); got != want {
					t.Fatalf("row %d: %s, want %s", pos, got, want)
				}
				pos++
			}
		}
	}
	check(1, srcs)
	set.Keep([]bool{true, false, true})
	check(0, []arrow.Array{srcs[0], srcs[2]})
	if err := set.Add(batches[1]); err != nil {
		t.Fatal(err)
	}
	check(1, []arrow.Array{srcs[0], srcs[2], srcs[1]})
	set.Truncate(2)
	check(0, []arrow.Array{srcs[0], srcs[2]})
}
