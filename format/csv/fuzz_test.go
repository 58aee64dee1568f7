package csv

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
)

var fuzzSchema = arrow.NewSchema([]arrow.Field{
	{Name: "a", Type: arrow.PrimitiveTypes.Int16, Nullable: true},
	{Name: "b", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
	{Name: "c", Type: arrow.ListOf(&arrow.Decimal128Type{Precision: 6, Scale: 2}), Nullable: true},
}, nil)

// FuzzRead reads arbitrary input: no panic, no leak, only typed errors. A
// schema inferred from the whole file must fit all of it, and what is read
// must survive Writer and a read back with that schema unchanged.
func FuzzRead(f *testing.F) {
	f.Add([]byte("a,b,c\n1,2024-01-01T00:00:00Z,\"[1.5]\"\n,,\n"), uint8(0))
	f.Add([]byte("x;y\n\"a;b\";2\n\"say \"\"hi\"\"\";3.5\n"), uint8(1))
	f.Add([]byte("1\t2\n3\t4\n"), uint8(2))
	f.Add([]byte("a,b\n\"unclosed,1\n"), uint8(0))
	f.Add([]byte("\xef\xbb\xbfa|b\r\n2024-02-29|true\r\n"), uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		opts := Options{InferRows: -1, MaxRecordBytes: 1 << 16, NoHeader: mode&2 != 0}
		opts.Allocator, opts.BatchSize = mem, 4
		if mode&1 != 0 {
			opts.Schema = fuzzSchema
		}
		r, err := Open(bytes.NewReader(data), int64(len(data)), opts)
		if err != nil {
			checkTyped(t, err)
			if opts.Schema == nil && errors.Is(err, format.ErrSchema) {
				t.Fatalf("inference gave a schema error: %v", err)
			}
			return
		}
		rows, err := collect(r)
		if err != nil {
			checkTyped(t, err)
			if opts.Schema == nil {
				t.Fatalf("a schema inferred from the whole file does not fit it: %v", err)
			}
			return
		}
		// Write what was read and read it back with its schema.
		var buf bytes.Buffer
		w, err := NewWriter(&buf, r.Schema(), WriteOptions{NoHeader: opts.NoHeader})
		if err != nil {
			t.Fatal(err)
		}
		for rec, err := range r.Batches(context.Background()) {
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Write(rec); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if r.Schema().NumFields() == 0 {
			return
		}
		back := Options{Schema: r.Schema(), NoHeader: opts.NoHeader, Delimiter: ','}
		back.Allocator = mem
		again, err := Open(bytes.NewReader(buf.Bytes()), int64(buf.Len()), back)
		if err != nil {
			t.Fatalf("reopening %q: %v", buf.String(), err)
		}
		rows2, err := collect(again)
		if err != nil {
			t.Fatalf("reading back %q: %v", buf.String(), err)
		}
		if strings.Join(rows, "\n") != strings.Join(rows2, "\n") {
			t.Fatalf("round trip changed rows:\n%s\n%s\nvia %q", strings.Join(rows, "\n"), strings.Join(rows2, "\n"), buf.String())
		}
	})
}

func checkTyped(t *testing.T, err error) {
	t.Helper()
	for _, s := range []error{format.ErrCorrupt, format.ErrSchema, format.ErrUnsupported} {
		if errors.Is(err, s) {
			return
		}
	}
	t.Fatalf("untyped error: %v", err)
}
