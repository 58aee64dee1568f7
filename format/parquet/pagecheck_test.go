package parquet

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/tome-data/tome/format"
)

// deltaFile writes 1000 int64s with DELTA_BINARY_PACKED, the first one
// 1<<62 so that its varint takes ten bytes, and returns the file and the
// offset of the page's delta header: block 128 (80 01), 4 miniblocks (04),
// 1000 values (e8 07), first value (ten bytes).
func deltaFile(t testing.TB, codec compress.Compression) ([]byte, int) {
	t.Helper()
	sc := arrow.NewSchema([]arrow.Field{{Name: "v", Type: arrow.PrimitiveTypes.Int64}}, nil)
	b := array.NewInt64Builder(memory.DefaultAllocator)
	defer b.Release()
	b.Append(1 << 62)
	for i := 1; i < 1000; i++ {
		b.Append(int64(i))
	}
	arr := b.NewArray()
	defer arr.Release()
	rec := array.NewRecordBatch(sc, []arrow.Array{arr}, 1000)
	defer rec.Release()
	var buf bytes.Buffer
	props := pq.NewWriterProperties(pq.WithDictionaryDefault(false), pq.WithEncoding(pq.Encodings.DeltaBinaryPacked),
		pq.WithCompression(codec), pq.WithStats(false))
	fw, err := pqarrow.NewFileWriter(sc, &buf, props, pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := fw.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	header := []byte{0x80, 0x01, 0x04, 0xE8, 0x07, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}
	i := bytes.Index(buf.Bytes(), header)
	if codec == compress.Codecs.Uncompressed && i < 0 {
		t.Fatal("delta header not found")
	}
	return buf.Bytes(), i
}

func TestDeltaFileReads(t *testing.T) {
	for _, codec := range []compress.Compression{compress.Codecs.Uncompressed, compress.Codecs.Zstd} {
		data, _ := deltaFile(t, codec)
		rows, err := readBytes(data)
		if err != nil || rows != 1000 {
			t.Fatalf("%v: %d rows, %v", codec, rows, err)
		}
	}
}

// TestDeltaMiniblockBomb is a page whose 15-byte delta header declares one
// miniblock of 2^32-128 values. arrow-go allocates the miniblock up front,
// 34 GB, and the runtime kills the process; the page check refuses it.
func TestDeltaMiniblockBomb(t *testing.T) {
	data, at := deltaFile(t, compress.Codecs.Uncompressed)
	// Same length: block 2^32-128 (five bytes), one miniblock, 1000 values,
	// a first value of 2^42 in seven bytes.
	copy(data[at:], []byte{0x80, 0xFF, 0xFF, 0xFF, 0x0F, 0x01, 0xE8, 0x07, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01})
	_, err := readBytes(data)
	if !errors.Is(err, format.ErrCorrupt) || !strings.Contains(err.Error(), "delta block") {
		t.Fatalf("got %v, want ErrCorrupt for the delta block", err)
	}
}

func TestCheckDeltaHeader(t *testing.T) {
	tests := []struct {
		name    string
		header  []byte
		wantErr string
		rest    int // bytes expected after the sequence, -1 for unknown
	}{
		// 128-value blocks, 4 miniblocks, 1 value: no blocks follow.
		{"single value", []byte{0x80, 0x01, 0x04, 0x01, 0x02, 0xAA}, "", 1},
		// 2 values: one block, min delta 0, widths 0,0,0,0, no bodies.
		{"bit width zero", []byte{0x80, 0x01, 0x04, 0x02, 0x02, 0x00, 0, 0, 0, 0, 0xAA, 0xBB}, "", 2},
		// 2 values with width 8: one miniblock body of 32 bytes.
		{"one miniblock", append([]byte{0x80, 0x01, 0x04, 0x02, 0x02, 0x00, 8, 0, 0, 0}, make([]byte, 32)...), "", 0},
		{"huge block", []byte{0x80, 0x80, 0x80, 0x80, 0x01, 0x01, 0x01, 0x00}, "delta block", -1},
		{"huge count", []byte{0x80, 0x01, 0x04, 0x80, 0x80, 0x80, 0x80, 0x04, 0x00}, "delta sequence", -1},
		{"truncated", []byte{0x80}, "", -1},
		{"zero miniblocks", []byte{0x80, 0x01, 0x00, 0x01, 0x00}, "", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rest, err := checkDeltaHeader(tt.header)
			switch {
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			case tt.wantErr == "" && err != nil:
				t.Fatalf("err = %v", err)
			case tt.rest >= 0 && len(rest) != tt.rest:
				t.Fatalf("%d bytes after the sequence, want %d", len(rest), tt.rest)
			case tt.rest < 0 && rest != nil:
				t.Fatalf("rest = %x, want nil", rest)
			}
		})
	}
}

func TestCheckDictionaryPage(t *testing.T) {
	sc := arrow.NewSchema([]arrow.Field{{Name: "s", Type: arrow.BinaryTypes.String}, {Name: "i", Type: arrow.PrimitiveTypes.Int64}}, nil)
	pqs, err := pqarrow.ToParquet(sc, nil, pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	str, i64 := pqs.Column(0), pqs.Column(1)
	tests := []struct {
		name   string
		values int32
		size   int32
		col    int
		ok     bool
	}{
		{"strings fit", 10, 40, 0, true},
		{"strings overflow", 11, 40, 0, false},
		{"int64 fit", 5, 40, 1, true},
		{"int64 overflow", 6, 40, 1, false},
		{"negative", -1, 40, 1, false},
		{"empty", 0, 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			col := str
			if tt.col == 1 {
				col = i64
			}
			err := checkDictionaryPage(pageHeader{numValues: tt.values, uncompressed: tt.size}, col)
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok = %v", err, tt.ok)
			}
		})
	}
}
