package main

import (
	"bufio"
	"context"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkConvertJSONLToParquet converts JSON Lines rows shaped like a
// training set (id, label, 150-250 bytes of Zipf-distributed words, a
// 64-float embedding) to a Parquet dataset with zstd, as tome convert does.
// TOME_BENCH_CONVERT_INPUT names an existing input instead (the ~1 GB file
// of BENCHMARKS.md); TOME_BENCH_CONVERT_BYTES sizes the generated one
// (default 4 MB, so CI's single run stays cheap).
func BenchmarkConvertJSONLToParquet(b *testing.B) {
	in := os.Getenv("TOME_BENCH_CONVERT_INPUT")
	if in == "" {
		in = filepath.Join(b.TempDir(), "in.jsonl")
		size := int64(4 << 20)
		if s := os.Getenv("TOME_BENCH_CONVERT_BYTES"); s != "" {
			n, err := parseSize(s)
			if err != nil {
				b.Fatal(err)
			}
			size = n
		}
		if err := writeBenchJSONL(in, size); err != nil {
			b.Fatal(err)
		}
	}
	st, err := os.Stat(in)
	if err != nil {
		b.Fatal(err)
	}
	args := []string{"--to", "parquet", "--overwrite"}
	if c := os.Getenv("TOME_BENCH_CONVERT_FLAGS"); c != "" {
		args = append(args, strings.Fields(c)...)
	}
	out := filepath.Join(b.TempDir(), "out")
	e := &env{stdout: io.Discard, stderr: io.Discard}
	b.SetBytes(st.Size())
	for b.Loop() {
		cmd := newConvertCommand(e)
		cmd.SetArgs(append(append([]string{"-q"}, args...), in, out))
		cmd.SetContext(context.Background())
		cmd.SetOut(io.Discard)
		cmd.SetErr(io.Discard)
		if err := cmd.Execute(); err != nil {
			b.Fatal(err)
		}
	}
}

// writeBenchJSONL writes about size bytes of benchmark rows, the same for
// the same size.
func writeBenchJSONL(path string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(1, 2))
	words := make([]string, 5000)
	for i := range words {
		w := make([]byte, 2+r.IntN(9))
		for j := range w {
			w[j] = byte('a' + r.IntN(26))
		}
		words[i] = string(w)
	}
	zipf := rand.NewZipf(r, 1.1, 1, uint64(len(words)-1))
	bw := bufio.NewWriterSize(f, 1<<20)
	var line []byte
	for id, written := int64(0), int64(0); written < size; id++ {
		line = append(line[:0], `{"id":`...)
		line = strconv.AppendInt(line, id, 10)
		line = append(line, `,"label":`...)
		line = strconv.AppendFloat(line, float64(r.Float32()), 'g', -1, 32)
		line = append(line, `,"text":"`...)
		target, start := 150+r.IntN(101), len(line)
		for len(line)-start < target {
			if len(line) > start {
				line = append(line, ' ')
			}
			line = append(line, words[zipf.Uint64()]...)
		}
		line = append(line[:start+target], `","embedding":[`...)
		for j := range 64 {
			if j > 0 {
				line = append(line, ',')
			}
			line = strconv.AppendFloat(line, float64(float32(r.NormFloat64())), 'g', -1, 32)
		}
		line = append(line, "]}\n"...)
		bw.Write(line)
		written += int64(len(line))
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
