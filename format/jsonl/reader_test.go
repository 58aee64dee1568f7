package jsonl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"go.uber.org/goleak"

	"github.com/tome-data/tome/format"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestSyntaxErrors(t *testing.T) {
	tests := []struct {
		name string
		line string
		want string
	}{
		{"not an object", `[1, 2]`, "line 2, byte 1: not a JSON object"},
		{"scalar line", `42`, "line 2, byte 1: not a JSON object"},
		{"truncated object", `{"a": 1`, "line 2, byte 8: invalid JSON: expected ',' or '}' in object, found end of line"},
		{"bad literal", `{"a": tru}`, "line 2, byte 7: invalid JSON: invalid literal"},
		{"bad number", `{"a": 01}`, "line 2, byte 8: invalid JSON: expected ',' or '}' in object, found '1'"},
		{"leading plus", `{"a": +1}`, "line 2, byte 7: invalid JSON: invalid number, found '+'"},
		{"missing colon", `{"a" 1}`, "line 2, byte 6: invalid JSON: expected ':' after object key, found '1'"},
		{"unquoted key", `{a: 1}`, "line 2, byte 2: invalid JSON: expected string key in object, found 'a'"},
		{"trailing comma", `{"a": 1,}`, "line 2, byte 9: invalid JSON: expected string key in object, found '}'"},
		{"trailing data", `{"a": 1} x`, "line 2, byte 10: invalid JSON: unexpected data after the object, found 'x'"},
		{"two objects", `{"a": 1}{"a": 2}`, "line 2, byte 9: invalid JSON: unexpected data after the object"},
		{"unterminated string", `{"a": "abc`, "line 2, byte 11: invalid JSON: unterminated string"},
		{"control character", "{\"a\": \"a\tb\"}", "line 2, byte 9: invalid JSON: control character in string"},
		{"bad escape", `{"a": "\q"}`, `line 2, byte 8: invalid JSON: invalid escape, found '\\'`},
		{"bad unicode escape", `{"a": "\u12x4"}`, `line 2, byte 8: invalid JSON: invalid \u escape`},
		{"invalid UTF-8", "{\"a\": \"\xff\"}", "line 2, byte 8: invalid JSON: invalid UTF-8 in string"},
		{"invalid UTF-8 in a key", "{\"\xc3\": 1}", "invalid UTF-8 in string"},
		{"duplicate key", `{"a": 1, "a": 2}`, `line 2, byte 10: duplicate key "a"`},
		{"deep nesting", `{"a": ` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}`, "nesting too deep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, inferRows := range []int{0, 1} {
				// InferRows 0 meets the line during inference (Open fails),
				// 1 while reading batches after a sample of one line.
				data := lines(`{"a": "x"}`, tt.line, `{"a": null}`)
				_, _, err := readString(t, data, Options{InferRows: inferRows})
				if !errors.Is(err, format.ErrCorrupt) {
					t.Fatalf("InferRows %d: err = %v, want ErrCorrupt", inferRows, err)
				}
				if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "jsonl: ") {
					t.Errorf("InferRows %d: error %q does not contain %q", inferRows, err, tt.want)
				}
			}
		})
	}
}

func TestStringEscapes(t *testing.T) {
	in := `{"s": "a\"b\\c\/d\b\f\n\r\t\u00e9\u20ac\ud83d\ude00\ud800x", "t": "plain ascii text that is long enough for words", "u": "naïve café 日本語 text"}`
	_, rows, err := readString(t, in+"\n", Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"s":"a\"b\\c/d\b\f\n\r\té€😀` + "\ufffd" + `x","t":"plain ascii text that is long enough for words","u":"naïve café 日本語 text"}`
	if rows[0] != want {
		t.Errorf("got  %s\nwant %s", rows[0], want)
	}
}

func TestLineTooLong(t *testing.T) {
	long := `{"a": "` + strings.Repeat("x", 300) + `"}`
	data := lines(`{"a": "x"}`, long)
	_, _, err := readString(t, data, Options{MaxLineBytes: 100, InferRows: 1})
	if !errors.Is(err, format.ErrUnsupported) || !strings.Contains(err.Error(), "line 2 is longer than 100 bytes") {
		t.Fatalf("err = %v, want ErrUnsupported naming line 2", err)
	}
	// The limit applies to the last line too, and to inference.
	_, err = Open(strings.NewReader(long), int64(len(long)), Options{MaxLineBytes: 100})
	if !errors.Is(err, format.ErrUnsupported) || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("err = %v, want ErrUnsupported naming line 1", err)
	}
	if _, rows, err := readString(t, data, Options{MaxLineBytes: len(long)}); err != nil || len(rows) != 2 {
		t.Fatalf("at the limit: rows %d, err %v", len(rows), err)
	}
}

// numbered returns n lines with an id and a text, some blank lines among them.
func numbered(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"id": %d, "text": "row %d", "tags": ["t%d"]}`+"\n", i, i, i%7)
		if i%100 == 0 {
			b.WriteString("\n")
		}
	}
	return b.String()
}

func TestBatchesAndWorkers(t *testing.T) {
	data := numbered(1200)
	var want []string
	for _, batch := range []int{1, 7, 1000, 0} {
		for _, workers := range []int{1, 2, 5} {
			t.Run(fmt.Sprintf("batch=%d/workers=%d", batch, workers), func(t *testing.T) {
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				defer mem.AssertSize(t, 0)
				opts := Options{Workers: workers}
				opts.BatchSize, opts.Allocator = batch, mem
				r, err := Open(strings.NewReader(data), int64(len(data)), opts)
				if err != nil {
					t.Fatal(err)
				}
				// Batches may be called again: each pass reads it all.
				for pass := range 2 {
					var sizes []int64
					for rec, err := range r.Batches(context.Background()) {
						if err != nil {
							t.Fatal(err)
						}
						sizes = append(sizes, rec.NumRows())
					}
					rows, err := collect(r)
					if err != nil {
						t.Fatal(err)
					}
					if len(rows) != 1200 {
						t.Fatalf("pass %d: %d rows, want 1200", pass, len(rows))
					}
					if want == nil {
						want = rows
					} else if diff := cmp.Diff(want, rows); diff != "" {
						t.Fatalf("pass %d: rows differ (-first +this):\n%s", pass, diff)
					}
					size := batch
					if size == 0 {
						size = format.DefaultBatchSize
					}
					for i, n := range sizes {
						if i < len(sizes)-1 && n != int64(size) || n > int64(size) || n == 0 {
							t.Fatalf("batch sizes %v, want %d each but the last", sizes, size)
						}
					}
				}
			})
		}
	}
}

func TestBreakAndCancel(t *testing.T) {
	data := numbered(5000)
	for _, workers := range []int{1, 3} {
		t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			opts := Options{Workers: workers}
			opts.BatchSize, opts.Allocator = 100, mem
			r, err := Open(strings.NewReader(data), int64(len(data)), opts)
			if err != nil {
				t.Fatal(err)
			}
			// Breaking out releases everything (checked by the allocator
			// and by goleak in TestMain).
			n := 0
			for rec, err := range r.Batches(context.Background()) {
				if err != nil {
					t.Fatal(err)
				}
				rec.Retain() // kept past the loop body
				defer rec.Release()
				if n++; n == 3 {
					break
				}
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var got error
			n = 0
			for _, err := range r.Batches(ctx) {
				if err != nil {
					got = err
					continue
				}
				if n++; n == 2 {
					cancel()
				}
			}
			if !errors.Is(got, context.Canceled) {
				t.Fatalf("err = %v, want context.Canceled", got)
			}
		})
	}
}

func TestErrorStopsIteration(t *testing.T) {
	data := numbered(300) + "{oops}\n" + numbered(300)
	for _, workers := range []int{1, 2} {
		opts := Options{Workers: workers, InferRows: 10}
		opts.BatchSize = 100
		_, rows, err := readString(t, data, opts)
		if !errors.Is(err, format.ErrCorrupt) || !strings.Contains(err.Error(), "line 304,") {
			t.Fatalf("workers %d: err = %v, want ErrCorrupt at line 304", workers, err)
		}
		if len(rows) != 300 {
			t.Errorf("workers %d: %d rows before the error, want the 300 of the complete batches", workers, len(rows))
		}
	}
}

func TestProjection(t *testing.T) {
	data := lines(`{"a": 1, "b": "x", "c": [1]}`, `{"c": [2], "a": 2}`)
	opts := Options{}
	opts.Columns = []string{"c", "a"}
	r, rows, err := readString(t, data, opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := schemaString(r); got != "c: list<item: int64, nullable>, a: int64" {
		t.Errorf("schema %s", got)
	}
	if diff := cmp.Diff([]string{`{"c":[1],"a":1}`, `{"c":[2],"a":2}`}, rows); diff != "" {
		t.Error(diff)
	}
	opts.Columns = []string{"a", "nope"}
	if _, _, err := readString(t, data, opts); !errors.Is(err, format.ErrSchema) || !strings.Contains(err.Error(), `"nope"`) {
		t.Fatalf("err = %v, want ErrSchema naming the column", err)
	}
	// A projected explicit schema keeps its metadata.
	md := arrow.NewMetadata([]string{"huggingface"}, []string{`{"info":{}}`})
	schema := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int8, Nullable: true}, {Name: "b", Type: arrow.BinaryTypes.String, Nullable: true}}, &md)
	opts = Options{Schema: schema}
	opts.Columns = []string{"b"}
	r, rows, err = readString(t, data, opts)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := r.Schema().Metadata().GetValue("huggingface"); v != `{"info":{}}` {
		t.Errorf("metadata lost: %v", r.Schema().Metadata())
	}
	if diff := cmp.Diff([]string{`{"b":"x"}`, `{"b":null}`}, rows); diff != "" {
		t.Error(diff)
	}
}

func compress(t testing.TB, c format.Compression, data []byte) []byte {
	var buf bytes.Buffer
	switch c {
	case format.Gzip:
		zw := gzip.NewWriter(&buf)
		zw.Write(data)
		zw.Close()
	case format.Zstd:
		zw, err := zstd.NewWriter(&buf)
		if err != nil {
			t.Fatal(err)
		}
		zw.Write(data)
		zw.Close()
	}
	return buf.Bytes()
}

func TestCompression(t *testing.T) {
	plain := []byte(numbered(3000))
	_, want, err := readBytes(t, plain, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []format.Compression{format.Gzip, format.Zstd} {
		t.Run(c.String(), func(t *testing.T) {
			packed := compress(t, c, plain)
			for _, asked := range []format.Compression{format.Uncompressed, c} {
				_, rows, err := readBytes(t, packed, Options{Compression: asked})
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(want, rows); diff != "" {
					t.Fatalf("asked %s: rows differ:\n%s", asked, diff)
				}
			}
			// Multi-member gzip and concatenated zstd frames read as one.
			twice := append(append([]byte{}, packed...), packed...)
			if _, rows, err := readBytes(t, twice, Options{}); err != nil || len(rows) != 2*len(want) {
				t.Fatalf("concatenated streams: %d rows, err %v", len(rows), err)
			}
			truncated := packed[:len(packed)*2/3]
			if _, _, err := readBytes(t, truncated, Options{InferRows: 10}); !errors.Is(err, format.ErrCorrupt) || !strings.Contains(err.Error(), c.String()) {
				t.Fatalf("truncated: err = %v, want ErrCorrupt naming %s", err, c)
			}
			garbled := append([]byte{}, packed...)
			for i := 20; i < len(garbled)-20; i += 97 {
				garbled[i] ^= 0x5a
			}
			if _, _, err := readBytes(t, garbled, Options{}); !errors.Is(err, format.ErrCorrupt) {
				t.Fatalf("garbled: err = %v, want ErrCorrupt", err)
			}
		})
	}
	t.Run("mismatch", func(t *testing.T) {
		if _, _, err := readBytes(t, plain, Options{Compression: format.Gzip}); !errors.Is(err, format.ErrCorrupt) || !strings.Contains(err.Error(), "gzip") {
			t.Fatalf("err = %v, want ErrCorrupt about gzip", err)
		}
	})
}

func TestMappedSource(t *testing.T) {
	for _, workers := range []int{1, 2} {
		src := newMapped("rows.jsonl", []byte(numbered(1000)))
		r, err := Open(src, src.Size(), Options{InferRows: 1, Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		rows, err := collect(r)
		if err != nil || len(rows) != 1000 {
			t.Fatalf("%d rows, err %v", len(rows), err)
		}
		if src.refs != 1 {
			t.Errorf("%d references after reading, want the caller's 1", src.refs)
		}
	}
	// Errors name the file the source was opened from.
	bad := newMapped("bad.jsonl", []byte("{\"a\": 1}\n{\n"))
	if _, err := Open(bad, bad.Size(), Options{}); err == nil || !strings.HasPrefix(err.Error(), "bad.jsonl: line 2") {
		t.Fatalf("err = %v, want it to start with bad.jsonl: line 2", err)
	}
}

func TestClosed(t *testing.T) {
	data := `{"a": 1}` + "\n"
	r, err := Open(strings.NewReader(data), int64(len(data)), Options{Name: "x.jsonl"})
	if err != nil {
		t.Fatal(err)
	}
	if r.NumRows() != -1 {
		t.Errorf("NumRows = %d, want -1", r.NumRows())
	}
	r.Close()
	for _, err := range r.Batches(context.Background()) {
		if err == nil || !strings.Contains(err.Error(), "x.jsonl: reader is closed") {
			t.Fatalf("err = %v, want reader is closed", err)
		}
	}
}

func TestOptionsValidate(t *testing.T) {
	data := `{"a": 1}` + "\n"
	for _, opts := range []Options{{InferRows: -2}, {MaxLineBytes: -1}, {Workers: -1}, {Compression: 9}} {
		if _, err := Open(strings.NewReader(data), int64(len(data)), opts); err == nil {
			t.Errorf("Open with %+v succeeded", opts)
		}
	}
}
