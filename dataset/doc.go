// Package dataset is tome's user API: it opens datasets of any supported
// format and layout, and iterates them as Arrow record batches, row views or
// typed Go structs, with random access and lazy map-style transformations.
//
// # Opening
//
// Open takes a data file (Arrow IPC file or stream, Parquet, JSON Lines
// plain or gzip/zstd, CSV/TSV; the format is detected from content), a glob,
// a directory of shards (natural order: shard-2 before shard-10), a Hugging
// Face save_to_disk directory, a DatasetDict directory (its splits become
// the Dataset's splits), a builder cache directory, or a Hub-style
// repository folder (splits from the README's YAML configs, else the Hub's
// split-name patterns). A Dataset is one split; WithSplit chooses it.
// Row counts come from the files' own metadata, never from
// dataset_info.json, and Len does not read data.
//
// # Iteration
//
// Batches, Rows and Scan return iter.Seq2 sequences. A non-nil error is
// yielded at most once, as the last element; breaking out of a loop releases
// everything the iteration holds; the context is checked inside the loop.
//
// # Ownership
//
// A yielded batch is valid until the loop body returns: Retain it to keep
// it, and Release it when done. Batches of memory-mapped Arrow shards point
// into the mapping, which stays mapped while any batch borrows it, even
// after Close. A Row is a view into its batch with the same lifetime; Get,
// Value and Decoder copy values out, and those copies outlive the batch.
//
// # Views
//
// Select, Shuffle, Shard, Filter, TrainTestSplit, Concatenate and the column
// operations return views: they share the files, copy no data, and compose.
// Close every view like a Dataset; the files close when the last one does.
// Map materialises its results as Arrow shards in a cache directory.
//
// # Errors
//
// Errors wrap this package's sentinels (ErrNotFound, ErrLayout, ErrSplit,
// ErrSchemaMismatch, ErrOutOfRange, ErrNoRandomAccess) or, for bad data,
// those of package format (format.ErrCorrupt, ErrNotData, ErrEncrypted, ...),
// with context naming the file.
//
// # Concurrency
//
// A Dataset is safe for concurrent use; each iterator belongs to the
// goroutine that ranges over it.
package dataset
