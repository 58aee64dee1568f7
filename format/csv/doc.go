// Package csv reads and writes CSV and other delimited text (TSV, ';'
// and '|' separated), plain or compressed with gzip or zstd, as Arrow
// record batches.
//
// # Reading
//
// Open takes an io.ReaderAt and streams through it. Records follow RFC
// 4180: fields separated by the delimiter, records ended by "\n" or
// "\r\n", quoted fields that may hold delimiters, line breaks and doubled
// quotes. The delimiter is detected from the first lines unless given
// (the one among ',', '\t', ';', '|' that occurs equally often on every
// line). The first record is the header of column names unless
// Options.NoHeader is set, in which case columns are named f0, f1, ....
// Blank lines are skipped, a leading UTF-8 byte order mark is ignored,
// and every record must have as many fields as the header.
//
// Empty fields are null. The one exception: in a string or binary column,
// a quoted empty field ("") is the empty value, which is how Writer tells
// the two apart.
//
// # Inference
//
// Without Options.Schema, column types are inferred from the first
// Options.InferRows records (1000 by default, -1 for all):
//
//   - int64 for integers (an optional sign, no leading zeros, within
//     int64: "007", zip codes and longer IDs stay strings, exactly);
//   - float64 for decimal numbers with a fraction or exponent and for NaN,
//     Inf and Infinity (any case), and for columns mixing them with
//     integers;
//   - bool for true and false (any case; 0 and 1 are integers);
//   - date32 for YYYY-MM-DD; timestamps for a date, 'T' or a space and
//     HH:MM[:SS[.fraction]], with the coarsest unit (s, ms, us, ns) that
//     holds every fraction seen, in UTC when every value has an offset
//     (Z, +02:00) and without a zone when none has; dates among
//     timestamps are midnight;
//   - the null type for a column that is empty throughout the sample;
//   - utf8 for everything else and any other mix.
//
// Quoting does not affect inference. A value after the sample that does
// not fit its inferred column (text in an int64 column, say) is an error
// wrapping format.ErrSchema naming the file, line, column and value.
//
// # Explicit schemas
//
// With Options.Schema, the schema's fields are the columns in order (the
// header's names must match them) and cells are parsed into any Arrow
// type: strings as they are, other scalars from the text format/jsonl
// accepts for them in JSON strings (RFC 3339 timestamps, exact decimals,
// base64 binary, "NaN", ...), nested types (lists, structs, maps) from
// their JSON text. This reads back what Writer writes.
//
// # Errors
//
// Malformed input wraps format.ErrCorrupt and names the line a record
// starts on: an unclosed quote, text after a closing quote, a record with
// the wrong number of fields, invalid UTF-8 in a string column, corrupt
// or truncated compression. Values that do not fit wrap format.ErrSchema.
// A record longer than Options.MaxRecordBytes (64 MiB by default) wraps
// format.ErrUnsupported.
//
// # Ownership
//
// A yielded batch is valid until the loop body returns; Retain it to keep
// it. Breaking out of the loop releases everything.
package csv
