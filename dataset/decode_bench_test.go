package dataset

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/parquet-go/parquet-go"
	"github.com/tome-data/tome/internal/cputime"
)

// decodeFlat is the flat struct of the performance target: an id, a score,
// a text and a 64-float embedding.
type decodeFlat struct {
	ID    int64     `parquet:"id" tome:"id"`
	Score float32   `parquet:"score" tome:"score"`
	Text  string    `parquet:"text" tome:"text"`
	Emb   []float32 `parquet:"emb" tome:"emb"`
}

const (
	decodeBenchRows = 8192 // format.DefaultBatchSize
	decodeBenchDim  = 64
)

// decodeFlatBatch builds rows of decodeFlat as a batch; emb is a list, or
// a fixed-size list when fixed is set.
func decodeFlatBatch(tb testing.TB, rows int, fixed bool) arrow.RecordBatch {
	tb.Helper()
	mem := memory.NewGoAllocator()
	embType := arrow.DataType(arrow.ListOf(arrow.PrimitiveTypes.Float32))
	if fixed {
		embType = arrow.FixedSizeListOf(decodeBenchDim, arrow.PrimitiveTypes.Float32)
	}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "score", Type: arrow.PrimitiveTypes.Float32},
		{Name: "text", Type: arrow.BinaryTypes.String},
		{Name: "emb", Type: embType},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	ids := b.Field(0).(*array.Int64Builder)
	scores := b.Field(1).(*array.Float32Builder)
	texts := b.Field(2).(*array.StringBuilder)
	for i := range rows {
		ids.Append(int64(i))
		scores.Append(float32(i) / 2)
		texts.Append(fmt.Sprintf("sample text number %d", i))
		switch lb := b.Field(3).(type) {
		case *array.ListBuilder:
			lb.Append(true)
		case *array.FixedSizeListBuilder:
			lb.Append(true)
		}
		vb := b.Field(3).(array.ListLikeBuilder).ValueBuilder().(*array.Float32Builder)
		for j := range decodeBenchDim {
			vb.Append(float32(i*decodeBenchDim + j))
		}
	}
	return b.NewRecordBatch()
}

// decodeRows measures rows per second of wall time and per second of
// process CPU time (see decodeCPUTime); call its result after the loop.
func decodeRows(b *testing.B, rowsPerOp int) (report func()) {
	cpu0 := cputime.Process()
	return func() {
		rows := float64(rowsPerOp) * float64(b.N)
		b.ReportMetric(rows/b.Elapsed().Seconds(), "rows/s")
		if cpu := cputime.Process() - cpu0; cpu > 0 {
			b.ReportMetric(rows/cpu.Seconds(), "rows/cpu-s")
		}
		b.ReportMetric(0, "ns/op") // per batch: rows/s says more
	}
}

// BenchmarkDecodeFlatStruct decodes batches of the flat struct with
// AppendBatch, reusing the destination slice as a training loop would.
func BenchmarkDecodeFlatStruct(b *testing.B) {
	for _, fixed := range []bool{false, true} {
		name := "list"
		if fixed {
			name = "fixed_size_list"
		}
		b.Run(name, func(b *testing.B) {
			rec := decodeFlatBatch(b, decodeBenchRows, fixed)
			defer rec.Release()
			dec, err := NewDecoder[decodeFlat](rec.Schema())
			if err != nil {
				b.Fatal(err)
			}
			out := make([]decodeFlat, 0, decodeBenchRows)
			b.ReportAllocs()
			report := decodeRows(b, decodeBenchRows)
			for b.Loop() {
				if out, err = dec.AppendBatch(out[:0], rec); err != nil {
					b.Fatal(err)
				}
			}
			report()
		})
	}
}

// BenchmarkDecodeFlatStructRows decodes the same rows one Decode call at a
// time, the cost of the convenient path.
func BenchmarkDecodeFlatStructRows(b *testing.B) {
	rec := decodeFlatBatch(b, decodeBenchRows, false)
	defer rec.Release()
	dec, err := NewDecoder[decodeFlat](rec.Schema())
	if err != nil {
		b.Fatal(err)
	}
	var v decodeFlat
	b.ReportAllocs()
	report := decodeRows(b, decodeBenchRows)
	for b.Loop() {
		for i := range decodeBenchRows {
			if err := dec.Decode(rec, i, &v); err != nil {
				b.Fatal(err)
			}
		}
	}
	report()
}

// BenchmarkDecodeFlatStructParquetGo is the anchor of the target: the same
// rows read with parquet-go's GenericReader[T] from an uncompressed Parquet
// file in memory.
func BenchmarkDecodeFlatStructParquetGo(b *testing.B) {
	rows := make([]decodeFlat, decodeBenchRows)
	for i := range rows {
		rows[i] = decodeFlat{ID: int64(i), Score: float32(i) / 2, Text: fmt.Sprintf("sample text number %d", i), Emb: make([]float32, decodeBenchDim)}
		for j := range rows[i].Emb {
			rows[i].Emb[j] = float32(i*decodeBenchDim + j)
		}
	}
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[decodeFlat](&buf, parquet.Compression(&parquet.Uncompressed))
	if _, err := w.Write(rows); err != nil {
		b.Fatal(err)
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	file := bytes.NewReader(buf.Bytes())
	out := make([]decodeFlat, decodeBenchRows)
	b.ReportAllocs()
	report := decodeRows(b, decodeBenchRows)
	for b.Loop() {
		r := parquet.NewGenericReader[decodeFlat](file)
		n := 0
		for n < decodeBenchRows {
			k, err := r.Read(out[n:])
			n += k
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		if n != decodeBenchRows || out[n-1].Emb[decodeBenchDim-1] != float32(n*decodeBenchDim-1) {
			b.Fatalf("read %d rows, last %v", n, out[n-1].Emb[decodeBenchDim-1])
		}
		r.Close()
	}
	report()
}

// BenchmarkGet reads one typed value by column name, the Row path.
func BenchmarkGet(b *testing.B) {
	rec := decodeFlatBatch(b, 16, false)
	defer rec.Release()
	row := NewRow(rec, 3)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Get[int64](row, "id"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRowValue reads the natural value of every column of a row.
func BenchmarkRowValue(b *testing.B) {
	rec := decodeFlatBatch(b, 16, false)
	defer rec.Release()
	row := NewRow(rec, 3)
	b.ReportAllocs()
	for b.Loop() {
		for c := range row.NumColumns() {
			_ = row.Value(c)
		}
	}
}
