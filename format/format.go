package format

import (
	"fmt"
	"strings"
)

// Format identifies a file encoding.
type Format int

// The formats tome reads and writes.
const (
	Unknown     Format = iota
	ArrowFile          // Arrow IPC file format ("ARROW1" magic, footer)
	ArrowStream        // Arrow IPC stream format, as Hugging Face writes .arrow files
	Parquet
	JSONL // JSON Lines: one JSON object per line
	CSV   // comma-, tab- or otherwise delimited text with a header row
)

var formatNames = [...]string{
	Unknown:     "unknown",
	ArrowFile:   "arrow-file",
	ArrowStream: "arrow-stream",
	Parquet:     "parquet",
	JSONL:       "jsonl",
	CSV:         "csv",
}

func (f Format) String() string {
	if f < 0 || int(f) >= len(formatNames) {
		return fmt.Sprintf("format(%d)", int(f))
	}
	return formatNames[f]
}

// ParseFormat parses a format name as used on the command line. It accepts
// the String forms and the usual aliases ("arrow" and "ipc" for the file
// format, "json" and "ndjson" for JSON Lines, "tsv" for CSV).
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(s) {
	case "arrow", "arrow-file", "ipc", "feather":
		return ArrowFile, nil
	case "arrow-stream", "arrows", "stream":
		return ArrowStream, nil
	case "parquet", "pq":
		return Parquet, nil
	case "jsonl", "json", "ndjson":
		return JSONL, nil
	case "csv", "tsv":
		return CSV, nil
	}
	return Unknown, fmt.Errorf("%w: %q", ErrUnknownFormat, s)
}

// Compression is the whole-file compression wrapped around a text format
// (JSON Lines, CSV). Binary formats compress inside the file instead.
type Compression int

// Whole-file compressions.
const (
	Uncompressed Compression = iota
	Gzip
	Zstd
)

func (c Compression) String() string {
	switch c {
	case Gzip:
		return "gzip"
	case Zstd:
		return "zstd"
	}
	return "none"
}
