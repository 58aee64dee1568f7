package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/parquet/file"
)

// Workload 6: the same full scan as workload 2's tome side, with the file
// served over HTTP on loopback by Go's net/http file server (range
// requests) in the same process, against the scan of the local file. The
// note counts the server's requests next to the file's column chunks: the
// design wants at most one request per column chunk.
func init() {
	register("tome-http", func(ctx context.Context, e *env) (run, error) {
		path, err := e.set.Path(ctx, e.file)
		if err != nil {
			return run{}, err
		}
		chunks, err := columnChunks(path)
		if err != nil {
			return run{}, err
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return run{}, err
		}
		var requests atomic.Int64
		files := http.FileServer(http.Dir(e.set.Dir))
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			requests.Add(1)
			files.ServeHTTP(w, r)
		})}
		go srv.Serve(ln)
		defer srv.Close()
		url := fmt.Sprintf("http://%s/%s", ln.Addr(), e.file)
		r, err := timed(func(c *check) (string, error) {
			return scanURI(ctx, url, nil, c)
		})
		r.Note = fmt.Sprintf("%d requests for %d column chunks", requests.Load(), chunks)
		return r, err
	})
}

// rowGroups is the number of row groups in the Parquet file at path.
func rowGroups(path string) (int, error) {
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		return 0, err
	}
	defer pf.Close()
	return pf.NumRowGroups(), nil
}

// columnChunks is the number of column chunks in the Parquet file at path.
func columnChunks(path string) (int, error) {
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		return 0, err
	}
	defer pf.Close()
	return pf.NumRowGroups() * pf.MetaData().Schema.NumColumns(), nil
}
