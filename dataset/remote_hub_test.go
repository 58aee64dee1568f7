package dataset

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tome-data/tome/internal/conformance"
	"github.com/tome-data/tome/shard"
)

// hubLayoutDirs are conformance folders in every layout Open resolves.
var hubLayoutDirs = []string{
	"hf/save_to_disk/proxyqa_single_dataset",
	"hf/save_to_disk/ads_thesis_text_datasetdict",
	"hf/save_to_disk/poubelle_datasetdict",
	"hf/save_to_disk/sst2_datasetdict_train_arrow_missing",
	"hf/save_to_disk/financial_cls_tokenized_only_test_present",
	"hf/save_to_disk/airbnb_ner_train_arrow_missing",
	"hf/save_to_disk/amharic_ner_arrow_only_no_json",
	"hf/save_to_disk/figurative_lang_partial",
	"hf/hf_cache/financial_classification_builder_cache",
	"hf/hub_parquet/tweet_eval_irony",
	"hf/hub_parquet/jbdel_tiny_classlabel",
	"hf/hub_parquet/huggan_few-shot-cat",
	"hf/hub_parquet/financial_phrasebank_like",
	"hf/hub_parquet/tamil_sangam_pandas",
}

// TestHubLayoutMatchesLocal serves conformance folders from a fake Hub,
// two listing entries per page, and checks that each resolves to the
// layout of the same local folder, with one listing per resolution.
func TestHubLayoutMatchesLocal(t *testing.T) {
	hub, _ := newFakeHub(t)
	hub.PageSize = 2
	useRemote(t, RemoteOptions{})
	for _, rel := range hubLayoutDirs {
		dir := conformance.Dir(t, rel)
		name := filepath.Base(rel)
		hub.Add("conf/"+name, "main", dir)
		t.Run(name, func(t *testing.T) {
			want, err := ResolveLayout(dir, "")
			if err != nil {
				t.Fatal(err)
			}
			hub.Reset()
			got, err := ResolveLayout("hf://datasets/conf/"+name, "")
			if err != nil {
				t.Fatal(err)
			}
			if got.Root != "hf://datasets/conf/"+name {
				t.Errorf("root %q", got.Root)
			}
			if d := cmp.Diff(relLayout(want), relLayout(got)); d != "" {
				t.Errorf("hub layout differs from local (-local +hub):\n%s", d)
			}
			pages, listings := 0, 0
			for _, r := range hub.Requests() {
				if strings.HasPrefix(r.Path, "/api/") {
					pages++
					if !strings.Contains(r.RawQuery, "cursor=") {
						listings++
					}
				}
			}
			if listings != 1 {
				t.Errorf("%d listings, want 1 (%d pages)", listings, pages)
			}
		})
	}
}

// TestHubOpenMatchesLocal reads every split of Hub datasets in each layout
// and compares rows and values with the local folders.
func TestHubOpenMatchesLocal(t *testing.T) {
	hub, _ := newFakeHub(t)
	hub.PageSize = 3
	useRemote(t, RemoteOptions{})
	for _, rel := range []string{
		"hf/save_to_disk/ads_thesis_text_datasetdict",
		"hf/save_to_disk/proxyqa_single_dataset",
		"hf/hf_cache/financial_classification_builder_cache",
		"hf/hub_parquet/tweet_eval_irony",
		"hf/hub_parquet/ner_mountain_sequences",
	} {
		dir := conformance.Dir(t, rel)
		name := filepath.Base(rel)
		hub.Add("conf/"+name, "main", dir)
		t.Run(name, func(t *testing.T) {
			l, err := ResolveLayout(dir, "")
			if err != nil {
				t.Fatal(err)
			}
			for _, split := range l.SplitNames() {
				wantRows, want := openDigest(t, dir, WithSplit(split))
				gotRows, got := openDigest(t, "hf://datasets/conf/"+name, WithSplit(split))
				if gotRows != wantRows || got != want {
					t.Errorf("split %s: hub has %d rows (digest %.8s), local %d (%.8s)", split, gotRows, got, wantRows, want)
				}
			}
		})
	}
}

// TestHubReadmeConfigs resolves a dataset card's configs over the Hub.
func TestHubReadmeConfigs(t *testing.T) {
	hub, _ := newFakeHub(t)
	hub.PageSize = 1
	useRemote(t, RemoteOptions{})
	dir := t.TempDir()
	writeTree(t, dir, "README.md", "---\nconfigs:\n- config_name: default\n  data_files:\n  - split: train\n    path: \"data/train-*\"\n  - split: holdout\n    path: data/holdout-*.jsonl\n- config_name: extra\n  data_dir: extra\n  data_files: \"*.jsonl\"\n---\n# A dataset\n")
	for i, f := range []string{"data/train-2.jsonl", "data/train-10.jsonl", "data/train-1.jsonl", "data/holdout-0.jsonl", "extra/a.jsonl", "data/.hidden.jsonl"} {
		writeTree(t, dir, f, strings.Repeat(`{"x": 1}`+"\n", i+1))
	}
	hub.Add("org/cards", "v1", dir)

	for _, config := range []string{"", "extra"} {
		want, err := ResolveLayout(dir, config)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ResolveLayout("hf://datasets/org/cards@v1", config)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(relLayout(want), relLayout(got)); d != "" {
			t.Errorf("config %q (-local +hub):\n%s", config, d)
		}
	}
	rows, _ := openDigest(t, "hf://datasets/org/cards@v1", WithSplit("train"))
	if rows != 2+3+1 { // train-1, train-2, train-10 hold 3, 1 and 2 rows
		t.Errorf("train has %d rows, want 6", rows)
	}
	if _, err := ResolveLayout("hf://datasets/org/cards@v1", "nope"); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "default, extra") {
		t.Errorf("unknown config: %v", err)
	}
}

// TestHubParquetExport reads the refs/convert/parquet layout.
func TestHubParquetExport(t *testing.T) {
	hub, _ := newFakeHub(t)
	useRemote(t, RemoteOptions{})
	src := conformance.Dir(t, "hf/hub_parquet/financial_phrasebank_like")
	dir := t.TempDir()
	link := func(target, rel string) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join(src, target), p); err != nil {
			t.Fatal(err)
		}
	}
	link("0000.parquet", "default/train/0000.parquet")
	link("0000_test.parquet", "default/train/0001.parquet")
	link("0000_test.parquet", "default/test/0000.parquet")
	link("0000_test.parquet", "other/partial-train/0000.parquet")
	writeTree(t, dir, "README.md", "---\nconfigs:\n- config_name: nothing\n  data_files: none/*\n---\n")
	hub.Add("org/exported", "refs/convert/parquet", dir)

	for _, uri := range []string{"hf://datasets/org/exported@refs/convert/parquet", "hf://datasets/org/exported@refs%2Fconvert%2Fparquet"} {
		l, err := ResolveLayout(uri, "")
		if err != nil {
			t.Fatal(err)
		}
		want := &Layout{Kind: LayoutHubParquet, Config: "default", Configs: []string{"default", "other"}, Splits: []SplitLayout{
			{Name: "test", Files: []string{"default/test/0000.parquet"}},
			{Name: "train", Files: []string{"default/train/0000.parquet", "default/train/0001.parquet"}},
		}}
		if d := cmp.Diff(want, relLayout(l)); d != "" {
			t.Errorf("%s (-want +got):\n%s", uri, d)
		}
	}
	uri := "hf://datasets/org/exported@refs/convert/parquet"
	if rows, _ := openDigest(t, uri); rows != 1584+680 {
		t.Errorf("train has %d rows, want %d", rows, 1584+680)
	}
	if rows, _ := openDigest(t, uri, WithConfig("other"), WithSplit("partial-train")); rows != 680 {
		t.Errorf("other/partial-train has %d rows, want 680", rows)
	}
	if _, err := ResolveLayout(uri, "missing"); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "default, other") {
		t.Errorf("unknown config: %v", err)
	}
}

// TestHubTokenStaysOnEndpoint serves a private repository whose downloads
// redirect to a storage host: the token reaches every request to the
// endpoint and none to the storage host, and without it the Hub refuses.
func TestHubTokenStaysOnEndpoint(t *testing.T) {
	hub, srv := newFakeHub(t)
	storage := httptest.NewServer(hub) // the same files, on another host
	t.Cleanup(storage.Close)
	hub.Token = "hf_secret"
	hub.Redirect = storage.URL
	useRemote(t, RemoteOptions{})
	dir := conformance.Dir(t, "hf/save_to_disk/ads_thesis_text_datasetdict")
	hub.Add("org/private", "main", dir)

	_, err := Open(context.Background(), "hf://datasets/org/private")
	if !errors.Is(err, shard.ErrDenied) {
		t.Fatalf("without a token: %v, want ErrDenied", err)
	}
	t.Setenv("HF_TOKEN", "hf_secret")
	hub.Reset()
	wantRows, want := openDigest(t, dir, WithSplit("test"))
	gotRows, got := openDigest(t, "hf://datasets/org/private", WithSplit("test"))
	if gotRows != wantRows || got != want {
		t.Fatalf("private hub: %d rows (%.8s), local %d (%.8s)", gotRows, got, wantRows, want)
	}
	endpointHost := strings.TrimPrefix(srv.URL, "http://")
	var toEndpoint, toStorage int
	for _, r := range hub.Requests() {
		switch {
		case r.Host == endpointHost:
			toEndpoint++
			if r.Authorization != "Bearer hf_secret" {
				t.Errorf("request to the endpoint %s without the token", r.Path)
			}
		default:
			toStorage++
			if r.Authorization != "" {
				t.Errorf("token sent to the storage host %s: %s", r.Host, r.Path)
			}
		}
	}
	if toEndpoint == 0 || toStorage == 0 {
		t.Errorf("%d requests to the endpoint, %d to storage: the redirect was not exercised", toEndpoint, toStorage)
	}
}

// TestHubOpenCostsOneListing opens a dataset of many shards: one listing,
// one opening request per shard, and nothing else before the scan.
func TestHubOpenCostsOneListing(t *testing.T) {
	hub, _ := newFakeHub(t)
	useRemote(t, RemoteOptions{})
	src := conformance.Dir(t, "hf/hub_parquet/jbdel_tiny_classlabel/data/train-00000-of-00001.parquet")
	dir := t.TempDir()
	const shards = 12
	for i := range shards {
		p := filepath.Join(dir, "data", "train-"+pad5(i)+"-of-"+pad5(shards)+".parquet")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(src, p); err != nil {
			t.Fatal(err)
		}
	}
	hub.Add("org/many", "main", dir)
	ds, err := Open(context.Background(), "hf://datasets/org/many")
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	if ds.Len() != 5*shards {
		t.Errorf("%d rows, want %d", ds.Len(), 5*shards)
	}
	var listings, resolves int
	for _, r := range hub.Requests() {
		switch {
		case strings.HasPrefix(r.Path, "/api/"):
			listings++
		case strings.Contains(r.Path, "/resolve/"):
			resolves++
		}
	}
	if listings != 1 || resolves != shards {
		t.Errorf("opening %d shards took %d listing and %d file requests, want 1 and %d", shards, listings, resolves, shards)
	}
}

// TestHubErrors checks what a missing repository, file or revision says.
func TestHubErrors(t *testing.T) {
	hub, _ := newFakeHub(t)
	useRemote(t, RemoteOptions{})
	hub.Add("org/some", "main", conformance.Dir(t, "hf/hub_parquet/tweet_eval_irony"))
	for _, uri := range []string{
		"hf://datasets/org/none",
		"hf://datasets/org/some@nobranch",
		"hf://datasets/org/some/data/nofile.parquet",
		"hf://datasets/org/some/nodir",
		"hf://datasets/org/some/data/*.csv",
	} {
		_, err := Open(context.Background(), uri)
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: %v, want ErrNotFound", uri, err)
		}
	}
	if _, err := Open(context.Background(), "hf://models/org/some"); err == nil {
		t.Error("a model URI opened")
	}
}

// TestHubGlob opens the files of a Hub folder matching a pattern.
func TestHubGlob(t *testing.T) {
	hub, _ := newFakeHub(t)
	useRemote(t, RemoteOptions{})
	dir := conformance.Dir(t, "hf/hub_parquet/tweet_eval_irony")
	hub.Add("org/some", "main", dir)
	l, err := ResolveLayout("hf://datasets/org/some/data/t*.parquet", "")
	if err != nil {
		t.Fatal(err)
	}
	local, err := ResolveLayout(filepath.Join(dir, "data", "t*.parquet"), "")
	if err != nil {
		t.Fatal(err)
	}
	var got, want []string
	for _, f := range l.Splits[0].Files {
		got = append(got, strings.TrimPrefix(f, "hf://datasets/org/some/"))
	}
	for _, f := range local.Splits[0].Files {
		rel, _ := filepath.Rel(dir, f)
		want = append(want, filepath.ToSlash(rel))
	}
	if d := cmp.Diff(want, got); d != "" || len(got) != 2 {
		t.Errorf("glob (-local +hub):\n%s", d)
	}
}

func pad5(i int) string { return fmt.Sprintf("%05d", i) }
