package ipc

import "github.com/tome-data/tome/format"

// DefaultMaxDecodedBytes is the default bound on the decompressed size of
// one compressed message.
const DefaultMaxDecodedBytes = 1 << 30

// Options configure Open. The zero value reads every column, with the
// checks described under Validation, into memory.DefaultAllocator.
type Options struct {
	format.ReadOptions

	// MaxDecodedBytes bounds what one LZ4- or Zstandard-compressed message
	// may decompress to; zero means DefaultMaxDecodedBytes. Each buffer's
	// claimed size is also checked against what its codec can expand the
	// compressed bytes to, so the bound matters only for large files.
	MaxDecodedBytes int64

	// Trusted skips the O(n) checks of every batch (each offset in order,
	// each dictionary index and union type code in range), keeping the
	// O(1)-per-array ones. Set it for files tome or another careful writer
	// produced, where the scan is bound by memory bandwidth; leave it unset
	// for files from elsewhere, whose values would otherwise be read
	// without bounds being known.
	Trusted bool
}

func (o Options) maxDecoded() int64 {
	if o.MaxDecodedBytes > 0 {
		return o.MaxDecodedBytes
	}
	return DefaultMaxDecodedBytes
}
