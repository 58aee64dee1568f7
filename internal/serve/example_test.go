package serve_test

import (
	"context"
	"fmt"
	"net/http"

	"github.com/apache/arrow-go/v18/arrow/ipc"

	"github.com/tome-data/tome/internal/serve"
)

// Serve a dataset on a free loopback port and read its stream as any
// Arrow client would.
func Example() {
	ctx, stop := context.WithCancel(context.Background())
	reg, err := serve.NewRegistry(ctx, []serve.Spec{{Name: "reviews", Path: "../../testdata/reviews.jsonl"}}, nil)
	if err != nil {
		panic(err)
	}
	defer reg.Close()
	srv := serve.New(reg, serve.Config{Addr: "127.0.0.1:0", Token: "secret"})
	if err := srv.Listen(); err != nil {
		panic(err)
	}
	done := make(chan error)
	go func() { done <- srv.Serve(ctx) }()

	req, _ := http.NewRequest("GET", "http://"+srv.Addr()+"/v1/datasets/reviews/stream?columns=id,label&batch_rows=100", nil)
	req.Header.Set("Authorization", "Bearer secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	rd, err := ipc.NewReader(resp.Body)
	if err != nil {
		panic(err)
	}
	defer rd.Release()
	batches, rows := 0, int64(0)
	for rd.Next() {
		batches++
		rows += rd.RecordBatch().NumRows()
	}
	fmt.Println(resp.Header.Get("Content-Type"))
	fmt.Println(rd.Schema().Field(0).Name, rd.Schema().Field(1).Name, batches, "batches,", rows, "rows")

	stop() // drain and stop
	fmt.Println(<-done)
	// Output:
	// application/vnd.apache.arrow.stream
	// id label 5 batches, 500 rows
	// <nil>
}
