// Package parquet reads and writes Parquet files as Arrow record batches,
// through arrow-go's parquet/file and parquet/pqarrow.
//
// # Reading
//
// Open checks a file's framing and footer and returns a Reader, a
// format.ChunkedReader whose chunks are the row groups. Columns project by
// top-level name (a struct, list or map brings all its leaf columns),
// batches hold at most the configured number of rows and never span row
// groups, and the columns of a batch decode in parallel on up to
// Options.Workers goroutines. Every type arrow-go reads is supported:
// nested lists, maps and structs, dictionaries, all logical types, every
// encoding including the delta and byte-stream-split ones, and the codecs
// snappy, gzip, brotli, zstd, LZ4_RAW and the deprecated Hadoop-framed LZ4.
// Types an Arrow writer recorded under the "ARROW:schema" key are restored,
// and the file's key-value metadata (the "huggingface" features among it)
// becomes the schema's metadata.
//
// Each column goes through a columnDecoder (decoder.go): flat and
// list-of-primitive columns through a fast decoder that writes pages
// straight into Arrow buffers (fast.go), the rest through pqarrow, which
// handles everything; Options.GeneralPath sends every column to pqarrow.
// When every column is on the fast path, row groups also decode in
// parallel, ahead of the one being yielded (fastrowgroups.go).
//
// # Writing
//
// NewWriter returns a format.Writer that writes zstd-compressed files by
// default, with statistics, a page index and the "ARROW:schema" key so that
// Arrow types survive a round trip. It cuts a row group when the buffered
// rows pass WriteOptions.RowGroupBytes of Arrow data (DefaultRowGroupBytes,
// sized for streaming) or RowGroupRows rows. Dictionary encoding is used
// where it pays (see writerProperties). Any valid Arrow data can be written,
// including null fixed-size lists, which pqarrow alone refuses (see
// canonical.go).
//
// # Errors
//
// Malformed input gives an error wrapping format.ErrCorrupt and naming the
// file, row group and column, never a panic or a runaway allocation: sizes
// and offsets in the footer are checked against the file before anything is
// allocated for them; each column chunk's page headers are checked before
// arrow-go decodes it, against the counts arrow-go would otherwise allocate
// for (pagecheck.go); a page may declare at most Options.MaxPageSize bytes
// and decompresses to no more than it declares; and a panic inside arrow-go
// is recovered at this package's boundary. Encrypted files give
// format.ErrEncrypted, since this package takes no keys, and files that are
// not data at all (HTML pages, Git LFS pointers) format.ErrNotData. Errors
// of the io.ReaderAt pass through as they are.
//
// To bound decompression, this package registers its own page decoders
// with arrow-go's process-wide codec registry at init (see codecs.go);
// every arrow-go Parquet reader in the process gets them.
//
// # Concurrency
//
// A Reader may be iterated by several goroutines at once; each iteration
// decodes on its own, and all the goroutines it starts have ended when it
// returns. A Writer is not safe for concurrent use.
package parquet
