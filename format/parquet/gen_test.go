package parquet

import (
	"fmt"
	"math/big"
	"math/rand/v2"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/decimal256"
	"github.com/apache/arrow-go/v18/arrow/float16"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Random schemas and data for round trips: every Arrow type Parquet
// carries, nested to a few levels, with nulls.

// primitiveTypes are the leaf types Parquet stores.
var primitiveTypes = []arrow.DataType{
	arrow.FixedWidthTypes.Boolean,
	arrow.PrimitiveTypes.Int8, arrow.PrimitiveTypes.Int16, arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Int64,
	arrow.PrimitiveTypes.Uint8, arrow.PrimitiveTypes.Uint16, arrow.PrimitiveTypes.Uint32, arrow.PrimitiveTypes.Uint64,
	arrow.FixedWidthTypes.Float16, arrow.PrimitiveTypes.Float32, arrow.PrimitiveTypes.Float64,
	arrow.BinaryTypes.String, arrow.BinaryTypes.LargeString, arrow.BinaryTypes.Binary, arrow.BinaryTypes.LargeBinary,
	&arrow.FixedSizeBinaryType{ByteWidth: 7},
	arrow.FixedWidthTypes.Date32, arrow.FixedWidthTypes.Date64,
	&arrow.TimestampType{Unit: arrow.Second}, &arrow.TimestampType{Unit: arrow.Millisecond},
	&arrow.TimestampType{Unit: arrow.Microsecond}, &arrow.TimestampType{Unit: arrow.Nanosecond},
	&arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"},
	&arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "America/New_York"},
	&arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "+02:00"},
	arrow.FixedWidthTypes.Time32s, arrow.FixedWidthTypes.Time32ms,
	arrow.FixedWidthTypes.Time64us, arrow.FixedWidthTypes.Time64ns,
	&arrow.Decimal128Type{Precision: 9, Scale: 2}, &arrow.Decimal128Type{Precision: 18, Scale: 4},
	&arrow.Decimal128Type{Precision: 38, Scale: 10}, &arrow.Decimal256Type{Precision: 60, Scale: 6},
}

// nestedTypes covers each nesting kind and the dictionary once, so every
// run tests them whatever the random draws.
var nestedTypes = []arrow.DataType{
	arrow.ListOf(arrow.PrimitiveTypes.Int32),
	arrow.LargeListOf(arrow.BinaryTypes.String),
	arrow.FixedSizeListOf(3, arrow.PrimitiveTypes.Float32),
	arrow.StructOf(arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		arrow.Field{Name: "b", Type: arrow.BinaryTypes.String, Nullable: true}),
	arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int32),
	&arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String},
	arrow.ListOf(arrow.StructOf(arrow.Field{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		arrow.Field{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true})),
}

// allTypesSchema has a column of every type above.
func allTypesSchema() *arrow.Schema {
	var fields []arrow.Field
	for i, t := range append(append([]arrow.DataType{}, primitiveTypes...), nestedTypes...) {
		fields = append(fields, arrow.Field{Name: fmt.Sprintf("c%d_%s", i, t.ID()), Type: t, Nullable: true})
	}
	return arrow.NewSchema(fields, nil)
}

// randomSchema draws 1-8 columns of random, possibly nested, types.
func randomSchema(rng *rand.Rand) *arrow.Schema {
	n := 1 + rng.IntN(8)
	fields := make([]arrow.Field, n)
	for i := range fields {
		t := randomType(rng, 2)
		if rng.IntN(8) == 0 {
			t = &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
		}
		fields[i] = arrow.Field{Name: fmt.Sprintf("f%d", i), Type: t, Nullable: rng.IntN(4) != 0}
	}
	return arrow.NewSchema(fields, nil)
}

func randomType(rng *rand.Rand, depth int) arrow.DataType {
	if depth == 0 || rng.IntN(3) != 0 {
		return primitiveTypes[rng.IntN(len(primitiveTypes))]
	}
	elem := arrow.Field{Name: "item", Type: randomType(rng, depth-1), Nullable: rng.IntN(2) == 0}
	switch rng.IntN(5) {
	case 0:
		return arrow.ListOfField(elem)
	case 1:
		return arrow.LargeListOfField(elem)
	case 2:
		return arrow.FixedSizeListOfField(int32(1+rng.IntN(3)), elem)
	case 3:
		fields := make([]arrow.Field, 1+rng.IntN(3))
		for i := range fields {
			fields[i] = arrow.Field{Name: fmt.Sprintf("s%d", i), Type: randomType(rng, depth-1), Nullable: rng.IntN(2) == 0}
		}
		return arrow.StructOf(fields...)
	default:
		keys := []arrow.DataType{arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Int32}
		return arrow.MapOfFields(arrow.Field{Name: "key", Type: keys[rng.IntN(len(keys))]}, elem)
	}
}

// randomBatch builds n rows of random data for schema; about a fifth of
// the values of nullable fields are null.
func randomBatch(mem memory.Allocator, schema *arrow.Schema, n int, rng *rand.Rand) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for i, f := range schema.Fields() {
		for range n {
			appendRandom(b.Field(i), f.Nullable, rng)
		}
	}
	return b.NewRecordBatch()
}

var vocabulary = []string{"cat", "dog", "fish", "", "a somewhat longer label", "ünïcødé"}

func appendRandom(b array.Builder, nullable bool, rng *rand.Rand) {
	if nullable && rng.IntN(5) == 0 {
		b.AppendNull()
		return
	}
	switch b := b.(type) {
	case *array.BooleanBuilder:
		b.Append(rng.IntN(2) == 1)
	case *array.Int8Builder:
		b.Append(int8(rng.Uint32()))
	case *array.Int16Builder:
		b.Append(int16(rng.Uint32()))
	case *array.Int32Builder:
		b.Append(int32(rng.Uint32()))
	case *array.Int64Builder:
		b.Append(int64(rng.Uint64()))
	case *array.Uint8Builder:
		b.Append(uint8(rng.Uint32()))
	case *array.Uint16Builder:
		b.Append(uint16(rng.Uint32()))
	case *array.Uint32Builder:
		b.Append(rng.Uint32())
	case *array.Uint64Builder:
		b.Append(rng.Uint64())
	case *array.Float16Builder:
		b.Append(float16.New(float32(rng.NormFloat64())))
	case *array.Float32Builder:
		b.Append(float32(rng.NormFloat64()))
	case *array.Float64Builder:
		b.Append(rng.NormFloat64() * 1e6)
	case *array.StringBuilder:
		b.Append(randomString(rng))
	case *array.LargeStringBuilder:
		b.Append(randomString(rng))
	case *array.BinaryDictionaryBuilder:
		if err := b.AppendString(vocabulary[rng.IntN(len(vocabulary))]); err != nil {
			panic(err)
		}
	case *array.BinaryBuilder: // binary and large binary
		b.Append([]byte(randomString(rng)))
	case *array.FixedSizeBinaryBuilder:
		v := make([]byte, b.Type().(*arrow.FixedSizeBinaryType).ByteWidth)
		for i := range v {
			v[i] = byte(rng.Uint32())
		}
		b.Append(v)
	case *array.Date32Builder:
		b.Append(arrow.Date32(rng.IntN(80000) - 40000))
	case *array.Date64Builder:
		// Whole days: Parquet keeps dates as days.
		b.Append(arrow.Date64(int64(rng.IntN(80000)-40000) * 86400000))
	case *array.TimestampBuilder:
		// Seconds become milliseconds in Parquet, so stay well within range.
		b.Append(arrow.Timestamp(rng.Int64N(2e12) - 1e12))
	case *array.Time32Builder:
		perDay := int64(86400)
		if b.Type().(*arrow.Time32Type).Unit == arrow.Millisecond {
			perDay *= 1000
		}
		b.Append(arrow.Time32(rng.Int64N(perDay)))
	case *array.Time64Builder:
		perDay := int64(86400e6)
		if b.Type().(*arrow.Time64Type).Unit == arrow.Nanosecond {
			perDay *= 1000
		}
		b.Append(arrow.Time64(rng.Int64N(perDay)))
	case *array.Decimal128Builder:
		b.Append(decimal128.FromBigInt(randomDigits(rng, b.Type().(*arrow.Decimal128Type).Precision)))
	case *array.Decimal256Builder:
		b.Append(decimal256.FromBigInt(randomDigits(rng, b.Type().(*arrow.Decimal256Type).Precision)))
	case *array.ListBuilder:
		b.Append(true)
		for range rng.IntN(4) {
			appendRandom(b.ValueBuilder(), b.Type().(*arrow.ListType).ElemField().Nullable, rng)
		}
	case *array.LargeListBuilder:
		b.Append(true)
		for range rng.IntN(4) {
			appendRandom(b.ValueBuilder(), b.Type().(*arrow.LargeListType).ElemField().Nullable, rng)
		}
	case *array.FixedSizeListBuilder:
		t := b.Type().(*arrow.FixedSizeListType)
		b.Append(true)
		for range t.Len() {
			appendRandom(b.ValueBuilder(), t.ElemField().Nullable, rng)
		}
	case *array.StructBuilder:
		t := b.Type().(*arrow.StructType)
		b.Append(true)
		for i, f := range t.Fields() {
			appendRandom(b.FieldBuilder(i), f.Nullable, rng)
		}
	case *array.MapBuilder:
		t := b.Type().(*arrow.MapType)
		b.Append(true)
		for range rng.IntN(4) {
			appendRandom(b.KeyBuilder(), false, rng)
			appendRandom(b.ItemBuilder(), t.ItemField().Nullable, rng)
		}
	default:
		panic(fmt.Sprintf("no generator for %T", b))
	}
}

func randomString(rng *rand.Rand) string {
	if rng.IntN(2) == 0 {
		return vocabulary[rng.IntN(len(vocabulary))]
	}
	b := make([]byte, rng.IntN(40))
	for i := range b {
		b[i] = byte('a' + rng.IntN(26))
	}
	return string(b)
}

// randomDigits returns a signed integer of at most precision digits.
func randomDigits(rng *rand.Rand, precision int32) *big.Int {
	digits := make([]byte, 1+rng.IntN(int(precision)))
	for i := range digits {
		digits[i] = byte('0' + rng.IntN(10))
	}
	v, _ := new(big.Int).SetString(string(digits), 10)
	if rng.IntN(2) == 0 {
		v.Neg(v)
	}
	return v
}
