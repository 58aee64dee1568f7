package ipc

import (
	"fmt"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// zstdDecoder is shared by every reader: DecodeAll may be called
// concurrently. With the cap limit, it decodes into the caller's buffer and
// fails rather than grows it, so a frame cannot allocate more than the size
// its buffer's prefix claimed (and the loader checked).
var zstdDecoder = sync.OnceValues(func() (*zstd.Decoder, error) {
	return zstd.NewReader(nil, zstd.WithDecodeAllCapLimit(true), zstd.WithDecoderConcurrency(0))
})

// zstdDecode decodes the frames in src into dst, which they must fill
// exactly.
func zstdDecode(dst, src []byte) error {
	if len(dst) == 0 {
		return nil
	}
	d, err := zstdDecoder()
	if err != nil {
		return err
	}
	out, err := d.DecodeAll(src, dst[:0])
	if err != nil {
		return fmt.Errorf("zstd: %w", err)
	}
	if len(out) != len(dst) || &out[0] != &dst[0] {
		return fmt.Errorf("zstd: decoded %d bytes, want %d", len(out), len(dst))
	}
	return nil
}
