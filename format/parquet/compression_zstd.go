package parquet

import (
	"sync"

	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/klauspost/compress/zstd"
)

// arrow-go compresses zstd pages with encoders that entropy-code the
// literals of every block, matched or not (WithAllLitEntropyCompression).
// On data with no repeats, such as the float columns of embeddings, that
// Huffman pass costs six times the rest of the encoder and saves nothing:
// the block is stored raw in the end. klauspost's own defaults only do it
// above the default level, where the caller asked for the smallest output,
// so the writer registers an encoder that keeps those defaults. Levels map
// as arrow-go maps them (zstd.EncoderLevelFromZstd; the default level is
// SpeedDefault, zstd's level 3), and the frames are the same format, so
// only the speed and, on skewed literals without matches, the size differ.
// Frames carry no content checksum: Parquet pages have their own optional
// CRC, zstd's own CLI library writes none by default either (DuckDB's
// pages have none), and hashing every page cost about 1% of a JSON Lines
// conversion. Decoding is left to the codec registered before.
func init() {
	base, err := compress.GetCodec(compress.Codecs.Zstd)
	if err != nil {
		return
	}
	if s, ok := base.(streamingErrorCodec); ok {
		compress.RegisterCodec(compress.Codecs.Zstd, zstdWriteCodec{s})
	}
}

// streamingErrorCodec is what arrow-go's zstd codec, and this package's
// bounded replacement of its decoder, implement.
type streamingErrorCodec interface {
	compress.ErrorCodec
	compress.StreamingCodec
}

// zstdWriteCodec replaces the block encoder of a zstd codec and keeps
// everything else.
type zstdWriteCodec struct{ streamingErrorCodec }

func (c zstdWriteCodec) Encode(dst, src []byte) []byte {
	return c.EncodeLevel(dst, src, compress.DefaultCompressionLevel)
}

func (zstdWriteCodec) EncodeLevel(dst, src []byte, level int) []byte {
	l := zstd.SpeedDefault
	if level != compress.DefaultCompressionLevel {
		l = zstd.EncoderLevelFromZstd(level)
	}
	pool := zstdEncoders(l)
	enc := pool.Get().(*zstd.Encoder)
	defer pool.Put(enc)
	return enc.EncodeAll(src, dst[:0])
}

// encoderPools holds a pool of block encoders per level: an encoder made
// with concurrency 1 runs one EncodeAll at a time, and making one
// allocates its match tables.
var encoderPools sync.Map // zstd.EncoderLevel -> *sync.Pool

func zstdEncoders(l zstd.EncoderLevel) *sync.Pool {
	if p, ok := encoderPools.Load(l); ok {
		return p.(*sync.Pool)
	}
	p, _ := encoderPools.LoadOrStore(l, &sync.Pool{New: func() any {
		// Options are valid for every level EncoderLevelFromZstd returns.
		enc, _ := zstd.NewWriter(nil, zstd.WithZeroFrames(true), zstd.WithEncoderLevel(l), zstd.WithEncoderConcurrency(1), zstd.WithEncoderCRC(false))
		return enc
	}})
	return p.(*sync.Pool)
}
