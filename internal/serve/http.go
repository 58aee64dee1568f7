package serve

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/tome-data/tome/internal/viewer"
)

// Handler is the server's HTTP API behind its token check:
//
//	GET /v1/datasets                 the served datasets (JSON)
//	GET /v1/datasets/{name}          one dataset's `tome info --json` object
//	GET /v1/datasets/{name}/stream   a training stream as Arrow IPC
//	GET /v1/datasets/{name}/state    the resume state after N samples
//	GET /metrics                     Prometheus metrics
//	/                                the dataset viewer
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/datasets", s.serveList)
	mux.HandleFunc("GET /v1/datasets/{name}", s.serveInfo)
	mux.HandleFunc("GET /v1/datasets/{name}/stream", s.serveStream)
	mux.HandleFunc("GET /v1/datasets/{name}/state", s.serveState)
	mux.Handle("GET /metrics", s.metrics.handler())
	mux.Handle("/", viewer.Handler(s.reg))
	return s.guard(mux)
}

// guard refuses what no route should see: paths with "." or ".."
// segments (404, where ServeMux would redirect to the cleaned path) and
// requests without the token (401; /metrics too unless public); and it
// counts every request in, so that Serve returns only once all are done.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for seg := range strings.SplitSeq(strings.TrimPrefix(r.URL.Path, "/"), "/") {
			if seg == "." || seg == ".." {
				writeErrorStatus(w, http.StatusNotFound, "not found")
				return
			}
		}
		public := s.cfg.PublicMetrics && r.URL.Path == "/metrics"
		if !public && !s.token.allows(r.Header.Get("Authorization")) {
			writeError(w, errUnauthorized)
			return
		}
		if err := s.enter(); err != nil {
			writeError(w, err)
			return
		}
		defer s.running.Done()
		next.ServeHTTP(w, r)
	})
}

// datasetEntry is one element of GET /v1/datasets.
type datasetEntry struct {
	Name         string   `json:"name"`
	DefaultSplit string   `json:"default_split"`
	Splits       []string `json:"splits"`
	Rows         int64    `json:"rows"` // of the default split; -1 when only a scan could tell
	Columns      []string `json:"columns"`
}

func (s *Server) serveList(w http.ResponseWriter, r *http.Request) {
	list := []datasetEntry{}
	for _, name := range s.reg.Names() {
		ds, err := s.reg.Dataset(r.Context(), name, "")
		if err != nil {
			writeError(w, err)
			return
		}
		e := datasetEntry{Name: name, DefaultSplit: ds.Split(), Splits: ds.Splits(), Rows: ds.Len()}
		for _, f := range ds.Schema().Fields() {
			e.Columns = append(e.Columns, f.Name)
		}
		list = append(list, e)
	}
	doc, err := marshalIndent(list)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, doc)
}

func (s *Server) serveInfo(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if !s.reg.has(name) {
		writeError(w, unknownDataset{name})
		return
	}
	if len(r.URL.Query()) > 0 {
		writeError(w, badParam("GET /v1/datasets/{name} takes no parameters"))
		return
	}
	doc, err := s.reg.Info(r.Context(), name)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, doc)
}

func writeJSON(w http.ResponseWriter, doc []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(doc)))
	w.Write(doc)
}

func marshalIndent(v any) ([]byte, error) {
	doc, err := json.MarshalIndent(v, "", "  ")
	return append(doc, '\n'), err
}
