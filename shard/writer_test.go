package shard

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/format/ipc"
	"github.com/tome-data/tome/format/jsonl"
	"github.com/tome-data/tome/format/parquet"
)

var testSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "l", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32), Nullable: true},
	{Name: "st", Type: arrow.StructOf(
		arrow.Field{Name: "a", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		arrow.Field{Name: "b", Type: arrow.BinaryTypes.LargeString, Nullable: true},
	), Nullable: true},
	{Name: "f", Type: arrow.FixedSizeListOf(3, arrow.PrimitiveTypes.Float32), Nullable: true},
}, nil)

// testBatch builds n rows whose sizes vary from row to row.
func testBatch(t testing.TB, mem memory.Allocator, n int) arrow.RecordBatch {
	t.Helper()
	var sb strings.Builder
	for i := range n {
		s := "null"
		if i%7 != 3 {
			s = fmt.Sprintf("%q", strings.Repeat("x", i%23))
		}
		list := make([]string, i%5)
		for j := range list {
			list[j] = fmt.Sprint(i + j)
		}
		fmt.Fprintf(&sb, `{"id": %d, "s": %s, "l": [%s], "st": {"a": %t, "b": %q}, "f": [%d, 1.5, 2]}`+"\n",
			i, s, strings.Join(list, ","), i%2 == 0, strings.Repeat("y", i%11), i)
	}
	b, _, err := array.RecordFromJSON(mem, testSchema, strings.NewReader("["+strings.ReplaceAll(strings.TrimSpace(sb.String()), "\n", ",")+"]"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// writeAll writes b through a Writer in batches of step rows.
func writeAll(t *testing.T, b arrow.RecordBatch, step int, opts WriterOptions) []WrittenShard {
	t.Helper()
	w, err := NewWriter(b.Schema(), opts)
	if err != nil {
		t.Fatal(err)
	}
	for off := 0; off < int(b.NumRows()); off += step {
		piece := b.NewSlice(int64(off), int64(min(off+step, int(b.NumRows()))))
		err := w.Write(piece)
		piece.Release()
		if err != nil {
			t.Fatal(err)
		}
	}
	shards, err := w.Close()
	if err != nil {
		t.Fatal(err)
	}
	return shards
}

func pathIn(dir string, ext string) func(int) string {
	return func(i int) string { return filepath.Join(dir, fmt.Sprintf("part-%03d%s", i, ext)) }
}

// Where shards are cut depends on the rows, not on how they are batched.
func TestWriterCutsIndependentlyOfBatching(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	b := testBatch(t, mem, 500)
	defer b.Release()
	total := BatchBytes(b)
	for _, tt := range []struct {
		name string
		opts WriterOptions
	}{
		{"bytes", WriterOptions{Format: format.JSONL, MaxShardBytes: total / 7}},
		{"rows", WriterOptions{Format: format.JSONL, MaxShardRows: 64}},
		{"both", WriterOptions{Format: format.JSONL, MaxShardBytes: total / 3, MaxShardRows: 100}},
		{"arrow in batches of 50", WriterOptions{Format: format.ArrowStream, MaxShardBytes: total / 4, BatchRows: 50}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var want []WrittenShard
			for _, step := range []int{500, 97, 13, 1} {
				dir := t.TempDir()
				opts := tt.opts
				opts.Allocator = mem
				opts.Path = pathIn(dir, opts.Extension())
				got := writeAll(t, b, step, opts)
				for i := range got {
					got[i].Path = filepath.Base(got[i].Path)
				}
				if want == nil {
					want = got
					continue
				}
				if diff := cmpShards(want, got); diff != "" {
					t.Fatalf("batches of %d rows: %s", step, diff)
				}
			}
			var rows int64
			for _, s := range want {
				rows += s.Rows
				if tt.opts.MaxShardRows > 0 && s.Rows > tt.opts.MaxShardRows {
					t.Errorf("shard %d has %d rows, limit %d", s.Index, s.Rows, tt.opts.MaxShardRows)
				}
				if limit := tt.opts.MaxShardBytes; limit > 0 && s.ArrowBytes > limit {
					t.Errorf("shard %d holds %d Arrow bytes, limit %d", s.Index, s.ArrowBytes, limit)
				}
			}
			if rows != 500 || len(want) < 2 {
				t.Fatalf("%d shards of %d rows in all", len(want), rows)
			}
		})
	}
}

func cmpShards(want, got []WrittenShard) string {
	if len(want) != len(got) {
		return fmt.Sprintf("%d shards, want %d", len(got), len(want))
	}
	for i := range want {
		if want[i] != got[i] {
			return fmt.Sprintf("shard %d is %+v, want %+v", i, got[i], want[i])
		}
	}
	return ""
}

// Every format reads back to the rows written, and the recorded size and
// checksum are the file's.
func TestWriterRoundTrip(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	b := testBatch(t, mem, 300)
	defer b.Release()
	for _, f := range []format.Format{format.Parquet, format.ArrowFile, format.ArrowStream, format.JSONL} {
		for _, compression := range []string{"", "zstd"} {
			t.Run(fmt.Sprintf("%s/%s", f, compression), func(t *testing.T) {
				dir := t.TempDir()
				opts := WriterOptions{Format: f, Compression: compression, MaxShardRows: 120, Allocator: mem}
				opts.Path = pathIn(dir, opts.Extension())
				shards := writeAll(t, b, 77, opts)
				if len(shards) != 3 {
					t.Fatalf("%d shards, want 3", len(shards))
				}
				var off int64
				for i, s := range shards {
					if s.Index != i {
						t.Errorf("shard %d has index %d", i, s.Index)
					}
					data, err := os.ReadFile(s.Path)
					if err != nil {
						t.Fatal(err)
					}
					sum := sha256.Sum256(data)
					if int64(len(data)) != s.Bytes || hex.EncodeToString(sum[:]) != s.SHA256 {
						t.Errorf("shard %d: recorded %d bytes %s, file has %d %x", i, s.Bytes, s.SHA256, len(data), sum)
					}
					want := b.NewSlice(off, off+s.Rows)
					got := readBack(t, s.Path, f, mem)
					if !array.RecordEqual(want, got) {
						t.Errorf("shard %d reads back as\n%v\nwant\n%v", i, got, want)
					}
					want.Release()
					got.Release()
					off += s.Rows
				}
				if entries, _ := os.ReadDir(dir); len(entries) != len(shards) {
					t.Errorf("directory holds %d files for %d shards", len(entries), len(shards))
				}
			})
		}
	}
}

// readBack reads a whole shard into one batch.
func readBack(t *testing.T, path string, f format.Format, mem memory.Allocator) arrow.RecordBatch {
	t.Helper()
	src, err := OpenLocal(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	ro := format.ReadOptions{Allocator: mem}
	var r format.Reader
	switch f {
	case format.Parquet:
		r, err = parquet.Open(src, src.Size(), parquet.Options{ReadOptions: ro})
	case format.ArrowFile, format.ArrowStream:
		r, err = ipc.Open(src, src.Size(), ipc.Options{ReadOptions: ro})
	case format.JSONL:
		kind, _ := format.Detect(src, src.Size(), path)
		r, err = jsonl.Open(src, src.Size(), jsonl.Options{ReadOptions: ro, Schema: testSchema, Compression: kind.Compression})
	}
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var parts []arrow.RecordBatch
	var rows int64
	for b, err := range r.Batches(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		b.Retain()
		parts = append(parts, b)
		rows += b.NumRows()
	}
	defer releaseAll(parts)
	// Readers may differ from the writer in nullability; compare values.
	for i, p := range parts {
		parts[i] = array.NewRecordBatch(testSchema, p.Columns(), p.NumRows())
		p.Release()
	}
	if len(parts) == 0 {
		return array.NewRecordBatch(testSchema, nil, 0)
	}
	out, err := concat(testSchema, parts, rows, mem)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestWriterEdgeCases(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	b := testBatch(t, mem, 10)
	defer b.Release()

	t.Run("no rows and KeepEmpty writes one empty shard", func(t *testing.T) {
		dir := t.TempDir()
		opts := WriterOptions{Format: format.Parquet, KeepEmpty: true, Allocator: mem, Path: pathIn(dir, ".parquet")}
		w, _ := NewWriter(testSchema, opts)
		shards, err := w.Close()
		if err != nil || len(shards) != 1 || shards[0].Rows != 0 || shards[0].Bytes == 0 {
			t.Fatalf("%+v %v", shards, err)
		}
	})
	t.Run("no rows writes nothing", func(t *testing.T) {
		dir := t.TempDir()
		w, _ := NewWriter(testSchema, WriterOptions{Format: format.Parquet, Allocator: mem, Path: pathIn(dir, ".parquet")})
		if shards, err := w.Close(); err != nil || len(shards) != 0 {
			t.Fatalf("%+v %v", shards, err)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Fatalf("left %v", entries)
		}
	})
	t.Run("a row larger than the limit gets its own shard", func(t *testing.T) {
		dir := t.TempDir()
		shards := writeAll(t, b, 10, WriterOptions{Format: format.JSONL, MaxShardBytes: 1, Allocator: mem, Path: pathIn(dir, ".jsonl")})
		if len(shards) != 10 {
			t.Fatalf("%d shards, want one per row", len(shards))
		}
	})
	t.Run("a batch of other columns is refused and the writer stays usable", func(t *testing.T) {
		dir := t.TempDir()
		w, _ := NewWriter(testSchema, WriterOptions{Format: format.JSONL, Allocator: mem, Path: pathIn(dir, ".jsonl")})
		other := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int32}}, nil)
		ob := array.NewRecordBatch(other, []arrow.Array{array.NewInt32Builder(mem).NewArray()}, 0)
		defer ob.Release()
		defer ob.Column(0).Release()
		if err := w.Write(ob); !errors.Is(err, format.ErrSchema) {
			t.Fatalf("error %v, want ErrSchema", err)
		}
		if err := w.Write(b); err != nil {
			t.Fatal(err)
		}
		if shards, err := w.Close(); err != nil || len(shards) != 1 || shards[0].Rows != 10 {
			t.Fatalf("%+v %v", shards, err)
		}
	})
	t.Run("abort keeps finished shards and removes the open one", func(t *testing.T) {
		dir := t.TempDir()
		var seen []int
		opts := WriterOptions{Format: format.ArrowFile, MaxShardRows: 4, Allocator: mem, Path: pathIn(dir, ".arrow"), FirstShard: 5,
			OnShard: func(s WrittenShard) error { seen = append(seen, s.Index); return nil }}
		w, _ := NewWriter(testSchema, opts)
		if err := w.Write(b); err != nil {
			t.Fatal(err)
		}
		if err := w.Abort(); err != nil {
			t.Fatal(err)
		}
		entries, _ := os.ReadDir(dir)
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		if fmt.Sprint(names) != "[part-005.arrow part-006.arrow]" || fmt.Sprint(seen) != "[5 6]" {
			t.Fatalf("files %v, OnShard saw %v", names, seen)
		}
		if _, err := w.Close(); err == nil {
			t.Fatal("Close after Abort succeeded")
		}
	})
	t.Run("an OnShard error stops the writer", func(t *testing.T) {
		dir := t.TempDir()
		boom := errors.New("boom")
		w, _ := NewWriter(testSchema, WriterOptions{Format: format.JSONL, MaxShardRows: 3, Allocator: mem, Path: pathIn(dir, ".jsonl"),
			OnShard: func(WrittenShard) error { return boom }})
		if err := w.Write(b); !errors.Is(err, boom) {
			t.Fatalf("error %v", err)
		}
		if err := w.Write(b); !errors.Is(err, boom) {
			t.Fatalf("second write: %v", err)
		}
	})
	t.Run("bad options", func(t *testing.T) {
		for _, o := range []WriterOptions{
			{Format: format.Parquet, Compression: "lzma", Path: pathIn("", "")},
			{Format: format.ArrowFile, Compression: "snappy", Path: pathIn("", "")},
			{Format: format.Unknown, Path: pathIn("", "")},
			{Format: format.Parquet},
		} {
			if _, err := NewWriter(testSchema, o); err == nil {
				t.Errorf("%+v: no error", o)
			}
		}
	})
}

// The size measure adds up over any cut and ignores slicing.
func TestBatchBytesIsAdditive(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	b := testBatch(t, mem, 200)
	defer b.Release()
	n := int(b.NumRows())
	total := rowsBits(b, 0, n)
	for _, k := range []int{0, 1, 17, 99, 199, 200} {
		if got := rowsBits(b, 0, k) + rowsBits(b, k, n); got != total {
			t.Errorf("cut at %d: %d + rest = %d bits, whole = %d", k, rowsBits(b, 0, k), got, total)
		}
		s := b.NewSlice(int64(k), int64(n))
		if got := rowsBits(s, 0, n-k); got != rowsBits(b, k, n) {
			t.Errorf("slice from %d: %d bits, in place %d", k, got, rowsBits(b, k, n))
		}
		s.Release()
	}
	// id 64 + s 32+data + l 32+32*len + st 1+64+data + f 96 bits a row.
	if total < int64(n)*(64+32+32+1+64+96) {
		t.Errorf("total %d bits is less than the fixed part", total)
	}
}
