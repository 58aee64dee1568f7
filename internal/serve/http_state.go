package serve

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/tome-data/tome/dataset"
)

// serveState answers the training state (dataset.TrainState JSON) of a
// stream after its rank delivered `consumed` samples, counted from the
// stream's start over all the rank's workers: what a job saves to resume
// later, on any world, with the stream parameter resume=.
//
//	GET /v1/datasets/{name}/state?<stream parameters>&consumed=N
func (s *Server) serveState(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if !s.reg.has(name) {
		writeError(w, unknownDataset{name})
		return
	}
	q := r.URL.Query()
	raw := q["consumed"]
	if len(raw) != 1 {
		writeError(w, badParam("consumed: give it once, the samples the rank delivered"))
		return
	}
	consumed, err := strconv.ParseInt(raw[0], 10, 64)
	if err != nil || consumed < 0 {
		writeError(w, badParam("consumed=%q: want a count", raw[0]))
		return
	}
	q.Del("consumed")
	p, err := ParseQuery(name, q)
	if err != nil {
		writeError(w, err)
		return
	}
	bs, _, err := s.openStream(r.Context(), p)
	if err != nil {
		writeError(w, err)
		return
	}
	defer bs.Close()
	ts, ok := bs.(*dataset.TrainStream)
	if !ok {
		writeError(w, badParam("dataset %s has no random access, hence no training order to resume", name))
		return
	}
	if consumed > ts.RankLen() {
		writeError(w, badParam("consumed=%d: the stream has %d samples", consumed, ts.RankLen()))
		return
	}
	st, err := ts.State(consumed)
	if err != nil {
		writeError(w, err)
		return
	}
	doc, err := json.Marshal(st)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, append(doc, '\n'))
}
