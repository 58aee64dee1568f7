package shard

import "io"

// A Source holds the bytes of one file.
type Source interface {
	io.ReaderAt
	io.Closer
	// Size is the file's length in bytes, fixed at open.
	Size() int64
	// Name is the path or URL the source was opened from.
	Name() string
	// Identity names the version of the bytes: an ETag for HTTP, size and
	// modification time for a local file. Two reads under one identity see
	// the same bytes.
	Identity() string
}
