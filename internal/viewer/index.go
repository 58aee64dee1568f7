package viewer

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/tome-data/tome/dataset"
)

type indexPage struct {
	Datasets []datasetSummary
}

type datasetSummary struct {
	Name   string
	URL    string
	Err    string
	Splits []splitSummary
}

// A splitSummary is one split as a link with its row count.
type splitSummary struct {
	Name    string
	URL     string
	Rows    string
	Current bool
	Err     string
}

func (v *viewer) serveIndex(w http.ResponseWriter, r *http.Request) {
	var page indexPage
	for _, name := range v.catalog.Names() {
		s := datasetSummary{Name: name, URL: datasetURL(name, url.Values{})}
		d, err := v.catalog.Dataset(r.Context(), name, "")
		if err != nil {
			s.Err = oneLine(err.Error())
		} else {
			s.Splits = v.splits(r.Context(), name, d)
		}
		page.Datasets = append(page.Datasets, s)
	}
	render(w, http.StatusOK, "index", page)
}

// splits lists every split of d's source with its row count, opening the
// others through the catalog. Row counts come from metadata; formats that
// record none (JSON Lines, CSV) show "? rows" rather than being scanned.
func (v *viewer) splits(ctx context.Context, name string, d *dataset.Dataset) []splitSummary {
	var out []splitSummary
	for _, split := range d.Splits() {
		s := splitSummary{Name: split, URL: datasetURL(name, url.Values{"split": {split}}), Current: split == d.Split()}
		sd := d
		if !s.Current {
			var err error
			if sd, err = v.catalog.Dataset(ctx, name, split); err != nil {
				s.Err = oneLine(err.Error())
				out = append(out, s)
				continue
			}
		}
		s.Rows = rowCount(sd.Len())
		out = append(out, s)
	}
	return out
}

func rowCount(n int64) string {
	switch {
	case n < 0:
		return "? rows"
	case n == 1:
		return "1 row"
	}
	return strconv.FormatInt(n, 10) + " rows"
}

// datasetURL is the viewer page of dataset name with query q.
func datasetURL(name string, q url.Values) string {
	u := "/viewer/datasets/" + url.PathEscape(name)
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}
