package info

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tome-data/tome/dataset"
)

// Info is the contract of `tome info --json`: format, rows, columns,
// shards, features (when present) and, for a dataset of several splits,
// each split's rows and shards.
type Info struct {
	Path     string              `json:"path"`
	Layout   string              `json:"layout"`
	Split    string              `json:"split"`
	Format   string              `json:"format"`
	Rows     int64               `json:"rows"`
	Columns  []Column            `json:"columns"`
	Shards   []dataset.ShardInfo `json:"shards"`
	Features json.RawMessage     `json:"features,omitempty"`
	Config   string              `json:"config,omitempty"`
	Configs  []string            `json:"configs,omitempty"`
	Splits   map[string]Split    `json:"splits,omitempty"`
}

// Column is one column's name and Arrow type.
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// Split is one split's size. Error says why a split cannot be read; Rows
// is then -1 when it could not even be opened.
type Split struct {
	Rows   int64  `json:"rows"`
	Shards int    `json:"shards"`
	Error  string `json:"error,omitempty"`
}

// Describe describes ds, which was opened from path, without looking at
// its other splits (see AddSplits). JSON Lines and CSV shards, which record
// no row count, are counted.
func Describe(ctx context.Context, ds *dataset.Dataset, path string) (*Info, error) {
	rows, err := ds.Count(ctx)
	if err != nil {
		return nil, err
	}
	info := &Info{
		Path:   path,
		Layout: string(ds.Layout().Kind),
		Split:  ds.Split(),
		Rows:   rows,
		Shards: ds.Shards(),
		Config: ds.Layout().Config,
	}
	if len(ds.Layout().Configs) > 0 {
		info.Configs = ds.Layout().Configs
	}
	formats := map[string]bool{}
	for _, s := range info.Shards {
		formats[s.Format] = true
	}
	if len(formats) == 1 {
		info.Format = info.Shards[0].Format
	} else {
		info.Format = "mixed"
	}
	for _, f := range ds.Schema().Fields() {
		info.Columns = append(info.Columns, Column{Name: f.Name, Type: f.Type.String()})
	}
	if f := ds.Features(); f != nil {
		b, err := json.Marshal(f)
		if err != nil {
			return nil, err
		}
		info.Features = b
	}
	return info, nil
}

// OpenSplit opens split name of the dataset being described; AddSplits
// calls release once it has counted the split.
type OpenSplit func(ctx context.Context, name string) (ds *dataset.Dataset, release func(), err error)

// AddSplits fills info.Splits with the size of each of names when there
// is more than one. A split that cannot be read keeps its error in the
// Info, so that the others are still described, and the returned error
// names every such split and wraps the first cause.
func (info *Info) AddSplits(ctx context.Context, names []string, open OpenSplit) error {
	if len(names) <= 1 {
		return nil
	}
	var broken []string
	var firstErr error
	info.Splits = map[string]Split{}
	for _, name := range names {
		s, err := describeSplit(ctx, name, open)
		if err != nil {
			broken = append(broken, name)
			if firstErr == nil {
				firstErr = err
			}
			s.Error = strings.Join(strings.Fields(err.Error()), " ")
		}
		info.Splits[name] = s
	}
	if len(broken) == 0 {
		return nil
	}
	// The details are in the Info; the error says what to look for and
	// keeps the first cause for errors.Is.
	return fmt.Errorf("%d of %d splits cannot be read (%s): %w", len(broken), len(names), strings.Join(broken, ", "), firstErr)
}

func describeSplit(ctx context.Context, name string, open OpenSplit) (Split, error) {
	ds, release, err := open(ctx, name)
	if err != nil {
		return Split{Rows: -1}, err
	}
	defer release()
	rows, err := ds.Count(ctx)
	return Split{Rows: rows, Shards: len(ds.Shards())}, err
}
