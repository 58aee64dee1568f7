package dataset_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/tome-data/tome/dataset"
	"github.com/tome-data/tome/internal/fakehub"
)

// Open reads a file over HTTP(S) with range requests, like a local one.
func ExampleOpen_http() {
	srv := httptest.NewServer(http.FileServer(http.Dir("../testdata")))
	defer srv.Close()

	ds, err := dataset.Open(context.Background(), srv.URL+"/reviews.jsonl")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ds.Close()
	rows, err := ds.Count(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rows, "rows; layout", ds.Layout().Kind)
	// Output: 500 rows; layout file
}

// Open resolves an hf://datasets/ URI from one listing of the repository,
// with the rules of a local folder. Here a test Hub serves the project's
// testdata folder; RemoteOptions (or HF_ENDPOINT) points Open at it.
func ExampleOpen_hub() {
	hub := fakehub.New()
	hub.Add("tome/reviews", "main", "../testdata")
	srv := httptest.NewServer(hub)
	defer srv.Close()
	if err := dataset.SetRemoteOptions(dataset.RemoteOptions{HubEndpoint: srv.URL}); err != nil {
		fmt.Println(err)
		return
	}
	defer dataset.SetRemoteOptions(dataset.RemoteOptions{})

	ds, err := dataset.Open(context.Background(), "hf://datasets/tome/reviews")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ds.Close()
	rows, err := ds.Count(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ds.Splits(), rows, "rows")
	for _, s := range ds.Shards() {
		fmt.Println(s.Path)
	}
	// Output:
	// [train] 500 rows
	// hf://datasets/tome/reviews/reviews.jsonl
}
