package parquet

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/klauspost/compress/snappy"
	"github.com/klauspost/compress/zstd"
)

func codec(t *testing.T, c compress.Compression) compress.Codec {
	t.Helper()
	got, err := compress.GetCodec(c)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// compressible returns n bytes that compress well but not trivially.
func compressible(n int) []byte {
	rng := rand.New(rand.NewPCG(3, 4))
	b := make([]byte, n)
	for i := range b {
		b[i] = "parquet pages "[rng.IntN(14)]
	}
	return b
}

func TestCodecsDecodeWithinDestination(t *testing.T) {
	plain := compressible(100_000)
	for _, c := range []compress.Compression{compress.Codecs.Snappy, compress.Codecs.Zstd, compress.Codecs.Gzip,
		compress.Codecs.Brotli, compress.Codecs.Lz4Raw, compress.Codecs.Lz4} {
		t.Run(c.String(), func(t *testing.T) {
			cd := codec(t, c)
			packed := cd.Encode(nil, plain)
			got, err := compress.Decode(cd, make([]byte, len(plain)), packed)
			if err != nil || !bytes.Equal(got, plain) {
				t.Fatalf("round trip: %v", err)
			}
			// A header that declares less than the data holds must not let
			// the codec grow the destination.
			if _, err := compress.Decode(cd, make([]byte, len(plain)/2), packed); err == nil {
				t.Fatal("decoded past the destination")
			}
			// Writers leave an empty value section for an all-null V2 page.
			if got, err := compress.Decode(cd, make([]byte, 0), nil); err != nil || len(got) != 0 {
				t.Fatalf("empty input: %d bytes, %v", len(got), err)
			}
			if _, ok := cd.(compress.StreamingCodec); !ok && c != compress.Codecs.Lz4Raw && c != compress.Codecs.Lz4 {
				t.Error("wrapping lost the streaming interface")
			}
		})
	}
}

func TestSnappyDeclaredLengthIsChecked(t *testing.T) {
	// A snappy block names its decoded length up front; one claiming 4 GiB
	// must be refused before anything is allocated for it.
	bomb := []byte{0xff, 0xff, 0xff, 0xff, 0x0f, 0x00}
	_, err := compress.Decode(codec(t, compress.Codecs.Snappy), make([]byte, 16), bomb)
	if !errors.Is(err, errCodecOverflow) {
		t.Fatalf("got %v, want errCodecOverflow", err)
	}
	if n, _ := snappy.DecodedLen(bomb); n < 1<<31 {
		t.Fatalf("test block declares only %d bytes", n)
	}
}

func TestZstdStopsAtDestination(t *testing.T) {
	// A frame without a content size: only decoding reveals how much it holds.
	var frame bytes.Buffer
	w, err := zstd.NewWriter(&frame)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(make([]byte, 10<<20)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	dst := make([]byte, 1<<20)
	if _, err := compress.Decode(codec(t, compress.Codecs.Zstd), dst, frame.Bytes()); err == nil {
		t.Fatal("a 10 MiB frame decoded into 1 MiB")
	}
}

func TestLZ4Hadoop(t *testing.T) {
	cd := codec(t, compress.Codecs.Lz4)
	raw := codec(t, compress.Codecs.Lz4Raw)
	plain := compressible(3*hadoopBlock + 1234)

	framed := cd.Encode(nil, plain)
	if got, err := compress.Decode(cd, make([]byte, len(plain)), framed); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("hadoop frames: %v", err)
	}
	if int64(len(framed)) > cd.CompressBound(int64(len(plain))) {
		t.Fatalf("encoded %d bytes, bound %d", len(framed), cd.CompressBound(int64(len(plain))))
	}
	// Early Parquet C++ wrote a bare block under the LZ4 codec.
	bare := raw.Encode(nil, plain)
	if got, err := compress.Decode(cd, make([]byte, len(plain)), bare); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("bare block: %v", err)
	}
	// A frame whose sizes do not add up is neither.
	broken := append([]byte{}, framed...)
	broken[3]++ // the first frame's decoded size
	broken[len(broken)-1] ^= 0xff
	if got, err := compress.Decode(cd, make([]byte, len(plain)), broken); err == nil && bytes.Equal(got, plain) {
		t.Fatal("a broken frame decoded")
	}
}
