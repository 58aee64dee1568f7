package viewer

import (
	"fmt"
	"net/http"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tome-data/tome/dataset"
)

// serveImage answers one Image cell's bytes. Only bytes that sniff as an
// image are served, with that type and nosniff, so a cell holding HTML is
// never served as a page of this origin.
func (v *viewer) serveImage(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	q := r.URL.Query()
	row, err := intParam(q, "row", -1, 0, 1<<62)
	if err == nil && row < 0 {
		err = fmt.Errorf("%w: row is required", errBadRequest)
	}
	if err != nil {
		serveError(w, err)
		return
	}
	d, err := v.catalog.Dataset(r.Context(), name, q.Get("split"))
	if err != nil {
		serveError(w, err)
		return
	}
	column := q.Get("column")
	field, ok := d.Schema().FieldsByName(column)
	if !ok || !isImage(field[0].Type, featureOf(d.Features(), column)) {
		serveError(w, fmt.Errorf("%w: no Image column %q in %s", dataset.ErrNotFound, column, name))
		return
	}
	img, err := v.readImage(r, d, row, column)
	if err != nil {
		serveError(w, err)
		return
	}
	typ := imageType(img)
	if typ == "" {
		serveError(w, fmt.Errorf("%w: row %d of column %q holds no image", dataset.ErrNotFound, row, column))
		return
	}
	w.Header().Set("Content-Type", typ)
	w.Header().Set("Cache-Control", "private, max-age=300")
	w.Write(img)
}

// readImage copies out the image bytes of one row, reading only its
// column.
func (v *viewer) readImage(r *http.Request, d *dataset.Dataset, row int64, column string) ([]byte, error) {
	if n := d.Len(); n >= 0 && row >= n {
		return nil, fmt.Errorf("%w: row %d of %d", dataset.ErrOutOfRange, row, n)
	}
	col, err := d.SelectColumns(column)
	if err != nil {
		return nil, err
	}
	defer col.Close()
	var img []byte
	found := false
	err = eachRows(r.Context(), col, row, 1, func(b arrow.RecordBatch) error {
		if b.NumRows() > 0 {
			found = true
			img = append([]byte(nil), imageBytes(b.Column(0), 0)...)
		}
		return nil
	})
	if err == nil && !found {
		err = fmt.Errorf("%w: row %d", dataset.ErrOutOfRange, row)
	}
	return img, err
}
