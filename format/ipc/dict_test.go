package ipc_test

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	arrowipc "github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/format/ipc"
)

var dictSchema = arrow.NewSchema([]arrow.Field{
	{Name: "d", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int16, ValueType: arrow.BinaryTypes.String}, Nullable: true},
	{Name: "x", Type: arrow.PrimitiveTypes.Int32},
}, nil)

// dictStream writes a stream whose batches use the given dictionaries and
// indices; with deltas, arrow-go writes a dictionary that extends the last
// one as a delta and any other change as a replacement.
func dictStream(t testing.TB, dicts [][]string, indices [][]int16) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := arrowipc.NewWriter(&buf, arrowipc.WithSchema(dictSchema), arrowipc.WithDictionaryDeltas(true))
	for k := range dicts {
		b := dictBatch(dicts[k], indices[k], int32(k))
		if err := w.Write(b); err != nil {
			t.Fatal(err)
		}
		b.Release()
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func dictBatch(dict []string, indices []int16, x int32) arrow.RecordBatch {
	mem := memory.DefaultAllocator
	sb := array.NewStringBuilder(mem)
	sb.AppendValues(dict, nil)
	values := sb.NewArray()
	ib := array.NewInt16Builder(mem)
	ib.AppendValues(indices, nil)
	idx := ib.NewArray()
	d := array.NewDictionaryArray(dictSchema.Field(0).Type, idx, values)
	xb := array.NewInt32Builder(mem)
	for range indices {
		xb.Append(x)
	}
	xs := xb.NewArray()
	defer func() {
		for _, a := range []arrow.Array{values, idx, d, xs} {
			a.Release()
		}
		sb.Release()
		ib.Release()
		xb.Release()
	}()
	return array.NewRecordBatch(dictSchema, []arrow.Array{d, xs}, int64(len(indices)))
}

// dictValues decodes the dictionary column of b into strings.
func dictValues(b arrow.RecordBatch) []string {
	d := b.Column(0).(*array.Dictionary)
	values := d.Dictionary().(*array.String)
	out := make([]string, d.Len())
	for i := range out {
		out[i] = values.Value(d.GetValueIndex(i))
	}
	return out
}

// expected spells out what each batch of dictStream(dicts, indices) holds.
func expected(dicts [][]string, indices [][]int16) [][]string {
	out := make([][]string, len(dicts))
	for k := range dicts {
		for _, i := range indices[k] {
			out[k] = append(out[k], dicts[k][i])
		}
	}
	return out
}

// TestDictionaryRandomAccess reads a stream with dictionary deltas and
// replacements in order, chunk by chunk in random order, and from several
// goroutines at once: every batch must see the dictionary in force for it.
func TestDictionaryRandomAccess(t *testing.T) {
	dicts := [][]string{
		{"a", "b"},
		{"a", "b", "c"},           // delta
		{"x", "y"},                // replacement
		{"x", "y", "z", "w"},      // delta
		{"x", "y", "z", "w"},      // unchanged
		{"p"},                     // replacement
		{"p", "q", "r", "s", "t"}, // delta
	}
	indices := [][]int16{{0, 1, 0}, {2, 1}, {1, 0, 1}, {3, 2}, {0}, {0, 0}, {4, 1, 3}}
	data := dictStream(t, dicts, indices)
	want := expected(dicts, indices)

	for _, mapped := range []bool{true, false} {
		t.Run(fmt.Sprintf("mapped=%v", mapped), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			var src io.ReaderAt = readerAt{bytes.NewReader(data)}
			if mapped {
				m := newMemMapped(data)
				defer m.Release()
				src = m
			}
			r, err := ipc.Open(src, int64(len(data)), ipc.Options{ReadOptions: format.ReadOptions{Allocator: mem}})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			k := 0
			for b, err := range r.Batches(t.Context()) {
				if err != nil {
					t.Fatal(err)
				}
				checkDictBatch(t, k, b, want[k])
				k++
			}
			if k != len(want) {
				t.Fatalf("%d batches, want %d", k, len(want))
			}
			rng := rand.New(rand.NewPCG(1, 1))
			for range 3 {
				for _, k := range rng.Perm(len(want)) {
					readChunk(t, r, k, want[k])
				}
			}
			var wg sync.WaitGroup
			for g := range 4 {
				wg.Go(func() {
					rng := rand.New(rand.NewPCG(uint64(g), 2))
					for range 20 {
						k := rng.IntN(len(want))
						readChunk(t, r, k, want[k])
					}
				})
			}
			wg.Wait()
		})
	}
}

func readChunk(t *testing.T, r *ipc.Reader, k int, want []string) {
	n := 0
	for b, err := range r.ReadChunk(t.Context(), k) {
		if err != nil {
			t.Error(err)
			return
		}
		checkDictBatch(t, k, b, want)
		n++
	}
	if n != 1 {
		t.Errorf("chunk %d: %d batches", k, n)
	}
}

func checkDictBatch(t *testing.T, k int, b arrow.RecordBatch, want []string) {
	got := dictValues(b)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("batch %d: %q, want %q", k, got, want)
	}
	if x := b.Column(1).(*array.Int32).Value(0); x != int32(k) {
		t.Errorf("batch %d: x = %d", k, x)
	}
}

// countingReads counts ReadAt calls.
type countingReads struct {
	r io.ReaderAt
	n atomic.Int64
}

func (c *countingReads) ReadAt(p []byte, off int64) (int, error) {
	c.n.Add(1)
	return c.r.ReadAt(p, off)
}

// TestDictionaryDeltasLinear reads a stream where every batch adds a
// dictionary delta, once with Batches and once chunk by chunk in order.
// A decoder rebuilt per chunk would replay all deltas so far, reading
// O(n²) messages; the reader must read each message about once.
func TestDictionaryDeltasLinear(t *testing.T) {
	const n = 60
	var dicts [][]string
	var indices [][]int16
	var dict []string
	for k := range n {
		dict = append(dict, fmt.Sprintf("v%d", k))
		dicts = append(dicts, append([]string(nil), dict...))
		indices = append(indices, []int16{int16(k), 0})
	}
	data := dictStream(t, dicts, indices)
	want := expected(dicts, indices)
	for _, mode := range []string{"batches", "chunks"} {
		t.Run(mode, func(t *testing.T) {
			src := &countingReads{r: bytes.NewReader(data)}
			r, err := ipc.Open(src, int64(len(data)), ipc.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			opened := src.n.Load()
			if mode == "batches" {
				k := 0
				for b, err := range r.Batches(t.Context()) {
					if err != nil {
						t.Fatal(err)
					}
					checkDictBatch(t, k, b, want[k])
					k++
				}
			} else {
				for k := range n {
					readChunk(t, r, k, want[k])
				}
			}
			// One read per dictionary message and one per batch.
			if reads := src.n.Load() - opened; reads > 2*n+2 {
				t.Errorf("%d reads for %d batches with %d dictionary messages", reads, n, n)
			}
		})
	}
}
