package dataset

import (
	"fmt"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"
)

// decodeSample is a batch with a few columns of common types.
func decodeSample(t *testing.T, mem memory.Allocator) arrow.RecordBatch {
	t.Helper()
	return decodeTestBatch(t,
		"id", decodeTestArray(t, mem, arrow.PrimitiveTypes.Int64, `[1, 2, 3]`),
		"text", decodeTestArray(t, mem, arrow.BinaryTypes.String, `["a", "bb", null]`),
		"label", decodeTestArray(t, mem, arrow.PrimitiveTypes.Int8, `[0, 1, 1]`),
		"Score", decodeTestArray(t, mem, arrow.PrimitiveTypes.Float32, `[0.5, null, 1.5]`),
		"emb", decodeTestArray(t, mem, arrow.ListOf(arrow.PrimitiveTypes.Float32), `[[1, 2], [3], []]`),
	)
}

func decodeAll[T any](t *testing.T, rec arrow.RecordBatch) []T {
	t.Helper()
	dec, err := NewDecoder[T](rec.Schema())
	if err != nil {
		t.Fatal(err)
	}
	out, err := dec.AppendBatch(nil, rec)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDecodeFieldNames(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := decodeSample(t, mem)
	defer rec.Release()

	t.Run("tome tags win over json tags and names", func(t *testing.T) {
		type row struct {
			A int64  `tome:"id" json:"ignored"`
			B string `json:"text,omitempty"`
			C int    `tome:",optional" json:"label"`
		}
		want := []row{{1, "a", 0}, {2, "bb", 1}, {3, "", 1}}
		if diff := cmp.Diff(want, decodeAll[row](t, rec)); diff != "" {
			t.Error(diff)
		}
	})
	t.Run("names match ignoring case, exact first", func(t *testing.T) {
		type row struct {
			ID    int64
			Score float32 // column "Score"
			SCORE float64 `tome:"score"` // no exact match: folds to "Score"
		}
		want := []row{{1, 0.5, 0.5}, {2, 0, 0}, {3, 1.5, 1.5}}
		if diff := cmp.Diff(want, decodeAll[row](t, rec)); diff != "" {
			t.Error(diff)
		}
	})
	t.Run("skipped and unexported fields are left alone", func(t *testing.T) {
		type row struct {
			ID     int64
			Text   string `tome:"-"`
			Label  string `json:"-"` // would be a type mismatch
			hidden int
		}
		got := decodeAll[row](t, rec)
		if diff := cmp.Diff([]row{{ID: 1}, {ID: 2}, {ID: 3}}, got, cmp.AllowUnexported(row{})); diff != "" {
			t.Error(diff)
		}
	})
	t.Run("embedded structs are promoted, shallower wins", func(t *testing.T) {
		type inner struct {
			ID   int64
			Text string
		}
		type Shadow struct {
			inner
			Label int8
			ID    int32 // shadows inner.ID
		}
		got := decodeAll[Shadow](t, rec)
		want := []Shadow{{inner{0, "a"}, 0, 1}, {inner{0, "bb"}, 1, 2}, {inner{0, ""}, 1, 3}}
		if diff := cmp.Diff(want, got, cmp.AllowUnexported(Shadow{})); diff != "" {
			t.Error(diff)
		}
	})
	t.Run("at equal depth the tagged field wins", func(t *testing.T) {
		type Tagged struct {
			Text string `tome:"Text"`
		}
		type Plain struct{ Text string }
		type row struct {
			Tagged
			Plain
		}
		got := decodeAll[row](t, rec)
		if got[1].Tagged.Text != "bb" || got[1].Plain.Text != "" {
			t.Errorf("got %+v, want only the tagged field decoded", got[1])
		}
	})
	t.Run("tagged embedded struct is a nested field", func(t *testing.T) {
		type Pair struct{ A, B int32 }
		type row struct {
			Pair `tome:"p"`
		}
		nested := decodeTestBatch(t, "p", decodeTestArray(t, mem,
			arrow.StructOf(arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int32}, arrow.Field{Name: "b", Type: arrow.PrimitiveTypes.Int32}),
			`[{"a": 1, "b": 2}]`))
		defer nested.Release()
		if diff := cmp.Diff([]row{{Pair{1, 2}}}, decodeAll[row](t, nested)); diff != "" {
			t.Error(diff)
		}
	})
}

func TestDecodeMissingColumns(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := decodeSample(t, mem)
	defer rec.Release()
	type row struct {
		ID      int64
		Extra   *string
		Default int `tome:"weight,optional"`
	}
	dec, err := NewDecoder[row](rec.Schema())
	if err != nil {
		t.Fatal(err)
	}
	s := "kept"
	r := row{Extra: &s, Default: 7}
	if err := dec.Decode(rec, 1, &r); err != nil {
		t.Fatal(err)
	}
	if r.ID != 2 || r.Extra != &s || r.Default != 7 {
		t.Errorf("Decode touched fields without a column: %+v", r)
	}
	// AppendBatch zeroes them, even over stale spare capacity.
	stale := make([]row, 1, 8)
	stale[:8][3] = row{ID: 99, Extra: &s, Default: 99}
	out, err := dec.AppendBatch(stale, rec)
	if err != nil {
		t.Fatal(err)
	}
	want := []row{{}, {ID: 1}, {ID: 2}, {ID: 3}}
	if diff := cmp.Diff(want, out); diff != "" {
		t.Error(diff)
	}
}

func TestDecodeAppendsAndOverwrites(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := decodeSample(t, mem)
	defer rec.Release()
	type row struct {
		ID   int64
		Text *string
		Emb  []float32
	}
	dec, err := NewDecoder[row](rec.Schema())
	if err != nil {
		t.Fatal(err)
	}
	out, err := dec.AppendBatch(nil, rec)
	if err != nil {
		t.Fatal(err)
	}
	if out, err = dec.AppendBatch(out, rec); err != nil || len(out) != 6 {
		t.Fatalf("second AppendBatch: %d rows, %v", len(out), err)
	}
	if out[3].ID != 1 || *out[4].Text != "bb" || out[5].Text != nil {
		t.Errorf("second batch decoded wrong: %+v %+v", out[3], out[4])
	}
	// Slices share a block per batch but are capped: growing one must
	// not write into the next row's elements.
	if cap(out[0].Emb) != 2 {
		t.Errorf("cap of row 0's slice = %d, want 2", cap(out[0].Emb))
	}
	_ = append(out[0].Emb, 99)
	if out[1].Emb[0] != 3 {
		t.Errorf("appending to row 0 changed row 1: %v", out[1].Emb)
	}
	if out[2].Emb == nil {
		t.Error("an empty list decoded as a nil slice")
	}
	// Decode replaces slices and pointers instead of writing through them.
	r := out[0]
	old := r.Emb
	if err := dec.Decode(rec, 1, &r); err != nil {
		t.Fatal(err)
	}
	if old[0] != 1 || r.Emb[0] != 3 || *out[0].Text != "a" {
		t.Errorf("Decode wrote through the old slice or pointer: old %v new %v", old, r.Emb)
	}
}

func TestDecodeIntoMap(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := decodeSample(t, mem)
	defer rec.Release()
	got := decodeAll[map[string]any](t, rec)
	want := []map[string]any{
		{"id": int64(1), "text": "a", "label": int64(0), "Score": 0.5, "emb": []any{1.0, 2.0}},
		{"id": int64(2), "text": "bb", "label": int64(1), "Score": nil, "emb": []any{3.0}},
		{"id": int64(3), "text": nil, "label": int64(1), "Score": 1.5, "emb": []any{}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Error(diff)
	}
}

func TestDecodeEmptyBatch(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := decodeTestBatch(t, "id", decodeTestArray(t, mem, arrow.PrimitiveTypes.Int64, `[]`))
	defer rec.Release()
	dec, err := NewDecoder[struct{ ID int64 }](rec.Schema())
	if err != nil {
		t.Fatal(err)
	}
	out, err := dec.AppendBatch(nil, rec)
	if err != nil || out != nil {
		t.Errorf("AppendBatch of no rows = %v, %v; want nil, nil", out, err)
	}
}

// TestDecodeConcurrent shares one Decoder between goroutines, as a
// parallel map stage would (run it with -race).
func TestDecodeConcurrent(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	recs := make([]arrow.RecordBatch, 4)
	for i := range recs {
		recs[i] = decodeTestBatch(t,
			"id", decodeTestArray(t, mem, arrow.PrimitiveTypes.Int64, fmt.Sprintf(`[%d, %d]`, 2*i, 2*i+1)),
			"text", decodeTestArray(t, mem, arrow.BinaryTypes.String, fmt.Sprintf(`["%d", "%d"]`, 2*i, 2*i+1)))
		defer recs[i].Release()
	}
	type row struct {
		ID   int64
		Text string
	}
	dec, err := NewDecoder[row](recs[0].Schema())
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for range 50 {
				rec := recs[g%len(recs)]
				out, err := dec.AppendBatch(nil, rec)
				if err != nil {
					t.Error(err)
					return
				}
				for _, r := range out {
					if fmt.Sprint(r.ID) != r.Text {
						t.Errorf("row %+v mixed up", r)
					}
				}
			}
		})
	}
	wg.Wait()
}
