package dataset

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tome-data/tome/internal/conformance"
)

func TestResolveLayoutConformance(t *testing.T) {
	tests := []struct {
		dir     string
		kind    LayoutKind
		splits  map[string]int // split -> number of files present
		missing map[string]int // split -> number of files missing
	}{
		{"hf/save_to_disk/proxyqa_single_dataset", LayoutSaveToDisk, map[string]int{"train": 1}, nil},
		{"hf/save_to_disk/ads_thesis_text_datasetdict", LayoutDatasetDict, map[string]int{"train": 1, "test": 1}, nil},
		{"hf/save_to_disk/poubelle_datasetdict", LayoutDatasetDict, map[string]int{"train": 1, "test": 1, "val": 1}, nil},
		{"hf/save_to_disk/sst2_datasetdict_train_arrow_missing", LayoutDatasetDict, map[string]int{"train": 0, "test": 1, "validation": 1}, map[string]int{"train": 1}},
		{"hf/save_to_disk/financial_cls_tokenized_only_test_present", LayoutDatasetDict, map[string]int{"train": 0, "valid": 0, "test": 1}, map[string]int{"train": 1, "valid": 1}},
		{"hf/save_to_disk/airbnb_ner_train_arrow_missing", LayoutDatasetDict, map[string]int{"train": 0, "val": 1, "test": 1}, map[string]int{"train": 1}},
		{"hf/save_to_disk/amharic_ner_arrow_only_no_json", LayoutHub, map[string]int{"train": 1, "test": 1}, nil},
		{"hf/save_to_disk/figurative_lang_partial", LayoutDatasetDict, map[string]int{"train": 0, "validation": 1}, map[string]int{"train": 1}},
		{"hf/hf_cache/financial_classification_builder_cache", LayoutBuilderCache, map[string]int{"train": 1}, nil},
		{"hf/hub_parquet/tweet_eval_irony", LayoutHub, map[string]int{"train": 1, "validation": 1, "test": 1}, nil},
		{"hf/hub_parquet/jbdel_tiny_classlabel", LayoutHub, map[string]int{"train": 1, "validation": 1, "test": 1}, nil},
		{"hf/hub_parquet/huggan_few-shot-cat", LayoutHub, map[string]int{"train": 1}, nil},
		{"hf/hub_parquet/financial_phrasebank_like", LayoutHub, map[string]int{"test": 1}, nil},
		{"hf/hub_parquet/tamil_sangam_pandas", LayoutHub, map[string]int{"train": 1}, nil},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.dir), func(t *testing.T) {
			l, err := ResolveLayout(conformance.Dir(t, tt.dir), "")
			if err != nil {
				t.Fatal(err)
			}
			if l.Kind != tt.kind {
				t.Errorf("kind = %s, want %s", l.Kind, tt.kind)
			}
			got := map[string]int{}
			gotMissing := map[string]int{}
			for _, s := range l.Splits {
				got[s.Name] = len(s.Files)
				if len(s.Missing) > 0 {
					gotMissing[s.Name] = len(s.Missing)
				}
			}
			if !mapsEqual(got, tt.splits) {
				t.Errorf("splits = %v, want %v", got, tt.splits)
			}
			if !mapsEqual(gotMissing, tt.missing) {
				t.Errorf("missing = %v, want %v", gotMissing, tt.missing)
			}
		})
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestResolveLayoutReadmeConfigs(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, content string) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("README.md", `---
license: mit
configs:
- config_name: default
  data_files:
  - split: train
    path: "data/train-*"
  - split: holdout
    path:
    - data/holdout-*.jsonl
- config_name: extra
  data_dir: extra
  data_files: "*.jsonl"
---
# A dataset
`)
	for _, f := range []string{"data/train-2.jsonl", "data/train-10.jsonl", "data/train-1.jsonl", "data/holdout-0.jsonl", "extra/a.jsonl", "data/.hidden.jsonl"} {
		write(f, "{}\n")
	}
	l, err := ResolveLayout(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if l.Config != "default" || !slices.Equal(l.Configs, []string{"default", "extra"}) {
		t.Fatalf("config %q of %v", l.Config, l.Configs)
	}
	train, _ := l.Split("train")
	var names []string
	for _, f := range train.Files {
		names = append(names, filepath.Base(f))
	}
	if want := []string{"train-1.jsonl", "train-2.jsonl", "train-10.jsonl"}; !slices.Equal(names, want) {
		t.Fatalf("train files %v, want %v", names, want)
	}
	if h, ok := l.Split("holdout"); !ok || len(h.Files) != 1 {
		t.Fatalf("holdout split: %+v", h)
	}

	l, err = ResolveLayout(dir, "extra")
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Splits) != 1 || l.Splits[0].Name != "train" || len(l.Splits[0].Files) != 1 {
		t.Fatalf("extra config: %+v", l.Splits)
	}
	if _, err := ResolveLayout(dir, "nope"); err == nil || !strings.Contains(err.Error(), "default, extra") {
		t.Fatalf("unknown config error %v should list the configs", err)
	}
}

func TestResolveLayoutDefaultSplit(t *testing.T) {
	l := &Layout{Root: "x", Splits: []SplitLayout{{Name: "a"}, {Name: "b"}}}
	if _, err := l.DefaultSplit(); err == nil || !strings.Contains(err.Error(), "a, b") {
		t.Fatalf("ambiguous split: %v", err)
	}
	l.Splits = append(l.Splits, SplitLayout{Name: "train"})
	if s, err := l.DefaultSplit(); err != nil || s != "train" {
		t.Fatalf("default split %q, %v", s, err)
	}
}
