package faultproxy

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func get(t *testing.T, client *http.Client, url, rng string) (*http.Response, []byte, error) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if rng != "" {
		req.Header.Set("Range", rng)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

func TestFaults(t *testing.T) {
	obj := NewObject("x.bin", []byte("0123456789abcdefghij"))
	p := New(obj)
	srv := httptest.NewServer(p)
	defer srv.Close()
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}

	resp, body, err := get(t, client, srv.URL, "bytes=2-5")
	if err != nil || resp.StatusCode != 206 || string(body) != "2345" || resp.Header.Get("ETag") != obj.ETag() {
		t.Fatalf("pass: %v %q %v", resp, body, err)
	}

	p.Script(CutAfter(3))
	if _, body, err := get(t, client, srv.URL, ""); !errors.Is(err, io.ErrUnexpectedEOF) || string(body) != "012" {
		t.Fatalf("CutAfter(3): %q, %v", body, err)
	}

	p.Script(Status(503, "Retry-After", "7"))
	if resp, _, _ := get(t, client, srv.URL, ""); resp.StatusCode != 503 || resp.Header.Get("Retry-After") != "7" {
		t.Fatalf("Status: %v", resp)
	}

	p.Script(Drop())
	if _, _, err := get(t, client, srv.URL, ""); err == nil {
		t.Fatal("Drop: got an answer")
	}

	p.Script(IgnoreRange())
	if resp, body, _ := get(t, client, srv.URL, "bytes=2-5"); resp.StatusCode != 200 || len(body) != 20 {
		t.Fatalf("IgnoreRange: %d, %q", resp.StatusCode, body)
	}

	p.Script(Slow(5, 10*time.Millisecond))
	start := time.Now()
	if _, body, err := get(t, client, srv.URL, ""); err != nil || len(body) != 20 || time.Since(start) < 40*time.Millisecond {
		t.Fatalf("Slow: %q, %v after %v", body, err, time.Since(start))
	}

	old := obj.ETag()
	p.Script(Chain(Header("X-Test", "1"), Swap(obj, []byte("new"))))
	resp, body, _ = get(t, client, srv.URL, "")
	if string(body) != "new" || obj.ETag() == old || resp.Header.Get("X-Test") != "1" {
		t.Fatalf("Swap: %q, ETag %s (was %s), header %q", body, obj.ETag(), old, resp.Header.Get("X-Test"))
	}

	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	req.Header.Set("If-Match", old)
	if resp, _ := client.Do(req); resp.StatusCode != http.StatusPreconditionFailed {
		t.Fatalf("If-Match with the old ETag: %d", resp.StatusCode)
	} else {
		resp.Body.Close()
	}
	p.Script(IgnorePreconditions())
	if resp, _ := client.Do(req); resp.StatusCode != 200 {
		t.Fatalf("IgnorePreconditions: %d", resp.StatusCode)
	} else {
		resp.Body.Close()
	}

	if got := p.Count(); got != 9 {
		t.Fatalf("Count = %d, want 9", got)
	}
	if r := p.Requests()[0]; r.Range != "bytes=2-5" || r.Method != http.MethodGet {
		t.Fatalf("first request logged as %+v", r)
	}
	p.Script(Status(500), Status(500))
	p.ClearScript()
	if resp, _, _ := get(t, client, srv.URL, ""); resp.StatusCode != 200 {
		t.Fatalf("after ClearScript: %d", resp.StatusCode)
	}
	p.Always(Status(404))
	if resp, _, _ := get(t, client, srv.URL, ""); resp.StatusCode != 404 {
		t.Fatalf("Always: %d", resp.StatusCode)
	}
	p.Reset()
	if p.Count() != 0 || p.PeakInFlight() != 0 {
		t.Fatal("Reset kept the log")
	}
}

func TestOmitETag(t *testing.T) {
	obj := NewObject("x", []byte("abc"))
	obj.OmitETag()
	w := httptest.NewRecorder()
	obj.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/x", nil))
	if w.Header().Get("ETag") != "" || w.Header().Get("Last-Modified") == "" || !strings.EqualFold(w.Body.String(), "abc") {
		t.Fatalf("headers %v, body %q", w.Header(), w.Body)
	}
}
