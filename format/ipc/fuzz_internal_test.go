package ipc

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	arrowipc "github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/internal/conformance"
)

// FuzzStreamIndex indexes arbitrary bytes as an IPC stream: it must not
// panic, and what it accepts must be consistent with the bytes.
func FuzzStreamIndex(f *testing.F) {
	for _, s := range indexSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		src, err := newSource(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		idx, err := indexStream(src)
		if err != nil {
			if corrupt(err) != err {
				t.Fatalf("error wraps no format sentinel: %v", err)
			}
			return
		}
		var rows int64
		end := int64(0)
		check := func(e entry) {
			if e.offset < end || e.bodyOff < e.offset || e.bodyLen < 0 || e.bodyOff+e.bodyLen > int64(len(data)) {
				t.Fatalf("message at %d: body [%d, +%d) in %d bytes after %d", e.offset, e.bodyOff, e.bodyLen, len(data), end)
			}
			end = e.bodyOff + e.bodyLen
		}
		di, bi := 0, 0
		for di < len(idx.dicts) || bi < len(idx.batches) {
			if bi == len(idx.batches) || (di < len(idx.dicts) && idx.dicts[di].offset < idx.batches[bi].offset) {
				check(idx.dicts[di].entry)
				di++
				continue
			}
			b := idx.batches[bi]
			check(b.entry)
			if b.rows < 0 || b.dicts != di {
				t.Fatalf("batch %d: %d rows after %d dictionaries, want %d", bi, b.rows, b.dicts, di)
			}
			rows += b.rows
			bi++
		}
		if rows != idx.rows {
			t.Fatalf("rows %d, batches sum to %d", idx.rows, rows)
		}
	})
}

// indexSeeds are small streams arrow-go wrote: a schema alone, batches,
// dictionaries with a delta, and the same in the legacy framing.
func indexSeeds(f *testing.F) [][]byte {
	mem := memory.DefaultAllocator
	dt := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}
	schema := arrow.NewSchema([]arrow.Field{{Name: "n", Type: arrow.PrimitiveTypes.Int64}, {Name: "d", Type: dt}}, nil)
	write := func(dicts ...[]string) []byte {
		var buf bytes.Buffer
		w := arrowipc.NewWriter(&buf, arrowipc.WithSchema(schema), arrowipc.WithDictionaryDeltas(true))
		for k, d := range dicts {
			nb := array.NewInt64Builder(mem)
			nb.Append(int64(k))
			sb := array.NewStringBuilder(mem)
			sb.AppendValues(d, nil)
			ib := array.NewInt8Builder(mem)
			ib.Append(int8(len(d) - 1))
			n, values, idx := nb.NewArray(), sb.NewArray(), ib.NewArray()
			da := array.NewDictionaryArray(dt, idx, values)
			rec := array.NewRecordBatch(schema, []arrow.Array{n, da}, 1)
			if err := w.Write(rec); err != nil {
				f.Fatal(err)
			}
			for _, r := range []interface{ Release() }{rec, n, values, idx, da, nb, sb, ib} {
				r.Release()
			}
		}
		if err := w.Close(); err != nil {
			f.Fatal(err)
		}
		return buf.Bytes()
	}
	seeds := [][]byte{write(), write([]string{"a"}), write([]string{"a"}, []string{"a", "b"}, []string{"c"}), {}, {0, 0, 0, 0}}
	full := seeds[2]
	seeds = append(seeds, full[:len(full)/2])
	// The legacy framing: the same messages without continuation markers.
	var legacy []byte
	for off := 0; off+8 <= len(full); {
		n := int(binary.LittleEndian.Uint32(full[off+4:]))
		if n == 0 {
			break
		}
		m, err := parseMessage(full[off+8 : off+8+n])
		if err != nil {
			f.Fatal(err)
		}
		legacy = binary.LittleEndian.AppendUint32(legacy, uint32(n))
		legacy = append(legacy, full[off+8:off+8+n+int(m.bodyLen)]...)
		off += 8 + n + int(m.bodyLen)
	}
	seeds = append(seeds, legacy)
	// The fuzzers' crash corpus of Arrow's own readers, when at hand.
	if root := os.Getenv(conformance.EnvVar); root != "" {
		for _, dir := range []string{"arrow-ipc-stream", "arrow-ipc-file", "arrow-ipc-tensor-stream"} {
			files, _ := filepath.Glob(filepath.Join(root, "arrow-testing/data", dir, "*-*"))
			for _, path := range files {
				if data, err := os.ReadFile(path); err == nil && !strings.HasSuffix(path, ".md") {
					seeds = append(seeds, data)
				}
			}
		}
	}
	return seeds
}
