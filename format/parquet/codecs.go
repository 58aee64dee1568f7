package parquet

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/klauspost/compress/snappy"
	"github.com/klauspost/compress/zstd"
)

// arrow-go finds page codecs in a process-wide registry, so the only way to
// change how pages decompress is to register replacements. This package
// replaces the decoders at init, keeping arrow-go's encoders, to fix three
// things for every reader in the process:
//
//   - A page decompresses into at most the uncompressed size its header
//     declares. arrow-go's snappy and zstd decoders grow the output past
//     that (a snappy block names its own length, up to 4 GiB, and zstd's
//     DecodeAll appends), so a few hostile bytes could allocate gigabytes.
//   - A DataPageV2 whose value section is empty decodes to nothing. Writers
//     leave the section empty for an all-null page even when the page is
//     flagged compressed, and no codec accepts zero bytes as a stream
//     (parquet-testing's datapage_v2_empty_datapage.snappy.parquet).
//   - The deprecated LZ4 codec (Hadoop framing, or a bare block from early
//     Parquet C++) reads; arrow-go leaves it unimplemented.
func init() {
	for _, c := range []compress.Compression{compress.Codecs.Gzip, compress.Codecs.Brotli, compress.Codecs.Lz4Raw} {
		if base, err := compress.GetCodec(c); err == nil {
			compress.RegisterCodec(c, wrapCodec(base, errorDecoder(base)))
		}
	}
	if base, err := compress.GetCodec(compress.Codecs.Snappy); err == nil {
		compress.RegisterCodec(compress.Codecs.Snappy, wrapCodec(base, decodeSnappy))
	}
	if base, err := compress.GetCodec(compress.Codecs.Zstd); err == nil {
		compress.RegisterCodec(compress.Codecs.Zstd, wrapCodec(base, decodeZstd))
	}
	if raw, err := compress.GetCodec(compress.Codecs.Lz4Raw); err == nil {
		compress.RegisterCodec(compress.Codecs.Lz4, wrapCodec(lz4HadoopCodec{raw}, lz4HadoopCodec{raw}.DecodeWithError))
	}
}

// errCodecOverflow is returned when compressed data expands past the
// destination, which arrow-go sizes from the page header.
var errCodecOverflow = errors.New("decompressed data exceeds the page's declared size")

type decodeFunc func(dst, src []byte) ([]byte, error)

// boundedCodec keeps a codec's encoder and replaces its decoder.
type boundedCodec struct {
	compress.Codec
	decode decodeFunc
}

// boundedStreamingCodec is a boundedCodec over a codec that also streams, so
// arrow-go's page streaming still finds the interface.
type boundedStreamingCodec struct {
	boundedCodec
	compress.StreamingCodec
}

func wrapCodec(base compress.Codec, decode decodeFunc) compress.Codec {
	b := boundedCodec{Codec: base, decode: decode}
	if s, ok := base.(compress.StreamingCodec); ok {
		return boundedStreamingCodec{boundedCodec: b, StreamingCodec: s}
	}
	return b
}

// DecodeWithError decodes src into dst, never producing more than len(dst)
// bytes. arrow-go always passes a destination sized from the page header; a
// nil one means a page declared empty.
func (c boundedCodec) DecodeWithError(dst, src []byte) ([]byte, error) {
	if len(src) == 0 {
		return dst[:0], nil
	}
	out, err := c.decode(dst, src)
	if err != nil {
		return nil, err
	}
	if len(out) > len(dst) {
		return nil, errCodecOverflow
	}
	return out, nil
}

// Decode is the panicking form arrow-go's Codec interface requires; arrow-go
// itself calls DecodeWithError.
func (c boundedCodec) Decode(dst, src []byte) []byte {
	out, err := c.DecodeWithError(dst, src)
	if err != nil {
		panic(err)
	}
	return out
}

// errorDecoder adapts a codec whose own decoder already stops at len(dst).
func errorDecoder(c compress.Codec) decodeFunc {
	return func(dst, src []byte) ([]byte, error) { return compress.Decode(c, dst, src) }
}

func decodeSnappy(dst, src []byte) ([]byte, error) {
	n, err := snappy.DecodedLen(src)
	if err != nil {
		return nil, err
	}
	if n > len(dst) {
		return nil, fmt.Errorf("snappy block of %d bytes: %w", n, errCodecOverflow)
	}
	return snappy.Decode(dst, src)
}

// zstdDecoder decodes whole pages. WithDecodeAllCapLimit makes DecodeAll stop
// at the destination's capacity instead of growing it.
var zstdDecoder, _ = zstd.NewReader(nil,
	zstd.WithDecoderConcurrency(0),
	zstd.WithDecodeAllCapLimit(true),
	zstd.WithDecoderMaxMemory(1<<62))

func decodeZstd(dst, src []byte) ([]byte, error) {
	return zstdDecoder.DecodeAll(src, dst[:0:len(dst)])
}

// lz4HadoopCodec is Parquet's deprecated LZ4 codec. Hadoop wrote it as a
// sequence of frames, each an 8-byte big-endian (uncompressed, compressed)
// size prefix and a raw LZ4 block; early Parquet C++ wrote one bare block.
// Decoding tries the framing first and falls back to a bare block, as Parquet
// C++ does. Encoding writes the Hadoop framing, which every reader accepts.
type lz4HadoopCodec struct{ raw compress.Codec }

// hadoopBlock bounds one frame on encode, as Hadoop's default buffer does.
const hadoopBlock = 256 << 10

func (c lz4HadoopCodec) DecodeWithError(dst, src []byte) ([]byte, error) {
	if out, ok := c.decodeHadoop(dst, src); ok {
		return out, nil
	}
	return compress.Decode(c.raw, dst, src)
}

func (c lz4HadoopCodec) decodeHadoop(dst, src []byte) ([]byte, bool) {
	total := 0
	for len(src) >= 8 {
		plain := int64(binary.BigEndian.Uint32(src))
		packed := int64(binary.BigEndian.Uint32(src[4:]))
		src = src[8:]
		if packed > int64(len(src)) || plain > int64(len(dst)-total) {
			return nil, false
		}
		out, err := compress.Decode(c.raw, dst[total:total+int(plain)], src[:packed])
		if err != nil || int64(len(out)) != plain {
			return nil, false
		}
		total += int(plain)
		src = src[packed:]
	}
	if len(src) != 0 {
		return nil, false
	}
	return dst[:total], true
}

func (c lz4HadoopCodec) Decode(dst, src []byte) []byte {
	out, err := c.DecodeWithError(dst, src)
	if err != nil {
		panic(err)
	}
	return out
}

func (c lz4HadoopCodec) Encode(dst, src []byte) []byte {
	out := dst[:0]
	if int64(cap(out)) < c.CompressBound(int64(len(src))) {
		out = make([]byte, 0, c.CompressBound(int64(len(src))))
	}
	for len(src) > 0 {
		n := min(len(src), hadoopBlock)
		block := c.raw.Encode(nil, src[:n])
		out = binary.BigEndian.AppendUint32(out, uint32(n))
		out = binary.BigEndian.AppendUint32(out, uint32(len(block)))
		out = append(out, block...)
		src = src[n:]
	}
	return out
}

func (c lz4HadoopCodec) EncodeLevel(dst, src []byte, _ int) []byte { return c.Encode(dst, src) }

func (c lz4HadoopCodec) CompressBound(n int64) int64 {
	bound := n / hadoopBlock * (8 + c.raw.CompressBound(hadoopBlock))
	if rest := n % hadoopBlock; rest > 0 {
		bound += 8 + c.raw.CompressBound(rest)
	}
	return bound
}
