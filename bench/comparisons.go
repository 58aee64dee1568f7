package main

import "github.com/tome-data/tome/bench/gen"

// A comparison is one line of the report: a tome side against an anchor
// side, each reading its file, with the design's target for their ratio.
type comparison struct {
	workload    string // "1" ... "8", what -workloads selects
	name        string
	tome        string // side names (sides)
	anchor      string
	tomeFile    gen.File
	anchorFile  gen.File
	tomeLabel   string // what each side is, for the report
	anchorLabel string
	target      target
	// compare requires the two sides' checks to agree (they read the same
	// values); perRow compares time per row delivered instead of time,
	// for sides that deliver different numbers of rows.
	compare bool
	perRow  bool
	// unavailable, if set, says why the comparison cannot run yet
	// ("" when it can); such a comparison is reported as "not built".
	unavailable func(h *harness) string
}

// Targets from DESIGN.md's Performance table, as the largest allowed
// tome_s/anchor_s.
var (
	targetRawSum  = target{1.1, "<= 1.1x the raw sum's time"}
	targetDuckDB  = target{1.0, "<= 1.0x DuckDB's time"}
	targetPqarrow = target{1.0, "<= 1.0x (no design target; pqarrow is tome's general path)"}
	targetTyped   = target{1 / 20.0, "<= 0.05x (>= 20x parquet-go's rows/s)"}
	targetStream  = target{1 / 0.9, "<= 1.11x (>= 0.9x the unshuffled rows/s)"}
	targetTake    = target{1 / 5.0, "<= 0.2x (>= 5x compute.Take's rows/s)"}
	targetHTTP    = target{1 / 0.9, "<= 1.11x (>= 0.9x the local throughput)"}
	targetConvert = target{1.0, "<= 1.0x (>= 1.0x DuckDB's throughput)"}
	targetServe   = target{1 / 1.5, "<= 0.67x (>= 1.5x Flight DoGet's throughput)"}
)

var comparisons = []comparison{
	{workload: "1", name: "mmap Arrow IPC file, full scan", tome: "tome-mmap-words", anchor: "raw-sum",
		tomeFile: gen.IPCList, anchorFile: gen.IPCList, tomeLabel: "dataset.Open + Batches, every value buffer summed",
		anchorLabel: "raw sum over the mapped bytes", target: targetRawSum},
	{workload: "1", name: "mmap Arrow IPC stream, full scan", tome: "tome-mmap-words", anchor: "raw-sum",
		tomeFile: gen.StreamList, anchorFile: gen.StreamList, tomeLabel: "dataset.Open + Batches, every value buffer summed",
		anchorLabel: "raw sum over the mapped bytes", target: targetRawSum},
	{workload: "2", name: "Parquet zstd -> Arrow, all columns (list)", tome: "tome-scan", anchor: "duckdb-scan",
		tomeFile: gen.ParquetZstd, anchorFile: gen.ParquetZstd, tomeLabel: "dataset.Open + Batches, every value touched",
		anchorLabel: "DuckDB 1.5.6 aggregate over every column", target: targetDuckDB, compare: true},
	{workload: "2", name: "Parquet zstd -> Arrow, all columns (list)", tome: "tome-scan", anchor: "pqarrow-scan",
		tomeFile: gen.ParquetZstd, anchorFile: gen.ParquetZstd, tomeLabel: "dataset.Open + Batches, every value touched",
		anchorLabel: "arrow-go pqarrow FileReader, Parallel", target: targetPqarrow, compare: true},
	{workload: "2", name: "Parquet zstd -> Arrow, all columns (fixed_size_list)", tome: "tome-scan", anchor: "duckdb-scan",
		tomeFile: gen.ParquetFixed, anchorFile: gen.ParquetFixed, tomeLabel: "dataset.Open + Batches, every value touched",
		anchorLabel: "DuckDB 1.5.6 aggregate over every column", target: targetDuckDB, compare: true},
	{workload: "2", name: "Parquet snappy -> Arrow, all columns (list)", tome: "tome-scan", anchor: "duckdb-scan",
		tomeFile: gen.ParquetSnappy, anchorFile: gen.ParquetSnappy, tomeLabel: "dataset.Open + Batches, every value touched",
		anchorLabel: "DuckDB 1.5.6 aggregate over every column", target: targetDuckDB, compare: true},
	{workload: "3", name: "Parquet zstd, one projected column (text)", tome: "tome-scan-text", anchor: "duckdb-scan-text",
		tomeFile: gen.ParquetZstd, anchorFile: gen.ParquetZstd, tomeLabel: "Batches with Columns: text",
		anchorLabel: "DuckDB sum(strlen(text))", target: targetDuckDB, compare: true},
	{workload: "4", name: "typed rows, flat struct (id, label, text)", tome: "tome-typed", anchor: "parquetgo-typed",
		tomeFile: gen.ParquetZstd, anchorFile: gen.ParquetZstd, tomeLabel: "dataset.Scan[T]",
		anchorLabel: "parquet-go GenericReader[T]", target: targetTyped, compare: true},
	{workload: "5", name: "block shuffle, rank 0 of 2, mmap IPC", tome: "tome-block", anchor: "tome-none-rank",
		tomeFile: gen.IPCList, anchorFile: gen.IPCList, tomeLabel: "Train(block, World 2)",
		anchorLabel: "tome unshuffled stream of the same rank", target: targetStream},
	{workload: "5", name: "block shuffle, rank 0 of 2, mmap IPC", tome: "tome-block", anchor: "tome-scan",
		tomeFile: gen.IPCList, anchorFile: gen.IPCList, tomeLabel: "Train(block, World 2)",
		anchorLabel: "tome zero-copy scan of the whole file (time per row)", target: targetStream, perRow: true},
	{workload: "5", name: "block shuffle, rank 0 of 2, Parquet zstd", tome: "tome-block", anchor: "tome-none-rank",
		tomeFile: gen.ParquetZstd, anchorFile: gen.ParquetZstd, tomeLabel: "Train(block, World 2)",
		anchorLabel: "tome unshuffled stream of the same rank", target: targetStream},
	{workload: "5", name: "block shuffle, one rank, Parquet zstd", tome: "tome-block-1rank", anchor: "tome-scan",
		tomeFile: gen.ParquetZstd, anchorFile: gen.ParquetZstd, tomeLabel: "Train(block)",
		anchorLabel: "tome unshuffled scan", target: targetStream, compare: true},
	{workload: "5", name: "global shuffle, mmap IPC", tome: "tome-global", anchor: "arrow-take",
		tomeFile: gen.IPCList, anchorFile: gen.IPCList, tomeLabel: "Train(global), 8192-row batches",
		anchorLabel: "arrow-go compute.Take of a permutation", target: targetTake, compare: true},
	{workload: "6", name: "Parquet zstd over HTTP on loopback", tome: "tome-http", anchor: "tome-scan",
		tomeFile: gen.ParquetZstd, anchorFile: gen.ParquetZstd, tomeLabel: "dataset.Open(http://...)",
		anchorLabel: "the same scan from local disk", target: targetHTTP, compare: true},
	{workload: "7", name: "JSON Lines -> Parquet zstd (the generator's rows)", tome: "tome-convert", anchor: "duckdb-copy",
		tomeFile: gen.JSONL, anchorFile: gen.JSONL, tomeLabel: "tome convert --to parquet",
		anchorLabel: "DuckDB COPY (SELECT * FROM read_json(...)) TO ... (FORMAT parquet, COMPRESSION zstd)",
		target:      targetConvert, compare: true, unavailable: needTome},
	// The same conversion on text-heavy rows (short-word reviews, no
	// embedding), where the pure-Go zstd encoder's speed decides.
	{workload: "7", name: "JSON Lines -> Parquet zstd (text-heavy reviews)", tome: "tome-convert", anchor: "duckdb-copy",
		tomeFile: gen.Reviews, anchorFile: gen.Reviews, tomeLabel: "tome convert --to parquet",
		anchorLabel: "DuckDB COPY (SELECT * FROM read_json(...)) TO ... (FORMAT parquet, COMPRESSION zstd)",
		target:      targetConvert, compare: true, unavailable: needTome},
	{workload: "8", name: "tome serve HTTP stream to a client on loopback", tome: "tome-serve", anchor: "flight-doget",
		tomeFile: gen.IPCList, anchorFile: gen.IPCList, tomeLabel: "tome serve, Arrow IPC over HTTP",
		anchorLabel: "Arrow Flight DoGet of the same file", target: targetServe, compare: true, unavailable: needServe},
}
