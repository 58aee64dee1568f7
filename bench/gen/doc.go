// Package gen writes the benchmark data sets of the bench module: seeded,
// deterministic files of N rows in every format the workloads read, cached in
// a work directory keyed by the row count, the seed and the generator's
// version, so that a rerun with the same flags reuses them.
//
// The main data set has the schema of tome's own Parquet benchmarks:
//
//	id        int64    0, 1, 2, ...
//	label     float32  uniform in [0, 1)
//	text      string   150-250 bytes of Zipf-distributed words
//	embedding 64 float32, normally distributed, as list<float32> or, in the
//	          "-fixed" files, as fixed_size_list<float32, 64>
//
// It is written as uncompressed Arrow IPC (file and stream), Parquet with
// zstd and with snappy pages, and JSON Lines. The reviews data set (Reviews)
// is the JSON Lines input of the conversion comparison of issue 6.
//
// Each file is written to a temporary name and renamed, so an interrupted
// run leaves no partial file behind for the next one to trust.
package gen
