package serve

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/tome-data/tome/dataset"
	"github.com/tome-data/tome/internal/conformance"
	"github.com/tome-data/tome/internal/info"
)

func TestParseSpec(t *testing.T) {
	for _, ok := range []string{"a=x", "train-v1.2=hf://datasets/org/x", "A_b=/data/a=b"} {
		if _, err := ParseSpec(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	if s, _ := ParseSpec("a=/data/a=b"); s.Name != "a" || s.Path != "/data/a=b" {
		t.Errorf("split at the first '=': %+v", s)
	}
	for _, bad := range []string{"x", "=x", "a=", "../x=y", "a/b=y", ".a=y", "a..b=y", "a b=y", "a%2f=y", string(make([]byte, 200)) + "=y"} {
		if _, err := ParseSpec(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestRegistryErrors(t *testing.T) {
	ctx := context.Background()
	dir := writeShards(t, ".arrow", 10, 10, 10)
	for _, specs := range [][]Spec{
		{{Name: "a", Path: dir}, {Name: "a", Path: dir}},
		{{Name: "..", Path: dir}},
		{{Name: "a", Path: dir + "/missing"}},
	} {
		if r, err := NewRegistry(ctx, specs, nil); err == nil {
			r.Close()
			t.Errorf("%+v accepted", specs)
		}
	}
	r, err := NewRegistry(ctx, []Spec{{Name: "a", Path: dir}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Dataset(ctx, "b", ""); !errors.Is(err, dataset.ErrNotFound) {
		t.Errorf("unknown name: %v", err)
	}
	if _, err := r.Dataset(ctx, "a", "../../etc"); !errors.Is(err, dataset.ErrSplit) {
		t.Errorf("unknown split: %v", err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
}

// Each split opens once, however many ask at the same time, and the info
// object lists every split, as tome info --json does.
func TestRegistrySplits(t *testing.T) {
	dir := conformance.Dir(t, "hf/save_to_disk/poubelle_datasetdict")
	ctx := context.Background()
	opens := map[string]int{}
	var mu sync.Mutex
	open := func(ctx context.Context, path, split string) (*dataset.Dataset, error) {
		mu.Lock()
		opens[split]++
		mu.Unlock()
		return dataset.Open(ctx, path, dataset.WithSplit(split))
	}
	r, err := NewRegistry(ctx, []Spec{{Name: "p", Path: dir}}, open)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	splits, _ := r.Splits("p")
	if !slices.Equal(slices.Sorted(slices.Values(splits)), []string{"test", "train", "val"}) {
		t.Fatalf("splits %v", splits)
	}
	var wg sync.WaitGroup
	got := make([]*dataset.Dataset, 8)
	for i := range got {
		wg.Go(func() {
			ds, err := r.Dataset(ctx, "p", "val")
			if err != nil {
				t.Error(err)
			}
			got[i] = ds
		})
	}
	wg.Wait()
	if opens["val"] != 1 || slices.ContainsFunc(got, func(d *dataset.Dataset) bool { return d != got[0] }) {
		t.Fatalf("split val opened %d times for 8 concurrent requests", opens["val"])
	}
	if ds, _ := r.Dataset(ctx, "p", ""); ds.Split() != "train" {
		t.Fatalf("default split %s", ds.Split())
	}
	doc, err := r.Info(ctx, "p")
	if err != nil {
		t.Fatal(err)
	}
	var in info.Info
	if err := json.Unmarshal(doc, &in); err != nil {
		t.Fatal(err)
	}
	if len(in.Splits) != 3 || in.Splits["val"].Rows <= 0 || in.Split != "train" {
		t.Fatalf("info splits %+v", in.Splits)
	}
}

// A path-like or unknown name over HTTP never reaches the registry's
// open function.
func TestNoClientPathReachesOpen(t *testing.T) {
	dir := writeShards(t, ".arrow", 10, 10, 10)
	var asked []string
	var mu sync.Mutex
	open := func(ctx context.Context, path, split string) (*dataset.Dataset, error) {
		mu.Lock()
		asked = append(asked, path+"|"+split)
		mu.Unlock()
		return dataset.Open(ctx, path, dataset.WithSplit(split))
	}
	r, err := NewRegistry(context.Background(), []Spec{{Name: "a", Path: dir}}, open)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	h := New(r, Config{}).Handler()
	for _, u := range []string{"/v1/datasets/%2e%2e%2fa/stream", "/v1/datasets/a/stream?split=..%2F..%2Fetc", "/v1/datasets/%2Fetc%2Fpasswd", "/viewer/datasets/..%2fa"} {
		resp := serveTest(h, u)
		if resp.StatusCode != 404 {
			t.Errorf("%s: %d", u, resp.StatusCode)
		}
	}
	if !slices.Equal(asked, []string{dir + "|"}) {
		t.Fatalf("open was asked for %q", asked)
	}
}
