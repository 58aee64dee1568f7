package viewer

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tome-data/tome/dataset"
	"github.com/tome-data/tome/format/hf"
)

const (
	// DefaultPageRows is the rows a page shows without ?limit=.
	DefaultPageRows = 25
	// MaxPageRows bounds ?limit=.
	MaxPageRows = 100
)

type datasetPage struct {
	Name    string
	Split   string
	Splits  []splitSummary
	Columns []columnInfo
	Rows    []pageRow

	From, To int64 // indices of the first and last row shown
	Total    string

	FirstURL, Prev, Next, LastURL string
}

type columnInfo struct {
	Name    string
	Type    string
	Feature string // the column's Hugging Face feature as JSON
}

type pageRow struct {
	Index int64
	Cells []cell
}

func (v *viewer) serveDataset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	q := r.URL.Query()
	offset, err := intParam(q, "offset", 0, 0, 1<<62)
	if err != nil {
		serveError(w, err)
		return
	}
	limit, err := intParam(q, "limit", DefaultPageRows, 1, MaxPageRows)
	if err != nil {
		serveError(w, err)
		return
	}
	d, err := v.catalog.Dataset(r.Context(), name, q.Get("split"))
	if err != nil {
		serveError(w, err)
		return
	}
	page, err := v.datasetPage(r.Context(), name, d, offset, limit)
	if err != nil {
		serveError(w, err)
		return
	}
	render(w, http.StatusOK, "dataset", page)
}

func (v *viewer) datasetPage(ctx context.Context, name string, d *dataset.Dataset, offset, limit int64) (*datasetPage, error) {
	n := d.Len()
	if offset > 0 && n >= 0 && offset >= n {
		return nil, fmt.Errorf("%w: offset %d is past the last row of split %q (%d rows)", dataset.ErrOutOfRange, offset, d.Split(), n)
	}
	page := &datasetPage{Name: name, Split: d.Split(), Splits: v.splits(ctx, name, d), Total: rowCount(n)}
	schema := d.Schema()
	features := d.Features()
	renderers := make([]columnRenderer, schema.NumFields())
	rowOffset := offset // the dataset index of the current batch's row 0
	for i, f := range schema.Fields() {
		feature := featureOf(features, f.Name)
		page.Columns = append(page.Columns, columnInfo{Name: f.Name, Type: f.Type.String(), Feature: featureJSON(feature)})
		renderers[i] = rendererFor(f, feature, func(row int) string {
			return imageURL(name, d.Split(), rowOffset+int64(row), f.Name)
		})
	}
	err := eachRows(ctx, d, offset, limit, func(b arrow.RecordBatch) error {
		for row := range int(b.NumRows()) {
			pr := pageRow{Index: rowOffset + int64(row), Cells: make([]cell, len(renderers))}
			for c, render := range renderers {
				pr.Cells[c] = render(b.Column(c), row)
			}
			page.Rows = append(page.Rows, pr)
		}
		rowOffset += b.NumRows()
		return nil
	})
	if err != nil {
		return nil, err
	}
	page.From, page.To = offset, offset+int64(len(page.Rows))-1
	page.links(name, d.Split(), offset, limit, n)
	return page, nil
}

// links sets the pager's links. With an unknown row count (JSON Lines,
// CSV) a full page is taken to have a next one.
func (p *datasetPage) links(name, split string, offset, limit, n int64) {
	at := func(off int64) string {
		q := url.Values{"split": {split}, "offset": {strconv.FormatInt(off, 10)}}
		if limit != DefaultPageRows {
			q.Set("limit", strconv.FormatInt(limit, 10))
		}
		return datasetURL(name, q)
	}
	if offset > 0 {
		p.FirstURL, p.Prev = at(0), at(max(0, offset-limit))
	}
	end := offset + int64(len(p.Rows))
	if (n >= 0 && end < n) || (n < 0 && int64(len(p.Rows)) == limit) {
		p.Next = at(end)
	}
	if n >= 0 && end < n {
		p.LastURL = at((n - 1) / limit * limit)
	}
}

func featureOf(f *hf.Features, name string) *hf.Feature {
	if f == nil {
		return nil
	}
	feature, _ := f.Get(name)
	return feature
}

func featureJSON(f *hf.Feature) string {
	if f == nil {
		return ""
	}
	b, err := json.Marshal(f)
	if err != nil {
		return ""
	}
	return string(b)
}

// intParam reads an integer query parameter in [lo, hi], def when absent.
func intParam(q url.Values, key string, def, lo, hi int64) (int64, error) {
	s := q.Get(key)
	if s == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%w: %s=%q: want an integer from %d to %d", errBadRequest, key, s, lo, hi)
	}
	return n, nil
}

func imageURL(name, split string, row int64, column string) string {
	q := url.Values{"split": {split}, "row": {strconv.FormatInt(row, 10)}, "column": {column}}
	return datasetURL(name, nil) + "/image?" + q.Encode()
}
