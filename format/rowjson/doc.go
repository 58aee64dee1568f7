// Package rowjson writes Arrow values as canonical JSON: one fixed
// rendering per value, shared by tome head, tome cat and the JSON Lines
// writer, so that the same row prints the same bytes everywhere.
//
// An Encoder compiles one encoding function per column of a schema and
// then appends rows as JSON objects (column name to value, in schema order,
// no whitespace, no trailing newline) with no reflection and no allocation
// beyond growing the caller's buffer. AppendValue encodes a single value.
//
// # Rendering
//
//   - null (any type) is null; booleans are true and false.
//   - Integers, uint64 included, are exact JSON integers, also beyond 2^53
//     where JavaScript would round them.
//   - Floats are the shortest decimal that round-trips to the same float
//     (float16 values to the same half, so the largest half, 65504, prints
//     as 65500, as numpy prints it; float32 to the same single), formatted
//     as encoding/json formats them; NaN, +Inf and -Inf, which
//     JSON cannot express, are the strings "NaN", "Infinity", "-Infinity".
//   - Decimals are exact strings: "123.45", "-0.05", and for a negative
//     scale "1200". A scale beyond ±100 prints as "12e-300", so a hostile
//     schema cannot blow one value up.
//   - Strings are JSON strings escaped as encoding/json escapes them with
//     SetEscapeHTML(false): quotes, backslashes, control characters and
//     U+2028/U+2029; invalid UTF-8 becomes U+FFFD. Binary, large binary,
//     binary view and fixed-size binary are standard padded base64 strings.
//   - Dates are "YYYY-MM-DD" (proleptic Gregorian; years outside 0-9999 as
//     "+10000" or "-0001"). A date64's stray time of day is dropped.
//   - Timestamps are RFC 3339 with exactly the unit's fractional digits
//     (none for seconds, 3, 6 or 9): "2024-05-01T12:30:00.250Z". Arrow
//     stores a zoned timestamp as a UTC instant, so any zone prints in UTC
//     with "Z"; a naive timestamp prints with no offset.
//   - Times of day (time32, time64) are "HH:MM:SS" with the unit's
//     fractional digits; out-of-range values keep their sign and hours.
//   - Durations are integers counting their unit.
//   - Intervals are objects: {"months":m}, {"days":d,"milliseconds":ms},
//     {"months":m,"days":d,"nanoseconds":ns}.
//   - Lists of every layout (list, large, fixed-size, list view, large list
//     view) are arrays; structs are objects in field order.
//   - Maps with string keys are objects in entry order; other maps are
//     arrays of {"key":k,"value":v}.
//   - Dictionary and run-end-encoded arrays print their decoded values,
//     unions the active child's value, extension types their storage.
//
// The output is always valid JSON. An invalid array whose list offsets,
// dictionary indices, run ends or union offsets point outside its child
// (which a reader that skips validation may produce) prints null in that
// slot instead of panicking.
//
// # Concurrency
//
// An Encoder is immutable after NewEncoder and safe for concurrent use.
// The arrays passed in are only read.
package rowjson
