package parquet

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/parquet/compress"

	"github.com/tome-data/tome/format"
)

// Compression is the codec a Writer compresses pages with. The zero value
// is Zstd, the default.
type Compression int

// The codecs a Writer writes. LZ4 is LZ4_RAW, the one modern readers agree
// on; the deprecated Hadoop-framed LZ4 is read but not written.
const (
	Zstd Compression = iota
	Snappy
	LZ4
	Gzip
	Brotli
	Uncompressed
)

var compressionNames = [...]string{
	Zstd:         "zstd",
	Snappy:       "snappy",
	LZ4:          "lz4",
	Gzip:         "gzip",
	Brotli:       "brotli",
	Uncompressed: "none",
}

func (c Compression) String() string {
	if c < 0 || int(c) >= len(compressionNames) {
		return fmt.Sprintf("compression(%d)", int(c))
	}
	return compressionNames[c]
}

// ParseCompression parses a codec name as given on the command line: the
// String forms and the usual aliases ("lz4_raw", "gz", "uncompressed").
// The empty string is the default, zstd.
func ParseCompression(s string) (Compression, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "zstd", "zstandard":
		return Zstd, nil
	case "snappy":
		return Snappy, nil
	case "lz4", "lz4_raw", "lz4-raw", "lz4raw":
		return LZ4, nil
	case "gzip", "gz":
		return Gzip, nil
	case "brotli", "br":
		return Brotli, nil
	case "none", "uncompressed", "off":
		return Uncompressed, nil
	}
	return 0, fmt.Errorf("%w: parquet compression %q (want zstd, snappy, lz4, gzip, brotli or none)", format.ErrUnsupported, s)
}

func (c Compression) codec() (compress.Compression, error) {
	switch c {
	case Zstd:
		return compress.Codecs.Zstd, nil
	case Snappy:
		return compress.Codecs.Snappy, nil
	case LZ4:
		return compress.Codecs.Lz4Raw, nil
	case Gzip:
		return compress.Codecs.Gzip, nil
	case Brotli:
		return compress.Codecs.Brotli, nil
	case Uncompressed:
		return compress.Codecs.Uncompressed, nil
	}
	return 0, fmt.Errorf("%w: parquet compression %v", format.ErrUnsupported, c)
}
