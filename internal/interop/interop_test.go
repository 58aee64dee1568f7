package interop

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/format/ipc"
	"github.com/tome-data/tome/format/parquet"
)

// checksum is what checksum.mjs prints.
type checksum struct {
	Rows   int64   `json:"rows"`
	IDSum  string  `json:"id_sum"`
	XSum   float64 `json:"x_sum"`
	SBytes int64   `json:"s_bytes"`
	SNulls int64   `json:"s_nulls"`
	BTrue  int64   `json:"b_true"`
	VLen   int64   `json:"v_len"`
	VSum   int64   `json:"v_sum"`
}

var schema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "x", Type: arrow.PrimitiveTypes.Float64},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "b", Type: arrow.FixedWidthTypes.Boolean},
	{Name: "v", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32), Nullable: true},
}, nil)

// makeBatches builds n rows in batches of 1000, including nulls, empty
// lists, multi-byte strings and int64 values beyond 2^53, and returns their
// checksum computed here.
func makeBatches(t *testing.T, n int) ([]arrow.RecordBatch, checksum) {
	rng := rand.New(rand.NewPCG(1, 2))
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	var want checksum
	idSum := new(big.Int) // exact: the ids pass 2^53 and their sum passes 2^63
	words := []string{"", "a", "héllo", "日本語", "tome", strings.Repeat("x", 300)}
	var out []arrow.RecordBatch
	for i := range n {
		id := int64(i)*1_000_003 + 1<<53
		idSum.Add(idSum, big.NewInt(id))
		x := rng.NormFloat64()
		want.XSum += x
		b.Field(0).(*array.Int64Builder).Append(id)
		b.Field(1).(*array.Float64Builder).Append(x)
		if i%7 == 0 {
			b.Field(2).AppendNull()
			want.SNulls++
		} else {
			s := words[rng.IntN(len(words))]
			b.Field(2).(*array.StringBuilder).Append(s)
			want.SBytes += int64(len(s))
			if !utf8.ValidString(s) {
				t.Fatal("fixture must be valid UTF-8")
			}
		}
		bv := rng.IntN(3) == 0
		b.Field(3).(*array.BooleanBuilder).Append(bv)
		if bv {
			want.BTrue++
		}
		lb := b.Field(4).(*array.ListBuilder)
		if i%11 == 0 {
			lb.AppendNull()
		} else {
			lb.Append(true)
			for range rng.IntN(5) {
				e := int32(rng.IntN(2000) - 1000)
				lb.ValueBuilder().(*array.Int32Builder).Append(e)
				want.VLen++
				want.VSum += int64(e)
			}
		}
		if (i+1)%1000 == 0 || i == n-1 {
			out = append(out, b.NewRecordBatch())
		}
	}
	want.Rows = int64(n)
	want.IDSum = idSum.String()
	return out, want
}

func TestIndependentReaders(t *testing.T) {
	node := Node(t, ".", "apache-arrow")
	batches, want := makeBatches(t, 25_000)
	defer func() {
		for _, b := range batches {
			b.Release()
		}
	}()
	dir := t.TempDir()

	type file struct {
		name   string
		reader string // argument of checksum.mjs
		write  func(*bytes.Buffer) (format.Writer, error)
	}
	files := []file{
		{"zstd.parquet", "duckdb", func(w *bytes.Buffer) (format.Writer, error) {
			return parquet.NewWriter(w, schema, parquet.WriteOptions{Compression: parquet.Zstd, RowGroupRows: 10_000})
		}},
		{"snappy.parquet", "duckdb", func(w *bytes.Buffer) (format.Writer, error) {
			return parquet.NewWriter(w, schema, parquet.WriteOptions{Compression: parquet.Snappy})
		}},
		{"file.arrow", "arrow", func(w *bytes.Buffer) (format.Writer, error) {
			return ipc.NewFileWriter(w, schema, ipc.WriteOptions{})
		}},
		{"stream.arrows", "arrow", func(w *bytes.Buffer) (format.Writer, error) {
			return ipc.NewStreamWriter(w, schema, ipc.WriteOptions{})
		}},
	}
	for _, f := range files {
		t.Run(f.name, func(t *testing.T) {
			var buf bytes.Buffer
			w, err := f.write(&buf)
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range batches {
				if err := w.Write(b); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, f.name)
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := runChecksum(node, f.reader, path)
			if err != nil {
				t.Fatal(err)
			}
			if err := compare(want, got); err != nil {
				t.Fatalf("%s read by %s: %v", f.name, f.reader, err)
			}
		})
	}
}

func runChecksum(node, reader, path string) (checksum, error) {
	cmd := exec.Command(node, "checksum.mjs", reader, path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return checksum{}, fmt.Errorf("node checksum.mjs %s: %v: %s", reader, err, stderr.String())
	}
	var c checksum
	if err := json.Unmarshal(out, &c); err != nil {
		return checksum{}, fmt.Errorf("parsing %q: %v", out, err)
	}
	return c, nil
}

func compare(want, got checksum) error {
	// Float sums depend on summation order; everything else is exact.
	if math.Abs(want.XSum-got.XSum) > 1e-9*math.Max(1, math.Abs(want.XSum)) {
		return fmt.Errorf("x sum %v, want %v", got.XSum, want.XSum)
	}
	got.XSum = want.XSum
	if got != want {
		return fmt.Errorf("checksum %+v, want %+v", got, want)
	}
	return nil
}
