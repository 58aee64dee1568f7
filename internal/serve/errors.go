package serve

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/tome-data/tome/dataset"
)

// errOverCap refuses a stream beyond the concurrent-stream cap.
var errOverCap = errors.New("serve: too many concurrent streams; retry later")

// errShuttingDown refuses a stream that arrives as the server stops.
var errShuttingDown = errors.New("serve: shutting down")

// errUnauthorized refuses a request without the right bearer token.
var errUnauthorized = errors.New("serve: missing or wrong bearer token")

// unknownDataset is a name that is not registered, whatever it looks like
// ("../x" included): 404 without ever reaching a file system.
type unknownDataset struct{ name string }

func (e unknownDataset) Error() string { return "no dataset named " + quote(e.name) }

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// statusOf maps an error to the HTTP status the client gets.
func statusOf(err error) int {
	var pe *paramError
	var ud unknownDataset
	switch {
	case errors.As(err, &ud):
		return http.StatusNotFound
	case errors.As(err, &pe), errors.Is(err, dataset.ErrTrainConfig), errors.Is(err, dataset.ErrStateMismatch),
		errors.Is(err, dataset.ErrNoRandomAccess), errors.Is(err, dataset.ErrNotFound):
		// ErrNotFound here is a column the dataset does not have: the
		// dataset itself was found (unknownDataset above).
		return http.StatusBadRequest
	case errors.Is(err, dataset.ErrSplit):
		return http.StatusNotFound
	case errors.Is(err, errOverCap):
		return http.StatusTooManyRequests
	case errors.Is(err, errUnauthorized):
		return http.StatusUnauthorized
	case errors.Is(err, context.Canceled), errors.Is(err, errClosed), errors.Is(err, errShuttingDown):
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// writeError answers {"error": "..."} with the status of err.
func writeError(w http.ResponseWriter, err error) {
	writeErrorStatus(w, statusOf(err), err.Error())
}

func writeErrorStatus(w http.ResponseWriter, status int, msg string) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	if status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", `Bearer realm="tome"`)
	}
	w.WriteHeader(status)
	doc, _ := json.Marshal(map[string]string{"error": strings.Join(strings.Fields(msg), " ")})
	w.Write(append(doc, '\n'))
}
