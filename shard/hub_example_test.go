package shard_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/tome-data/tome/shard"
)

func ExampleParseHubURI() {
	u, err := shard.ParseHubURI("hf://datasets/stanfordnlp/imdb@refs/convert/parquet/plain_text/train/0000.parquet")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(u.Repo)
	fmt.Println(u.Revision)
	fmt.Println(u.Path)
	fileURL, _ := shard.HubFileURL(u, shard.HubOptions{Endpoint: shard.DefaultHubEndpoint})
	fmt.Println(fileURL)
	// Output:
	// stanfordnlp/imdb
	// refs/convert/parquet
	// plain_text/train/0000.parquet
	// https://huggingface.co/datasets/stanfordnlp/imdb/resolve/refs%2Fconvert%2Fparquet/plain_text/train/0000.parquet
}

func ExampleListHub() {
	// A stand-in for the Hub's tree API (HF_ENDPOINT would point at it).
	hub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `[
			{"type":"directory","oid":"1","size":0,"path":"data"},
			{"type":"file","oid":"2","size":1234,"path":"data/train-00000-of-00001.parquet",
			 "lfs":{"oid":"ab12","size":1234,"pointerSize":130}},
			{"type":"file","oid":"3","size":31,"path":"README.md"}
		]`)
	}))
	defer hub.Close()

	files, err := shard.ListHub(context.Background(), "hf://datasets/org/name", shard.HubOptions{Endpoint: hub.URL})
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range files {
		fmt.Println(f.Path, f.Size)
	}
	// Output:
	// README.md 31
	// data/train-00000-of-00001.parquet 1234
}
