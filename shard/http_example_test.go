package shard_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/tome-data/tome/shard"
)

func ExampleOpenHTTP() {
	// Any server with range support will do; this one is Go's own.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"v1"`)
		http.ServeContent(w, r, "", time.Time{}, strings.NewReader("hello, remote shards"))
	}))
	defer srv.Close()

	src, err := shard.OpenHTTP(context.Background(), srv.URL+"/greeting.txt", shard.HTTPOptions{})
	if err != nil {
		log.Fatal(err)
	}
	defer src.Close()
	p := make([]byte, 6)
	if _, err := src.ReadAt(p, 7); err != nil {
		log.Fatal(err)
	}
	fmt.Println(src.Size(), src.Identity(), string(p))
	// Output: 20 "v1" remote
}

func ExampleNewPrefetchReader() {
	// Stream the bytes 7 to 12 of a source, a chunk of 2 bytes at a time
	// with up to 3 in flight. Any io.ReaderAt works; an HTTPSource's
	// reads run in parallel.
	src := strings.NewReader("hello, remote shards")
	r := shard.NewPrefetchReader(context.Background(), src, 7, 6, shard.PrefetchOptions{ChunkSize: 2, MaxRequests: 3})
	defer r.Close()
	if _, err := io.Copy(os.Stdout, r); err != nil {
		log.Fatal(err)
	}
	fmt.Println()
	// Output: remote
}
