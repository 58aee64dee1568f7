package arrowjson

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/internal/conformance"
)

// TestIntegrationMutations guards against a comparison that cannot fail:
// for every top-level column of the first non-empty batch of each
// little-endian gold file, it changes one value (or makes it null) in the
// JSON and checks that CompareBatch, against arrow-go's reading of the IPC
// file, reports exactly that column and row.
func TestIntegrationMutations(t *testing.T) {
	jsons := conformance.Glob(t, filepath.Join(integrationDir, "1.0.0-littleendian", "*.json.gz"))
	for _, jsonPath := range jsons {
		name := strings.TrimSuffix(filepath.Base(jsonPath), ".json.gz")
		t.Run(name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			orig, err := ReadFile(jsonPath, mem)
			if err != nil {
				t.Fatal(err)
			}
			defer orig.Release()
			batch := -1
			for i, b := range orig.Batches {
				if b.NumRows() > 0 {
					batch = i
					break
				}
			}
			if batch < 0 {
				t.Skip("no batch with rows")
			}
			got, err := readIPCFile(strings.TrimSuffix(jsonPath, ".json.gz")+".arrow_file", mem)
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				for _, b := range got {
					b.Release()
				}
			}()
			doc := decodeGeneric(t, gunzip(t, jsonPath))
			detected := 0
			for col, f := range orig.Schema.Fields() {
				for _, kind := range []string{"null", "value"} {
					tried, found := checkMutation(t, doc, batch, col, kind, got[batch], mem)
					// A dictionary can hold nulls, so a row made null may
					// decode to what it was: only plain columns must notice.
					if tried && !found && f.Type.ID() != arrow.DICTIONARY {
						t.Errorf("column %q: no %s mutation was detected", f.Name, kind)
					}
					if found {
						detected++
					}
				}
			}
			t.Logf("%d mutations detected", detected)
		})
	}
}

// checkMutation applies one kind of mutation to column col of the batch,
// trying rows in order until one applies, and checks it is reported. It
// says whether some mutation could be tried and whether one was detected. To
// keep this fast on wide files, the mutated document holds only that
// column, compared with the same column of arrow-go's batch.
func checkMutation(t *testing.T, doc map[string]any, batch, col int, kind string, got arrow.RecordBatch, mem memory.Allocator) (tried, detected bool) {
	t.Helper()
	field := doc["schema"].(map[string]any)["fields"].([]any)[col]
	jsonBatch := doc["batches"].([]any)[batch].(map[string]any)
	orig := jsonBatch["columns"].([]any)[col]
	gotCol := array.NewRecordBatch(arrow.NewSchema([]arrow.Field{got.Schema().Field(col)}, nil), []arrow.Array{got.Column(col)}, got.NumRows())
	defer gotCol.Release()
	for row := 0; ; row++ {
		c := decodeGeneric(t, mustMarshal(t, orig))
		applied, done := mutate(c, kind, row)
		if done {
			return tried, false
		}
		if !applied {
			continue
		}
		small := map[string]any{
			"schema":       map[string]any{"fields": []any{field}},
			"dictionaries": doc["dictionaries"],
			"batches":      []any{map[string]any{"count": jsonBatch["count"], "columns": []any{c}}},
		}
		f, err := Read(bytes.NewReader(mustMarshal(t, small)), mem)
		if err != nil {
			continue // the change made the document invalid, e.g. an index past its dictionary
		}
		tried = true
		err = CompareBatch(f.Batches[0], gotCol)
		f.Release()
		if err == nil {
			// A change can be invisible in decoded values, for example an
			// index moved to an equal dictionary entry; try the next row.
			continue
		}
		want := fmt.Sprintf("column %q row %d:", c["name"], row)
		if !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s mutation of column %q row %d: got %v, want a difference at %s", kind, c["name"], row, err, want)
		}
		return true, true
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mutate changes row of the column JSON c. applied says it did; done says
// no row at or after row can be changed this way.
func mutate(c map[string]any, kind string, row int) (applied, done bool) {
	validity, _ := c["VALIDITY"].([]any)
	if row >= len(validity) {
		return false, true
	}
	if validity[row].(json.Number) != "1" {
		return false, false
	}
	if kind == "null" {
		validity[row] = json.Number("0")
		return true, false
	}
	data, _ := c["DATA"].([]any)
	if row >= len(data) {
		return false, true
	}
	v, ok := changed(data[row])
	data[row] = v
	return ok, false
}

// changed returns a different value of the same JSON kind and byte length
// where it matters (strings must keep their length to match OFFSET).
func changed(v any) (any, bool) {
	switch v := v.(type) {
	case bool:
		return !v, true
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return json.Number(strconv.FormatInt(nudge(i), 10)), true
		}
		f, _ := v.Float64()
		return json.Number(strconv.FormatFloat(f+1, 'g', -1, 64)), true
	case string:
		if i, err := strconv.ParseInt(v, 10, 64); err == nil {
			return strconv.FormatInt(nudge(i), 10), true
		}
		if u, err := strconv.ParseUint(v, 10, 64); err == nil {
			return strconv.FormatUint(u-1, 10), true
		}
		for i := 0; i < len(v); i++ {
			if v[i] < 0x80 {
				b := []byte(v)
				if b[i] == 'a' {
					b[i] = 'b' // also a hex digit, so binary values stay hex
				} else {
					b[i] = 'a'
				}
				return string(b), true
			}
		}
	case map[string]any: // intervals
		for _, key := range []string{"days", "months"} {
			if n, ok := v[key].(json.Number); ok {
				i, _ := n.Int64()
				v[key] = json.Number(strconv.FormatInt(nudge(i), 10))
				return v, true
			}
		}
	}
	return v, false
}

// nudge moves an integer by one, towards zero so it stays in range.
func nudge(i int64) int64 {
	if i > 0 {
		return i - 1
	}
	return i + 1
}

func gunzip(t *testing.T, path string) []byte {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	zr, err := gzip.NewReader(fh)
	if err != nil {
		t.Fatal(err)
	}
	text, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return text
}

func decodeGeneric(t *testing.T, text []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	return doc
}
