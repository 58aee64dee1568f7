package viewer

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/tome-data/tome/dataset"
)

// errBadRequest marks a query parameter the viewer cannot use.
var errBadRequest = errors.New("viewer: bad request")

// statusOf maps an error to the HTTP status the viewer answers with:
// unknown names, splits and rows are 404, bad parameters 400.
func statusOf(err error) int {
	switch {
	case errors.Is(err, errBadRequest):
		return http.StatusBadRequest
	case errors.Is(err, dataset.ErrNotFound), errors.Is(err, dataset.ErrSplit), errors.Is(err, dataset.ErrOutOfRange):
		return http.StatusNotFound
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

type errorPage struct {
	Status  string
	Message string
}

func serveError(w http.ResponseWriter, err error) {
	status := statusOf(err)
	render(w, status, "error", errorPage{
		Status:  http.StatusText(status),
		Message: oneLine(err.Error()),
	})
}

func (v *viewer) serveNotFound(w http.ResponseWriter, r *http.Request) {
	render(w, http.StatusNotFound, "error", errorPage{
		Status:  http.StatusText(http.StatusNotFound),
		Message: "no such page: " + r.URL.Path,
	})
}

// oneLine keeps an error message on one line, as a page shows it.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
