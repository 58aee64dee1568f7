package format

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/klauspost/compress/zstd"
)

// HeadSize is how many leading bytes Detect looks at.
const HeadSize = 4096

// Kind is what Detect found: a format and, for text formats, the whole-file
// compression around it.
type Kind struct {
	Format      Format
	Compression Compression
}

func (k Kind) String() string {
	if k.Compression == Uncompressed {
		return k.Format.String()
	}
	return k.Format.String() + "+" + k.Compression.String()
}

var (
	magicParquet    = []byte("PAR1")
	magicParquetEnc = []byte("PARE")
	magicArrow      = []byte("ARROW1")
	magicGzip       = []byte{0x1f, 0x8b}
	magicZstd       = []byte{0x28, 0xb5, 0x2f, 0xfd}
	lfsPointer      = []byte("version https://git-lfs.github.com/spec/")
)

// Detect tells a file's format from its content: the magic bytes of Parquet
// and Arrow, both IPC stream framings (with and without the 0xFFFFFFFF
// continuation marker), gzip and zstd wrappers, and JSON or delimited text.
// The name's extension is consulted only when the content is ambiguous.
//
// Files that are not data at all, such as an HTML error page or a Git LFS
// pointer saved as ".parquet", give an error wrapping ErrNotData.
func Detect(r io.ReaderAt, size int64, name string) (Kind, error) {
	head := make([]byte, min(size, HeadSize))
	if _, err := r.ReadAt(head, 0); err != nil && !(errors.Is(err, io.EOF) && len(head) == 0) {
		return Kind{}, fmt.Errorf("detecting format of %s: %w", name, err)
	}
	var tail []byte
	if size >= 8 {
		tail = make([]byte, 4)
		if _, err := r.ReadAt(tail, size-4); err != nil {
			return Kind{}, fmt.Errorf("detecting format of %s: %w", name, err)
		}
	}
	k, err := detect(head, tail, size, name)
	if err != nil {
		return Kind{}, fmt.Errorf("%s: %w", name, err)
	}
	return k, nil
}

// DetectBytes is Detect over a file held in memory.
func DetectBytes(b []byte, name string) (Kind, error) {
	return Detect(bytes.NewReader(b), int64(len(b)), name)
}

func detect(head, tail []byte, size int64, name string) (Kind, error) {
	switch {
	case bytes.HasPrefix(head, magicParquet):
		if bytes.Equal(tail, magicParquetEnc) {
			return Kind{}, fmt.Errorf("parquet file with an encrypted footer: %w", ErrEncrypted)
		}
		return Kind{Format: Parquet}, nil
	case bytes.HasPrefix(head, magicParquetEnc):
		return Kind{}, fmt.Errorf("parquet file with an encrypted footer: %w", ErrEncrypted)
	case bytes.HasPrefix(head, magicArrow):
		return Kind{Format: ArrowFile}, nil
	case len(head) >= 8 && binary.LittleEndian.Uint32(head) == 0xFFFFFFFF:
		return Kind{Format: ArrowStream}, nil
	case looksLikeLegacyIPC(head, size):
		return Kind{Format: ArrowStream}, nil
	case bytes.HasPrefix(head, magicGzip):
		return detectCompressedText(head, Gzip, name)
	case bytes.HasPrefix(head, magicZstd):
		return detectCompressedText(head, Zstd, name)
	}
	if err := notData(head); err != nil {
		return Kind{}, err
	}
	return detectText(head, size, name, Uncompressed)
}

// looksLikeLegacyIPC recognises the pre-0.15 stream framing: a little-endian
// int32 metadata length (padded so the message starts 8-byte aligned)
// followed by a flatbuffer whose root offset lies inside the metadata.
func looksLikeLegacyIPC(head []byte, size int64) bool {
	if len(head) < 8 {
		return false
	}
	n := int64(int32(binary.LittleEndian.Uint32(head)))
	root := int64(binary.LittleEndian.Uint32(head[4:]))
	return n >= 8 && n+4 <= size && (n+4)%8 == 0 && root >= 4 && root < n &&
		bytes.IndexByte(head[:4], 0) >= 0 // a length this small has a zero byte; text does not
}

// notData spots the usual impostors: HTML pages from a failed download and
// Git LFS pointers committed in place of the real file.
func notData(head []byte) error {
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	if bytes.HasPrefix(trimmed, lfsPointer) {
		return fmt.Errorf("%w: this is a Git LFS pointer, not the file it points to (fetch it with git lfs pull)", ErrNotData)
	}
	lower := bytes.ToLower(trimmed[:min(len(trimmed), 64)])
	if bytes.HasPrefix(lower, []byte("<!doctype html")) || bytes.HasPrefix(lower, []byte("<html")) ||
		bytes.HasPrefix(lower, []byte("<?xml")) || bytes.HasPrefix(lower, []byte("<head")) {
		return fmt.Errorf("%w: this is an HTML or XML page, not data (a failed download?)", ErrNotData)
	}
	return nil
}

// detectCompressedText decompresses what it can of the head to tell JSON
// Lines from CSV, falling back to the name without its .gz/.zst suffix.
func detectCompressedText(head []byte, c Compression, name string) (Kind, error) {
	var plain []byte
	switch c {
	case Gzip:
		if zr, err := gzip.NewReader(bytes.NewReader(head)); err == nil {
			plain, _ = io.ReadAll(io.LimitReader(zr, HeadSize))
		}
	case Zstd:
		if zr, err := zstd.NewReader(bytes.NewReader(head), zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(64<<20)); err == nil {
			plain, _ = io.ReadAll(io.LimitReader(zr, HeadSize))
			zr.Close()
		}
	}
	inner := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, ".gz"), ".zst"), ".zstd")
	if err := notData(plain); err != nil {
		return Kind{}, err
	}
	k, err := detectText(plain, -1, inner, c)
	if err != nil {
		return Kind{}, err
	}
	return k, nil
}

// detectText decides between JSON Lines and CSV for plain text.
func detectText(head []byte, size int64, name string, c Compression) (Kind, error) {
	ext := strings.ToLower(path.Ext(name))
	byName := func() (Kind, bool) {
		switch ext {
		case ".jsonl", ".ndjson", ".json":
			return Kind{JSONL, c}, true
		case ".csv", ".tsv", ".tab":
			return Kind{CSV, c}, true
		}
		return Kind{}, false
	}
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(trimmed) == 0 {
		if k, ok := byName(); ok {
			return k, nil
		}
		if size == 0 {
			return Kind{}, fmt.Errorf("%w: empty file", ErrUnknownFormat)
		}
		return Kind{}, fmt.Errorf("%w: blank file", ErrUnknownFormat)
	}
	switch {
	case trimmed[0] == '{':
		return Kind{JSONL, c}, nil
	case trimmed[0] == '[' && (ext == ".json" || ext == ""):
		return Kind{}, fmt.Errorf("%w: a JSON array document; tome reads JSON Lines (one object per line)", ErrUnsupported)
	}
	switch ext {
	case ".parquet", ".arrow", ".feather", ".arrows", ".ipc":
		return Kind{}, fmt.Errorf("%w: named %s but has no %s magic bytes", ErrCorrupt, ext, ext[1:])
	}
	if k, ok := byName(); ok {
		return k, nil
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return Kind{}, fmt.Errorf("%w: binary content matches no known format", ErrUnknownFormat)
	}
	line, _, _ := bytes.Cut(trimmed, []byte("\n"))
	if bytes.ContainsAny(line, ",\t;|") {
		return Kind{CSV, c}, nil
	}
	return Kind{}, fmt.Errorf("%w: text that is neither JSON Lines nor delimited", ErrUnknownFormat)
}
