package shard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tome-data/tome/internal/faultproxy"
)

func TestParseHubURI(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want HubURI
	}{
		{"hf://datasets/org/name", HubURI{Repo: "org/name"}},
		{"hf://datasets/org/name/", HubURI{Repo: "org/name"}},
		{"hf://datasets/org/name/data/train.parquet", HubURI{Repo: "org/name", Path: "data/train.parquet"}},
		{"hf://datasets/org/name@main", HubURI{Repo: "org/name", Revision: "main"}},
		{"hf://datasets/org/name@v1.0/data", HubURI{Repo: "org/name", Revision: "v1.0", Path: "data"}},
		{"hf://datasets/org/name@refs%2Fconvert%2Fparquet/default/train/0000.parquet",
			HubURI{Repo: "org/name", Revision: "refs/convert/parquet", Path: "default/train/0000.parquet"}},
		{"hf://datasets/org/name@refs/convert/parquet/default/train/0000.parquet",
			HubURI{Repo: "org/name", Revision: "refs/convert/parquet", Path: "default/train/0000.parquet"}},
		{"hf://datasets/org/name@refs/convert/parquet", HubURI{Repo: "org/name", Revision: "refs/convert/parquet"}},
		{"hf://datasets/org/name@refs/pr/12/x.csv", HubURI{Repo: "org/name", Revision: "refs/pr/12", Path: "x.csv"}},
		{"hf://datasets/my-org/my_data.v2@0123abc/dir with space/f.jsonl",
			HubURI{Repo: "my-org/my_data.v2", Revision: "0123abc", Path: "dir with space/f.jsonl"}},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseHubURI(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("ParseHubURI = %+v, want %+v", got, tc.want)
			}
			again, err := ParseHubURI(got.String())
			if err != nil || again != got {
				t.Fatalf("String %q parses back to %+v, %v", got.String(), again, err)
			}
		})
	}
	for _, bad := range []string{
		"", "hf://models/org/name", "hf://spaces/org/name", "https://huggingface.co/datasets/org/name",
		"hf://datasets/", "hf://datasets/org", "hf://datasets/org/", "hf://datasets//name", "hf://datasets/org/name@",
		"hf://datasets/org/name@/x", "hf://datasets/org/na me", "hf://datasets/../name", "hf://datasets/org/..",
		"hf://datasets/org/name/../../etc/passwd", "hf://datasets/org/name/a//b", "hf://datasets/org/name@%zz",
		"hf://datasets/org/name@..%2F..", "hf://datasets/org/name/./x",
	} {
		if u, err := ParseHubURI(bad); err == nil {
			t.Errorf("ParseHubURI(%q) = %+v, want an error", bad, u)
		}
	}
}

func TestHubFileURL(t *testing.T) {
	for _, tc := range []struct {
		uri, endpoint, want string
	}{
		{"hf://datasets/org/name/data/train.parquet", "https://huggingface.co",
			"https://huggingface.co/datasets/org/name/resolve/main/data/train.parquet"},
		{"hf://datasets/org/name@refs%2Fconvert%2Fparquet/default/train/0000.parquet", "https://hf-mirror.com/",
			"https://hf-mirror.com/datasets/org/name/resolve/refs%2Fconvert%2Fparquet/default/train/0000.parquet"},
		{"hf://datasets/org/name@v1/dir with space/a#b?.csv", "http://127.0.0.1:8080/hub",
			"http://127.0.0.1:8080/hub/datasets/org/name/resolve/v1/dir%20with%20space/a%23b%3F.csv"},
	} {
		u, err := ParseHubURI(tc.uri)
		if err != nil {
			t.Fatal(err)
		}
		got, err := HubFileURL(u, HubOptions{Endpoint: tc.endpoint})
		if err != nil || got != tc.want {
			t.Errorf("HubFileURL(%s) = %q, %v; want %q", tc.uri, got, err, tc.want)
		}
	}
	u, _ := ParseHubURI("hf://datasets/org/name")
	if _, err := HubFileURL(u, HubOptions{Endpoint: "https://x"}); err == nil {
		t.Error("a URI without a path has no file URL")
	}
	if _, err := HubFileURL(HubURI{Repo: "a/b", Path: "x"}, HubOptions{Endpoint: "ftp://x"}); err == nil {
		t.Error("an ftp endpoint was accepted")
	}
}

// fakeHub serves a dataset repository the way the Hub does: a paginated
// tree API and resolve URLs redirecting to a storage host (the CDN,
// another loopback host). It wants the token on the endpoint and records
// what reaches each host.
type fakeHub struct {
	files    map[string]map[string][]byte // revision -> path -> content
	token    string
	pageSize int
	endpoint *faultproxy.Proxy
	cdn      *faultproxy.Proxy
	epURL    string
	cdnURL   string
	// nextHost, when set, is where the second page's Link points.
	nextHost string
}

func newFakeHub(t *testing.T) *fakeHub {
	checkLeaks(t)
	h := &fakeHub{
		token:    "hf_secret",
		pageSize: 2,
		files: map[string]map[string][]byte{
			"main": {
				"README.md":                         []byte("---\nconfigs: []\n---\n"),
				"data/train-00000-of-00002.parquet": randomBytes(300000, 11),
				"data/train-00001-of-00002.parquet": randomBytes(1000, 12),
				"data/test-00000-of-00001.parquet":  randomBytes(5000, 13),
				"data/extra/notes.txt":              []byte("notes"),
			},
			"refs/convert/parquet": {
				"default/train/0000.parquet": randomBytes(70000, 14),
			},
		},
	}
	cdnSrv := httptest.NewUnstartedServer(nil)
	t.Cleanup(cdnSrv.Close)
	h.cdnURL = "http://" + strings.Replace(cdnSrv.Listener.Addr().String(), "127.0.0.1", "localhost", 1)
	h.endpoint = faultproxy.New(http.HandlerFunc(h.serveEndpoint))
	ep := newServer(t, h.endpoint)
	h.epURL = ep.URL
	h.cdn = faultproxy.New(http.HandlerFunc(h.serveCDN))
	cdnSrv.Config.Handler = h.cdn
	cdnSrv.Start()
	return h
}

func (h *fakeHub) serveEndpoint(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+h.token {
		http.Error(w, "Invalid username or password.", http.StatusUnauthorized)
		return
	}
	path := r.URL.EscapedPath()
	if rest, ok := strings.CutPrefix(path, "/api/datasets/org/name/tree/"); ok {
		h.serveTree(w, r, rest, h.epURL)
		return
	}
	if rest, ok := strings.CutPrefix(path, "/datasets/org/name/resolve/"); ok {
		rev, file, _ := strings.Cut(rest, "/")
		http.Redirect(w, r, h.cdnURL+"/blob/"+rev+"/"+file+"?X-Amz-Signature=abc", http.StatusFound)
		return
	}
	http.Error(w, "Repository not found", http.StatusNotFound)
}

func (h *fakeHub) serveCDN(w http.ResponseWriter, r *http.Request) {
	path := r.URL.EscapedPath()
	if rest, ok := strings.CutPrefix(path, "/api/datasets/org/name/tree/"); ok {
		h.serveTree(w, r, rest, h.cdnURL) // a page served from elsewhere
		return
	}
	rest, ok := strings.CutPrefix(path, "/blob/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	escRev, escFile, _ := strings.Cut(rest, "/")
	rev, _ := url.PathUnescape(escRev)
	file, _ := url.PathUnescape(escFile)
	data, ok := h.files[rev][file]
	if !ok {
		http.NotFound(w, r)
		return
	}
	faultproxy.NewObject(file, data).ServeHTTP(w, r)
}

// serveTree answers /tree/{rev}[/{path}] in pages of pageSize entries.
func (h *fakeHub) serveTree(w http.ResponseWriter, r *http.Request, rest, self string) {
	escRev, escDir, _ := strings.Cut(rest, "/")
	rev, dir := urlPathUnescape(escRev), urlPathUnescape(escDir)
	files, ok := h.files[rev]
	if !ok || r.URL.Query().Get("recursive") != "true" {
		http.Error(w, "Invalid rev id", http.StatusNotFound)
		return
	}
	type lfs struct {
		OID  string `json:"oid"`
		Size int    `json:"size"`
	}
	type entry struct {
		Type string `json:"type"`
		OID  string `json:"oid"`
		Size int    `json:"size"`
		Path string `json:"path"`
		LFS  *lfs   `json:"lfs,omitempty"`
	}
	var entries []entry
	dirs := map[string]bool{}
	for p, data := range files {
		if dir != "" && !strings.HasPrefix(p, dir+"/") {
			continue
		}
		e := entry{Type: "file", OID: fmt.Sprintf("%040x", len(data)), Size: len(data), Path: p}
		if strings.HasSuffix(p, ".parquet") {
			e.LFS = &lfs{OID: fmt.Sprintf("%064x", len(data)), Size: len(data)}
		}
		entries = append(entries, e)
		segs := strings.Split(p, "/")
		for i := 1; i < len(segs); i++ {
			d := strings.Join(segs[:i], "/")
			if !dirs[d] && (dir == "" || strings.HasPrefix(d, dir+"/")) {
				dirs[d] = true
				entries = append(entries, entry{Type: "directory", OID: "0", Path: d})
			}
		}
	}
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(b.Path, a.Path) }) // not the order ListHub returns
	cursor, _ := strconv.Atoi(r.URL.Query().Get("cursor"))
	end := min(cursor+h.pageSize, len(entries))
	if end < len(entries) {
		base := self
		if h.nextHost != "" && cursor == h.pageSize {
			base = h.nextHost
		}
		w.Header().Set("Link", fmt.Sprintf(`<%s/api/datasets/org/name/tree/%s?recursive=true&cursor=%d>; rel="next"`, base, rest, end))
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(entries[cursor:end])
}

func urlPathUnescape(s string) string {
	out, err := url.PathUnescape(s)
	if err != nil {
		return s
	}
	return out
}

func (h *fakeHub) options(t *testing.T) HubOptions {
	return HubOptions{
		Endpoint: h.epURL,
		Token:    h.token,
		HTTP:     HTTPOptions{Client: newTestClient(t), Limiter: NewHostLimiter(4)},
	}
}

func TestListHub(t *testing.T) {
	h := newFakeHub(t)
	opts := h.options(t)
	for _, tc := range []struct {
		uri  string
		want []string
	}{
		{"hf://datasets/org/name", []string{"README.md", "data/extra/notes.txt", "data/test-00000-of-00001.parquet",
			"data/train-00000-of-00002.parquet", "data/train-00001-of-00002.parquet"}},
		{"hf://datasets/org/name/data/extra", []string{"data/extra/notes.txt"}},
		{"hf://datasets/org/name@refs%2Fconvert%2Fparquet", []string{"default/train/0000.parquet"}},
	} {
		t.Run(tc.uri, func(t *testing.T) {
			h.endpoint.Reset()
			files, err := ListHub(context.Background(), tc.uri, opts)
			if err != nil {
				t.Fatal(err)
			}
			var paths []string
			for _, f := range files {
				paths = append(paths, f.Path)
				u, _ := ParseHubURI(tc.uri)
				data := h.files[u.revision()][f.Path]
				if f.Size != int64(len(data)) {
					t.Errorf("%s: size %d, want %d", f.Path, f.Size, len(data))
				}
				if strings.HasSuffix(f.Path, ".parquet") != (f.SHA256 != "") {
					t.Errorf("%s: SHA256 %q", f.Path, f.SHA256)
				}
			}
			if diff := cmp.Diff(tc.want, paths); diff != "" {
				t.Fatalf("paths (-want +got):\n%s", diff)
			}
			if h.endpoint.Count() < 2 && len(tc.want) > 2 {
				t.Fatalf("%d requests: pagination not followed", h.endpoint.Count())
			}
		})
	}
	reqs := h.endpoint.Requests()
	if last := reqs[len(reqs)-1]; !strings.Contains(last.Path, "/tree/refs%2Fconvert%2Fparquet") {
		t.Fatalf("revision not escaped as one segment: %s", last.Path)
	}
}

func TestListHubTokenStaysHome(t *testing.T) {
	h := newFakeHub(t)
	h.nextHost = h.cdnURL // the third page is on another host
	files, err := ListHub(context.Background(), "hf://datasets/org/name", h.options(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 5 {
		t.Fatalf("%d files, want 5", len(files))
	}
	if h.cdn.Count() == 0 {
		t.Fatal("no page was read from the other host")
	}
	for _, r := range h.cdn.Requests() {
		if r.Authorization != "" {
			t.Fatalf("token sent to another host: %+v", r)
		}
	}
}

func TestOpenHub(t *testing.T) {
	h := newFakeHub(t)
	opts := h.options(t)
	for _, uri := range []string{
		"hf://datasets/org/name/data/train-00000-of-00002.parquet",
		"hf://datasets/org/name@refs/convert/parquet/default/train/0000.parquet",
	} {
		t.Run(uri, func(t *testing.T) {
			h.endpoint.Reset()
			h.cdn.Reset()
			s, err := OpenHub(context.Background(), uri, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			u, _ := ParseHubURI(uri)
			data := h.files[u.revision()][u.Path]
			checkRead(t, s, data, 0, len(data))
			checkRead(t, s, data, 100, 10)
			for _, r := range h.endpoint.Requests() {
				if r.Authorization != "Bearer "+h.token {
					t.Errorf("endpoint request without the token: %+v", r)
				}
			}
			for _, r := range h.cdn.Requests() {
				if r.Authorization != "" {
					t.Errorf("token sent to the storage host: %+v", r)
				}
			}
			if h.cdn.Count() == 0 {
				t.Fatal("nothing read from the storage host")
			}
		})
	}
}

func TestHubEnvironment(t *testing.T) {
	h := newFakeHub(t)
	t.Setenv("HF_ENDPOINT", h.epURL)
	t.Setenv("HF_TOKEN", h.token)
	client := newTestClient(t)
	files, err := ListHub(context.Background(), "hf://datasets/org/name/data/extra", HubOptions{HTTP: HTTPOptions{Client: client}})
	if err != nil || len(files) != 1 {
		t.Fatalf("ListHub from the environment: %v, %v", files, err)
	}
	t.Setenv("HF_TOKEN", "")
	_, err = ListHub(context.Background(), "hf://datasets/org/name", HubOptions{HTTP: HTTPOptions{Client: client}})
	if !errors.Is(err, ErrDenied) || !strings.Contains(err.Error(), "401") {
		t.Fatalf("without a token: %v, want ErrDenied", err)
	}
	_, err = OpenHub(context.Background(), "hf://datasets/org/name/README.md", HubOptions{HTTP: HTTPOptions{Client: client}})
	if !errors.Is(err, ErrDenied) {
		t.Fatalf("OpenHub without a token: %v, want ErrDenied", err)
	}
}

func TestListHubErrors(t *testing.T) {
	checkLeaks(t)
	t.Setenv("HF_TOKEN", "") // a real token has no business with these servers
	client := newTestClient(t)
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		want    error
	}{
		{"not found", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }, ErrNotFound},
		{"not JSON", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>")) }, ErrBadResponse},
		{"wrong shape", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"error":"x"}`)) }, ErrBadResponse},
		{"escaping path", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`[{"type":"file","path":"../../etc/passwd","size":1}]`))
		}, ErrBadResponse},
		{"negative size", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`[{"type":"file","path":"a","size":-1}]`))
		}, ErrBadResponse},
		{"listed twice", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`[{"type":"file","path":"a","size":1},{"type":"file","path":"a","size":1}]`))
		}, ErrBadResponse},
		{"pagination loop", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Link", `<`+r.URL.String()+`>; rel="next"`)
			w.Write([]byte(`[]`))
		}, ErrBadResponse},
		{"link to ftp", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Link", `<ftp://x/y>; rel="next"`)
			w.Write([]byte(`[]`))
		}, ErrBadResponse},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			_, err := ListHub(context.Background(), "hf://datasets/org/name", HubOptions{
				Endpoint: srv.URL, HTTP: HTTPOptions{Client: client, Retry: RetryPolicy{MaxAttempts: 1}},
			})
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), "hf://datasets/org/name") {
				t.Fatalf("error %q does not name the URI", err)
			}
		})
	}
}

func TestNextLink(t *testing.T) {
	base, _ := url.Parse("https://huggingface.co/api/datasets/a/b/tree/main?recursive=true")
	for _, tc := range []struct {
		values []string
		want   string
	}{
		{nil, ""},
		{[]string{`<https://huggingface.co/api/x?cursor=abc>; rel="next"`}, "https://huggingface.co/api/x?cursor=abc"},
		{[]string{`</api/x?cursor=a,b>; rel="next"`}, "https://huggingface.co/api/x?cursor=a,b"},
		{[]string{`<https://h/prev>; rel="prev", <https://h/next>; rel=next`}, "https://h/next"},
		{[]string{`<https://h/first>; rel="first"`, `<https://h/n>; title="a, b"; rel="last next"`}, "https://h/n"},
		{[]string{`<https://h/last>; rel="last"`}, ""},
	} {
		got, err := nextLink(tc.values, base)
		if err != nil || got != tc.want {
			t.Errorf("nextLink(%q) = %q, %v; want %q", tc.values, got, err, tc.want)
		}
	}
	for _, bad := range []string{`https://h/x; rel="next"`, `<https://h/x; rel="next"`, `<ftp://h/x>; rel="next"`} {
		if got, err := nextLink([]string{bad}, base); err == nil {
			t.Errorf("nextLink(%q) = %q, want an error", bad, got)
		}
	}
}
