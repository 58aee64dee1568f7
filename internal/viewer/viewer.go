package viewer

import (
	"context"
	"net/http"

	"github.com/tome-data/tome/dataset"
)

// Catalog is what the viewer shows; internal/serve implements it.
type Catalog interface {
	// Names lists the served datasets' names, sorted.
	Names() []string
	// Dataset returns split split ("" = the default split) of dataset name, or an error
	// wrapping dataset.ErrNotFound / dataset.ErrSplit. The viewer does not Close it.
	Dataset(ctx context.Context, name, split string) (*dataset.Dataset, error)
}

// Handler serves the viewer: "/" and its own pages and assets under "/viewer/" (see the
// package doc for the routes). It answers 404 for other paths and 405 for methods other than
// GET and HEAD.
func Handler(c Catalog) http.Handler {
	v := &viewer{catalog: c}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", v.serveIndex)
	mux.HandleFunc("GET /viewer/datasets/{name}", v.serveDataset)
	mux.HandleFunc("GET /viewer/datasets/{name}/image", v.serveImage)
	mux.HandleFunc("GET /viewer/style.css", serveStyle)
	mux.HandleFunc("GET /viewer/icon.svg", serveIcon)
	mux.HandleFunc("GET /", v.serveNotFound)
	return securityHeaders(mux)
}

type viewer struct {
	catalog Catalog
}

// securityHeaders forbids scripts, plugins, framing and MIME sniffing on
// every answer: the pages need none of them, and a cell that slipped past
// escaping still could not run.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(w, r)
	})
}
