// Package interop checks that files written by tome are read correctly by
// independent implementations: npm's apache-arrow (Arrow IPC file and
// stream) and DuckDB through @duckdb/node-api (Parquet). The test writes
// files with tome's writers, has checksum.mjs read them under Node.js, and
// compares row counts and value checksums with what was written.
//
// The Node packages come from the committed package-lock.json (`npm ci` in
// this directory; .ci/run does it). The test skips only when Node.js is not
// installed.
package interop
