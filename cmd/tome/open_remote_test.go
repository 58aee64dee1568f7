package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/tome-data/tome/internal/conformance"
	"github.com/tome-data/tome/internal/fakehub"
)

// TestRemoteCommandsMatchLocal runs info, head and cat on the same data
// locally, over HTTP and from a fake Hub, and expects the same output.
func TestRemoteCommandsMatchLocal(t *testing.T) {
	dir := conformance.Dir(t, "hf/hub_parquet/ner_mountain_sequences")
	files := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(files.Close)
	hub := fakehub.New()
	hub.PageSize = 2
	hub.Add("org/ner", "main", dir)
	srv := httptest.NewServer(hub)
	t.Cleanup(srv.Close)
	t.Setenv("HF_ENDPOINT", srv.URL)
	t.Setenv("HF_TOKEN", "")
	cacheDir := t.TempDir()

	run := func(args ...string) string {
		t.Helper()
		out, errOut, code := tome(t, args...)
		if code != 0 {
			t.Fatalf("tome %v: exit %d: %s", args, code, errOut)
		}
		return out
	}
	local := filepath.Join(dir, "data", "train-00000-of-00001.parquet")
	url := files.URL + "/data/train-00000-of-00001.parquet"
	for _, cmd := range [][]string{{"cat"}, {"head", "-n", "3"}, {"cat", "--columns", "labels"}} {
		want := run(append(cmd, local)...)
		if got := run(append(cmd, url)...); got != want {
			t.Errorf("tome %v over HTTP differs from local", cmd)
		}
		if got := run(append(cmd, "--cache-dir", cacheDir, url)...); got != want {
			t.Errorf("tome %v over HTTP through a cache differs from local", cmd)
		}
		if got := run(append(cmd, "--split", "train", "hf://datasets/org/ner")...); got != want {
			t.Errorf("tome %v from the Hub differs from local", cmd)
		}
	}
	if entries, err := os.ReadDir(cacheDir); err != nil || len(entries) == 0 {
		t.Errorf("--cache-dir holds %d entries (%v)", len(entries), err)
	}

	var localInfo, hubInfo infoJSON
	if err := json.Unmarshal([]byte(run("info", "--json", dir)), &localInfo); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(run("info", "--json", "hf://datasets/org/ner")), &hubInfo); err != nil {
		t.Fatal(err)
	}
	if hubInfo.Rows != localInfo.Rows || len(hubInfo.Splits) != 2 || len(hubInfo.Columns) != len(localInfo.Columns) {
		t.Fatalf("hub info %+v, local %+v", hubInfo, localInfo)
	}
	for name, s := range localInfo.Splits {
		if hubInfo.Splits[name] != s {
			t.Errorf("split %s: hub %+v, local %+v", name, hubInfo.Splits[name], s)
		}
	}
}

// TestRemoteManifest converts a dataset, serves it over HTTP and reads it
// back by its directory URL: the manifest gives the splits and counts,
// and the rows are those of the local copy.
func TestRemoteManifest(t *testing.T) {
	dst := filepath.Join(t.TempDir(), "out")
	if _, errOut, code := tome(t, "convert", "-q", "--to", "parquet", "--rows-per-shard", "7", reviews, dst); code != 0 {
		t.Fatalf("convert: exit %d: %s", code, errOut)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(dst)))
	t.Cleanup(srv.Close)
	run := func(args ...string) string {
		t.Helper()
		out, errOut, code := tome(t, args...)
		if code != 0 {
			t.Fatalf("tome %v: exit %d: %s", args, code, errOut)
		}
		return out
	}
	var local, remote infoJSON
	if err := json.Unmarshal([]byte(run("info", "--json", dst)), &local); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(run("info", "--json", "--read-ahead-bytes", "1048576", srv.URL+"/")), &remote); err != nil {
		t.Fatal(err)
	}
	if remote.Layout != "manifest" || remote.Rows != local.Rows || len(remote.Shards) != len(local.Shards) || len(remote.Shards) < 2 {
		t.Errorf("info over HTTP: layout %s, %d rows in %d shards; local %d rows in %d shards", remote.Layout, remote.Rows, len(remote.Shards), local.Rows, len(local.Shards))
	}
	if got, want := run("cat", srv.URL+"/"), run("cat", dst); got != want {
		t.Error("tome cat over HTTP differs from local")
	}
}
