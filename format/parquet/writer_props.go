package parquet

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/apache/arrow-go/v18/parquet/schema"

	"github.com/tome-data/tome/format"
)

// levelRanges are the compression levels each leveled codec accepts.
var levelRanges = map[Compression][2]int{
	Zstd:   {1, 22},
	Gzip:   {1, 9},
	Brotli: {0, 11},
}

// writerProperties translates WriteOptions into arrow-go's properties.
//
// Dictionary encoding: on, because most columns of real datasets (labels,
// categories, repeated strings) shrink with it, and it falls back to plain
// per column chunk in the two cases it does not pay: once the dictionary
// passes its page limit, and, checked on the first page, when the dictionary
// and its indices are not smaller than the plain values (the cost check,
// which arrow-go runs only for uncompressed columns unless asked; it is
// asked here for every column). Floating-point columns skip the dictionary
// outright: measurements and embeddings almost never repeat.
func writerProperties(sc *arrow.Schema, opts WriteOptions) (*pq.WriterProperties, pqarrow.ArrowWriterProperties, error) {
	// No WithStoreSchema: NewWriter stores the caller's schema itself, as
	// pqarrow would store the storage schema (see canonical.go).
	arrowProps := pqarrow.NewArrowWriterProperties(pqarrow.WithAllocator(opts.mem()))
	codec, err := opts.Compression.codec()
	if err != nil {
		return nil, arrowProps, err
	}
	level := compress.DefaultCompressionLevel
	if opts.Level != 0 {
		r, ok := levelRanges[opts.Compression]
		if !ok || opts.Level < r[0] || opts.Level > r[1] {
			return nil, arrowProps, fmt.Errorf("%w: compression level %d for %v", format.ErrUnsupported, opts.Level, opts.Compression)
		}
		level = opts.Level
	}
	props := []pq.WriterProperty{
		pq.WithAllocator(opts.mem()),
		pq.WithCompression(codec),
		pq.WithCompressionLevel(level),
		pq.WithStats(true),
		pq.WithPageIndexEnabled(true),
		pq.WithDictionaryDefault(true),
		// Row groups are cut by Writer.write; this only keeps pqarrow from
		// cutting them on its own.
		pq.WithMaxRowGroupLength(math.MaxInt64 / 2),
	}
	pqSchema, err := toParquet(sc, pq.NewWriterProperties(props...), arrowProps)
	if err != nil {
		return nil, arrowProps, fmt.Errorf("%w: parquet writer: %w", format.ErrUnsupported, err)
	}
	for _, col := range pqSchema.Columns() {
		path := col.ColumnPath().String()
		if isFloat(col) {
			props = append(props, pq.WithDictionaryFor(path, false))
			continue
		}
		props = append(props, pq.WithDictionaryCostFallbackFor(path, true))
	}
	return pq.NewWriterProperties(props...), arrowProps, nil
}

// storageSchemaWithArrow returns the storage schema of sc whose metadata
// carries sc itself under "ARROW:schema", serialized as Arrow writers do (an
// IPC schema message, base64) with list elements named "element" like the
// Parquet columns.
func storageSchemaWithArrow(sc *arrow.Schema, mem memory.Allocator) (*arrow.Schema, error) {
	fields := make([]arrow.Field, sc.NumFields())
	for i, f := range sc.Fields() {
		fields[i] = parquetNames(f)
	}
	meta := sc.Metadata()
	named := arrow.NewSchema(fields, &meta)
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(named), ipc.WithAllocator(mem))
	if err := w.Close(); err != nil {
		return nil, err
	}
	var keys, values []string
	for i, k := range meta.Keys() {
		if k != arrowSchemaKey {
			keys, values = append(keys, k), append(values, meta.Values()[i])
		}
	}
	keys, values = append(keys, arrowSchemaKey), append(values, base64.StdEncoding.EncodeToString(buf.Bytes()))
	withArrow := arrow.NewMetadata(keys, values)
	storage := storageSchema(sc)
	return arrow.NewSchema(storage.Fields(), &withArrow), nil
}

// parquetNames renames list elements to "element", the name pqarrow gives
// the Parquet columns, so tools that match the stored schema to column
// paths find them.
func parquetNames(f arrow.Field) arrow.Field {
	switch t := f.Type.(type) {
	case *arrow.ListType:
		e := parquetNames(t.ElemField())
		e.Name = "element"
		f.Type = arrow.ListOfField(e)
	case *arrow.LargeListType:
		e := parquetNames(t.ElemField())
		e.Name = "element"
		f.Type = arrow.LargeListOfField(e)
	case *arrow.FixedSizeListType:
		e := parquetNames(t.ElemField())
		e.Name = "element"
		f.Type = arrow.FixedSizeListOfField(t.Len(), e)
	case *arrow.StructType:
		fields := make([]arrow.Field, t.NumFields())
		for i, c := range t.Fields() {
			fields[i] = parquetNames(c)
		}
		f.Type = arrow.StructOf(fields...)
	case *arrow.MapType:
		m := arrow.MapOfFields(parquetNames(t.KeyField()), parquetNames(t.ItemField()))
		m.KeysSorted = t.KeysSorted
		f.Type = m
	}
	return f
}

func toParquet(sc *arrow.Schema, props *pq.WriterProperties, arrowProps pqarrow.ArrowWriterProperties) (s *schema.Schema, err error) {
	defer recoverWrite(&err)
	return pqarrow.ToParquet(sc, props, arrowProps)
}

func isFloat(col *schema.Column) bool {
	switch col.PhysicalType() {
	case pq.Types.Float, pq.Types.Double:
		return true
	case pq.Types.FixedLenByteArray:
		_, ok := col.LogicalType().(schema.Float16LogicalType)
		return ok
	}
	return false
}
