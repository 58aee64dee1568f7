package dataset

import (
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"
)

// decodePoisonAllocator is a checked allocator that overwrites memory when
// it is freed, so that a decoded value still pointing into a released batch
// shows up as garbage in the test that made it.
type decodePoisonAllocator struct {
	*memory.CheckedAllocator
}

func newDecodePoisonAllocator() *decodePoisonAllocator {
	return &decodePoisonAllocator{memory.NewCheckedAllocator(memory.NewGoAllocator())}
}

func (a *decodePoisonAllocator) Free(b []byte) {
	for i := range b {
		b[i] = 0xDB
	}
	a.CheckedAllocator.Free(b)
}

func (a *decodePoisonAllocator) Reallocate(size int, b []byte) []byte {
	out := a.Allocate(size)
	copy(out, b)
	a.Free(b)
	return out
}

// decodeTestArray builds an array of type dt from a JSON array of values.
func decodeTestArray(t testing.TB, mem memory.Allocator, dt arrow.DataType, data string) arrow.Array {
	t.Helper()
	arr, _, err := array.FromJSON(mem, dt, strings.NewReader(data))
	if err != nil {
		t.Fatalf("building %s from %s: %v", dt, data, err)
	}
	return arr
}

// decodeTestBatch builds a batch from alternating column names and arrays,
// taking over the arrays (it releases them).
func decodeTestBatch(t testing.TB, cols ...any) arrow.RecordBatch {
	t.Helper()
	var fields []arrow.Field
	var arrs []arrow.Array
	for i := 0; i < len(cols); i += 2 {
		arr := cols[i+1].(arrow.Array)
		fields = append(fields, arrow.Field{Name: cols[i].(string), Type: arr.DataType(), Nullable: true})
		arrs = append(arrs, arr)
	}
	rows := int64(0)
	if len(arrs) > 0 {
		rows = int64(arrs[0].Len())
	}
	rec := array.NewRecordBatch(arrow.NewSchema(fields, nil), arrs, rows)
	for _, a := range arrs {
		a.Release()
	}
	return rec
}

// decodeCheck decodes a one-column batch of type dt (values given as JSON)
// into T every way there is: AppendBatch, Decode row by row, Get by name,
// and AppendBatch over a slice of the batch that starts at row 1. All of
// them must give want, and still give it after the batch's memory has been
// released and overwritten.
func decodeCheck[T any](t *testing.T, dt arrow.DataType, data string, want []T, opts ...cmp.Option) {
	t.Helper()
	mem := newDecodePoisonAllocator()
	type row struct{ V T }
	rec := decodeTestBatch(t, "v", decodeTestArray(t, mem, dt, data))
	if int(rec.NumRows()) != len(want) {
		t.Fatalf("test data has %d rows, want has %d", rec.NumRows(), len(want))
	}
	dec, err := NewDecoder[row](rec.Schema())
	if err != nil {
		t.Fatal(err)
	}
	batch, err := dec.AppendBatch(nil, rec)
	if err != nil {
		t.Fatalf("AppendBatch: %v", err)
	}
	var single []row
	var got []T
	for i := range len(want) {
		var r row
		if err := dec.Decode(rec, i, &r); err != nil {
			t.Fatalf("Decode row %d: %v", i, err)
		}
		single = append(single, r)
		v, err := Get[T](NewRow(rec, i), "v")
		if err != nil {
			t.Fatalf("Get row %d: %v", i, err)
		}
		got = append(got, v)
	}
	var sliced []row
	if len(want) > 1 {
		s := rec.NewSlice(1, rec.NumRows())
		if sliced, err = dec.AppendBatch(nil, s); err != nil {
			t.Fatalf("AppendBatch of a slice: %v", err)
		}
		s.Release()
	}
	rec.Release()
	mem.AssertSize(t, 0)

	unwrap := func(rs []row) []T {
		out := make([]T, len(rs))
		for i, r := range rs {
			out[i] = r.V
		}
		return out
	}
	if diff := cmp.Diff(want, unwrap(batch), opts...); diff != "" {
		t.Errorf("AppendBatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, unwrap(single), opts...); diff != "" {
		t.Errorf("Decode (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, got, opts...); diff != "" {
		t.Errorf("Get (-want +got):\n%s", diff)
	}
	if len(want) > 1 {
		if diff := cmp.Diff(want[1:], unwrap(sliced), opts...); diff != "" {
			t.Errorf("AppendBatch of a slice from row 1 (-want +got):\n%s", diff)
		}
	}
}

func decodePtr[T any](v T) *T { return &v }
