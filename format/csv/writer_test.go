package csv

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/extensions"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/format/jsonl"
	"github.com/tome-data/tome/format/rowjson"
)

// roundTrip is a column of every type with values that test the writer's
// quoting and the reader's parsing, given as canonical JSON.
var roundTrip = []struct {
	dt     arrow.DataType
	values []string
}{
	{arrow.FixedWidthTypes.Boolean, []string{"true", "false", "null"}},
	{arrow.PrimitiveTypes.Int8, []string{"-128", "127", "null"}},
	{arrow.PrimitiveTypes.Int64, []string{"-9223372036854775808", "9223372036854775807", "0"}},
	{arrow.PrimitiveTypes.Uint64, []string{"18446744073709551615", "0", "null"}},
	{arrow.FixedWidthTypes.Float16, []string{"0.1", "-65504", `"NaN"`}},
	{arrow.PrimitiveTypes.Float32, []string{"0.1", `"Infinity"`, "1e-45"}},
	{arrow.PrimitiveTypes.Float64, []string{"0.1", `"-Infinity"`, "-0"}},
	{&arrow.Decimal128Type{Precision: 20, Scale: 4}, []string{`"-1234567890123456.7890"`, `"0.0000"`, "null"}},
	{&arrow.Decimal256Type{Precision: 50, Scale: -3}, []string{`"12345000"`, `"0"`, "null"}},
	{arrow.BinaryTypes.String, []string{`"a, \"quoted\"\nline"`, `""`, "null"}},
	{arrow.BinaryTypes.LargeString, []string{`" padded "`, `"tab\tsep;pipe|"`, `"日本語"`}},
	{arrow.BinaryTypes.StringView, []string{`"\r\n"`, `"x"`, `""`}},
	{arrow.BinaryTypes.Binary, []string{`"AAEC/w=="`, `""`, "null"}},
	{&arrow.FixedSizeBinaryType{ByteWidth: 2}, []string{`"AAE="`, `"//8="`, "null"}},
	{arrow.FixedWidthTypes.Date32, []string{`"2024-02-29"`, `"-0044-03-15"`, `"+10000-01-01"`}},
	{arrow.FixedWidthTypes.Date64, []string{`"1970-01-01"`, "null", `"2000-12-31"`}},
	{arrow.FixedWidthTypes.Time32ms, []string{`"13:04:05.250"`, `"00:00:00.000"`, "null"}},
	{arrow.FixedWidthTypes.Time64ns, []string{`"23:59:59.999999999"`, "null", `"00:00:00.000000001"`}},
	{&arrow.TimestampType{Unit: arrow.Second}, []string{`"2024-03-01T13:04:05"`, `"-292277022657-01-27T08:29:52"`, "null"}},
	{&arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "America/New_York"}, []string{`"2024-03-01T13:04:05.123456Z"`, "null", `"1969-12-31T23:59:59.999999Z"`}},
	{arrow.FixedWidthTypes.Duration_us, []string{"-5", "9223372036854775807", "null"}},
	{arrow.FixedWidthTypes.MonthDayNanoInterval, []string{`{"months":1,"days":-2,"nanoseconds":3}`, "null", `{"months":0,"days":0,"nanoseconds":0}`}},
	{arrow.ListOf(arrow.BinaryTypes.String), []string{`["a,b","\"c\""]`, "[]", "null"}},
	{arrow.FixedSizeListOf(2, arrow.PrimitiveTypes.Int32), []string{"[1,null]", "null", "[3,4]"}},
	{arrow.StructOf(arrow.Field{Name: "x", Type: arrow.PrimitiveTypes.Int64, Nullable: true}, arrow.Field{Name: "y", Type: arrow.ListOf(arrow.FixedWidthTypes.Date32), Nullable: true}),
		[]string{`{"x":1,"y":["2024-01-01"]}`, `{"x":null,"y":null}`, "null"}},
	{arrow.MapOf(arrow.PrimitiveTypes.Int16, arrow.BinaryTypes.String), []string{`[{"key":1,"value":"v"}]`, "[]", "null"}},
	{&arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}, []string{`"red"`, `"a,\"b\""`, "null"}},
	{arrow.RunEndEncodedOf(arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Float64), []string{"1.5", "1.5", "null"}},
	{extensions.NewUUIDType(), []string{`"AAECAwQFBgcICQoLDA0ODw=="`, "null", `"AAECAwQFBgcICQoLDA0ODw=="`}},
}

// roundTripBatch builds the batch of roundTrip by reading its JSON with
// format/jsonl (tested on its own), and returns it with its canonical rows.
func roundTripBatch(t *testing.T, mem memory.Allocator) (arrow.RecordBatch, []string) {
	fields := make([]arrow.Field, len(roundTrip))
	for i, c := range roundTrip {
		fields[i] = arrow.Field{Name: "c," + c.dt.ID().String(), Type: c.dt, Nullable: true}
	}
	schema := arrow.NewSchema(fields, nil)
	rb := array.NewRecordBuilder(mem, schema)
	defer rb.Release()
	for i, c := range roundTrip {
		vd, err := jsonl.NewValueDecoder(mem, rb.Field(i), fields[i].Name)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range c.values {
			if err := vd.AppendJSON([]byte(v)); err != nil {
				t.Fatal(err)
			}
		}
		vd.Release()
	}
	rec := rb.NewRecordBatch()
	enc := rowjson.NewEncoder(schema)
	var rows []string
	for i := range int(rec.NumRows()) {
		rows = append(rows, string(enc.AppendRow(nil, rec, i)))
	}
	return rec, rows
}

func TestRoundTrip(t *testing.T) {
	for _, opts := range []WriteOptions{{}, {Delimiter: '\t', Compression: format.Gzip}, {Delimiter: ';', Compression: format.Zstd}, {Delimiter: '|', NoHeader: true}} {
		t.Run(string(opts.Delimiter)+opts.Compression.String(), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			rec, want := roundTripBatch(t, mem)
			defer rec.Release()
			var buf bytes.Buffer
			w, err := NewWriter(&buf, rec.Schema(), opts)
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if err := w.Write(rec); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			_, got, err := readBytes(t, buf.Bytes(), Options{Schema: rec.Schema(), NoHeader: opts.NoHeader})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(append(want, want...), got); diff != "" {
				t.Fatalf("round trip changed values (-written +read):\n%s", diff)
			}
		})
	}
}

func TestWriterFormat(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "n", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "l", Type: arrow.ListOf(arrow.PrimitiveTypes.Int64), Nullable: true},
		{Name: "t", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}, Nullable: true},
	}, nil)
	rb := array.NewRecordBuilder(mem, schema)
	defer rb.Release()
	vds := make([]*jsonl.ValueDecoder, schema.NumFields())
	for i, f := range schema.Fields() {
		vd, err := jsonl.NewValueDecoder(mem, rb.Field(i), f.Name)
		if err != nil {
			t.Fatal(err)
		}
		defer vd.Release()
		vds[i] = vd
	}
	for _, line := range []string{`{"s":"a,b","n":1.5,"l":[1,2],"t":"2024-01-02T03:04:05.006Z"}`, `{"s":"","n":"NaN","l":[],"t":null}`, `{"s":null,"n":null,"l":null}`} {
		row := rowValues(t, line)
		for i, f := range schema.Fields() {
			if err := vds[i].AppendJSON([]byte(row[f.Name])); err != nil {
				t.Fatal(err)
			}
		}
	}
	rec := rb.NewRecordBatch()
	defer rec.Release()
	var buf bytes.Buffer
	w, _ := NewWriter(&buf, schema, WriteOptions{})
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	w.Close()
	want := "s,n,l,t\n" +
		`"a,b",1.5,"[1,2]",2024-01-02T03:04:05.006Z` + "\n" +
		`"",NaN,[],` + "\n" +
		",,,\n"
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
}

// rowValues splits a flat JSON object into its members' JSON text, null
// for those absent.
func rowValues(t *testing.T, line string) map[string]string {
	out := map[string]string{"s": "null", "n": "null", "l": "null", "t": "null"}
	body := strings.TrimSuffix(strings.TrimPrefix(line, "{"), "}")
	depth, start := 0, 0
	var parts []string
	inStr := false
	for i := 0; i < len(body); i++ {
		switch c := body[i]; {
		case c == '"' && (i == 0 || body[i-1] != '\\'):
			inStr = !inStr
		case inStr:
		case c == '[' || c == '{':
			depth++
		case c == ']' || c == '}':
			depth--
		case c == ',' && depth == 0:
			parts = append(parts, body[start:i])
			start = i + 1
		}
	}
	parts = append(parts, body[start:])
	for _, p := range parts {
		k, v, ok := strings.Cut(p, ":")
		if !ok {
			t.Fatalf("bad member %q", p)
		}
		out[strings.Trim(k, `"`)] = v
	}
	return out
}

func TestSingleColumn(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true}}, nil)
	b := array.NewStringBuilder(mem)
	b.AppendValues([]string{"x", ""}, nil)
	b.AppendNull()
	arr := b.NewArray()
	b.Release()
	rec := array.NewRecordBatch(schema, []arrow.Array{arr}, 3)
	arr.Release()
	defer rec.Release()
	var buf bytes.Buffer
	w, _ := NewWriter(&buf, schema, WriteOptions{})
	w.Write(rec)
	w.Close()
	if got, want := buf.String(), "s\nx\n\"\"\n\"\"\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	_, rows, err := readBytes(t, buf.Bytes(), Options{Schema: schema})
	if err != nil || len(rows) != 3 {
		t.Fatalf("rows %v, err %v; a null in a single-column file must not become a blank line", rows, err)
	}
}

func TestWriterErrors(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
	other := arrow.NewSchema([]arrow.Field{{Name: "b", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rb := array.NewRecordBuilder(mem, other)
	rb.Field(0).(*array.Int64Builder).Append(1)
	rec := rb.NewRecordBatch()
	rb.Release()
	defer rec.Release()

	var buf bytes.Buffer
	w, err := NewWriter(&buf, schema, WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); !errors.Is(err, format.ErrSchema) {
		t.Errorf("err = %v, want ErrSchema", err)
	}
	w.Close()
	if err := w.Write(rec); err == nil {
		t.Error("Write after Close succeeded")
	}
	if w.Close() != nil {
		t.Error("second Close failed")
	}
	if _, err := NewWriter(&buf, schema, WriteOptions{Delimiter: '"'}); err == nil {
		t.Error("quote accepted as the delimiter")
	}
	if _, err := NewWriter(&buf, schema, WriteOptions{Compression: 9}); err == nil {
		t.Error("unknown compression accepted")
	}
	fw, _ := NewWriter(failing{}, schema, WriteOptions{})
	if err := fw.Close(); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("err = %v, want the destination's error", err)
	}
}

type failing struct{}

func (failing) Write([]byte) (int, error) { return 0, errors.New("disk full") }
