package csv

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

	"github.com/tome-data/tome/format"
)

func TestReadErrors(t *testing.T) {
	tests := []struct {
		name string
		data string
		opts Options
		is   error
		want string
	}{
		{"too few fields", "a,b\n1,2\n3\n", Options{}, format.ErrCorrupt, "csv: line 3: format: corrupt data: 1 fields, want 2"},
		{"too many fields", "a,b\n1,2\n3,4,5\n", Options{}, format.ErrCorrupt, "line 3: format: corrupt data: 3 fields, want 2"},
		{"too many fields after the sample", "a,b\n1,2\n3,4,5,6,7\n", Options{InferRows: 1}, format.ErrCorrupt, "line 3: format: corrupt data: more than 2 fields"},
		{"unclosed quote", "a,b\n1,\"2\n", Options{}, format.ErrCorrupt, "line 2: format: corrupt data: quoted field never closed"},
		{"unclosed quote after the sample", "a,b\n1,2\n1,\"2\n", Options{InferRows: 1}, format.ErrCorrupt, "line 3: format: corrupt data: quoted field never closed"},
		{"invalid UTF-8", "a\n\"\xff\"\n", Options{InferRows: 1}, format.ErrCorrupt, `line 2: column "a": format: corrupt data: invalid UTF-8`},
		{"invalid UTF-8 in the header", "\xff\n1\n", Options{}, format.ErrCorrupt, "line 1: format: corrupt data: invalid UTF-8 in the name of column 0"},
		{"record too long", "a\n" + strings.Repeat("x", 300) + "\n", Options{MaxRecordBytes: 100}, format.ErrUnsupported, "line 2: record longer than 100 bytes"},
		{"explicit type", "a\n1\nx\n", Options{Schema: schemaOf(arrow.PrimitiveTypes.Int32)}, format.ErrSchema, `csv: line 3: column "a": value "x" does not fit int32: format: schema mismatch`},
		{"explicit range", "a\n300\n", Options{Schema: schemaOf(arrow.PrimitiveTypes.Uint8)}, format.ErrSchema, `line 2: column "a": value "300" does not fit uint8: out of range`},
		{"explicit nested", "a\n\"[1,\"\"x\"\"]\"\n", Options{Schema: schemaOf(arrow.ListOf(arrow.PrimitiveTypes.Int64))}, format.ErrSchema, `line 2: column "a[]": value "x" does not fit int64`},
		{"explicit nested syntax", "a\n[1\n", Options{Schema: schemaOf(arrow.ListOf(arrow.PrimitiveTypes.Int64))}, format.ErrCorrupt, `line 2: byte 3: invalid JSON`},
		{"header mismatch", "a,c\n1,2\n", Options{Schema: arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.Null, Nullable: true}, {Name: "b", Type: arrow.Null, Nullable: true}}, nil)}, format.ErrSchema, `header column 2 is "c", the schema's is "b"`},
		{"header width", "a\n1\n", Options{Schema: arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.Null, Nullable: true}, {Name: "b", Type: arrow.Null, Nullable: true}}, nil)}, format.ErrSchema, "the header has 1 columns, the schema 2"},
		{"non-nullable", "a,b\n,1\n", Options{Schema: arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64}, {Name: "b", Type: arrow.PrimitiveTypes.Int64}}, nil)}, format.ErrSchema, `line 2: column "a": empty value in a non-nullable column`},
		{"unsupported type", "a\n1\n", Options{Schema: schemaOf(arrow.SparseUnionOf(nil, nil))}, format.ErrUnsupported, "cannot be read"},
		{"missing column", "a\n1\n", Options{ReadOptions: format.ReadOptions{Columns: []string{"b"}}}, format.ErrSchema, `column "b" is not in the file`},
		{"compression mismatch", "a\n1\n", Options{Compression: format.Zstd}, format.ErrCorrupt, "expected zstd data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := readString(t, tt.data, tt.opts)
			if !errors.Is(err, tt.is) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v\nwant %v containing %q", err, tt.is, tt.want)
			}
		})
	}
}

func schemaOf(dt arrow.DataType) *arrow.Schema {
	return arrow.NewSchema([]arrow.Field{{Name: "a", Type: dt, Nullable: true}}, nil)
}

func TestExplicitSchema(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Uint64, Nullable: true},
		{Name: "at", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}, Nullable: true},
		{Name: "price", Type: &arrow.Decimal128Type{Precision: 12, Scale: 2}, Nullable: true},
		{Name: "blob", Type: arrow.BinaryTypes.Binary, Nullable: true},
		{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
		{Name: "meta", Type: arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int32), Nullable: true},
		{Name: "code", Type: arrow.BinaryTypes.LargeString, Nullable: true},
		{Name: "on", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	}, nil)
	data := "id|at|price|blob|tags|meta|code|on\n" +
		`18446744073709551615|2024-03-01 10:00:00.5+01:00|19.90|aGk=|["a","b"]|{"x":1}|007|1` + "\n" +
		`|||||||` + "\n"
	_, rows, err := readString(t, data, Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`{"id":18446744073709551615,"at":"2024-03-01T09:00:00.500Z","price":"19.90","blob":"aGk=","tags":["a","b"],"meta":{"x":1},"code":"007","on":true}`,
		`{"id":null,"at":null,"price":null,"blob":null,"tags":null,"meta":null,"code":null,"on":null}`,
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Error(diff)
	}
	// Without a header the schema names the columns.
	_, rows, err = readString(t, strings.SplitN(data, "\n", 2)[1], Options{Schema: schema, NoHeader: true, Delimiter: '|'})
	if err != nil || len(rows) != 2 || rows[0] != want[0] {
		t.Fatalf("no header: %v %v", rows, err)
	}
}

func numbered(n int) string {
	var b strings.Builder
	b.WriteString("id,text,score\n")
	for i := range n {
		fmt.Fprintf(&b, "%d,\"row, %d\",%d.5\n", i, i, i)
	}
	return b.String()
}

func TestBatches(t *testing.T) {
	data := numbered(1000)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	opts := Options{}
	opts.BatchSize, opts.Allocator = 300, mem
	r, err := Open(strings.NewReader(data), int64(len(data)), opts)
	if err != nil {
		t.Fatal(err)
	}
	for pass := range 2 {
		var sizes []int64
		for rec, err := range r.Batches(context.Background()) {
			if err != nil {
				t.Fatal(err)
			}
			sizes = append(sizes, rec.NumRows())
		}
		if diff := cmp.Diff([]int64{300, 300, 300, 100}, sizes); diff != "" {
			t.Fatalf("pass %d: batch sizes (-want +got):\n%s", pass, diff)
		}
	}
	n := 0
	for rec, err := range r.Batches(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		rec.Retain()
		defer rec.Release()
		if n++; n == 2 {
			break
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, err := range r.Batches(ctx) {
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	}
	r.Close()
	for _, err := range r.Batches(context.Background()) {
		if err == nil || !strings.Contains(err.Error(), "reader is closed") {
			t.Fatalf("after Close: err = %v", err)
		}
	}
	if r.NumRows() != -1 {
		t.Errorf("NumRows = %d", r.NumRows())
	}
}

func TestProjection(t *testing.T) {
	opts := Options{}
	opts.Columns = []string{"score", "id"}
	r, rows, err := readString(t, numbered(2), opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := schemaString(r); got != "score: float64, id: int64" {
		t.Errorf("schema %s", got)
	}
	if diff := cmp.Diff([]string{`{"score":0.5,"id":0}`, `{"score":1.5,"id":1}`}, rows); diff != "" {
		t.Error(diff)
	}
	// A projected-away column is not decoded, so bad values there pass.
	bad := "a,b\n1,x\n2,y\n"
	opts.Columns = []string{"a"}
	opts.Schema = arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true}, {Name: "b", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
	if _, rows, err := readString(t, bad, opts); err != nil || len(rows) != 2 {
		t.Fatalf("rows %v, err %v", rows, err)
	}
}

func TestCompression(t *testing.T) {
	plain := []byte(numbered(5000))
	_, want, err := readBytes(t, plain, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []format.Compression{format.Gzip, format.Zstd} {
		t.Run(c.String(), func(t *testing.T) {
			var buf bytes.Buffer
			if c == format.Gzip {
				zw := gzip.NewWriter(&buf)
				zw.Write(plain)
				zw.Close()
			} else {
				zw, _ := zstd.NewWriter(&buf)
				zw.Write(plain)
				zw.Close()
			}
			_, rows, err := readBytes(t, buf.Bytes(), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, rows); diff != "" {
				t.Fatal(diff)
			}
			cut := buf.Bytes()[:buf.Len()/2]
			if _, _, err := readBytes(t, cut, Options{InferRows: 5}); !errors.Is(err, format.ErrCorrupt) || !strings.Contains(err.Error(), c.String()) {
				t.Fatalf("truncated: err = %v", err)
			}
		})
	}
}

func TestMappedSource(t *testing.T) {
	src := newMapped("rows.tsv", []byte("a\tb\n1\tx\n"))
	r, err := Open(src, src.Size(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := collect(r)
	if err != nil || len(rows) != 1 || rows[0] != `{"a":1,"b":"x"}` || r.Delimiter() != '\t' {
		t.Fatalf("rows %v, err %v, delimiter %q", rows, err, r.Delimiter())
	}
	if src.refs != 1 {
		t.Errorf("%d references after reading, want the caller's 1", src.refs)
	}
	bad := newMapped("bad.csv", []byte("a\n\"x\n"))
	if _, err := Open(bad, bad.Size(), Options{}); err == nil || !strings.HasPrefix(err.Error(), "bad.csv: line 2") {
		t.Fatalf("err = %v, want it to name the file and line", err)
	}
}

func TestOptionsValidate(t *testing.T) {
	for _, opts := range []Options{{InferRows: -2}, {MaxRecordBytes: -1}, {Delimiter: '"'}, {Delimiter: '\n'}, {Compression: 5}} {
		if _, err := Open(strings.NewReader("a\n"), 2, opts); err == nil {
			t.Errorf("Open with %+v succeeded", opts)
		}
	}
}
