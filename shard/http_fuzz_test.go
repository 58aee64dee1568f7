package shard

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"
)

func FuzzContentRange(f *testing.F) {
	for _, s := range []string{"bytes 0-9/10", "bytes */100", "bytes 5-5/*", "BYTES 1-2/3", "bytes 9-0/10", "bytes -1-2/3", "bytes 0-99999999999999999999/1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cr, err := parseContentRange(s)
		if err != nil {
			return
		}
		if cr.first < 0 {
			if cr.last != -1 || cr.size < 0 {
				t.Fatalf("%q: unsatisfied range %+v", s, cr)
			}
			return
		}
		if cr.first > cr.last || (cr.size >= 0 && cr.last >= cr.size) {
			t.Fatalf("%q: accepted an impossible range %+v", s, cr)
		}
		size := "*"
		if cr.size >= 0 {
			size = strconv.FormatInt(cr.size, 10)
		}
		again, err := parseContentRange(fmt.Sprintf("bytes %d-%d/%s", cr.first, cr.last, size))
		if err != nil || again != cr {
			t.Fatalf("%q: %+v does not round-trip: %+v, %v", s, cr, again, err)
		}
	})
}

func FuzzServerDelay(f *testing.F) {
	f.Add("120", `"api";r=0;t=55`, "3")
	f.Add("Wed, 21 Oct 2015 07:28:00 GMT", "limit=10, remaining=0, reset=4", "")
	f.Add("", `"a\"b";r=0;t=1, x`, "99999999999999999999999")
	f.Fuzz(func(t *testing.T, retry, rateLimit, reset string) {
		h := http.Header{}
		h.Set("Retry-After", retry)
		h.Set("RateLimit", rateLimit)
		h.Set("RateLimit-Reset", reset)
		d, _ := serverDelay(h, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
		if d < 0 || d > maxHeaderDelay {
			t.Fatalf("delay %v out of range", d)
		}
	})
}

func FuzzParseHubURI(f *testing.F) {
	for _, s := range []string{
		"hf://datasets/org/name", "hf://datasets/org/name@refs%2Fconvert%2Fparquet/a/b.parquet",
		"hf://datasets/org/name@refs/pr/3/x", "hf://datasets/a/b@v/../c", "hf://datasets/a/b@%2e%2e/c",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseHubURI(s)
		if err != nil {
			return
		}
		again, err := ParseHubURI(u.String())
		if err != nil || again != u {
			t.Fatalf("%q -> %+v -> %q -> %+v, %v", s, u, u.String(), again, err)
		}
		if u.Path != "" && !validRepoPath(u.Path) {
			t.Fatalf("%q: path %q escapes the repository", s, u.Path)
		}
		if u.Path == "" {
			return
		}
		fileURL, err := HubFileURL(u, HubOptions{Endpoint: "https://hub.example"})
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := url.Parse(fileURL)
		if err != nil || parsed.Host != "hub.example" || parsed.RawQuery != "" || parsed.Fragment != "" {
			t.Fatalf("%q: file URL %q escapes its endpoint (%v)", s, fileURL, err)
		}
		want := "/datasets/" + u.Repo + "/resolve/" + u.revision() + "/" + u.Path
		if parsed.Path != want {
			t.Fatalf("%q: file URL path %q, want %q", s, parsed.Path, want)
		}
	})
}

func FuzzNextLink(f *testing.F) {
	f.Add(`<https://h/x?c=1>; rel="next", <https://h/p>; rel=prev`)
	f.Add(`</rel>; rel="last next"; title="a,b"`)
	f.Add(`<<>>; rel=next`)
	base, _ := url.Parse("https://huggingface.co/api/datasets/a/b/tree/main")
	f.Fuzz(func(t *testing.T, v string) {
		next, err := nextLink([]string{v}, base)
		if err != nil || next == "" {
			return
		}
		u, err := url.Parse(next)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			t.Fatalf("%q: next link %q", v, next)
		}
	})
}

func FuzzTreePage(f *testing.F) {
	f.Add([]byte(`[{"type":"file","oid":"a","size":3,"path":"x/y.parquet","lfs":{"oid":"b","size":3}}]`))
	f.Add([]byte(`[{"type":"directory","path":"x"},{"type":"file","path":"../z","size":1}]`))
	f.Add([]byte(`{"error":"nope"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		files, err := decodeTreePage(bytes.NewReader(b))
		if err != nil {
			return
		}
		for _, file := range files {
			if !validRepoPath(file.Path) || file.Size < 0 {
				t.Fatalf("accepted entry %+v", file)
			}
		}
	})
}

// scriptedTransport answers the opening request with one response and
// every later one with another, without a network.
type scriptedTransport struct {
	responses [2]scriptedResponse
	calls     int
}

type scriptedResponse struct {
	status        int
	contentRange  string
	contentLength int64
	etag          string
	body          []byte
}

func (s *scriptedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := s.responses[min(s.calls, 1)]
	s.calls++
	h := http.Header{}
	if r.contentRange != "" {
		h.Set("Content-Range", r.contentRange)
	}
	if r.etag != "" {
		h.Set("ETag", r.etag)
	}
	return &http.Response{
		StatusCode: r.status, Header: h, ContentLength: r.contentLength,
		Body: io.NopCloser(bytes.NewReader(r.body)), Request: req,
	}, nil
}

// FuzzHTTPResponses feeds OpenHTTP and ReadAt arbitrary answers: whatever
// they are, the source neither panics nor breaks the io.ReaderAt contract,
// and allocates only what the caller's buffers and TailSize allow.
func FuzzHTTPResponses(f *testing.F) {
	f.Add(206, "bytes 0-9/10", int64(10), []byte("0123456789"), 206, "bytes 2-4/10", int64(3), []byte("234"), int64(2), 3)
	f.Add(200, "", int64(10), []byte("0123456789"), 200, "", int64(-1), []byte("0123456789"), int64(5), 5)
	f.Add(416, "bytes */0", int64(0), []byte{}, 206, "bytes 0-0/1", int64(1), []byte("x"), int64(0), 1)
	f.Add(206, "bytes 0--1/0", int64(0), []byte{}, 206, "", int64(0), []byte{}, int64(0), 0)
	f.Add(206, "bytes 99999999-99999999/100000000", int64(1), []byte("z"), 503, "", int64(0), []byte{}, int64(5), 10)
	f.Fuzz(func(t *testing.T, s1 int, cr1 string, cl1 int64, b1 []byte, s2 int, cr2 string, cl2 int64, b2 []byte, off int64, n int) {
		if s1 < 100 || s1 > 999 || s2 < 100 || s2 > 999 || n < 0 || n > 1<<16 {
			return
		}
		tr := &scriptedTransport{responses: [2]scriptedResponse{
			{s1, cr1, cl1, `"e"`, b1},
			{s2, cr2, cl2, `"e"`, b2},
		}}
		opts := HTTPOptions{
			Client:   &http.Client{Transport: tr},
			Limiter:  NewHostLimiter(1),
			Retry:    RetryPolicy{MaxAttempts: 1},
			TailSize: 16,
		}
		src, err := OpenHTTP(context.Background(), "http://example.invalid/f", opts)
		if err != nil {
			return
		}
		defer src.Close()
		if src.Size() < 0 {
			t.Fatalf("negative size %d", src.Size())
		}
		p := make([]byte, n)
		got, err := src.ReadAt(p, off)
		if got < 0 || got > n || (got < n && err == nil) {
			t.Fatalf("ReadAt(%d at %d) = %d, %v", n, off, got, err)
		}
		// A read served from the open's tail, without another request,
		// returns the bytes the server sent for those offsets.
		if got > 0 && tr.calls == 1 {
			tailOff := max(src.Size()-opts.TailSize, 0)
			at := off - tailOff
			if at < 0 || at+int64(got) > int64(len(b1)) || !bytes.Equal(p[:got], b1[at:at+int64(got)]) {
				t.Fatalf("ReadAt(%d at %d) from the tail = %q, but the server sent %q from offset %d", n, off, p[:got], b1, tailOff)
			}
		}
	})
}
