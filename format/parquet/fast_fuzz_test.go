package parquet

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/tome-data/tome/format"
)

// fuzzPlan is a column the fast decoder takes, and real column chunks of it
// to seed the fuzzer with.
type fuzzPlan struct {
	f      fastColumn
	chunks [][]byte
	values []int64
	codecs []compress.Compression
}

// fuzzPlans writes one small file per column type, with both page
// versions, dictionaries and PLAIN, and keeps the plan and chunks.
func fuzzPlans(tb testing.TB) []fuzzPlan {
	types := []arrow.Field{
		{Name: "i", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "x", Type: &arrow.FixedSizeBinaryType{ByteWidth: 3}},
		{Name: "l", Type: arrow.ListOfField(arrow.Field{Name: "element", Type: arrow.PrimitiveTypes.Float32, Nullable: true}), Nullable: true},
		{Name: "ls", Type: arrow.LargeListOf(arrow.BinaryTypes.LargeString)},
	}
	rng := rand.New(rand.NewPCG(5, 6))
	var plans []fuzzPlan
	for _, field := range types {
		schema := arrow.NewSchema([]arrow.Field{field}, nil)
		var plan fuzzPlan
		variants := []pq.DataPageVersion{pq.DataPageV1, pq.DataPageV2}
		delta := map[arrow.Type]pq.Encoding{arrow.INT32: pq.Encodings.DeltaBinaryPacked, arrow.STRING: pq.Encodings.DeltaLengthByteArray,
			arrow.LARGE_LIST: pq.Encodings.DeltaByteArray}
		if _, ok := delta[field.Type.ID()]; ok {
			variants = append(variants, pq.DataPageV2) // a third chunk, delta-encoded
		}
		for i, version := range variants {
			b := fastBatch(memory.DefaultAllocator, schema, 200, rng)
			tbl := array.NewTableFromRecords(schema, []arrow.RecordBatch{b})
			var buf bytes.Buffer
			codec := []compress.Compression{compress.Codecs.Uncompressed, compress.Codecs.Snappy, compress.Codecs.Uncompressed}[i]
			opts := []pq.WriterProperty{pq.WithDataPageVersion(version), pq.WithDataPageSize(256),
				pq.WithDictionaryDefault(i == 0), pq.WithCompression(codec), pq.WithBatchSize(50)}
			if i == 2 {
				opts = append(opts, pq.WithEncoding(delta[field.Type.ID()]))
			}
			props := pq.NewWriterProperties(opts...)
			err := pqarrow.WriteTable(tbl, &buf, 1<<20, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
			tbl.Release()
			b.Release()
			if err != nil {
				tb.Fatal(err)
			}
			r, err := Open(bytes.NewReader(buf.Bytes()), int64(buf.Len()), Options{})
			if err != nil {
				tb.Fatal(err)
			}
			f, ok := planFast(r.file.MetaData(), 0, r.cols[0])
			if !ok {
				tb.Fatalf("%v: not on the fast path", field.Type)
			}
			cc, err := r.file.MetaData().RowGroup(0).ColumnChunk(0)
			if err != nil {
				tb.Fatal(err)
			}
			start := cc.DataPageOffset()
			if cc.HasDictionaryPage() && cc.DictionaryPageOffset() > 0 {
				start = min(start, cc.DictionaryPageOffset())
			}
			plan.f = f
			plan.chunks = append(plan.chunks, buf.Bytes()[start:start+cc.TotalCompressedSize()])
			plan.values = append(plan.values, cc.NumValues())
			plan.codecs = append(plan.codecs, codec)
		}
		plans = append(plans, plan)
	}
	return plans
}

// FuzzFastDecoder decodes arbitrary bytes as a column chunk of each fast
// plan. Whatever the bytes, decoding gives valid arrays or an error
// wrapping format.ErrCorrupt: never a panic (decode runs without the
// recovery next adds), a hang, or an allocation beyond the declared value
// count and the page size limit.
//
//	go test ./format/parquet -run '^$' -fuzz FuzzFastDecoder
func FuzzFastDecoder(f *testing.F) {
	plans := fuzzPlans(f)
	for i, p := range plans {
		for j := range p.chunks {
			f.Add(uint8(i), uint8(j), uint16(p.values[j]), uint8(7), p.chunks[j])
		}
	}
	f.Fuzz(func(t *testing.T, which, codec uint8, values uint16, batch uint8, chunk []byte) {
		p := plans[int(which)%len(plans)]
		c := p.codecs[int(codec)%len(p.codecs)]
		d, err := newFastDecoder(fastChunkMeta{data: chunk, numValues: int64(values), rows: int64(values),
			uncompressed: int64(len(chunk)), codec: c, maxPage: 1 << 16}, p.f, nil, memory.NewGoAllocator())
		if err != nil {
			t.Fatal(err)
		}
		defer d.release()
		n := 1 + int(batch)
		for range 1 + int(values)/n {
			data, err := d.decode(n)
			if err != nil {
				if errors.Is(err, format.ErrCorrupt) {
					t.Fatalf("decode wraps ErrCorrupt itself, which next adds: %v", err)
				}
				wrapped := d.wrap(err)
				if !errors.Is(wrapped, format.ErrCorrupt) {
					t.Fatalf("%v", wrapped)
				}
				return
			}
			arr := array.MakeFromData(data)
			data.Release()
			// Structure only: Parquet strings need not be UTF-8, and
			// neither path checks them (ValidateFull would).
			if v, ok := arr.(interface{ Validate() error }); ok {
				if err := v.Validate(); err != nil {
					t.Fatalf("invalid array: %v", err)
				}
			}
			short := arr.Len() < n
			arr.Release()
			if short {
				return
			}
		}
	})
}

func TestFastDecoderCorruptChunks(t *testing.T) {
	plans := fuzzPlans(t)
	rng := rand.New(rand.NewPCG(9, 9))
	for _, p := range plans {
		for j, chunk := range p.chunks {
			for range 200 {
				bad := bytes.Clone(chunk)
				switch rng.IntN(3) {
				case 0:
					bad = bad[:rng.IntN(len(bad))]
				default:
					for range 1 + rng.IntN(4) {
						bad[rng.IntN(len(bad))] = byte(rng.Uint32())
					}
				}
				d, err := newFastDecoder(fastChunkMeta{data: bad, numValues: p.values[j], rows: p.values[j],
					uncompressed: int64(len(bad)), codec: p.codecs[j], maxPage: 1 << 16}, p.f, nil, memory.NewGoAllocator())
				if err != nil {
					t.Fatal(err)
				}
				for {
					a, err := d.next(64)
					if err != nil {
						if !errors.Is(err, format.ErrCorrupt) {
							t.Fatalf("error wraps no ErrCorrupt: %v", err)
						}
						break
					}
					short := a.Len() < 64
					a.Release()
					if short {
						break
					}
				}
				d.release()
			}
		}
	}
}
