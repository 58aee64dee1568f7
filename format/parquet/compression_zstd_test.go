package parquet

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/klauspost/compress/zstd"
)

// TestZstdWriteCodec checks the registered zstd codec: pages it encodes
// at every level decode to the input (with the standard decoder and the
// registered one), carry no content checksum, incompressible input is
// stored at about its size, and repetitive input still shrinks.
func TestZstdWriteCodec(t *testing.T) {
	codec, err := compress.GetCodec(compress.Codecs.Zstd)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := codec.(compress.StreamingCodec); !ok {
		t.Fatal("the registered zstd codec lost arrow-go's streaming interface")
	}
	r := rand.New(rand.NewPCG(7, 8))
	random := make([]byte, 256<<10)
	for i := range random {
		random[i] = byte(r.Uint32())
	}
	repeated := bytes.Repeat([]byte("tome writes parquet "), 10000)
	dec, _ := zstd.NewReader(nil)
	defer dec.Close()
	for _, level := range []int{compress.DefaultCompressionLevel, 1, 3, 7, 19} {
		for name, src := range map[string][]byte{"random": random, "repeated": repeated} {
			enc := codec.EncodeLevel(nil, src, level)
			got, err := dec.DecodeAll(enc, nil)
			if err != nil || !bytes.Equal(got, src) {
				t.Fatalf("level %d, %s: standard decoder: %v", level, name, err)
			}
			var h zstd.Header
			if err := h.Decode(enc); err != nil || h.HasCheckSum {
				t.Errorf("level %d, %s: frame header %+v, %v; want one without a content checksum", level, name, h, err)
			}
			got, err = compress.Decode(codec, make([]byte, len(src)), enc)
			if err != nil || !bytes.Equal(got, src) {
				t.Fatalf("level %d, %s: registered decoder: %v", level, name, err)
			}
			switch {
			case name == "random" && len(enc) > len(src)+len(src)/100:
				t.Errorf("level %d: random input grew from %d to %d bytes", level, len(src), len(enc))
			case name == "repeated" && len(enc) > len(src)/20:
				t.Errorf("level %d: repeated input only shrank from %d to %d bytes", level, len(src), len(enc))
			}
		}
	}
	if got := codec.Encode(nil, repeated); len(got) > len(repeated)/20 {
		t.Errorf("Encode: %d bytes from %d", len(got), len(repeated))
	}
}

// BenchmarkZstdPage compresses a 1 MiB page of float64 values read from
// shortest float32 decimals (an embedding column: no repeats) with the
// registered encoder and with arrow-go's.
func BenchmarkZstdPage(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	page := make([]byte, 0, 1<<20)
	for len(page) < cap(page) {
		f, _ := parseFloatBits(float64(float32(r.NormFloat64())))
		page = append(page, f...)
	}
	arrowLike, _ := zstd.NewWriter(nil, zstd.WithZeroFrames(true), zstd.WithEncoderLevel(zstd.SpeedDefault),
		zstd.WithEncoderConcurrency(1), zstd.WithAllLitEntropyCompression(true))
	codec, _ := compress.GetCodec(compress.Codecs.Zstd)
	var out []byte
	b.Run("tome", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		for b.Loop() {
			out = codec.EncodeLevel(out, page, compress.DefaultCompressionLevel)
		}
	})
	b.Run("arrow-go", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		for b.Loop() {
			out = arrowLike.EncodeAll(page, out[:0])
		}
	})
}

// parseFloatBits returns the little-endian bytes of the float64 nearest
// to f's shortest float32 decimal, as a JSON reader would store it.
func parseFloatBits(f float64) ([]byte, error) {
	v, err := strconv.ParseFloat(strconv.FormatFloat(f, 'g', -1, 32), 64)
	return binary.LittleEndian.AppendUint64(nil, math.Float64bits(v)), err
}

// BenchmarkZstdTextPage compresses a 1 MiB PLAIN page of short-word text
// (the text column of issue 6's reviews: 20-79 words from a vocabulary of
// 20) with the registered encoder at the default level. It is the part of
// a JSON Lines conversion that dominates on text: compare its MB/s with
// libzstd's on the same kind of data (zstd -b3 -B1048576) to see the
// encoder's share of a gap to a C engine.
func BenchmarkZstdTextPage(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	words := []string{"awful", "fine", "soft", "quiet", "pricey", "stale", "messy", "dim", "sturdy", "fast",
		"heavy", "loud", "good", "bright", "light", "great", "slow", "cold", "cheap", "bad"}
	page := make([]byte, 0, 1<<20+1024)
	var text []byte
	for len(page) < 1<<20 {
		text = text[:0]
		for w := range 20 + r.IntN(60) {
			if w > 0 {
				text = append(text, ' ')
			}
			text = append(text, words[r.IntN(len(words))]...)
		}
		page = binary.LittleEndian.AppendUint32(page, uint32(len(text)))
		page = append(page, text...)
	}
	codec, _ := compress.GetCodec(compress.Codecs.Zstd)
	b.SetBytes(int64(len(page)))
	var out []byte
	for b.Loop() {
		out = codec.EncodeLevel(out, page, compress.DefaultCompressionLevel)
	}
	b.ReportMetric(float64(len(out))/float64(len(page)), "ratio")
}
