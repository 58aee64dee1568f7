// Package ipc reads and writes Arrow IPC data: the file format ("ARROW1"
// magic and a footer indexing the batches) and the stream format, which
// Hugging Face datasets writes for its .arrow files.
//
// # Reading
//
// Open indexes a file or stream once, from metadata alone: the footer of a
// file, or, for a stream, the framing and metadata of every message, whose
// bodies it skips. Every record batch is then a chunk readable on its own
// (Reader implements format.ChunkedReader): batch k is decoded from the
// schema, the dictionary batches in force for it and its own message, so
// random access needs no replay of the data before it, and dictionary
// deltas and replacements resolve as they would in a sequential read.
//
// Both stream framings are read: the current one, where each message starts
// with the 0xFFFFFFFF continuation marker, and the one before Arrow 0.15,
// without it. Metadata versions V4 and V5 are read; big-endian data is
// byte-swapped (in a copy, so never zero-copy); LZ4 and Zstandard bodies
// are decompressed.
//
// # Zero copy
//
// When the io.ReaderAt given to Open implements format.Mapped, as
// shard.Local does, the buffers of uncompressed little-endian batches point
// into the mapping: reading a batch costs the same few dozen small
// allocations (arrow's array headers), whatever its size. Each borrowed body holds a reference to the
// mapping (format.Mapped's Retain and Release), so the mapping stays valid
// while any array sliced from it is alive — past Reader.Close and past the
// source's own Close — and is unmapped when the last one is released.
//
// Projection (Options.Columns) picks top-level columns without copying
// them: the metadata is rewritten to describe only those columns, so that
// the others are not decompressed, and, when reading through ReadAt, only
// the span of the body the projected columns occupy is read.
//
// # Untrusted input
//
// Every length and offset is checked against the file before it is used,
// and no allocation is sized by a header field that was not: a message's
// metadata is bounded by the file, a compressed buffer's claimed size by
// what its codec can expand the compressed bytes to and by
// Options.MaxDecodedBytes. Decoded batches are validated before they are
// handed out (see Options.Trusted for the cost). Malformed input gives an
// error wrapping format.ErrCorrupt; a feature tome does not read gives one
// wrapping format.ErrUnsupported.
//
// # Concurrency
//
// A Reader is safe for concurrent use: several goroutines may iterate
// Batches or ReadChunk at once, and Close may be called while they do.
// A Writer is not.
//
// # Ownership
//
// A batch yielded by Batches or ReadChunk is valid until the loop body
// returns; Retain it to keep it and Release it when done. Batches of a
// mapped file borrow the mapping; compressed ones own allocator memory.
//
// # Writing
//
// NewFileWriter and NewStreamWriter write either format, optionally
// compressing bodies with LZ4 or Zstandard. Schema and field metadata are
// written as given, so Hugging Face features survive a round trip.
package ipc
