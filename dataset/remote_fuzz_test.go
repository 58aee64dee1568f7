package dataset

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/tome-data/tome/shard"
)

// memHub is a Hub folder held in memory: hubFS's tree, with the content
// of its small files given instead of fetched.
type memHub struct {
	*hubFS
	content map[string][]byte
}

func (m memHub) readSmall(rel string, max int64) ([]byte, error) {
	b, ok := m.content[rel]
	if !ok {
		return nil, fs.ErrNotExist
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%w: too large", ErrLayout)
	}
	return b, nil
}

func newMemHub(paths []string, content map[string][]byte) memHub {
	h := &hubFS{base: shard.HubURI{Repo: "org/fuzz"}, files: map[string]shard.HubFile{}, dirs: map[string][]string{}}
	for _, p := range paths {
		if _, dup := h.files[p]; dup || p == "" || strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") || strings.Contains(p, "//") {
			continue
		}
		if _, isDir := h.dirs[p]; isDir {
			continue
		}
		h.add(p, shard.HubFile{Path: p, Size: int64(len(content[p]))})
	}
	return memHub{hubFS: h, content: content}
}

// FuzzHubLayout resolves arbitrary Hub listings and description files:
// resolution never panics, every file it names is in the listing, and its
// errors wrap this package's sentinels.
func FuzzHubLayout(f *testing.F) {
	f.Add("data/train-00000-of-00002.parquet\ndata/train-00001-of-00002.parquet\ndata/test-00000-of-00001.parquet", "", "", "")
	f.Add("README.md\ndata/a.jsonl\nextra/b.jsonl", "---\nconfigs:\n- config_name: default\n  data_files:\n  - split: train\n    path: data/*\n---\n", "", "")
	f.Add("dataset_dict.json\ntrain/state.json\ntrain/data-00000-of-00001.arrow\ntest/state.json", "", `{"splits": ["train", "test"]}`, `{"_data_files": [{"filename": "data-00000-of-00001.arrow"}], "_split": "train"}`)
	f.Add("train/state.json\ntrain/x.arrow\nvalid/state.json", "", "", `{"_data_files": [{"filename": "../x.arrow"}]}`)
	f.Add("dataset_info.json\nsquad-train.arrow\nsquad-validation-00000-of-00002.arrow", "", "", "")
	f.Fuzz(func(t *testing.T, listing, readme, dict, state string) {
		paths := strings.Split(listing, "\n")
		content := map[string][]byte{"README.md": []byte(readme), "dataset_dict.json": []byte(dict)}
		for _, p := range paths {
			if strings.HasSuffix(p, "state.json") {
				content[p] = []byte(state)
			}
		}
		fsys := newMemHub(paths, content)
		l, err := resolveDir(fsys, "")
		if err != nil {
			if !errors.Is(err, ErrLayout) && !errors.Is(err, ErrNotFound) {
				t.Fatalf("error wraps no sentinel: %v", err)
			}
			return
		}
		for _, s := range l.Splits {
			for _, f := range s.Files {
				rel, ok := strings.CutPrefix(f, "hf://datasets/org/fuzz/")
				if _, listed := fsys.files[rel]; !ok || !listed {
					t.Fatalf("split %s names %s, which is not in the listing", s.Name, f)
				}
			}
		}
	})
}

// memSource is a Source over bytes in memory.
type memSource struct{ *bytes.Reader }

func (memSource) Close() error     { return nil }
func (memSource) Name() string     { return "memory" }
func (memSource) Identity() string { return "" }
func (m memSource) Size() int64    { return m.Reader.Size() }

// FuzzParquetChunks parses arbitrary footers for fetching ahead: never a
// panic, and every chunk it would fetch lies inside the file.
func FuzzParquetChunks(f *testing.F) {
	dir := f.TempDir()
	path := benchParquet(f, dir, 3000, 1000)
	good, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[len(good)-200:])
	f.Add([]byte("PAR1\x00\x00\x00\x00PAR1"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ix, err := parquetChunks(memSource{bytes.NewReader(data)})
		if err != nil {
			return
		}
		for off, c := range ix.chunks {
			if off != c.off || c.off < 0 || c.n <= 0 || c.off+c.n > int64(len(data)) {
				t.Fatalf("chunk %+v outside the %d-byte file", c, len(data))
			}
			if c.rowGroup >= len(ix.groups) || c.column >= len(ix.groups[c.rowGroup]) || ix.groups[c.rowGroup][c.column] != c {
				t.Fatalf("chunk %+v is not where the index puts it", c)
			}
		}
	})
}
