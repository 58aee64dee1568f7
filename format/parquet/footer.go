package parquet

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/tome-data/tome/format"
)

var (
	magic          = []byte("PAR1")
	magicEncrypted = []byte("PARE")
)

// minFileSize is the smallest Parquet file: both magics and a footer length.
const minFileSize = 4 + 4 + 4

// checkFraming validates the bytes arrow-go trusts before it parses the
// footer: the leading and trailing magic and the footer length. Impostors
// (an HTML page or a Git LFS pointer saved as .parquet) are reported as
// format.ErrNotData, encrypted footers as format.ErrEncrypted.
func checkFraming(r io.ReaderAt, size int64, name string) error {
	if size < minFileSize {
		if err := notData(r, size, name); err != nil {
			return err
		}
		return fmt.Errorf("%s: %w: %d bytes is too small for a parquet file", name, format.ErrCorrupt, size)
	}
	var head [4]byte
	var tail [8]byte
	if err := readFull(r, head[:], 0); err != nil {
		return fmt.Errorf("reading magic of %s: %w", name, err)
	}
	if err := readFull(r, tail[:], size-int64(len(tail))); err != nil {
		return fmt.Errorf("reading footer length of %s at offset %d: %w", name, size-int64(len(tail)), err)
	}
	switch {
	case bytes.Equal(tail[4:], magicEncrypted) || bytes.Equal(head[:], magicEncrypted):
		return fmt.Errorf("%s: parquet file with an encrypted footer: %w", name, format.ErrEncrypted)
	case !bytes.Equal(head[:], magic):
		if err := notData(r, size, name); err != nil {
			return err
		}
		return fmt.Errorf("%s: %w: no parquet magic at offset 0", name, format.ErrCorrupt)
	case !bytes.Equal(tail[4:], magic):
		return fmt.Errorf("%s: %w: no parquet magic at offset %d (truncated file?)", name, format.ErrCorrupt, size-4)
	}
	footer := int64(binary.LittleEndian.Uint32(tail[:4]))
	if footer == 0 || footer > size-minFileSize {
		return fmt.Errorf("%s: %w: footer length %d at offset %d does not fit in the file (%d bytes)",
			name, format.ErrCorrupt, footer, size-8, size)
	}
	return nil
}

// notData returns format.Detect's verdict when the file is not data at all.
func notData(r io.ReaderAt, size int64, name string) error {
	if _, err := format.Detect(r, size, name); errors.Is(err, format.ErrNotData) {
		return err
	}
	return nil
}

// readFull reads len(p) bytes at off, accepting io.EOF alongside a full read
// as the io.ReaderAt contract allows.
func readFull(r io.ReaderAt, p []byte, off int64) error {
	n, err := r.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: short read of %d bytes", format.ErrCorrupt, n)
	}
	return err
}
