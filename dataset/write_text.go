package dataset

import (
	"fmt"
	"io"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/format/csv"
	"github.com/tome-data/tome/format/jsonl"
)

// newTextWriter writes JSON Lines or CSV, wrapped in the
// whole-file compression the name or the options ask for.
func newTextWriter(w io.Writer, schema *arrow.Schema, kind format.Kind, opts WriteOptions) (format.Writer, error) {
	c := kind.Compression
	switch strings.ToLower(opts.Compression) {
	case "":
	case "none", "uncompressed":
		c = format.Uncompressed
	case "gzip", "gz":
		c = format.Gzip
	case "zstd", "zst":
		c = format.Zstd
	default:
		return nil, fmt.Errorf("%w: %s compression %q (want gzip, zstd or none)", format.ErrUnsupported, kind.Format, opts.Compression)
	}
	switch kind.Format {
	case format.JSONL:
		return jsonl.NewWriter(w, schema, jsonl.WriteOptions{Compression: c})
	case format.CSV:
		return csv.NewWriter(w, schema, csv.WriteOptions{Compression: c, Delimiter: opts.Delimiter})
	}
	return nil, fmt.Errorf("%w: writing %s", format.ErrUnsupported, kind.Format)
}
