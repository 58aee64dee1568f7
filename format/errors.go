package format

import "errors"

// Sentinel errors. Codecs wrap them with context; match them with errors.Is.
var (
	// ErrCorrupt marks input that claims to be a known format but is
	// malformed: truncated, inconsistent sizes, bad offsets, bad magic.
	ErrCorrupt = errors.New("format: corrupt data")

	// ErrUnsupported marks well-formed input using a feature tome does not
	// read (a future metadata version, an unknown codec, big-endian data
	// that cannot be swapped).
	ErrUnsupported = errors.New("format: unsupported")

	// ErrEncrypted marks an encrypted Parquet file read without its keys.
	ErrEncrypted = errors.New("format: encrypted, key required")

	// ErrNotData marks a file that is not a dataset file at all, such as an
	// HTML page or a Git LFS pointer saved under a data file's name.
	ErrNotData = errors.New("format: not a data file")

	// ErrUnknownFormat marks a file whose format can be told neither from its
	// content nor from its name.
	ErrUnknownFormat = errors.New("format: unknown format")

	// ErrSchema marks data that does not fit the schema it must have: an
	// explicit schema, a projected column that does not exist, a value of
	// the wrong type.
	ErrSchema = errors.New("format: schema mismatch")
)
