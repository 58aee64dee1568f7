package jsonl

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
)

// benchBytes is the size of the generated benchmark input:
// TOME_BENCH_JSONL_MB megabytes, 8 by default so CI runs stay quick.
func benchBytes(b *testing.B) int {
	mb := 8
	if s := os.Getenv("TOME_BENCH_JSONL_MB"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			b.Fatalf("TOME_BENCH_JSONL_MB=%q: want a positive integer", s)
		}
		mb = n
	}
	return mb << 20
}

// benchData generates JSON Lines shaped like a typical text dataset: an
// id, a paragraph of text with escapes and non-ASCII, a score, a label, a
// list of tags and a small nested object.
func benchData(size int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"the", "model", "data", "stream", "token", "café", "naïve", "shard", "batch", `\"quoted\"`, "line\\nbreak", "arrow", "parquet"}
	var buf bytes.Buffer
	for i := 0; buf.Len() < size; i++ {
		fmt.Fprintf(&buf, `{"id": %d, "text": "`, i)
		for w := range 20 + rng.IntN(40) {
			if w > 0 {
				buf.WriteByte(' ')
			}
			buf.WriteString(words[rng.IntN(len(words))])
		}
		fmt.Fprintf(&buf, `", "score": %g, "label": %d, "tags": ["%s", "%s"], "meta": {"source": "web", "lang": "en", "ok": %t}}`+"\n",
			rng.Float64()*100, rng.IntN(5), words[rng.IntN(5)], words[rng.IntN(5)], rng.IntN(2) == 0)
	}
	return buf.Bytes()
}

func BenchmarkRead(b *testing.B) {
	data := benchData(benchBytes(b))
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			r, err := Open(bytes.NewReader(data), int64(len(data)), Options{Workers: workers})
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				rows := int64(0)
				for rec, err := range r.Batches(context.Background()) {
					if err != nil {
						b.Fatal(err)
					}
					rows += rec.NumRows()
				}
				if rows == 0 {
					b.Fatal("no rows")
				}
			}
		})
	}
}

// BenchmarkReadStdlibMap is the anchor for BenchmarkRead, measured in the
// same run because this machine's timings drift: encoding/json decoding
// each line into a map[string]any, the usual reflective approach, which
// does not even build Arrow arrays. (arrow-go's own array.JSONReader was
// tried as the anchor and ran at under 10 MB/s.)
func BenchmarkReadStdlibMap(b *testing.B) {
	data := benchData(benchBytes(b))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		rows := 0
		for line := range bytes.Lines(data) {
			var row map[string]any
			if err := json.Unmarshal(line, &row); err != nil {
				b.Fatal(err)
			}
			rows++
		}
		if rows == 0 {
			b.Fatal("no rows")
		}
	}
}
