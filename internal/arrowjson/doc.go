// Package arrowjson reads the Apache Arrow integration-test JSON format, the
// human-readable description of a schema, its dictionaries and its record
// batches that Apache's arrow-testing suite ships next to every gold IPC
// file (generated_*.json.gz beside generated_*.stream and
// generated_*.arrow_file). It exists so tome's IPC codec can be checked value
// by value against content no one on this project wrote.
//
// ReadFile turns such a file (plain or gzip-compressed) into an
// arrow.Schema and arrow.RecordBatch values built exactly as the JSON
// describes them: validity bitmaps, offsets, sizes, type ids and values as
// listed, dictionaries attached to the columns that reference them (shared
// between fields when their ids match, nested when a dictionary's values
// are themselves dictionary-encoded). CompareBatch then tells whether a
// batch read by some other means holds the same values, naming the first
// column and row that differ.
//
// # Types
//
// Every type of the format is read: null, bool, signed and unsigned
// integers, float16/32/64, decimal32/64/128/256 (values are unscaled
// decimal strings), date32/64, time32/64, timestamps with or without a time
// zone, durations, the three interval kinds, binary and utf8 with their
// large and view variants, fixed_size_binary, list, large_list,
// fixed_size_list, list views, struct, map, sparse and dense unions,
// run-end encoded arrays and dictionary-encoded fields. An extension type
// (field metadata ARROW:extension:name) is read as its storage type with
// the metadata kept, so it does not depend on what is registered in the
// process. Schema and field metadata are kept.
//
// arrow-go's MapType always names its entries "entries", "key" and
// "value", so the other names a file may give them are not kept (arrow-go's
// IPC reader does the same).
//
// # Errors
//
// The reader is meant for test data, but it still treats its input as
// untrusted: a malformed document, inconsistent counts, offsets, indices or
// run ends give an error wrapping format.ErrCorrupt, and a type it does not
// know gives format.ErrUnsupported, both naming the file, the batch and the
// column. Nothing is allocated that the JSON text does not itself back.
// CompareBatch's differences wrap ErrMismatch.
//
// # Ownership
//
// The batches of a File are allocated from the allocator given to ReadFile
// and belong to the File: call Release once when done, or Retain a batch to
// keep it longer.
package arrowjson
