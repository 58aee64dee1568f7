// Package serve is tome serve: it streams registered datasets to training
// jobs as Arrow IPC over HTTP and over Arrow Flight, with Prometheus
// metrics, bearer-token auth, a cap on concurrent streams and a draining
// shutdown.
//
// A stream is one rank's samples of one epoch in the training order of
// dataset.Train, chosen by Params (split, columns, shuffle, seed, epoch,
// window, buffer, world, rank, workers, worker, start, batch_rows,
// drop_remainder, resume): exactly the rows `tome cat` prints with the
// same flags.
// Batches of uncompressed, memory-mapped Arrow shards are written to the
// connection straight from the mapping, one flushed IPC message per batch.
//
// # HTTP
//
//	GET /v1/datasets                  the datasets: name, splits, rows, columns
//	GET /v1/datasets/{name}           the `tome info --json` object
//	GET /v1/datasets/{name}/stream    application/vnd.apache.arrow.stream
//	GET /v1/datasets/{name}/state     the resume state after consumed=N samples
//	GET /metrics                      Prometheus text format
//	GET /                             the dataset viewer (package viewer)
//
// A stream answers Tome-Rows (rows in this response) and Tome-Rank-Rows
// headers. Errors are JSON objects {"error": "..."}: 400 for a bad
// parameter (unknown ones included), 401 without the token, 404 for a name
// or split that is not served, 429 over the stream cap. A stream that
// fails after its first bytes is cut without the end-of-stream marker, so
// the client sees an incomplete stream rather than a short one.
//
// # Arrow Flight
//
// ListFlights lists the datasets; GetFlightInfo and GetSchema take a
// command descriptor holding Params as JSON (or a path of one dataset
// name) and answer one endpoint per rank; DoGet takes such a ticket.
// Batches larger than a gRPC message are sent in slices.
//
// # Security
//
// Clients name datasets; only registered names resolve, and no request
// value ever becomes a file path. Paths with "." or ".." segments are 404.
// With a token, every endpoint (and every Flight call) requires
// "Authorization: Bearer TOKEN", compared in constant time; /metrics only
// when Config.PublicMetrics is false. A client that disconnects cancels its
// stream at once.
//
// # Concurrency
//
// A Registry and a Server are safe for concurrent use.
package serve
