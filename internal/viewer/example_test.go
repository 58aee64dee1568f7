package viewer_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"

	"github.com/tome-data/tome/dataset"
	"github.com/tome-data/tome/internal/viewer"
)

// oneDataset is the smallest Catalog: one dataset, opened once.
type oneDataset struct {
	name string
	d    *dataset.Dataset
}

func (c oneDataset) Names() []string { return []string{c.name} }

func (c oneDataset) Dataset(ctx context.Context, name, split string) (*dataset.Dataset, error) {
	if name != c.name || (split != "" && split != c.d.Split()) {
		return nil, fmt.Errorf("%w: %s split %q", dataset.ErrNotFound, name, split)
	}
	return c.d, nil
}

func ExampleHandler() {
	dir, _ := os.MkdirTemp("", "viewer-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "pets.jsonl")
	os.WriteFile(path, []byte(`{"name": "Rex", "kind": "dog"}`+"\n"+`{"name": "Tom", "kind": "cat"}`+"\n"), 0o644)
	d, err := dataset.Open(context.Background(), path)
	if err != nil {
		panic(err)
	}
	defer d.Close()

	srv := httptest.NewServer(viewer.Handler(oneDataset{"pets", d}))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/viewer/datasets/pets?limit=1")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.Status)
	for _, m := range regexp.MustCompile(`<td class="cell">([^<]*)</td>`).FindAllStringSubmatch(string(page), -1) {
		fmt.Println(m[1])
	}
	fmt.Println(regexp.MustCompile(`<a href="([^"]*)" rel="next">`).FindStringSubmatch(string(page))[1])
	// Output:
	// 200 OK
	// Rex
	// dog
	// /viewer/datasets/pets?limit=1&amp;offset=1&amp;split=train
}
