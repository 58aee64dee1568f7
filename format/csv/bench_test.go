package csv

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
)

// BenchmarkRead reads generated CSV of TOME_BENCH_CSV_MB megabytes (8 by
// default) with inferred types: an integer, a float, a quoted text with
// delimiters and quotes, a timestamp and a boolean per row.
func BenchmarkRead(b *testing.B) {
	mb := 8
	if s := os.Getenv("TOME_BENCH_CSV_MB"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			b.Fatalf("TOME_BENCH_CSV_MB=%q: want a positive integer", s)
		}
		mb = n
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var buf bytes.Buffer
	buf.WriteString("id,score,text,at,ok\n")
	for i := 0; buf.Len() < mb<<20; i++ {
		fmt.Fprintf(&buf, "%d,%.4f,\"a text, with \"\"quotes\"\" and more words %d\",2024-01-%02dT10:%02d:00Z,%t\n",
			i, rng.Float64()*1000, rng.IntN(1000), 1+i%28, i%60, i%2 == 0)
	}
	data := buf.Bytes()
	r, err := Open(bytes.NewReader(data), int64(len(data)), Options{})
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
}
