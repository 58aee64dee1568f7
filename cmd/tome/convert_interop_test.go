package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/tome-data/tome/internal/interop"
)

// interopChecksum is what internal/interop/checksum.mjs prints.
type interopChecksum struct {
	Rows   int64   `json:"rows"`
	IDSum  string  `json:"id_sum"`
	XSum   float64 `json:"x_sum"`
	SBytes int64   `json:"s_bytes"`
	SNulls int64   `json:"s_nulls"`
	BTrue  int64   `json:"b_true"`
	VLen   int64   `json:"v_len"`
	VSum   int64   `json:"v_sum"`
}

// add sums two checksums (of two shards).
func (c interopChecksum) add(o interopChecksum) interopChecksum {
	a, _ := new(big.Int).SetString(orZero(c.IDSum), 10)
	b, _ := new(big.Int).SetString(orZero(o.IDSum), 10)
	return interopChecksum{
		Rows: c.Rows + o.Rows, IDSum: a.Add(a, b).String(), XSum: c.XSum + o.XSum, SBytes: c.SBytes + o.SBytes,
		SNulls: c.SNulls + o.SNulls, BTrue: c.BTrue + o.BTrue, VLen: c.VLen + o.VLen, VSum: c.VSum + o.VSum,
	}
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

// writeInteropInput writes rows with checksum.mjs's columns (id int64,
// x float64, s utf8 with nulls, b bool, v list<int32> with nulls) and
// returns their checksum and the schema file that types them.
func writeInteropInput(t *testing.T, dir string, n int) (string, string, interopChecksum) {
	t.Helper()
	path := filepath.Join(dir, "interop.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	words := []string{"", "a", "héllo", "日本語", "tome"}
	want := interopChecksum{Rows: int64(n)}
	ids := new(big.Int)
	for i := range n {
		id := int64(i)*1_000_003 + 1<<40
		x := float64(i)*0.25 - 17.5
		ids.Add(ids, big.NewInt(id))
		want.XSum += x
		row := map[string]any{"id": id, "x": x, "b": i%3 == 0}
		if i%3 == 0 {
			want.BTrue++
		}
		if i%7 == 0 {
			row["s"] = nil
			want.SNulls++
		} else {
			s := words[i%len(words)]
			row["s"] = s
			want.SBytes += int64(len(s))
		}
		if i%11 == 0 {
			row["v"] = nil
		} else {
			v := make([]int32, i%4)
			for j := range v {
				v[j] = int32(i%1000 - 500 + j)
				want.VSum += int64(v[j])
			}
			want.VLen += int64(len(v))
			row["v"] = v
		}
		line, _ := json.Marshal(row)
		w.Write(append(line, '\n'))
	}
	w.Flush()
	f.Close()
	want.IDSum = ids.String()
	schema := filepath.Join(dir, "interop-schema.json")
	os.WriteFile(schema, []byte(`[{"name": "id", "type": "int64"}, {"name": "x", "type": "float64"}, {"name": "s", "type": "string"}, {"name": "b", "type": "bool"}, {"name": "v", "type": "list<int32>"}]`), 0o644)
	return path, schema, want
}

// Converted datasets read the same in independent implementations:
// DuckDB over the Parquet shards (one glob), npm's apache-arrow over each
// Arrow shard, Hugging Face layout included.
func TestConvertedDatasetsReadByIndependentReaders(t *testing.T) {
	script, _ := filepath.Abs("../../internal/interop/checksum.mjs")
	node := interop.Node(t, filepath.Dir(script), "apache-arrow")
	dir := t.TempDir()
	src, schema, want := writeInteropInput(t, dir, 6000)
	for _, tt := range []struct{ to, reader string }{
		{"parquet", "duckdb"},
		{"arrow", "arrow"},
		{"hf", "arrow"},
	} {
		t.Run(tt.to, func(t *testing.T) {
			dst := filepath.Join(dir, tt.to)
			convertOK(t, "--to", tt.to, "--schema", schema, "--max-shard-size", "60kB", src, dst)
			m := readManifest(t, dst)
			shards := m.Splits[0].Shards
			if len(shards) < 2 {
				t.Fatalf("%d shards; want several", len(shards))
			}
			var got interopChecksum
			if tt.reader == "duckdb" {
				got = nodeChecksum(t, node, script, tt.reader, filepath.Join(dst, "data", "*.parquet"))
			} else {
				for _, sh := range shards {
					got = got.add(nodeChecksum(t, node, script, tt.reader, filepath.Join(dst, filepath.FromSlash(sh.Path))))
				}
			}
			if math.Abs(got.XSum-want.XSum) > 1e-6 {
				t.Fatalf("x sum %v, want %v", got.XSum, want.XSum)
			}
			got.XSum = want.XSum
			if got != want {
				t.Fatalf("%s read %+v, want %+v", tt.reader, got, want)
			}
		})
	}
}

func nodeChecksum(t *testing.T, node, script, reader, path string) interopChecksum {
	t.Helper()
	cmd := exec.Command(node, script, reader, path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node checksum.mjs %s %s: %v: %s", reader, path, err, stderr.String())
	}
	var c interopChecksum
	if err := json.Unmarshal(out, &c); err != nil {
		t.Fatalf("parsing %q: %v", out, err)
	}
	return c
}
