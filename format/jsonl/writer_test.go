package jsonl

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/decimal256"
	"github.com/apache/arrow-go/v18/arrow/extensions"
	"github.com/apache/arrow-go/v18/arrow/float16"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/format/rowjson"
)

// roundTripSchema has a column of every type the reader reads.
func roundTripSchema() *arrow.Schema {
	types := []arrow.DataType{
		arrow.Null,
		arrow.FixedWidthTypes.Boolean,
		arrow.PrimitiveTypes.Int8, arrow.PrimitiveTypes.Int16, arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Int64,
		arrow.PrimitiveTypes.Uint8, arrow.PrimitiveTypes.Uint16, arrow.PrimitiveTypes.Uint32, arrow.PrimitiveTypes.Uint64,
		arrow.FixedWidthTypes.Float16, arrow.PrimitiveTypes.Float32, arrow.PrimitiveTypes.Float64,
		&arrow.Decimal32Type{Precision: 9, Scale: 2}, &arrow.Decimal64Type{Precision: 18, Scale: 0},
		&arrow.Decimal128Type{Precision: 38, Scale: 10}, &arrow.Decimal256Type{Precision: 76, Scale: -5},
		arrow.BinaryTypes.String, arrow.BinaryTypes.LargeString, arrow.BinaryTypes.StringView,
		arrow.BinaryTypes.Binary, arrow.BinaryTypes.LargeBinary, arrow.BinaryTypes.BinaryView, &arrow.FixedSizeBinaryType{ByteWidth: 5},
		arrow.FixedWidthTypes.Date32, arrow.FixedWidthTypes.Date64,
		arrow.FixedWidthTypes.Time32s, arrow.FixedWidthTypes.Time32ms, arrow.FixedWidthTypes.Time64us, arrow.FixedWidthTypes.Time64ns,
		&arrow.TimestampType{Unit: arrow.Second}, &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"},
		&arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "Europe/Paris"}, &arrow.TimestampType{Unit: arrow.Nanosecond},
		arrow.FixedWidthTypes.Duration_s, arrow.FixedWidthTypes.Duration_ns,
		arrow.FixedWidthTypes.MonthInterval, arrow.FixedWidthTypes.DayTimeInterval, arrow.FixedWidthTypes.MonthDayNanoInterval,
		arrow.ListOf(arrow.PrimitiveTypes.Int64), arrow.LargeListOf(arrow.BinaryTypes.String),
		arrow.ListViewOf(arrow.PrimitiveTypes.Float64), arrow.LargeListViewOf(arrow.FixedWidthTypes.Boolean),
		arrow.FixedSizeListOf(3, arrow.PrimitiveTypes.Float32), arrow.ListOf(arrow.ListOf(arrow.BinaryTypes.String)),
		arrow.StructOf(
			arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
			arrow.Field{Name: "b", Type: arrow.ListOf(arrow.FixedWidthTypes.Date32), Nullable: true},
			arrow.Field{Name: "c", Type: arrow.BinaryTypes.String},
		),
		arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64),
		arrow.MapOf(arrow.PrimitiveTypes.Int32, arrow.BinaryTypes.String),
		&arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int16, ValueType: arrow.BinaryTypes.String},
		&arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Uint8, ValueType: arrow.PrimitiveTypes.Float64},
		arrow.RunEndEncodedOf(arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Int64),
		extensions.NewUUIDType(),
	}
	fields := make([]arrow.Field, len(types))
	for i, dt := range types {
		fields[i] = arrow.Field{Name: fmt.Sprintf("c%02d_%s", i, dt.ID()), Type: dt, Nullable: true}
	}
	return arrow.NewSchema(fields, nil)
}

// randomBatch fills a batch of schema with n rows of random values,
// extremes included, about one in six null.
func randomBatch(t *testing.T, mem memory.Allocator, schema *arrow.Schema, n int, seed uint64) arrow.RecordBatch {
	rng := rand.New(rand.NewPCG(seed, 7))
	rb := array.NewRecordBuilder(mem, schema)
	defer rb.Release()
	for range n {
		for i, f := range schema.Fields() {
			appendRandom(t, rng, rb.Field(i), f.Type, f.Nullable)
		}
	}
	return rb.NewRecordBatch()
}

func pick[T any](rng *rand.Rand, v ...T) T { return v[rng.IntN(len(v))] }

func randomText(rng *rand.Rand) string {
	parts := []string{"a", "é", "日本", "😀", "\"", "\\", "\n", "\t", "\x00", "\u2028", "/", "<>&", " ", "long text "}
	var b strings.Builder
	for range rng.IntN(8) {
		b.WriteString(pick(rng, parts...))
	}
	return b.String()
}

func randomBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// randomDigits returns a random integer of up to digits decimal digits.
func randomDigits(rng *rand.Rand, digits int) *big.Int {
	var b strings.Builder
	if rng.IntN(2) == 0 {
		b.WriteByte('-')
	}
	for range 1 + rng.IntN(digits) {
		b.WriteByte(byte('0' + rng.IntN(10)))
	}
	v, _ := new(big.Int).SetString(b.String(), 10)
	return v
}

func appendRandom(t *testing.T, rng *rand.Rand, b array.Builder, dt arrow.DataType, nullable bool) {
	if nullable && rng.IntN(6) == 0 {
		b.AppendNull()
		return
	}
	i64 := func() int64 { return pick(rng, math.MinInt64, math.MaxInt64, 0, -1, int64(rng.Uint64())) }
	switch b := b.(type) {
	case *array.NullBuilder:
		b.AppendNull()
	case *array.BooleanBuilder:
		b.Append(rng.IntN(2) == 0)
	case *array.Int8Builder:
		b.Append(int8(rng.Uint32()))
	case *array.Int16Builder:
		b.Append(int16(rng.Uint32()))
	case *array.Int32Builder:
		b.Append(int32(rng.Uint32()))
	case *array.Int64Builder:
		b.Append(i64())
	case *array.Uint8Builder:
		b.Append(uint8(rng.Uint32()))
	case *array.Uint16Builder:
		b.Append(uint16(rng.Uint32()))
	case *array.Uint32Builder:
		b.Append(rng.Uint32())
	case *array.Uint64Builder:
		b.Append(pick(rng, math.MaxUint64, 0, rng.Uint64()))
	case *array.Float16Builder:
		b.Append(float16.FromBits(uint16(rng.Uint32())&^0x7c00 | pick(rng, uint16(0x3c00), 0x0400, 0x7800)))
	case *array.Float32Builder:
		b.Append(pick(rng, float32(math.Inf(-1)), math.MaxFloat32, math.SmallestNonzeroFloat32, float32(math.NaN()), math.Float32frombits(rng.Uint32()&^(0xff<<23)|0x3f<<24)))
	case *array.Float64Builder:
		b.Append(pick(rng, math.Inf(1), math.MaxFloat64, math.SmallestNonzeroFloat64, math.Copysign(0, -1), math.NaN(), rng.NormFloat64()*1e10, 0.1))
	case *array.Decimal32Builder:
		b.Append(decimal.Decimal32(randomDigits(rng, 9).Int64()))
	case *array.Decimal64Builder:
		b.Append(decimal.Decimal64(randomDigits(rng, 18).Int64()))
	case *array.Decimal128Builder:
		b.Append(decimal128.FromBigInt(randomDigits(rng, 38)))
	case *array.Decimal256Builder:
		b.Append(decimal256.FromBigInt(randomDigits(rng, 76)))
	case *array.StringBuilder:
		b.Append(randomText(rng))
	case *array.LargeStringBuilder:
		b.Append(randomText(rng))
	case *array.StringViewBuilder:
		b.Append(randomText(rng))
	case *array.BinaryBuilder:
		b.Append(randomBytes(rng, rng.IntN(20)))
	case *array.BinaryViewBuilder:
		b.Append(randomBytes(rng, rng.IntN(20)))
	case *array.FixedSizeBinaryBuilder:
		b.Append(randomBytes(rng, dt.(*arrow.FixedSizeBinaryType).ByteWidth))
	case *array.Date32Builder:
		b.Append(arrow.Date32(pick(rng, math.MinInt32, math.MaxInt32, 0, int32(rng.IntN(40000)-20000))))
	case *array.Date64Builder:
		b.Append(arrow.Date64(int64(rng.IntN(1e8)-5e7) * 86400000))
	case *array.Time32Builder:
		per := unitPerSecond(dt.(*arrow.Time32Type).Unit)
		b.Append(arrow.Time32(rng.Int64N(86400 * per)))
	case *array.Time64Builder:
		per := unitPerSecond(dt.(*arrow.Time64Type).Unit)
		b.Append(arrow.Time64(rng.Int64N(86400 * per)))
	case *array.TimestampBuilder:
		b.Append(arrow.Timestamp(i64()))
	case *array.DurationBuilder:
		b.Append(arrow.Duration(i64()))
	case *array.MonthIntervalBuilder:
		b.Append(arrow.MonthInterval(int32(rng.Uint32())))
	case *array.DayTimeIntervalBuilder:
		b.Append(arrow.DayTimeInterval{Days: int32(rng.Uint32()), Milliseconds: int32(rng.Uint32())})
	case *array.MonthDayNanoIntervalBuilder:
		b.Append(arrow.MonthDayNanoInterval{Months: int32(rng.Uint32()), Days: int32(rng.Uint32()), Nanoseconds: i64()})
	case *array.FixedSizeListBuilder:
		lt := dt.(*arrow.FixedSizeListType)
		b.Append(true)
		for range lt.Len() {
			appendRandom(t, rng, b.ValueBuilder(), lt.Elem(), true)
		}
	case *array.ListViewBuilder:
		start, n := b.ValueBuilder().Len(), rng.IntN(4)
		for range n {
			appendRandom(t, rng, b.ValueBuilder(), dt.(arrow.ListLikeType).Elem(), true)
		}
		b.AppendDimensions(start, n)
	case *array.LargeListViewBuilder:
		start, n := b.ValueBuilder().Len(), rng.IntN(4)
		for range n {
			appendRandom(t, rng, b.ValueBuilder(), dt.(arrow.ListLikeType).Elem(), true)
		}
		b.AppendDimensions(start, n)
	case *array.MapBuilder:
		mt := dt.(*arrow.MapType)
		b.Append(true)
		for range rng.IntN(4) {
			appendRandom(t, rng, b.KeyBuilder(), mt.KeyType(), false)
			appendRandom(t, rng, b.ItemBuilder(), mt.ItemType(), true)
		}
	case array.ListLikeBuilder:
		b.Append(true)
		for range rng.IntN(4) {
			appendRandom(t, rng, b.ValueBuilder(), dt.(arrow.ListLikeType).Elem(), true)
		}
	case *array.StructBuilder:
		b.Append(true)
		for i, f := range dt.(*arrow.StructType).Fields() {
			appendRandom(t, rng, b.FieldBuilder(i), f.Type, f.Nullable)
		}
	case *array.BinaryDictionaryBuilder:
		if err := b.AppendString(pick(rng, "red", "green", "blue", randomText(rng))); err != nil {
			t.Fatal(err)
		}
	case *array.Float64DictionaryBuilder:
		if err := b.Append(pick(rng, 1.5, 2.5, math.Inf(-1))); err != nil {
			t.Fatal(err)
		}
	case *array.RunEndEncodedBuilder:
		b.Append(1)
		b.ValueBuilder().(*array.Int64Builder).Append(i64())
	case *extensions.UUIDBuilder:
		var u [16]byte
		copy(u[:], randomBytes(rng, 16))
		b.Append(u)
	default:
		t.Fatalf("no random values for %s (%T)", dt, b)
	}
}

// TestRoundTrip writes random batches of every type and reads them back
// with the schema: the values must come back identical, which the
// canonical JSON of each row (exact for every type) shows.
func TestRoundTrip(t *testing.T) {
	schema := roundTripSchema()
	for _, c := range []format.Compression{format.Uncompressed, format.Gzip, format.Zstd} {
		t.Run(c.String(), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			var buf bytes.Buffer
			w, err := NewWriter(&buf, schema, WriteOptions{Compression: c})
			if err != nil {
				t.Fatal(err)
			}
			enc := rowjson.NewEncoder(schema)
			var want []string
			for seed := range uint64(3) {
				rec := randomBatch(t, mem, schema, 200, seed)
				for i := range int(rec.NumRows()) {
					want = append(want, string(enc.AppendRow(nil, rec, i)))
				}
				if err := w.Write(rec); err != nil {
					t.Fatal(err)
				}
				rec.Release()
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			opts := Options{Schema: schema}
			opts.BatchSize = 77
			_, got, err := readBytes(t, buf.Bytes(), opts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("round trip changed values (-written +read):\n%s", diff)
			}
		})
	}
}

// TestRoundTripArrays compares the read-back arrays with the written ones
// directly (bit for bit where JSON can carry the bits) for the columns
// whose layout reading reproduces: not dictionaries (the dictionary order
// may differ) nor run-end encoded columns (runs come back as runs of one).
func TestRoundTripArrays(t *testing.T) {
	schema := roundTripSchema()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := randomBatch(t, mem, schema, 300, 42)
	defer rec.Release()
	var buf bytes.Buffer
	w, _ := NewWriter(&buf, schema, WriteOptions{})
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	w.Close()
	opts := Options{Schema: schema}
	opts.Allocator = mem
	r, err := Open(bytes.NewReader(buf.Bytes()), int64(buf.Len()), opts)
	if err != nil {
		t.Fatal(err)
	}
	for got, err := range r.Batches(t.Context()) {
		if err != nil {
			t.Fatal(err)
		}
		for i, f := range schema.Fields() {
			switch f.Type.ID() {
			case arrow.DICTIONARY, arrow.RUN_END_ENCODED:
				continue
			}
			// NaN != NaN, so floats compare approximately with NaNs equal.
			if !array.ApproxEqual(rec.Column(i), got.Column(i), array.WithNaNsEqual(true), array.WithAbsTolerance(0)) {
				t.Errorf("column %s differs", f.Name)
			}
		}
	}
}

func TestWriterErrors(t *testing.T) {
	schema := oneColumn(arrow.PrimitiveTypes.Int64)
	other := oneColumn(arrow.BinaryTypes.String)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := randomBatch(t, mem, other, 3, 1)
	defer rec.Release()

	var buf bytes.Buffer
	w, err := NewWriter(&buf, schema, WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); !errors.Is(err, format.ErrSchema) {
		t.Errorf("writing a batch of another schema: err = %v, want ErrSchema", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	good := randomBatch(t, mem, schema, 3, 1)
	defer good.Release()
	if err := w.Write(good); err == nil {
		t.Error("Write after Close succeeded")
	}

	fail := &failingWriter{}
	w, _ = NewWriter(fail, schema, WriteOptions{})
	big := randomBatch(t, mem, schema, 200000, 3)
	defer big.Release()
	if err := w.Write(big); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("err = %v, want the destination's error", err)
	}
	if err := w.Close(); err == nil {
		t.Error("Close after a failed write succeeded")
	}
	if _, err := NewWriter(&buf, schema, WriteOptions{Compression: 7}); err == nil {
		t.Error("unknown compression accepted")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }
