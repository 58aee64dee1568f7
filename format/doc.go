// Package format is the vocabulary shared by tome's codecs: the file formats
// tome knows, how a file's format is detected from its bytes, the errors a
// codec returns, and the Reader and Writer contracts every codec keeps.
//
// The codecs themselves live in subpackages, one per encoding:
//
//	format/ipc      Arrow IPC file and stream format, memory-mapped and zero-copy
//	format/parquet  Parquet through arrow-go's pqarrow
//	format/jsonl    JSON Lines (plain, gzip, zstd) with schema inference
//	format/csv      CSV and TSV with schema inference
//	format/hf       Hugging Face features <-> Arrow schemas, save_to_disk files
//	format/rowjson  the canonical JSON of a row, used by tome head and tome cat
//
// This package imports none of them, so each codec can depend on it.
//
// # Errors
//
// Codecs wrap the sentinels of this package with %w and lowercase context
// naming the file and, where it matters, the offset: errors.Is(err,
// format.ErrCorrupt) holds for every kind of corrupt input, whichever codec
// found it.
//
// # Ownership
//
// A batch yielded by a Reader is valid until the loop body returns; call
// Retain on it to keep it longer and Release when done. Batches of a
// memory-mapped file point into the mapping, which stays mapped while any
// batch borrows it, even after the Reader is closed.
package format
