// Package jsonl reads and writes JSON Lines: one JSON object per line,
// plain or compressed with gzip or zstd, as Arrow record batches.
//
// # Reading
//
// Open takes an io.ReaderAt and streams through it (decompressing as it
// goes; the whole file is never held in memory, and an uncompressed
// memory-mapped file is read in place). A streaming tokenizer decodes each
// line straight into Arrow builders compiled for the schema, with no
// intermediate Go values, on several goroutines (Options.Workers) that
// each own their builders; batches are yielded in file order.
//
// Blank lines are skipped, a '\r' before '\n' and a leading UTF-8 byte
// order mark are ignored. Any other line must hold exactly one JSON
// object; keys absent from a line are null.
//
// # Inference
//
// Without Options.Schema, the schema is inferred from the first
// Options.InferRows non-blank lines (1000 by default, -1 for the whole
// file). Columns appear in the order their keys are first seen, all
// nullable:
//
//   - true/false are bool; integers are int64 (an integer beyond int64 is
//     float64); other numbers are float64, and int64 widens to float64
//     when a column has both;
//   - strings are utf8. tome does not guess timestamps in JSON strings
//     (pyarrow does): text columns stay text; pass a Schema to get
//     timestamps;
//   - objects are structs with the union of the keys seen, in first-seen
//     order; arrays are lists of the widened element type;
//   - values that disagree otherwise (a number and a string, an object and
//     an array, a bool and a number) make a utf8 column in which every
//     value keeps its JSON text exactly as written: 1.50 stays "1.50",
//     {"a": 1} stays "{\"a\": 1}";
//   - a column that is null (or absent) in the whole sample has Arrow's
//     null type, as in Hugging Face datasets; an array that is always
//     empty is a list of null.
//
// A line after the sample that does not fit the inferred schema (a string
// in an int64 column, a key the sample never had) is an error wrapping
// format.ErrSchema that names the file, the 1-based line, the column and
// the value, and advises a larger sample or an explicit schema. Nothing is
// silently converted or dropped.
//
// # Explicit schemas
//
// With Options.Schema, values are parsed into any Arrow type, as the exact
// inverse of format/rowjson's canonical JSON (so that JSON Lines written
// by Writer read back losslessly with the same schema). Keys not in the
// schema are skipped. Accepted forms:
//
//   - integers of every width, exactly (also beyond 2^53), from JSON
//     integers or strings holding one; out of range is an error;
//   - floats from numbers or strings, including "NaN", "Infinity" and
//     "-Infinity"; float16 and float32 are rounded from the decimal text;
//   - decimals from numbers or strings ("12.50", "-1e3"), exactly: a value
//     needing rounding or more digits than the precision is an error;
//   - bool from true/false, or strings "true"/"false" (any case), "1", "0";
//   - utf8 (also large and view) from strings; any other value is kept as
//     its JSON text, as in an inferred string column;
//   - binary (all layouts, fixed size included) from standard base64;
//   - date32/date64 from "YYYY-MM-DD" (years outside 0000-9999 as
//     "-0044-03-15" or "+10000-01-01") or integers (days, milliseconds);
//   - time32/time64 from "HH:MM:SS[.fffffffff]" or integers in the unit;
//   - timestamps from RFC 3339 ("2024-03-01T10:00:00.5Z", a space instead
//     of T, any offset, or none) or integers in the unit. Text with an
//     offset is converted to the UTC instant; text without one is read as
//     the wall clock (UTC). Precision finer than the unit is an error, not
//     truncated;
//   - durations from integers in the unit;
//   - intervals from objects {"months": m, "days": d, "nanoseconds": n}
//     (the members of the interval kind, absent ones zero);
//   - lists, large lists, list views and fixed-size lists (length checked)
//     from arrays; structs from objects;
//   - maps from objects (keys converted from their text to the key type)
//     or from arrays of {"key": k, "value": v} objects;
//   - dictionaries from their values; run-end encoded columns from their
//     values (one run per row); extension types from their storage.
//
// Unions cannot be read: their JSON carries a value but not which member
// it belongs to. Non-nullable fields reject null and absent keys.
//
// ValueDecoder applies the same parsing to one value at a time, from JSON
// or from bare text; format/csv reads typed and nested cells with it.
//
// # Writing
//
// Writer writes one object per line in format/rowjson's canonical JSON,
// optionally compressed.
//
// # Errors
//
// Malformed input wraps format.ErrCorrupt: invalid JSON (named by line and
// byte within the line), a line that is not an object, a duplicate key,
// invalid UTF-8, corrupt or truncated gzip/zstd data. Values that do not
// fit the schema wrap format.ErrSchema. A line longer than
// Options.MaxLineBytes (64 MiB by default) wraps format.ErrUnsupported,
// rather than growing a buffer without bound. Errors of the io.ReaderAt
// are returned as they are.
//
// # Ownership and concurrency
//
// A yielded batch is valid until the loop body returns; Retain it to keep
// it. Breaking out of the loop stops the decoding goroutines and releases
// everything before Batches returns. A Reader may run several iterations
// at once; each has its own state. Batches may end early, after fewer than
// Options.BatchSize rows, when their lines hold more than
// DefaultBatchBytes of text, which keeps memory bounded for long lines.
package jsonl
