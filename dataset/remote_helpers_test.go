package dataset

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"go.uber.org/goleak"

	"github.com/tome-data/tome/internal/fakehub"
)

// useRemote sets the remote options for one test, with a client whose
// idle connections close when the test ends, and checks that the test
// leaves no goroutine behind. It returns the client.
func useRemote(t *testing.T, o RemoteOptions) *http.Client {
	t.Helper()
	ignore := goleak.IgnoreCurrent()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 16
	if o.Client == nil {
		o.Client = &http.Client{Transport: tr}
	}
	if err := SetRemoteOptions(o); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := SetRemoteOptions(RemoteOptions{}); err != nil {
			t.Error(err)
		}
		tr.CloseIdleConnections()
		goleak.VerifyNone(t, ignore)
	})
	return o.Client
}

// newFakeHub serves a fake Hub on loopback and points HF_ENDPOINT at it,
// with no token in the environment.
func newFakeHub(t *testing.T) (*fakehub.Hub, *httptest.Server) {
	t.Helper()
	hub := fakehub.New()
	srv := httptest.NewServer(hub)
	t.Cleanup(srv.Close)
	t.Setenv("HF_ENDPOINT", srv.URL)
	t.Setenv("HF_TOKEN", "")
	return hub, srv
}

// newFileServer serves dir over HTTP on loopback and counts the requests.
func newFileServer(t *testing.T, dir string) (*httptest.Server, *requestLog) {
	t.Helper()
	log := &requestLog{}
	srv := httptest.NewServer(log.wrap(http.FileServer(http.Dir(dir))))
	t.Cleanup(srv.Close)
	return srv, log
}

// requestLog counts the requests a handler sees.
type requestLog struct{ n atomic.Int64 }

func (l *requestLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.n.Add(1)
		h.ServeHTTP(w, r)
	})
}

// take returns the number of requests since the last call.
func (l *requestLog) take() int { return int(l.n.Swap(0)) }

// openDigest opens uri and returns its row count and a digest of every
// value, read batch by batch.
func openDigest(t *testing.T, uri string, opts ...Option) (int64, string) {
	t.Helper()
	ds, err := Open(context.Background(), uri, opts...)
	if err != nil {
		t.Fatalf("opening %s: %v", uri, err)
	}
	defer ds.Close()
	return scanDigest(t, ds, nil)
}

func scanDigest(t *testing.T, ds *Dataset, so *ScanOptions) (int64, string) {
	t.Helper()
	rows, digest, err := digestBatches(ds, so)
	if err != nil {
		t.Fatalf("scanning %s: %v", ds.Name(), err)
	}
	return rows, digest
}

// digestBatches is scanDigest for goroutines other than the test's.
func digestBatches(ds *Dataset, so *ScanOptions) (int64, string, error) {
	h := sha256.New()
	var rows int64
	for b, err := range ds.Batches(context.Background(), so) {
		if err != nil {
			return rows, "", err
		}
		rows += b.NumRows()
		var buf bytes.Buffer
		if err := array.RecordToJSON(b, &buf); err != nil {
			return rows, "", err
		}
		h.Write(buf.Bytes())
	}
	return rows, hex.EncodeToString(h.Sum(nil)), nil
}

// relLayout rewrites a layout's names relative to its root, so that the
// layouts of a local folder and of the same folder on a Hub compare equal.
func relLayout(l *Layout) *Layout {
	rel := func(s string) string {
		s = strings.TrimPrefix(s, l.Root)
		return strings.TrimPrefix(s, "/")
	}
	out := &Layout{Kind: l.Kind, Config: l.Config, Configs: l.Configs}
	for _, s := range l.Splits {
		rs := SplitLayout{Name: s.Name, InfoFile: rel(s.InfoFile)}
		for _, f := range s.Files {
			rs.Files = append(rs.Files, rel(f))
		}
		for _, f := range s.Missing {
			rs.Missing = append(rs.Missing, rel(f))
		}
		out.Splits = append(out.Splits, rs)
	}
	return out
}

// writeTree writes a file at rel under dir, making its directories.
func writeTree(t *testing.T, dir, rel, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
