package fakehub

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func newRepo(t *testing.T) (*Hub, *httptest.Server) {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"README.md", "data/a.jsonl", "data/b.jsonl", "data/sub/c.jsonl"} {
		p := filepath.Join(dir, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("content of "+f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	hub := New()
	hub.Add("org/name", "refs/convert/parquet", dir)
	srv := httptest.NewServer(hub)
	t.Cleanup(srv.Close)
	return hub, srv
}

func get(t *testing.T, url string, header ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestTreePaginates(t *testing.T) {
	hub, srv := newRepo(t)
	hub.PageSize = 2
	next := srv.URL + "/api/datasets/org/name/tree/refs%2Fconvert%2Fparquet/data?recursive=true"
	var paths []string
	for pages := 0; next != ""; pages++ {
		if pages > 10 {
			t.Fatal("pagination does not end")
		}
		resp := get(t, next)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		var entries []entry
		if err := json.NewDecoder(resp.Body).Decode(&entries); err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			paths = append(paths, e.Type+":"+e.Path)
		}
		next = ""
		if link := resp.Header.Get("Link"); link != "" {
			next = srv.URL + strings.TrimSuffix(strings.TrimPrefix(strings.Split(link, ";")[0], "<"), ">")
		}
	}
	want := "file:data/a.jsonl file:data/b.jsonl directory:data/sub file:data/sub/c.jsonl"
	if got := strings.Join(paths, " "); got != want {
		t.Errorf("listing %q, want %q", got, want)
	}
}

func TestResolveServesRangesAndChecksTheToken(t *testing.T) {
	hub, srv := newRepo(t)
	hub.Token = "tok"
	url := srv.URL + "/datasets/org/name/resolve/refs%2Fconvert%2Fparquet/data/sub/c.jsonl"
	if resp := get(t, url); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("without the token: status %d", resp.StatusCode)
	}
	resp := get(t, url, "Authorization", "Bearer tok", "Range", "bytes=0-6")
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusPartialContent || string(body) != "content" || resp.Header.Get("ETag") == "" {
		t.Errorf("range: status %d, body %q, etag %q", resp.StatusCode, body, resp.Header.Get("ETag"))
	}
	for _, bad := range []string{"/datasets/org/name/resolve/main/README.md", "/datasets/org/name/resolve/refs%2Fconvert%2Fparquet/nope", "/datasets/org/name/resolve/refs%2Fconvert%2Fparquet/%2E%2E/x"} {
		if resp := get(t, srv.URL+bad, "Authorization", "Bearer tok"); resp.StatusCode/100 != 4 {
			t.Errorf("%s: status %d", bad, resp.StatusCode)
		}
	}
	if n := len(hub.Requests()); n != 5 {
		t.Errorf("%d requests logged, want 5", n)
	}
}

func TestResolveRedirectsToStorage(t *testing.T) {
	hub, srv := newRepo(t)
	hub.Token = "tok"
	storage := httptest.NewServer(hub)
	t.Cleanup(storage.Close)
	hub.Redirect = storage.URL
	resp := get(t, srv.URL+"/datasets/org/name/resolve/refs%2Fconvert%2Fparquet/README.md", "Authorization", "Bearer tok")
	body, _ := io.ReadAll(resp.Body)
	if string(body) != "content of README.md" {
		t.Fatalf("body %q", body)
	}
	reqs := hub.Requests()
	if len(reqs) != 2 || reqs[1].Host == reqs[0].Host || !strings.HasPrefix(reqs[1].Path, "/files/") {
		t.Errorf("requests %+v: want the resolve, then the storage host", reqs)
	}
}
